"""`zsec check` / `west sec-check`: the rule catalogue, its engine, waivers, fixes and key checks."""
