"""Fix advice in the report and the `--fix` fragments come from one plan, so they cannot disagree.

For every rule of the catalogue with a Kconfig check, a copied build is given a configuration in
which that rule fails; the advice the report prints must set exactly the symbols, to exactly the
values, that the fragment `--fix` writes for the rule (a choice's better option, not the bad
option turned off; SB_CONFIG_ in sysbuild.conf; TF-M's values in its application's fragment).
"""

from __future__ import annotations

import re

import pytest

from tests.check.conftest import set_config
from zsec_west.builddir import load_build
from zsec_west.builddir.model import Build, Domain
from zsec_west.check.audit import BUILTINS
from zsec_west.check.fixes import plan_fixes, render_fragment, with_advice
from zsec_west.findings import Status
from zsec_west.rules.catalogue import Catalogue, build_catalogue
from zsec_west.rules.engine import CheckContext, evaluate_rule
from zsec_west.rules.model import AllOf, AnyOf, CatalogueRule, Check, Expected, Leaf
from zsec_west.tfm.catalogue import advisory_rules

ASSIGNMENT = re.compile(r"\b((?:SB_)?CONFIG_[A-Za-z0-9_]+)=(\"(?:[^\"\\]|\\.)*\"|[^\s,.;]+)")
# Which fixture build has a domain of each kind (TF-M rules are evaluated on the TF-M domain).
FIXTURE_OF_KIND = {"app": "hello", "any": "hello", "other": "hello", "mcuboot": "mcuboot-sysbuild",
                   "sysbuild": "mcuboot-sysbuild", "tfm": "tfm-ns"}


def _text(value: Expected) -> str:
    return f'"{value}"' if isinstance(value, str) and value not in ("y", "n") else str(value)


def _wrong(value: Expected) -> Expected:
    if value == "y":
        return "n"
    if value == "n":
        return "y"
    if isinstance(value, int):
        return value + 1
    return value + "-not"


def failing(check: Check) -> dict[str, str]:
    """Values that make `check` fail."""
    if isinstance(check, Leaf):
        if check.value is not None:
            value = _wrong(check.value)
        elif check.not_value is not None:
            value = check.not_value
        elif check.min is not None:
            value = check.min - 1
        else:
            assert check.max is not None
            value = check.max + 1
        return {check.symbol: _text(value)}
    if isinstance(check, AllOf):
        return failing(check.checks[0])
    values: dict[str, str] = {}
    for part in check.checks:  # AnyOf: every alternative fails
        values.update(failing(part))
    return values


def passing(check: Check) -> dict[str, str]:
    """Values that make a precondition hold."""
    if isinstance(check, Leaf):
        if check.value is not None:
            value: Expected = check.value
        elif check.not_value is not None:
            value = _wrong(check.not_value)
        else:
            value = check.min if check.min is not None else check.max  # type: ignore[assignment]
        return {check.symbol: _text(value)}
    parts = check.checks[:1] if isinstance(check, AnyOf) else check.checks
    values: dict[str, str] = {}
    for part in parts:
        values.update(passing(part))
    return values


def _kind(rule: CatalogueRule) -> str:
    return next(kind for kind in ("app", "mcuboot", "sysbuild", "tfm", "any", "other") if kind in rule.domains)


def _domain(build: Build, kind: str) -> Domain:
    if kind in ("any", "other"):
        kind = "app"
    return next(d for d in build.all_domains() if d.kind == kind)


def kconfig_rules() -> list[CatalogueRule]:
    catalogue = build_catalogue(generated=[advisory_rules()], builtins=BUILTINS)
    return [rule for rule in catalogue.own if rule.check is not None]


def test_every_kconfig_rule_is_covered():
    rules = kconfig_rules()
    assert len(rules) > 80  # the catalogue's Kconfig rules, not a handful
    assert {_kind(rule) for rule in rules} >= {"app", "mcuboot", "sysbuild", "tfm"}


def fragment_values(text: str, rule_id: str) -> dict[str, str]:
    """The assignments a fragment makes for one rule (the line after its `# RULE:` comment)."""
    lines = text.splitlines()
    values = {}
    for index, line in enumerate(lines):
        if line.startswith(f"# {rule_id}: ") and index + 1 < len(lines):
            name, _, value = lines[index + 1].partition("=")
            values[name.lstrip("# ")] = value
    return values


@pytest.mark.parametrize("rule", kconfig_rules(), ids=lambda rule: rule.id)
def test_advice_and_fix_fragment_set_the_same_values(rule, build_copy, tmp_path):
    kind = _kind(rule)
    top = build_copy(FIXTURE_OF_KIND[kind])
    domain = _domain(load_build(top), kind)
    owner = domain.parent if domain.kind == "tfm" and domain.parent is not None else domain
    values = {**(passing(rule.when) if rule.when is not None else {}), **failing(rule.check)}
    set_config(owner.config_path, **{name: value.replace('"n"', "n") for name, value in values.items()})
    build = load_build(top)
    domain = _domain(build, kind)
    catalogue = Catalogue([rule], build_catalogue().profiles)
    finding = evaluate_rule(rule, domain, CheckContext(build, ("production", "strict", "base")))
    assert finding.status is Status.FAIL, f"{rule.id} did not fail with {values}: {finding.message}"
    fragments = plan_fixes(build, [finding], catalogue, tmp_path)
    [advised] = with_advice([finding], fragments)
    [fragment] = fragments
    written = fragment_values(render_fragment(fragment), rule.id)
    advice = dict(ASSIGNMENT.findall(advised.fix))
    if not written:  # "anything but X": no single value to recommend, so no Kconfig advice either
        assert rule.check is not None and isinstance(rule.check, Leaf) and rule.check.not_value is not None
        assert advised.advice is None and [rule.id] == [rule_id for rule_id, _ in fragment.manual]
        return
    assert advice == written, f"{rule.id}: advice {advised.fix!r} vs fragment {written}"
    prefix = "SB_CONFIG_" if owner.kind == "sysbuild" else "CONFIG_"
    assert all(name.startswith(prefix) for name in written)
    assert ("sysbuild.conf" in advised.fix) == (owner.kind == "sysbuild")
    assert fragment.path.name == ("sysbuild.conf" if owner.kind == "sysbuild" else f"{owner.name}.conf")


def test_a_choice_is_fixed_by_selecting_the_better_option(nrf, tmp_path):
    """The issue's examples: not `..._NONE=n`, which selects nothing, but the option to choose."""
    from tests.check.conftest import check

    run = check(nrf, profile="production")
    advice = {(f.domain, f.rule.id): f.fix for f in run.report.findings if f.failed}
    assert "CONFIG_BOOT_FIH_PROFILE_MEDIUM=y" in advice[("mcuboot", "ZSEC-BOOT-014")]
    assert "CONFIG_NULL_POINTER_EXCEPTION_DETECTION_MPU=y" in advice[("mcuboot", "ZSEC-MEM-015")]
    assert "CONFIG_FORTIFY_SOURCE_COMPILE_TIME=y" in advice[("mcuboot", "ZSEC-MEM-016")]
    assert not any("_NONE=n" in text or "PROFILE_OFF=n" in text for text in advice.values())
    # and the rule's general fix (for --explain and SARIF help) says the same
    rule = next(f.rule for f in run.report.findings if f.rule.id == "ZSEC-MEM-016")
    assert "CONFIG_FORTIFY_SOURCE_COMPILE_TIME=y" in rule.fix


def test_advice_says_when_a_value_cannot_be_applied(hello, tmp_path):
    """With a Kconfig tree, a value blocked by `depends on` is advice of a different kind."""
    from tests.check.conftest import check
    from tests.check.test_fixes import tiny_tree

    tree = tiny_tree(tmp_path)
    set_config(hello / "zephyr" / ".config", ARM_MPU="n", MPU_STACK_GUARD="n", CONSOLE_FORCER="y")
    run = check(hello, zephyr_base=tree, profile="strict", use_zephyr_db=False)
    [guard] = [f for f in run.report.findings if f.rule.id == "ZSEC-MEM-002" and f.failed]
    assert "CONFIG_MPU_STACK_GUARD=y cannot be applied on this target" in guard.fix
    assert "depends on ARM_MPU" in guard.fix
    fragment = next(f for f in run.fixes if f.owner.name == "hello_world")
    assert "# CONFIG_MPU_STACK_GUARD=y" in render_fragment(fragment)
