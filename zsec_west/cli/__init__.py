"""Front-end plumbing shared by the `zsec` console script and the west extension commands."""
