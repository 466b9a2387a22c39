"""The human report: one section per domain, failures worst first, then what was waived."""

from __future__ import annotations

import textwrap

from zsec_west.findings import Finding, Report, Severity, Status
from zsec_west.report.common import clean, counts_phrase, evidence_phrase, location_text, one_line, ordered
from zsec_west.report.facts_text import preamble_lines

WIDTH = 100
_RESET = "\033[0m"
_STYLES = {
    "bold": "\033[1m",
    "dim": "\033[2m",
    "red": "\033[31m",
    "green": "\033[32m",
    "yellow": "\033[33m",
    "cyan": "\033[36m",
    "critical": "\033[1;37;41m",  # white on red: the one that must not be missed
    "high": "\033[1;31m",
    "medium": "\033[33m",
    "low": "\033[36m",
    "info": "\033[2m",
}
_LABEL_WIDTH = max(len(severity.label) for severity in Severity)


class _Painter:
    """Wraps text in ANSI styles, or returns it unchanged when colour is off."""

    def __init__(self, colour: bool):
        self.colour = colour

    def __call__(self, text: str, style: str) -> str:
        if not self.colour or not text:
            return text
        return f"{_STYLES[style]}{text}{_RESET}"


def _wrapped(label: str, text: str, indent: str) -> list[str]:
    """`label text` wrapped to WIDTH, continuation lines under the text; keeps newlines."""
    lines: list[str] = []
    first = f"{indent}{label}"
    hang = indent + " " * len(label)
    for index, paragraph in enumerate(clean(text).split("\n")):
        lines.extend(textwrap.wrap(
            paragraph, WIDTH, initial_indent=first if index == 0 else hang,
            subsequent_indent=hang, break_long_words=False, break_on_hyphens=False,
        ) or [first if index == 0 else hang.rstrip()])
    return lines


def _summary(report: Report, domain: str | None, paint: _Painter) -> str:
    counts = report.counts(domain)
    phrase = counts_phrase(report, domain)
    if not paint.colour:
        return phrase
    styles = {"failed": "red" if counts[Status.FAIL] else "dim", "passed": "green",
              "not applicable": "dim", "waived": "yellow" if counts[Status.WAIVED] else "dim"}
    parts = []
    for part in phrase.split(", "):
        label = part.split(" ", 1)[1]
        parts.append(paint(part, styles[label]))
    return ", ".join(parts)


def _failure(finding: Finding, id_width: int, paint: _Painter) -> list[str]:
    label = finding.severity.label
    head = (f"  {paint(label.ljust(_LABEL_WIDTH), label)}  "
            f"{paint(one_line(finding.rule.id).ljust(id_width), 'bold')}  {one_line(finding.rule.title)}")
    lines = [head]
    indent = " " * (2 + _LABEL_WIDTH + 2 + id_width + 2)
    message = clean(finding.message).strip()
    if message and one_line(message) != one_line(finding.rule.title):
        lines += _wrapped("", message, indent)
    evidence = evidence_phrase(finding)
    if evidence:
        lines += _wrapped("", evidence, indent)
    where = location_text(finding)
    if where:
        lines.append(f"{indent}at: {where}")
    if finding.rule.fix:
        lines += [paint(line, "cyan") if paint.colour else line
                  for line in _wrapped("fix: ", finding.rule.fix, indent)]
    return lines


def _domain_section(report: Report, domain: str, paint: _Painter) -> list[str]:
    lines = [f"{paint(one_line(domain), 'bold')}: {_summary(report, domain, paint)}"]
    failures = ordered(report, domain, Status.FAIL)
    if failures:
        id_width = max(len(one_line(f.rule.id)) for f in failures)
        for finding in failures:
            lines += _failure(finding, id_width, paint)
    elif report.counts(domain)[Status.PASS]:
        lines.append("  no failures")
    waived = ordered(report, domain, Status.WAIVED)
    if waived:
        lines.append("  waived:")
        for finding in waived:
            reason = one_line(finding.waiver) or "no reason given"
            lines.append(f"    {one_line(finding.rule.id)}  {one_line(finding.rule.title)}"
                         f" {paint('(' + reason + ')', 'dim')}")
    return lines


def render(report: Report, *, colour: bool = False) -> str:
    """The report as text for a terminal; ANSI colour only when `colour` is true."""
    paint = _Painter(colour)
    lines: list[str] = []
    preamble = preamble_lines(report.facts)
    if preamble:
        lines += [clean(line) for line in preamble]
        lines.append("")
    domains = report.domain_order()
    for domain in domains:
        lines += _domain_section(report, domain, paint)
        lines.append("")
    if report.findings:
        lines.append(f"{paint('total', 'bold')}: {_summary(report, None, paint)}"
                     f" across {len(domains)} domain(s)")
    elif not lines:  # a report of facts only (an SBOM, TF-M not in use) shows just its facts
        lines.append("no findings")
    for note in report.notes:
        lines += _wrapped("note: ", note, "")
    return "\n".join(lines) + "\n"
