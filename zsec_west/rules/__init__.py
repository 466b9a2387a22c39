"""The rule catalogue and its engine, shared by `sec-check` (zsec_west.check) and `sec-tfm`
(zsec_west.tfm): the rule model (model), the rule-file format (fileformat), profiles, the
catalogue of one run (catalogue) and the evaluation engine (engine). Rules whose logic is code
name a built-in check; the engine runs it from a name -> function mapping its caller passes, so
this package knows no command's checks.
"""
