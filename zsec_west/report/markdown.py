"""Markdown for pull-request comments and job summaries: domain counts, one row per problem,
the evidence per domain, waivers and why rules did not apply."""

from __future__ import annotations

import re

from zsec_west.findings import Finding, Report, Status
from zsec_west.report.common import counts_phrase, ordered, relative_uri
from zsec_west.report.facts_text import markdown_lines
from zsec_west.report.grouping import entries
from zsec_west.report.mdcell import cell


def _location(finding: Finding, report: Report) -> str:
    """Machine-independent when possible: PR comments should not show a runner's home."""
    if finding.location is None:
        return ""
    uri, base = relative_uri(finding.location.path, report.inputs)
    if base == "BUILDDIR":
        build_dir = report.inputs.get("build_dir")
        name = re.split(r"[\\/]", str(build_dir).rstrip("\\/"))[-1] if build_dir else ""
        uri = f"{name}/{uri}" if name else uri
    return f"{uri}:{finding.location.line}" if finding.location.line else uri


def _row(cells: list[object]) -> str:
    return "| " + " | ".join(cell(value) for value in cells) + " |"


def _problems(report: Report) -> list[str]:
    """One row per problem (a cause found in several domains is one row), worst first."""
    found = entries(report, Status.FAIL)
    if not found:
        return ["No problems found.", ""]
    lines = ["| Severity | Rule | Problem | Domains | Fix |", "| --- | --- | --- | --- | --- |"]
    for entry in found:
        lines.append(_row([entry.severity.label, entry.rule.id, entry.headline, ", ".join(entry.domains),
                           " / ".join(entry.fixes)]))
    return lines + [""]


def _details(report: Report) -> list[str]:
    """Each failed result: what the domain has, what the rule wants, and where."""
    failed = ordered(report, status=Status.FAIL)
    if not failed:
        return []
    lines = ["<details><summary>Evidence per domain</summary>", "",
             "| Domain | Severity | Rule | Actual | Expected | Location |", "| --- | --- | --- | --- | --- | --- |"]
    for finding in failed:
        lines.append(_row([finding.domain, finding.severity.label, finding.rule.id, finding.evidence.actual or "",
                           finding.evidence.expected or "", _location(finding, report)]))
    return lines + ["", "</details>", ""]


def _not_applicable(report: Report) -> list[str]:
    found = entries(report, Status.NOT_APPLICABLE)
    if not found:
        return []
    lines = ["## Not applicable", "", f"<details><summary>{len(found)} result(s) did not apply, with the reason"
             "</summary>", "", "| Rule | Goal | Domains | Reason |", "| --- | --- | --- | --- |"]
    for entry in found:
        lines.append(_row([entry.rule.id, entry.rule.title, ", ".join(entry.domains),
                           "; ".join(entry.reasons) or "does not apply"]))
    return lines + ["", "</details>", ""]


def render(report: Report, *, colour: bool = False) -> str:
    """The report as GitHub-flavoured Markdown; `colour` is ignored."""
    lines = [f"# zsec {cell(report.command)} report", ""]
    facts = markdown_lines(report.facts)
    if facts:
        lines += [*facts, ""]
    problems = entries(report, Status.FAIL)
    lines.append(f"**Result:** {len(problems)} problem(s) from {counts_phrase(report)} "
                 f"across {len(report.domain_order())} domain(s).")
    lines += ["", "| Domain | Failed | Passed | Not applicable | Waived |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for domain in report.domain_order():
        counts = report.counts(domain)
        lines.append(_row([domain, counts[Status.FAIL], counts[Status.PASS],
                           counts[Status.NOT_APPLICABLE], counts[Status.WAIVED]]))
    lines += ["", "## Problems", ""]
    lines += _problems(report)
    lines += _details(report)
    waived = ordered(report, status=Status.WAIVED)
    if waived:
        lines += ["## Waived", "", "| Domain | Rule | Problem | Reason |", "| --- | --- | --- | --- |"]
        for finding in waived:
            lines.append(_row([finding.domain, finding.rule.id, finding.headline,
                               finding.waiver or "no reason given"]))
        lines.append("")
    lines += _not_applicable(report)
    if report.notes:
        lines += ["## Notes", ""]
        lines += [f"- {cell(note)}" for note in report.notes]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
