"""The rule catalogue's model: checks (leaf, any, all), catalogue rules, profiles.

The file format that produces them is described and parsed in zsec_west.rules.fileformat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from zsec_west.findings import Rule, Severity

Expected = str | int

DOMAIN_KINDS = ("app", "mcuboot", "tfm", "sysbuild", "other", "any")
# `any` covers the images that have a Kconfig of their own. The sysbuild level (SB_CONFIG_*) and
# TF-M (configured through the app's CONFIG_TFM_*) are named explicitly, so that a generic rule
# is not evaluated twice on the same .config.
ANY_KINDS = ("app", "mcuboot", "other")

# Checks implemented in code are named by their rules (`builtin: NAME`); the names a run knows
# come from the caller's mapping (see zsec_west.rules.engine), which the catalogue checks.
BUILTIN_NAME = re.compile(r"^[a-z][a-z0-9-]*$")

IF_ABSENT = ("n/a", "pass", "fail")


@dataclass(frozen=True)
class Leaf:
    """One symbol compared with a value, a bound or an excluded value.

    `if_absent` says what a symbol missing from the .config means: by default the rule does
    not apply ("n/a"); a precondition like "no hardware stack protection" sets it to "pass".
    """

    symbol: str
    value: Expected | None = None
    min: int | None = None
    max: int | None = None
    not_value: Expected | None = None
    if_absent: str = "n/a"

    def describe(self, prefix: str = "CONFIG_") -> str:
        """The expectation as a user would write it: CONFIG_X=y, CONFIG_X >= 100, ..."""
        name = f"{prefix}{self.symbol}"
        if self.value is not None:
            return f"{name}={format_value(self.value)}"
        if self.not_value is not None:
            return f"{name} != {format_value(self.not_value)}"
        if self.min is not None and self.max is not None:
            return f"{self.min} <= {name} <= {self.max}"
        if self.min is not None:
            return f"{name} >= {self.min}"
        return f"{name} <= {self.max}"

    def expected_text(self) -> str:
        """The expectation without the symbol name (hardenconfig's 'recommended' column)."""
        if self.value is not None:
            return format_value(self.value)
        if self.not_value is not None:
            return f"not {format_value(self.not_value)}"
        if self.min is not None and self.max is not None:
            return f"{self.min}..{self.max}"
        if self.min is not None:
            return f">= {self.min}"
        return f"<= {self.max}"


@dataclass(frozen=True)
class AnyOf:
    """Passes when one alternative passes: renamed symbols, or 'hardened OR feature off'."""

    checks: tuple[Check, ...]


@dataclass(frozen=True)
class AllOf:
    """Passes when every part that applies passes."""

    checks: tuple[Check, ...]


Check = Leaf | AnyOf | AllOf


def leaves(check: Check | None) -> list[Leaf]:
    """Every leaf of a check, depth first, in file order."""
    if check is None:
        return []
    if isinstance(check, Leaf):
        return [check]
    result: list[Leaf] = []
    for part in check.checks:
        result += leaves(part)
    return result


def describe(check: Check, prefix: str = "CONFIG_") -> str:
    if isinstance(check, Leaf):
        return check.describe(prefix)
    joiner = " or " if isinstance(check, AnyOf) else " and "
    parts = [describe(part, prefix) if isinstance(part, Leaf) else f"({describe(part, prefix)})"
             for part in check.checks]
    return joiner.join(parts)


def assignments(check: Check, prefix: str = "CONFIG_") -> str:
    """The check as values to set: 'CONFIG_A=y', 'CONFIG_A=n and CONFIG_B=n', 'one of ...'."""
    if isinstance(check, Leaf):
        target = check.value if check.value is not None else (
            check.min if check.min is not None else check.max)
        if target is None:
            return check.describe(prefix)
        return f"{prefix}{check.symbol}={format_value(target)}"
    parts = [assignments(part, prefix) for part in check.checks]
    if isinstance(check, AnyOf):
        return parts[0] if len(parts) == 1 else "one of " + ", ".join(parts)
    return " and ".join(parts)


def default_fix(check: Check | None, domains: tuple[str, ...],
                recommend: tuple[tuple[str, Expected], ...] = ()) -> str:
    """What to do, for a rule whose data gives no `fix` text. `recommend` (the option of a
    choice to select) wins over the check's own values, as in the `--fix` fragments."""
    if check is None:
        return ""
    prefix = "SB_CONFIG_" if domains == ("sysbuild",) else "CONFIG_"
    if recommend:
        values = " and ".join(f"{prefix}{symbol}={format_value(value)}" for symbol, value in recommend)
    else:
        values = assignments(check, prefix)
    if domains == ("sysbuild",):
        return f"Set {values} in sysbuild.conf."
    return f"Set {values} in the image's prj.conf or an extra .conf fragment (--fix DIR writes one)."


def format_value(value: Expected) -> str:
    if isinstance(value, str) and value not in ("y", "n", "m"):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


@dataclass(frozen=True)
class CatalogueRule:
    """A rule of the catalogue: the reportable `Rule` plus how and where it is evaluated."""

    rule: Rule
    check: Check | None
    when: Check | None = None
    domains: tuple[str, ...] = ("any",)
    profiles: tuple[str, ...] = ("base",)
    builtin: str | None = None
    severity_by_profile: tuple[tuple[str, Severity], ...] = ()
    recommend: tuple[tuple[str, Expected], ...] = ()  # the fix when it is another symbol (a choice)
    origin: str = ""  # "file:line" the rule was read from
    covered_by: tuple[str, ...] = ()  # rules that report the same thing where they are evaluated

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def subject(self) -> str:
        """The symbol a finding is about: the first one the check names."""
        first = leaves(self.check)
        return first[0].symbol if first else ""

    def symbols(self) -> set[str]:
        return {leaf.symbol for leaf in leaves(self.check)}

    def applies_to_kind(self, kind: str) -> bool:
        return kind in self.domains or ("any" in self.domains and kind in ANY_KINDS)

    def severity_for(self, profile_chain: tuple[str, ...]) -> Severity | None:
        """The override for the selected profile (or the nearest profile it extends), if any."""
        overrides = dict(self.severity_by_profile)
        for name in profile_chain:
            if name in overrides:
                return overrides[name]
        return None


@dataclass(frozen=True)
class ProfileDef:
    """A named set of rules; `extends` pulls in the parent's rules too."""

    name: str
    description: str
    extends: str | None = None
    source: str = ""


@dataclass(frozen=True)
class RuleFile:
    """What one file contributed."""

    path: str
    rules: tuple[CatalogueRule, ...]
    profiles: tuple[ProfileDef, ...] = ()


def normalise_value(raw: Any) -> Expected | None:
    """YAML true/false become y/n as in Kconfig; numbers stay numbers; other text stays text."""
    if isinstance(raw, bool):
        return "y" if raw else "n"
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        return raw
    return None


def strip_prefix(symbol: str) -> tuple[str, bool]:
    """(name without CONFIG_/SB_CONFIG_, whether it was written as a sysbuild symbol)."""
    if symbol.startswith("SB_CONFIG_"):
        return symbol[len("SB_CONFIG_"):], True
    if symbol.startswith("CONFIG_"):
        return symbol[len("CONFIG_"):], False
    return symbol, False
