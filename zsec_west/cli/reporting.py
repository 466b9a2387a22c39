"""The common end of every report-producing command: render, emit, summarise, pick the exit code."""

from __future__ import annotations

import argparse
from collections import Counter

from zsec_west.cli.args import RunContext
from zsec_west.cli.console import INF, terminal_width
from zsec_west.findings import Report, Severity, Status, exit_code
from zsec_west.report import render
from zsec_west.report.facts_text import summary_lead
from zsec_west.report.grouping import entries


def summary_line(report: Report, threshold: Severity, name: str | None = None) -> str:
    """One line for stderr: problems by severity, the other counts, and the --fail-on verdict.
    `name` is the command as the user typed it ("zsec check", "west sec-check")."""
    name = name or f"zsec {report.command}"
    lead = summary_lead(report.facts)
    if lead and not report.findings:
        return f"{name}: {lead}"
    counts = report.counts()
    problems = entries(report, Status.FAIL)
    by_severity = Counter(entry.severity for entry in problems)
    parts = []
    if problems:
        spread = ", ".join(f"{by_severity[s]} {s.label}" for s in sorted(by_severity, reverse=True))
        parts.append(f"{len(problems)} problem(s) ({spread}) from {counts[Status.FAIL]} failed result(s)")
    else:
        parts.append("no problems")
    parts.append(f"{counts[Status.PASS]} passed")
    parts.append(f"{counts[Status.NOT_APPLICABLE]} not applicable")
    if counts[Status.WAIVED]:
        parts.append(f"{counts[Status.WAIVED]} waived")
    text = f"{name}: " + (f"{lead}; " if lead else "")
    text += ", ".join(parts)
    text += f" across {len(report.domain_order())} domain(s)"
    if problems:
        blocking = len(report.failures_at_or_above(threshold))
        text += f"; worst: {problems[0].severity.label}; {blocking} at or above --fail-on {threshold.label}"
    return text


def text_detail(ctx: RunContext) -> int:
    """How much the text report shows: -1 with -q (counts only), 0 by default, 1 with -v."""
    verbosity = ctx.console.verbosity
    return -1 if verbosity < INF else 0 if verbosity == INF else 1


def finish(report: Report, args: argparse.Namespace, ctx: RunContext) -> int:
    """Write the report where --output says, the summary to stderr, and return the exit code."""
    threshold = Severity.parse(args.fail_on)
    to_terminal = not args.output or str(args.output) == "-"
    detail = text_detail(ctx)
    text = render(report, args.format, colour=ctx.console.colour and to_terminal,
                  width=terminal_width(ctx.console.stdout) if to_terminal else 100,
                  detail=detail if args.format == "text" else 0)
    ctx.console.emit(text, args.output)
    for note in report.notes:
        ctx.console.dbg(f"note: {note}")
    if not (detail < 0 and args.format == "text" and to_terminal):  # -q: the counts just printed
        ctx.console.summary(summary_line(report, threshold, ctx.console.command_name))
    return exit_code(report, threshold, args.exit_zero)
