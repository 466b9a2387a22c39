"""The engine runs built-in checks by name from the caller's mapping; the catalogue refuses names
the caller cannot run; a check that could not run is a warning, never a pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BUILDS
from zsec_west.builddir import load_build
from zsec_west.check.audit import BUILTINS
from zsec_west.errors import BuildDirError, DataFileError, KeyFileError
from zsec_west.findings import Rule, Severity, Status
from zsec_west.rules.catalogue import build_catalogue, load_rule_file
from zsec_west.rules.engine import CheckContext, evaluate_domain, make_finding, uncovered
from zsec_west.rules.model import CatalogueRule

USER = """\
rules:
  - id: ACME-KEY-001
    title: Our own key check
    severity: high
    domains: [app]
    builtin: acme-key
    rationale: Because.
  - id: ACME-KEY-002
    title: Covered by the first
    severity: low
    domains: [app]
    builtin: acme-other
    covered_by: [ACME-KEY-001]
    rationale: Because.
"""


def _rule(rule_id: str, builtin: str, covered_by: tuple[str, ...] = ()) -> CatalogueRule:
    return CatalogueRule(Rule(rule_id, "t", Severity.HIGH), None, domains=("app",), builtin=builtin,
                         covered_by=covered_by, severity_by_profile=(("production", Severity.CRITICAL),))


def test_the_catalogue_refuses_builtins_the_caller_cannot_run(tmp_path: Path):
    path = tmp_path / "rules.yaml"
    path.write_text(USER, encoding="utf-8")
    catalogue = build_catalogue([path], builtins={*BUILTINS, "acme-key", "acme-other"})
    assert catalogue.get("ACME-KEY-001").builtin == "acme-key"
    with pytest.raises(DataFileError) as caught:
        build_catalogue([path], builtins={*BUILTINS, "acme-other"})
    assert "unknown builtin check" in caught.value.message
    assert caught.value.path.startswith(f"{path}:") and caught.value.path.endswith(":2")


def test_builtin_names_are_checked_when_the_file_is_read(tmp_path: Path):
    path = tmp_path / "rules.yaml"
    path.write_text(USER.replace("builtin: acme-key", "builtin: Acme Key"), encoding="utf-8")
    with pytest.raises(DataFileError, match="line 6, field 'builtin'.*not a builtin check name"):
        load_rule_file(path)


def test_builtins_are_dispatched_by_name_and_covered_rules_stand_back():
    build = load_build(BUILDS["hello"])
    domain = build.default
    ctx = CheckContext(build, ("production", "strict", "base"))
    calls: list[str] = []

    def passes(rule, dom, run):
        calls.append(rule.id)
        return [make_finding(rule, dom, run, Status.PASS, "fine", "subject")]

    rules = [_rule("ACME-KEY-001", "acme-key"), _rule("ACME-KEY-002", "acme-other", ("ACME-KEY-001",))]
    assert [r.id for r in uncovered(rules)] == ["ACME-KEY-001"]
    findings = evaluate_domain(domain, rules, ctx, {"acme-key": passes, "acme-other": passes})
    assert calls == ["ACME-KEY-001"]
    assert [(f.rule.id, f.status, f.severity) for f in findings] == [
        ("ACME-KEY-001", Status.PASS, Severity.CRITICAL)]  # the profile's severity applies


def test_a_builtin_that_cannot_run_is_a_warning_not_a_pass():
    build = load_build(BUILDS["hello"])
    ctx = CheckContext(build)

    def broken(rule, dom, run):
        raise KeyFileError("cannot read the key", path="/keys/k.pem")

    def unreadable(rule, dom, run):
        raise BuildDirError("Kconfig output not found", path="zephyr/.config")

    findings = evaluate_domain(build.default, [_rule("ACME-KEY-001", "acme-key")], ctx, {"acme-key": broken})
    assert findings == []
    assert ctx.warnings == [f"domain {build.default.name}: ACME-KEY-001 could not be checked: "
                            "/keys/k.pem: cannot read the key"]
    # An unreadable domain is the caller's to skip, as for Kconfig rules.
    with pytest.raises(BuildDirError):
        evaluate_domain(build.default, [_rule("ACME-KEY-001", "acme-key")], ctx, {"acme-key": unreadable})
