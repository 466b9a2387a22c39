"""Markdown for pull-request comments and job summaries: domain counts, failures, waivers."""

from __future__ import annotations

import re

from zsec_west.findings import Finding, Report, Status
from zsec_west.report.common import clean, counts_phrase, ordered, relative_uri
from zsec_west.report.facts_text import markdown_lines

# Characters that would end a cell, start markup or open an HTML tag inside a table cell.
_SPECIAL = re.compile(r"([\\|`*_\[\]<>#~])")


def cell(value: object) -> str:
    """`value` safe inside a GitHub-flavoured table cell; newlines become <br>."""
    lines = [_SPECIAL.sub(r"\\\1", " ".join(line.split()))
             for line in clean(value).split("\n")]
    return "<br>".join(line for line in lines if line) or " "


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


def render(report: Report, *, colour: bool = False) -> str:
    """The report as GitHub-flavoured Markdown; `colour` is ignored."""
    lines = [f"# zsec {cell(report.command)} report", ""]
    facts = markdown_lines(report.facts)
    if facts:
        lines += [*facts, ""]
    lines.append(f"**Result:** {counts_phrase(report)} "
                 f"across {len(report.domain_order())} domain(s).")
    lines += ["", "| Domain | Failed | Passed | Not applicable | Waived |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for domain in report.domain_order():
        counts = report.counts(domain)
        lines.append(_row([domain, counts[Status.FAIL], counts[Status.PASS],
                           counts[Status.NOT_APPLICABLE], counts[Status.WAIVED]]))
    lines += ["", "## Failures", ""]
    for domain in report.domain_order():
        lines += [f"### {cell(domain)}", ""]
        domain_failures = ordered(report, domain, Status.FAIL)
        if not domain_failures:
            lines += ["No failures.", ""]
            continue
        lines += ["| Severity | Rule | Title | Actual | Expected | Location |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for finding in domain_failures:
            lines.append(_row([finding.severity.label, finding.rule.id, finding.rule.title,
                               finding.evidence.actual or "", finding.evidence.expected or "",
                               _location(finding, report)]))
        lines.append("")
    waived = ordered(report, status=Status.WAIVED)
    if waived:
        lines += ["## Waived", "", "| Domain | Rule | Title | Reason |", "| --- | --- | --- | --- |"]
        for finding in waived:
            lines.append(_row([finding.domain, finding.rule.id, finding.rule.title,
                               finding.waiver or "no reason given"]))
        lines.append("")
    if report.notes:
        lines += ["## Notes", ""]
        lines += [f"- {cell(note)}" for note in report.notes]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
