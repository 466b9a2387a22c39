"""Evaluating catalogue rules on a domain, producing findings: Kconfig checks here, built-in
checks through the name -> function mapping the caller passes (sec-check: key files, signed
images and TF-M; sec-tfm: TF-M).

A symbol missing from a domain's .config makes its check not applicable (n/a) unless the check
says otherwise (`if_absent`); a `# CONFIG_X is not set` line is the value n. `any` passes when
one part passes, `all` fails when one part fails; parts that do not apply are ignored, and a
combination whose parts all do not apply does not apply either.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zsec_west.builddir.kconfig import KconfigValues, Symbol
from zsec_west.builddir.model import TFM, Build, Domain
from zsec_west.errors import BuildDirError, ZsecError
from zsec_west.findings import Evidence, Finding, Location, Severity, Status
from zsec_west.rules.model import AnyOf, CatalogueRule, Check, Expected, Leaf, describe, leaves


class Outcome(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    NA = "n/a"


@dataclass(frozen=True)
class Evaluation:
    """The outcome of a check and the leaves that decided it."""

    outcome: Outcome
    failing: tuple[Leaf, ...] = ()
    passing: tuple[Leaf, ...] = ()


def matches(symbol: Symbol, expected: Expected) -> bool:
    """Whether a .config value equals a rule value (y/n for bools, numbers numerically)."""
    actual = symbol.value
    if expected in ("y", "m", "n"):
        if isinstance(actual, bool):
            return actual is (expected != "n")
        return symbol.display == expected
    if isinstance(expected, int):
        return isinstance(actual, int) and not isinstance(actual, bool) and actual == expected
    return symbol.display == expected


def _leaf(leaf: Leaf, kconfig: KconfigValues) -> Evaluation:
    if leaf.symbol not in kconfig:
        outcome = {"pass": Outcome.PASS, "fail": Outcome.FAIL}.get(leaf.if_absent, Outcome.NA)
    else:
        symbol = kconfig[leaf.symbol]
        if leaf.value is not None:
            ok = matches(symbol, leaf.value)
        elif leaf.not_value is not None:
            ok = not matches(symbol, leaf.not_value)
        else:
            actual = symbol.value
            ok = isinstance(actual, int) and not isinstance(actual, bool)
            if ok and leaf.min is not None:
                ok = actual >= leaf.min  # type: ignore[operator]
            if ok and leaf.max is not None:
                ok = actual <= leaf.max  # type: ignore[operator]
        outcome = Outcome.PASS if ok else Outcome.FAIL
    if outcome is Outcome.FAIL:
        return Evaluation(outcome, failing=(leaf,))
    if outcome is Outcome.PASS:
        return Evaluation(outcome, passing=(leaf,))
    return Evaluation(outcome)


def evaluate(check: Check, kconfig: KconfigValues) -> Evaluation:
    if isinstance(check, Leaf):
        return _leaf(check, kconfig)
    parts = [evaluate(part, kconfig) for part in check.checks]
    failing = tuple(leaf for part in parts if part.outcome is Outcome.FAIL for leaf in part.failing)
    passing = tuple(leaf for part in parts if part.outcome is Outcome.PASS for leaf in part.passing)
    outcomes = {part.outcome for part in parts}
    if isinstance(check, AnyOf):
        if Outcome.PASS in outcomes:
            return Evaluation(Outcome.PASS, passing=passing)
        if Outcome.FAIL in outcomes:
            return Evaluation(Outcome.FAIL, failing=failing)
        return Evaluation(Outcome.NA)
    if Outcome.FAIL in outcomes:
        return Evaluation(Outcome.FAIL, failing=failing, passing=passing)
    if Outcome.PASS in outcomes:
        return Evaluation(Outcome.PASS, passing=passing)
    return Evaluation(Outcome.NA)


# -- what a run knows besides the rules -------------------------------------------------------

@dataclass
class CheckContext:
    """Shared state of one run: the build, the selected profile, where relative paths point."""

    build: Build
    profile_chain: tuple[str, ...] = ("base",)
    west_topdir: Path | None = None
    zephyr_base: Path | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # per-run memo for builtin checks
    warnings: list[str] = field(default_factory=list)  # builtin checks that could not run


Builtin = Callable[[CatalogueRule, Domain, CheckContext], list[Finding]]


def config_of(domain: Domain) -> Domain:
    """The domain whose .config holds a domain's settings (TF-M is configured by its app)."""
    if domain.kind == TFM and domain.parent is not None:
        return domain.parent
    return domain


def location_of(domain: Domain, symbol: str) -> Location | None:
    owner = config_of(domain)
    try:
        location = owner.location(symbol)
    except OSError:
        return None
    if location.line is None and symbol not in owner.kconfig:
        return None
    return location


def _value_text(kconfig: KconfigValues, symbol: str) -> str:
    return kconfig[symbol].display if symbol in kconfig else "(not in this configuration)"


def _observed(check: Check, kconfig: KconfigValues) -> str:
    seen: list[str] = []
    for leaf in leaves(check):
        name = kconfig.full_name(leaf.symbol)
        text = f"{name}={kconfig[leaf.symbol].display}" if leaf.symbol in kconfig else f"{name} absent"
        if text not in seen:
            seen.append(text)
    return ", ".join(seen)


def evaluate_rule(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> Finding:
    """One Kconfig rule on one domain, as a finding of any status."""
    assert rule.check is not None
    kconfig = domain.kconfig
    prefix = kconfig.prefix
    subject = kconfig.full_name(rule.subject)
    override = rule.severity_for(ctx.profile_chain)
    make = _maker(rule, domain, subject, override)
    if rule.when is not None:
        gate = evaluate(rule.when, kconfig)
        if gate.outcome is not Outcome.PASS:
            return make(Status.NOT_APPLICABLE, f"does not apply: needs {describe(rule.when, prefix)} "
                                               f"(have {_observed(rule.when, kconfig)})", Evidence())
    result = evaluate(rule.check, kconfig)
    single = isinstance(rule.check, Leaf)
    if result.outcome is Outcome.NA:
        if single:
            message = f"{subject} is not in this domain's configuration"
        else:
            message = f"none of {', '.join(kconfig.full_name(leaf.symbol) for leaf in leaves(rule.check))} " \
                      "is in this domain's configuration"
        return make(Status.NOT_APPLICABLE, message, Evidence())
    if isinstance(rule.check, Leaf):
        leaf = rule.check
        actual = _value_text(kconfig, leaf.symbol)
        evidence = Evidence(actual, leaf.expected_text())
    else:
        evidence = Evidence(_observed(rule.check, kconfig), describe(rule.check, prefix))
    if result.outcome is Outcome.PASS:
        message = f"{subject} is {evidence.actual}" if single else f"have {evidence.actual}"
        where = location_of(domain, result.passing[0].symbol) if result.passing else None
        return make(Status.PASS, message, evidence, where)
    first = result.failing[0]
    want = describe(rule.check, prefix)
    if single:
        message = f"{subject} is {evidence.actual}; want {want}"
    else:
        message = f"have {evidence.actual}; want {want}"
    return make(Status.FAIL, message, evidence, location_of(domain, first.symbol))


def _maker(rule: CatalogueRule, domain: Domain, subject: str,
           override: Severity | None) -> Callable[..., Finding]:
    def make(status: Status, message: str, evidence: Evidence,
             location: Location | None = None) -> Finding:
        return Finding(rule=rule.rule, domain=domain.name, status=status, message=message,
                       evidence=evidence, location=location, subject=subject,
                       severity_override=override)
    return make


def make_finding(rule: CatalogueRule, domain: Domain, ctx: CheckContext, status: Status,
                 message: str, subject: str, evidence: Evidence | None = None,
                 symbol: str | None = None, severity: Severity | None = None,
                 detail: str | None = None) -> Finding:
    """A builtin check's finding, with the profile's severity and the location of `symbol`."""
    override = rule.severity_for(ctx.profile_chain)
    if severity is not None:  # a finding-specific floor (e.g. a file that is not a key at all)
        override = max(severity, override if override is not None else rule.rule.severity)
    return Finding(rule=rule.rule, domain=domain.name, status=status, message=message,
                   evidence=evidence or Evidence(),
                   location=location_of(domain, symbol) if symbol else None,
                   subject=subject, severity_override=override, detail=detail)


def uncovered(rules: list[CatalogueRule]) -> list[CatalogueRule]:
    """`rules` without those another of them covers (`covered_by`): one finding per problem."""
    present = {rule.id for rule in rules}
    return [rule for rule in rules if not set(rule.covered_by) & present]


def _run_builtin(rule: CatalogueRule, domain: Domain, ctx: CheckContext,
                 check: Builtin) -> list[Finding]:
    try:
        return check(rule, domain, ctx)
    except BuildDirError:
        raise  # the domain itself is unreadable: the caller skips it
    except ZsecError as exc:
        # Not a pass: the rule is left out and the run says why.
        ctx.warnings.append(f"domain {domain.name}: {rule.id} could not be checked: {exc}")
        return []


def evaluate_domain(domain: Domain, rules: list[CatalogueRule], ctx: CheckContext,
                    builtins: Mapping[str, Builtin]) -> list[Finding]:
    """Every rule that applies to `domain`'s kind, Kconfig rules first, then builtin checks.

    A rule naming a builtin that `builtins` lacks is a programming error here: the catalogue
    checks names against the mapping when it is built (build_catalogue(builtins=...)).
    """
    rules = uncovered(rules)
    findings: list[Finding] = []
    for rule in rules:
        if rule.builtin is None:
            findings.append(evaluate_rule(rule, domain, ctx))
    for rule in rules:
        if rule.builtin is not None:
            findings += _run_builtin(rule, domain, ctx, builtins[rule.builtin])
    return findings
