"""TF-M in a Zephyr build (`zsec tfm` / `west sec-tfm`): configuration, sub-build, images,
signing keys, memory split, board support and the TF-M security advisories.

`zsec_west.tfm.checks.tfm_findings(build, domain)` gives the TF-M findings of one TF-M domain;
sec-check uses it too.
"""
