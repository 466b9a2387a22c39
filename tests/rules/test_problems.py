"""Every rule states its goal (title, what a pass shows) and its problem (what a failure shows)."""

from __future__ import annotations

from zsec_west.check.audit import BUILTINS
from zsec_west.files.yamldoc import parse_located
from zsec_west.findings import Finding, Rule, Severity, Status
from zsec_west.rules.catalogue import build_catalogue
from zsec_west.rules.fileformat import RuleParser
from zsec_west.tfm.catalogue import advisory_rules


def test_every_shipped_and_generated_rule_has_a_problem_that_is_not_its_goal():
    catalogue = build_catalogue(generated=[advisory_rules()], builtins=BUILTINS)
    rules = [rule.rule for rule in catalogue.own]
    assert len(rules) > 100
    for rule in rules:
        assert rule.problem, f"{rule.id} has no problem"
        assert rule.problem != rule.title, f"{rule.id}: problem and goal read the same"
    advisory = next(rule for rule in rules if rule.id == "TFM-TFMV-1")
    assert advisory.title.startswith("Not affected by TFMV-1")
    assert advisory.problem.startswith("TFMV-1 (CVE-2020-16273): ")


def test_failures_headline_the_problem_and_passes_the_goal():
    rule = Rule("X-1", "Images are not signed with a published development key", Severity.HIGH,
                problem="Images are signed with a published development key")
    failed = Finding(rule, "app", Status.FAIL, detail="MCUboot root-rsa-2048.pem")
    assert failed.headline == "Images are signed with a published development key (MCUboot root-rsa-2048.pem)"
    assert Finding(rule, "app", Status.PASS).headline == rule.title
    assert Finding(rule, "app", Status.NOT_APPLICABLE).headline == rule.title
    bare = Rule("X-2", "Stack canaries are on", Severity.LOW)
    assert Finding(bare, "app", Status.FAIL).headline == "Not met: Stack canaries are on"


def test_the_rule_format_reads_problem():
    text = ("rules:\n  - id: ACME-1\n    title: No boot delay\n    problem: The boot is   delayed\n"
            "    severity: low\n    symbol: BOOT_DELAY\n    value: 0\n    rationale: r\n")
    [rule] = RuleParser("acme.yaml", "user").parse_file(parse_located(text, "acme.yaml")).rules
    assert rule.rule.problem == "The boot is delayed"


def test_development_keys_are_critical_in_production_whichever_the_bootloader():
    """A TF-M development key is as bad as MCUboot's under `production`."""
    catalogue = build_catalogue(generated=[advisory_rules()], builtins=BUILTINS)
    chain = catalogue.profiles.chain("production")
    devkey_rules = [rule for rule in catalogue.own
                    if "development key" in rule.rule.problem or "dummy keys" in rule.rule.problem]
    assert {rule.id for rule in devkey_rules} >= {"ZSEC-KEY-001", "ZSEC-KEY-002", "ZSEC-IMG-001",
                                                  "TFM-DEV-KEY", "TFM-IMAGE-DEV-KEY", "TFM-DUMMY-PROVISIONING"}
    for rule in devkey_rules:
        assert rule.severity_for(chain) is Severity.CRITICAL, rule.id


def test_sbom_conformance_rules_state_their_problem():
    from zsec_west.sbom.conformance.model import FIELDS, rule
    from zsec_west.sbom.vulns.findings import INCOMPLETE_RULE

    assert INCOMPLETE_RULE.problem and INCOMPLETE_RULE.problem != INCOMPLETE_RULE.title
    for spec in FIELDS:
        made = rule(spec)
        assert made.problem and made.problem != made.title, spec.key
