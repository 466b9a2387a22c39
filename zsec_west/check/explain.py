"""Text for `--explain RULE` and `--list-rules`: the catalogue described, no build needed."""

from __future__ import annotations

import difflib
import json
import textwrap
from typing import Any

from zsec_west.check.audit import BUILTINS
from zsec_west.errors import UsageError
from zsec_west.findings import Report, Severity
from zsec_west.report.common import evidence_phrase, location_text, ordered
from zsec_west.report.envelope import envelope
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
    lines = [f"{r.id}: {r.title}", f"  when it fails: {r.problem_text}", ""]
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


def _rule_json(rule: CatalogueRule, severity: Severity) -> dict[str, Any]:
    r = rule.rule
    prefix = _prefix(rule)
    return {
        "id": r.id, "title": r.title, "problem": r.problem_text, "severity": severity.label,
        "default_severity": r.severity.label,
        "severity_by_profile": {name: s.label for name, s in rule.severity_by_profile},
        "category": r.category, "profiles": list(rule.profiles), "domains": list(rule.domains),
        "check": describe(rule.check, prefix) if rule.check is not None else None,
        "builtin": rule.builtin, "applies_if": describe(rule.when, prefix) if rule.when is not None else None,
        "rationale": r.rationale, "fix": r.fix, "references": list(r.references), "source": r.source,
        "help_uri": r.help_uri, "origin": rule.origin,
    }


def list_rules(catalogue: Catalogue, profile: str | None = None, fmt: str = "text") -> str:
    """The catalogue, one rule per line (text) or as a JSON document; with `profile`, only the
    rules that profile selects, at the severity it gives them."""
    rules = catalogue.all_rules()
    chain: tuple[str, ...] = ()
    if profile is not None:
        chain = catalogue.profiles.chain(profile)
        rules = [r for r in rules if catalogue.profiles.includes(profile, r.profiles)]
    foreign = {r.id for r in catalogue.zephyr_rules}
    rules = sorted(rules, key=lambda r: (r.id in foreign, r.id))

    def severity(rule: CatalogueRule) -> Severity:
        return rule.severity_for(chain) or rule.rule.severity

    if fmt == "json":
        document = {**envelope("check rules", {"profile": profile, "profile_chain": list(chain),
                                               "rule_sources": list(catalogue.sources)}),
                    "rules": [_rule_json(rule, severity(rule)) for rule in rules]}
        return json.dumps(document, indent=2) + "\n"
    id_width = max((len(r.id) for r in rules), default=2)
    lines = [f"{'id'.ljust(id_width)}  {'severity':8}  {'profiles':18}  title"]
    for rule in rules:
        lines.append(f"{rule.id.ljust(id_width)}  {severity(rule).label:8}  "
                     f"{','.join(rule.profiles):18}  {rule.rule.title}")
    lines.append("")
    scope = f" in profile {profile}" if profile else ""
    lines.append(f"{len(rules)} rules{scope} from: " + "; ".join(catalogue.sources))
    return "\n".join(lines) + "\n"


def explain_results(report: Report, rule_id: str) -> str:
    """What a rule found in one build: each result with its evidence, location and fix."""
    wanted = rule_id.strip().upper()
    found = [f for f in ordered(report) if f.rule.id.upper() == wanted]
    lines = ["", f"in {report.inputs.get('build_dir', 'this build')}:"]
    if not found:
        lines.append("  not evaluated (no domain of this build has the kind of image it applies to, "
                     "or the profile does not select it)")
    for finding in found:
        head = f"  {finding.domain}: {finding.status.value}"
        if finding.failed:
            head += f" ({finding.severity.label}) {finding.headline}"
        lines.append(head)
        if finding.message:
            lines += _wrap("    ", finding.message)
        evidence = evidence_phrase(finding)
        if evidence:
            lines += _wrap("    ", evidence)
        place = location_text(finding)
        if place:
            lines.append(f"    at {place}")
        if finding.failed and finding.fix:
            lines += _wrap("    fix: ", finding.fix)
        if finding.waiver:
            lines += _wrap("    waived: ", finding.waiver)
    return "\n".join(lines) + "\n"
