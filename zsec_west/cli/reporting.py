"""The common end of every report-producing command: render, emit, summarise, pick the exit code."""

from __future__ import annotations

import argparse

from zsec_west.cli.args import RunContext
from zsec_west.findings import Report, Severity, Status, exit_code
from zsec_west.report import render
from zsec_west.report.facts_text import summary_lead


def summary_line(report: Report, threshold: Severity) -> str:
    # A command may lead with its own result (sbom: what it wrote); findings follow if any.
    lead = summary_lead(report.facts)
    if lead and not report.findings:
        return f"zsec {report.command}: {lead}"
    counts = report.counts()
    failing = report.failures
    worst = failing[0].severity.label if failing else None
    parts = [f"{counts[Status.FAIL]} failed", f"{counts[Status.PASS]} passed",
             f"{counts[Status.NOT_APPLICABLE]} not applicable"]
    if counts[Status.WAIVED]:
        parts.append(f"{counts[Status.WAIVED]} waived")
    text = f"zsec {report.command}: " + (f"{lead}; " if lead else "")
    text += ", ".join(parts)
    text += f" across {len(report.domain_order())} domain(s)"
    if worst:
        blocking = len(report.failures_at_or_above(threshold))
        text += f"; worst: {worst}; {blocking} at or above --fail-on {threshold.label}"
    return text


def finish(report: Report, args: argparse.Namespace, ctx: RunContext) -> int:
    """Write the report where --output says, the summary to stderr, and return the exit code."""
    threshold = Severity.parse(args.fail_on)
    text = render(report, args.format, colour=ctx.console.colour and not args.output)
    ctx.console.emit(text, args.output)
    for note in report.notes:
        ctx.console.dbg(f"note: {note}")
    ctx.console.summary(summary_line(report, threshold))
    return exit_code(report, threshold, args.exit_zero)
