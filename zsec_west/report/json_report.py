"""The machine report: every result (passes too, so CI can tell what ran), versioned schema."""

from __future__ import annotations

import json
from typing import Any

from zsec_west.findings import Finding, Report, Rule
from zsec_west.report.common import counts, jsonable, ordered, rules_by_id
from zsec_west.report.envelope import SCHEMA_VERSION, envelope
from zsec_west.report.facts_text import json_sections

__all__ = ["SCHEMA_VERSION", "document", "render"]


def rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title,
        "problem": rule.problem_text,
        "severity": rule.severity.label,
        "category": rule.category,
        "rationale": rule.rationale,
        "fix": rule.fix,
        "references": list(rule.references),
        "source": rule.source,
        "help_uri": rule.help_uri,
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    location = None
    if finding.location is not None:
        location = {"path": jsonable(finding.location.path), "line": finding.location.line}
    return {
        "rule_id": finding.rule.id,
        "title": finding.rule.title,
        "headline": finding.headline,
        "detail": finding.detail,
        "severity": finding.severity.label,
        "status": finding.status.value,
        "domain": finding.domain,
        "message": finding.message,
        "evidence": {"actual": finding.evidence.actual, "expected": finding.evidence.expected},
        "location": location,
        "fix": finding.fix,
        "references": list(finding.rule.references),
        "category": finding.rule.category,
        "source": finding.rule.source,
        "subject": finding.subject,
        "fingerprint": finding.fingerprint,
        "waiver": finding.waiver,
    }


def document(report: Report) -> dict[str, Any]:
    """The JSON document as Python values (what `render` serialises)."""
    return {
        **envelope(report.command, report.inputs),
        "counts": counts(report),
        "domains": [{"name": name, "counts": counts(report, name)}
                    for name in report.domain_order()],
        "findings": [finding_dict(finding) for finding in ordered(report)],
        "rules": [rule_dict(rule) for rule in rules_by_id(report)],
        "notes": list(report.notes),
        "facts": jsonable(json_sections(report.facts)),
    }


def render(report: Report, *, colour: bool = False) -> str:
    """The report as indented JSON; `colour` is accepted for the common signature and ignored."""
    return json.dumps(document(report), indent=2) + "\n"
