"""TF-M in a Zephyr build (`zsec tfm` / `west sec-tfm`): configuration, sub-build, images,
signing keys, memory split, board support and the TF-M security advisories.

The TF-M rules are part of the one rule catalogue (zsec_west/data/rules/tfm.yaml, plus one rule
per advisory, see zsec_west.tfm.catalogue); their built-in checks are in zsec_west.tfm.builtins.
`sec-tfm` evaluates them with `tfm_findings`; `sec-check` evaluates the same rules on TF-M domains.
"""
