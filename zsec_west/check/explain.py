"""Text for `--explain RULE` and `--list-rules`: the catalogue described, no build needed."""

from __future__ import annotations

import difflib
import textwrap

from zsec_west.check.audit import BUILTINS
from zsec_west.errors import UsageError
from zsec_west.rules.catalogue import Catalogue
from zsec_west.rules.model import CatalogueRule, describe

WIDTH = 100


def _wrap(label: str, text: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent=label,
                         subsequent_indent=" " * len(label)) or [label.rstrip()]


def _prefix(rule: CatalogueRule) -> str:
    return "SB_CONFIG_" if rule.domains == ("sysbuild",) else "CONFIG_"


def explain(catalogue: Catalogue, rule_id: str) -> str:
    """Everything known about one rule; UsageError naming close matches for an unknown id."""
    rule = catalogue.get(rule_id)
    if rule is None:
        known = [r.id for r in catalogue.all_rules()]
        close = difflib.get_close_matches(rule_id.strip().upper(), known, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}?" if close else "see --list-rules"
        raise UsageError(f"no rule '{rule_id}' in the catalogue", hint=hint)
    r = rule.rule
    lines = [f"{r.id}: {r.title}", ""]
    severity = r.severity.label
    if rule.severity_by_profile:
        severity += " (" + ", ".join(f"{s.label} in {p}" for p, s in rule.severity_by_profile) + ")"
    lines += [f"severity:   {severity}", f"category:   {r.category}",
              f"profiles:   {', '.join(rule.profiles)}", f"domains:    {', '.join(rule.domains)}",
              f"source:     {r.source} ({rule.origin})"]
    prefix = _prefix(rule)
    if rule.check is not None:
        lines += _wrap("checks:     ", describe(rule.check, prefix))
    if rule.builtin is not None:
        lines += _wrap("checks:     ", f"builtin check '{rule.builtin}': {_builtin_text(rule.builtin)}")
    if rule.when is not None:
        lines += _wrap("applies if: ", describe(rule.when, prefix))
    lines += [""] + _wrap("why:        ", r.rationale)
    if r.references:
        lines.append("references: " + r.references[0])
        lines += [" " * 12 + ref for ref in r.references[1:]]
    lines += [""] + _wrap("fix:        ", r.fix or "See the rationale.")
    if rule.covered_by:
        lines += [""] + _wrap("note:       ", f"where {', '.join(rule.covered_by)} is evaluated too, "
                                               "that rule reports this instead")
    return "\n".join(lines) + "\n"


def _builtin_text(name: str) -> str:
    check = BUILTINS.get(name)
    doc = (check.__doc__ or "").strip() if check is not None else ""
    return doc.split("\n\n")[0] if doc else "implemented in code"


def list_rules(catalogue: Catalogue, profile: str | None = None) -> str:
    """One line per rule: id, severity, profiles, title (optionally only a profile's rules)."""
    rules = catalogue.all_rules()
    if profile is not None:
        rules = [r for r in rules if catalogue.profiles.includes(profile, r.profiles)]
    foreign = {r.id for r in catalogue.zephyr_rules}
    rules = sorted(rules, key=lambda r: (r.id in foreign, r.id))
    id_width = max((len(r.id) for r in rules), default=2)
    lines = [f"{'id'.ljust(id_width)}  {'severity':8}  {'profiles':18}  title"]
    for rule in rules:
        lines.append(f"{rule.id.ljust(id_width)}  {rule.rule.severity.label:8}  "
                     f"{','.join(rule.profiles):18}  {rule.rule.title}")
    lines.append("")
    lines.append(f"{len(rules)} rules from: " + "; ".join(catalogue.sources))
    return "\n".join(lines) + "\n"
