"""The rule file format, validated on load into the model of zsec_west.rules.model.

A rule file is YAML with `rules:` (a list) and optionally `profiles:`. Each rule is a superset of an
entry of Zephyr's hardening database (symbol with value | min | max, rationale, references,
profiles) with a stable id, a title, a severity, a category, the domains it applies to, an
optional precondition (`when`) and the combinators `any` / `all`:

    - id: ZSEC-MEM-002
      title: Thread stacks have an MPU/PMP guard region
      problem: Thread stacks have no MPU/PMP guard region
      severity: medium
      category: memory-protection
      domains: [any]
      any:
        - {symbol: MPU_STACK_GUARD, value: y}
        - {symbol: PMP_STACK_GUARD, value: y}
      rationale: ...
      references: [CWE-121]

`title` states the goal (what a passing rule shows), `problem` the failure (what a failing one
shows); a rule without `problem` fails as "Not met: <title>".

Rules whose logic is code (key files, signed images) name it with `builtin:` instead of a check.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from zsec_west.files.yamldoc import LineDict, LineList, Where
from zsec_west.findings import Rule, Severity
from zsec_west.rules.model import (
    BUILTIN_NAME,
    DOMAIN_KINDS,
    IF_ABSENT,
    AllOf,
    AnyOf,
    CatalogueRule,
    Check,
    Expected,
    Leaf,
    ProfileDef,
    RuleFile,
    default_fix,
    normalise_value,
    strip_prefix,
)

_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9_]+)+$")
_SYMBOL = re.compile(r"^[A-Za-z0-9_]+$")  # Kconfig allows lower case (BT_MESH_V1d1)
_PROFILE = re.compile(r"^[a-z][a-z0-9-]*$")
_RULE_KEYS = {
    "id", "title", "problem", "severity", "category", "domains", "profiles", "rationale", "references",
    "fix", "help_uri", "symbol", "value", "min", "max", "not_value", "if_absent", "any", "all",
    "when", "builtin", "severity_by_profile", "recommend", "covered_by",
}
_LEAF_KEYS = {"symbol", "value", "min", "max", "not_value", "if_absent"}


def parse_profiles(doc: LineDict, where: Where, source: str) -> tuple[ProfileDef, ...]:
    """`profiles:` of a rule file or of Zephyr's hardening database (the same schema)."""
    node = doc["profiles"]
    if not isinstance(node, LineDict) or not node:
        raise where.error(doc.line_of("profiles"), "profiles", "must be a non-empty mapping")
    result = []
    for name, body in node.items():
        line = node.line_of(str(name))
        if not isinstance(name, str) or not _PROFILE.match(name):
            raise where.error(line, "profiles", f"bad profile name {name!r} (lower case, digits, '-')")
        if not isinstance(body, LineDict):
            raise where.error(line, f"profiles.{name}", "must be a mapping with 'description'")
        extra = set(map(str, body)) - {"description", "extends"}
        if extra:
            key = sorted(extra)[0]
            raise where.error(body.line_of(key), f"profiles.{name}.{key}", "unknown key")
        description = body.get("description")
        if not isinstance(description, str) or not description.strip():
            raise where.error(line, f"profiles.{name}.description", "required, non-empty text")
        extends = body.get("extends")
        if extends is not None and not isinstance(extends, str):
            raise where.error(body.line_of("extends"), f"profiles.{name}.extends", "must be a profile name")
        result.append(ProfileDef(name, " ".join(description.split()), extends, source))
    return tuple(result)


class RuleParser:
    """Turns one loaded rule file into CatalogueRules, raising DataFileError at the first fault."""

    def __init__(self, source: str | Path, origin_name: str = "zsec"):
        self.where = Where(source)
        self.source = str(source)
        self.origin_name = origin_name

    def err(self, line: int | None, field: str | None, problem: str) -> Exception:
        return self.where.error(line, field, problem)

    # -- the file -------------------------------------------------------------------------
    def parse_file(self, doc: Any) -> RuleFile:
        if doc is None:
            raise self.err(None, None, "file is empty")
        if not isinstance(doc, LineDict):
            raise self.err(getattr(doc, "line", 1), None, "top level must be a mapping with 'rules:'")
        unknown = set(map(str, doc)) - {"rules", "profiles"}
        if unknown:
            key = sorted(unknown)[0]
            raise self.err(doc.line_of(key), key, "unknown top-level key (expected 'rules' and "
                                                  "optionally 'profiles')")
        profiles = self.parse_profiles(doc) if "profiles" in doc else ()
        rules_node = doc.get("rules", LineList())
        if not isinstance(rules_node, LineList):
            raise self.err(doc.line_of("rules"), "rules", "must be a list of rules")
        rules: list[CatalogueRule] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(rules_node):
            line = rules_node.line_of(index)
            rule = self.parse_rule(entry, line)
            if rule.id in seen:
                raise self.err(line, "id", f"rule id {rule.id} is already used at line {seen[rule.id]}")
            seen[rule.id] = line
            rules.append(rule)
        return RuleFile(self.source, tuple(rules), profiles)

    def parse_profiles(self, doc: LineDict) -> tuple[ProfileDef, ...]:
        return parse_profiles(doc, self.where, self.source)

    # -- one rule --------------------------------------------------------------------------
    def parse_rule(self, node: Any, line: int) -> CatalogueRule:
        if not isinstance(node, LineDict):
            raise self.err(line, None, "a rule must be a mapping")
        unknown = set(map(str, node)) - _RULE_KEYS
        if unknown:
            key = sorted(unknown)[0]
            raise self.err(node.line_of(key), key, "unknown field")
        rule_id = self.required_text(node, "id")
        if not _ID.match(rule_id):
            raise self.err(node.line_of("id"), "id",
                           f"{rule_id!r} is not a rule id (upper case words joined by '-', e.g. ZSEC-MEM-001)")
        label = f"rule {rule_id}: "
        rule = self.identity(node, rule_id, label)
        domains, profiles = self.scope(node, label)
        builtin, check = self.logic(node, label)
        sysbuild_written = False
        if check is not None:
            check, sysbuild_written = _unmark(check)
        if sysbuild_written and "domains" not in node:
            domains = ("sysbuild",)
        when = None
        if "when" in node:
            when, _ = _unmark(self.condition(node["when"], node.line_of("when"), label))
        recommend = self.recommend(node, label)
        if not rule.fix:
            rule = replace(rule, fix=default_fix(check, domains, recommend))
        return CatalogueRule(rule, check, when, domains, profiles, builtin,
                             self.severity_map(node, label), recommend,
                             f"{self.source}:{line}", self.string_list(node, "covered_by", label))

    def identity(self, node: LineDict, rule_id: str, label: str) -> Rule:
        """The reportable part of a rule: what it is about, why, and how to fix it."""
        title = self.required_text(node, "title", label=label)
        problem = self.text(node, "problem", label=label) or ""
        severity = self.severity(node, "severity", label)
        category = self.text(node, "category", label=label) or "general"
        rationale = self.required_text(node, "rationale", label=label)
        references = self.string_list(node, "references", label)
        fix = self.text(node, "fix", label=label) or ""
        return Rule(id=rule_id, title=title, severity=severity, category=category,
                    rationale=rationale, fix=fix, references=references, source=self.origin_name,
                    help_uri=self.text(node, "help_uri", label=label), problem=problem)

    def scope(self, node: LineDict, label: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(domain kinds, profiles) a rule applies to."""
        domains = self.string_list(node, "domains", label) or ("any",)
        for domain in domains:
            if domain not in DOMAIN_KINDS:
                raise self.err(node.line_of("domains"), "domains",
                               f"{label}unknown domain kind {domain!r} ({', '.join(DOMAIN_KINDS)})")
        profiles = self.string_list(node, "profiles", label) or ("base",)
        for profile in profiles:
            if not _PROFILE.match(profile):
                raise self.err(node.line_of("profiles"), "profiles", f"{label}bad profile name {profile!r}")
        return domains, profiles

    def logic(self, node: LineDict, label: str) -> tuple[str | None, Check | None]:
        """(builtin name, Kconfig check): a rule has exactly one of the two."""
        builtin = self.text(node, "builtin", label=label)
        check_keys = [key for key in ("symbol", "any", "all") if key in node]
        stray = [key for key in ("value", "min", "max", "not_value", "if_absent") if key in node]
        if stray and "symbol" not in node:
            raise self.err(node.line_of(stray[0]), stray[0],
                           f"{label}belongs to a 'symbol' check; inside 'any'/'all' put it on each part")
        if builtin is not None:
            if not BUILTIN_NAME.match(builtin):
                raise self.err(node.line_of("builtin"), "builtin",
                               f"{label}{builtin!r} is not a builtin check name (lower case words "
                               "joined by '-')")
            if check_keys:
                raise self.err(node.line_of(check_keys[0]), check_keys[0],
                               f"{label}a builtin rule has no Kconfig check")
            return builtin, None
        if len(check_keys) != 1:
            raise self.err(node.line, None if not check_keys else check_keys[1],
                           f"{label}give exactly one of 'symbol' (with value/min/max/not_value), "
                           "'any' or 'all'" + (" or a 'builtin'" if not check_keys else ""))
        return None, self.check(node, label)

    # -- fields ----------------------------------------------------------------------------
    def text(self, node: LineDict, key: str, *, label: str = "") -> str | None:
        """An optional text field: None when absent."""
        if key not in node:
            return None
        return self.required_text(node, key, label=label)

    def required_text(self, node: LineDict, key: str, *, label: str = "") -> str:
        if key not in node:
            raise self.err(node.line, key, f"{label}required field is missing")
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            raise self.err(node.line_of(key), key, f"{label}must be non-empty text")
        return " ".join(value.split()) if key in ("title", "problem", "id", "category") else value.strip()

    def severity(self, node: LineDict, key: str, label: str) -> Severity:
        raw = self.required_text(node, key, label=label)
        try:
            return Severity.parse(raw)
        except ValueError as exc:
            raise self.err(node.line_of(key), key, f"{label}{exc}") from None

    def string_list(self, node: LineDict, key: str, label: str) -> tuple[str, ...]:
        if key not in node:
            return ()
        value = node[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(
                isinstance(item, str) and item.strip() for item in value):
            raise self.err(node.line_of(key), key, f"{label}must be a non-empty list of text")
        return tuple(item.strip() for item in value)

    def severity_map(self, node: LineDict, label: str) -> tuple[tuple[str, Severity], ...]:
        if "severity_by_profile" not in node:
            return ()
        value = node["severity_by_profile"]
        line = node.line_of("severity_by_profile")
        if not isinstance(value, LineDict) or not value:
            raise self.err(line, "severity_by_profile", f"{label}must map profile names to severities")
        result = []
        for profile, raw in value.items():
            try:
                result.append((str(profile), Severity.parse(str(raw))))
            except ValueError as exc:
                raise self.err(value.line_of(str(profile)), f"severity_by_profile.{profile}",
                               f"{label}{exc}") from None
        return tuple(result)

    def recommend(self, node: LineDict, label: str) -> tuple[tuple[str, Expected], ...]:
        if "recommend" not in node:
            return ()
        value = node["recommend"]
        line = node.line_of("recommend")
        if not isinstance(value, LineDict) or not value:
            raise self.err(line, "recommend", f"{label}must map symbols to values")
        result = []
        for symbol, raw in value.items():
            name, _ = strip_prefix(str(symbol))
            normal = normalise_value(raw)
            if not _SYMBOL.match(name) or normal is None:
                raise self.err(value.line_of(str(symbol)), f"recommend.{symbol}",
                               f"{label}needs a Kconfig symbol and a value")
            result.append((name, normal))
        return tuple(result)

    # -- checks ----------------------------------------------------------------------------
    def condition(self, node: Any, line: int, label: str) -> Check:
        """`when`: one check, or a list meaning all of them."""
        if isinstance(node, LineList):
            if not node:
                raise self.err(line, "when", f"{label}must not be empty")
            return AllOf(tuple(self.check_node(item, node.line_of(i), "when", label)
                               for i, item in enumerate(node)))
        return self.check_node(node, line, "when", label)

    def check_node(self, node: Any, line: int, field: str, label: str) -> Check:
        if not isinstance(node, LineDict):
            raise self.err(line, field, f"{label}a check must be a mapping (symbol/value, any, all)")
        keys = set(map(str, node))
        if "any" in keys or "all" in keys:
            if len(keys) != 1:
                raise self.err(node.line, field, f"{label}'any'/'all' stand alone in a check")
        elif not keys <= _LEAF_KEYS:
            bad = sorted(keys - _LEAF_KEYS)[0]
            raise self.err(node.line_of(bad), f"{field}.{bad}", f"{label}unknown field in a check")
        return self.check(node, label, field=field)

    def check(self, node: LineDict, label: str, *, field: str = "") -> Check:
        for key, kind in (("any", AnyOf), ("all", AllOf)):
            if key in node:
                items = node[key]
                name = f"{field}.{key}" if field else key
                if not isinstance(items, LineList) or len(items) < 1:
                    raise self.err(node.line_of(key), name, f"{label}must be a non-empty list of checks")
                return kind(tuple(self.check_node(item, items.line_of(i), name, label)
                                  for i, item in enumerate(items)))
        return self.leaf(node, label, field)

    def leaf(self, node: LineDict, label: str, field: str) -> Leaf:
        prefix = f"{field}." if field else ""
        raw_symbol = node.get("symbol")
        if not isinstance(raw_symbol, str):
            raise self.err(node.line_of("symbol") if "symbol" in node else node.line,
                           f"{prefix}symbol", f"{label}a Kconfig symbol name is required")
        symbol, sysbuild = strip_prefix(raw_symbol.strip())
        if not _SYMBOL.match(symbol):
            raise self.err(node.line_of("symbol"), f"{prefix}symbol",
                           f"{label}{raw_symbol!r} is not a Kconfig symbol name")
        given = [key for key in ("value", "min", "max", "not_value") if key in node]
        if not given:
            raise self.err(node.line_of("symbol"), f"{prefix}value",
                           f"{label}{symbol} needs 'value', 'min'/'max' or 'not_value'")
        if ("value" in given or "not_value" in given) and len(given) > 1:
            raise self.err(node.line_of(given[1]), f"{prefix}{given[1]}",
                           f"{label}'value' and 'not_value' exclude every other constraint")
        values: dict[str, Any] = {}
        for key in ("value", "not_value"):
            if key in node:
                normal = normalise_value(node[key])
                if normal is None:
                    raise self.err(node.line_of(key), f"{prefix}{key}",
                                   f"{label}must be y, n, a number or text")
                values[key] = normal
        for key in ("min", "max"):
            if key in node:
                if not isinstance(node[key], int) or isinstance(node[key], bool):
                    raise self.err(node.line_of(key), f"{prefix}{key}", f"{label}must be an integer")
                values[key] = node[key]
        if "min" in values and "max" in values and values["min"] > values["max"]:
            raise self.err(node.line_of("max"), f"{prefix}max", f"{label}is below 'min'")
        if_absent = node.get("if_absent", "n/a")
        if if_absent not in IF_ABSENT:
            raise self.err(node.line_of("if_absent"), f"{prefix}if_absent",
                           f"{label}must be one of {', '.join(IF_ABSENT)}")
        # Mark sysbuild-written symbols so the rule can default to the sysbuild domain.
        return Leaf(("\0SB" if sysbuild else "") + symbol, if_absent=if_absent, **values)


def _unmark(check: Check) -> tuple[Check, bool]:
    """Remove the sysbuild marker from leaf names; report whether any leaf had it."""
    if isinstance(check, Leaf):
        if check.symbol.startswith("\0SB"):
            return Leaf(check.symbol[3:], check.value, check.min, check.max, check.not_value,
                        check.if_absent), True
        return check, False
    parts = [_unmark(part) for part in check.checks]
    return type(check)(tuple(p for p, _ in parts)), any(flag for _, flag in parts)
