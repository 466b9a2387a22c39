"""SBOMs of a build and offline vulnerability matching (`zsec sbom`, `west sec-sbom`)."""
