"""The human report: one line per problem, worst first; details on request.

Default: the command's facts, then one line per problem (severity, rule id, the problem, the
domains it was found in, where), a problem found in several domains listed once, then the counts
per domain. `detail=1` (-v) adds each problem's rationale, per-domain evidence and fix, and the
rules that do not apply with their reasons; `detail=-1` (-q) prints the counts only. Lines are
wrapped to `width` (the terminal's, or 100 columns when not a terminal).
"""

from __future__ import annotations

import textwrap

from zsec_west.findings import Report, Severity, Status
from zsec_west.report.common import clean, evidence_phrase, one_line
from zsec_west.report.facts_text import preamble_lines
from zsec_west.report.grouping import Entry, entries, where

WIDTH = 100
MIN_WIDTH = 60
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


def _wrap(text: str, width: int, first: str, hang: str) -> list[str]:
    """`text` wrapped to `width`, the first line after `first`, the others after `hang`;
    newlines in `text` start new lines."""
    lines: list[str] = []
    for index, paragraph in enumerate(clean(text).split("\n")):
        lines.extend(textwrap.wrap(
            paragraph, max(width, MIN_WIDTH), initial_indent=first if index == 0 else hang,
            subsequent_indent=hang, break_long_words=False, break_on_hyphens=False,
        ) or [first if index == 0 else hang.rstrip()])
    return lines


class _Writer:
    """Text lines for one report at one width, coloured or not."""

    def __init__(self, report: Report, width: int, colour: bool):
        self.report = report
        self.width = width
        self.paint = _Painter(colour)
        self.failing = entries(report, Status.FAIL) + entries(report, Status.WAIVED)
        self.id_width = max((len(one_line(e.rule.id)) for e in self.failing), default=0)

    # -- one problem -------------------------------------------------------------------------
    def entry_line(self, entry: Entry) -> list[str]:
        """Severity, rule id, the problem, [domains: where], wrapped under the problem."""
        label = "waived" if entry.status is Status.WAIVED else entry.severity.label
        rule_id = one_line(entry.rule.id)
        head_width = _LABEL_WIDTH + 2 + self.id_width + 2
        # Where: the domains; files and lines are in the details (-v), since a Kconfig result's
        # location is the generated .config of each domain.
        tail = "[" + ", ".join(one_line(d) for d in entry.domains) + "]"
        plain = _wrap(f"{entry.headline}  {tail}", self.width, " " * head_width, " " * head_width)
        style = "yellow" if entry.status is Status.WAIVED else entry.severity.label
        prefix = f"{self.paint(label.ljust(_LABEL_WIDTH), style)}  {self.paint(rule_id.ljust(self.id_width), 'bold')}  "
        return [prefix + plain[0][head_width:]] + plain[1:]

    def details(self, entry: Entry) -> list[str]:
        """-v: why it matters, what each domain has, and what to do."""
        indent = " " * (_LABEL_WIDTH + 2 + self.id_width + 2)
        lines: list[str] = []
        if entry.rule.rationale:
            lines += _wrap(entry.rule.rationale, self.width, indent + "why: ", indent + "     ")
        for finding in entry.findings:
            message = one_line(finding.message)
            parts = [message] if message else []
            evidence = evidence_phrase(finding)
            # The message usually says what the build has; the evidence then only repeats it.
            if evidence and one_line(finding.evidence.actual or "") not in message:
                parts.append(f"({evidence})")
            place = where(finding, self.report)
            if place:
                parts.append(f"at {place}")
            if finding.status is Status.WAIVED:
                parts.insert(0, f"waived: {one_line(finding.waiver) or 'no reason given'};")
            label = f"{one_line(finding.domain)}: "
            lines += _wrap(" ".join(parts), self.width, indent + label, indent + "  ")
        for fix in entry.fixes:
            fix_lines = _wrap(fix, self.width, indent + "fix: ", indent + "     ")
            lines += [self.paint(line, "cyan") for line in fix_lines]
        return lines

    # -- sections ------------------------------------------------------------------------------
    def problems(self, detail: int) -> list[str]:
        lines: list[str] = []
        for entry in self.failing:
            lines += self.entry_line(entry)
            if detail > 0:
                lines += self.details(entry)
        return lines

    def not_applicable(self) -> list[str]:
        found = entries(self.report, Status.NOT_APPLICABLE)
        if not found:
            return []
        lines = [self.paint("not applicable:", "bold")]
        id_width = max(len(one_line(e.rule.id)) for e in found)
        hang = " " * (2 + id_width + 2)
        for entry in found:
            domains = ", ".join(one_line(d) for d in entry.domains)
            reason = "; ".join(entry.reasons) or "does not apply"
            text = f"{entry.headline} [{domains}]: {reason}"
            lines += _wrap(text, self.width, f"  {one_line(entry.rule.id).ljust(id_width)}  ", hang)
        return lines

    def counts(self) -> list[str]:
        """The results per domain, aligned, and the total."""
        rows = []
        for domain in self.report.domain_order():
            rows.append((one_line(domain), self.report.counts(domain)))
        rows.append(("total", self.report.counts()))
        name_width = max(len(name) for name, _ in rows)
        widths = {status: max(len(str(c[status])) for _, c in rows) for status in Status}
        lines = []
        for name, counts in rows:
            cells = []
            for status, label, style in ((Status.FAIL, "failed", "red"), (Status.PASS, "passed", "green"),
                                         (Status.NOT_APPLICABLE, "not applicable", "dim"),
                                         (Status.WAIVED, "waived", "yellow")):
                if status is Status.WAIVED and not self.report.counts()[Status.WAIVED]:
                    continue
                cell = f"{str(counts[status]).rjust(widths[status])} {label}"
                cells.append(self.paint(cell, style) if counts[status] else cell)
            head = self.paint(name.ljust(name_width), "bold") if name == "total" else name.ljust(name_width)
            lines.append(f"{head}  " + ", ".join(cells))
        return lines

    def notes(self) -> list[str]:
        lines: list[str] = []
        for note in self.report.notes:
            lines += _wrap(note, self.width, "note: ", "      ")
        return lines


def render(report: Report, *, colour: bool = False, width: int = WIDTH, detail: int = 0) -> str:
    """The report as text for a terminal; ANSI colour only when `colour` is true.

    `detail`: -1 the counts only, 0 one line per problem, 1 and more each problem's details and
    the rules that do not apply."""
    writer = _Writer(report, width, colour)
    if detail < 0:
        return "\n".join(writer.counts() if report.findings else ["no findings"]) + "\n"
    lines: list[str] = []
    preamble = preamble_lines(report.facts, detail=detail)
    if preamble:
        lines += [clean(line) for line in preamble]
        lines.append("")
    problems = writer.problems(detail)
    if problems:
        lines += problems
        lines.append("")
    elif report.findings:
        lines += ["no problems found", ""]
    if detail > 0:
        na = writer.not_applicable()
        if na:
            lines += na
            lines.append("")
    if report.findings:
        lines += writer.counts()
    elif not lines:  # a report of facts only (an SBOM, TF-M not in use) shows just its facts
        lines.append("no findings")
    lines += writer.notes()
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
