"""One entry per problem: the results of one rule with one cause, whatever domains they are in.

A development key named by the sysbuild level, the application and MCUboot is one problem found
in three domains; people read it once. Text, Markdown and HTML list these entries; the machine
formats keep every result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from zsec_west.findings import Finding, Report, Rule, Severity, Status
from zsec_west.report.common import display_path, finding_key, one_line


@dataclass(frozen=True)
class Entry:
    """Results of one rule with one cause (same status, severity and detail), in domain order."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def rule(self) -> Rule:
        return self.first.rule

    @property
    def status(self) -> Status:
        return self.first.status

    @property
    def severity(self) -> Severity:
        return self.first.severity

    @property
    def headline(self) -> str:
        return one_line(self.first.headline)

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.domain for f in self.findings))

    @property
    def fixes(self) -> tuple[str, ...]:
        """The distinct fix texts of the entry's results (one when the advice is the same)."""
        return tuple(dict.fromkeys(one_line(f.fix) for f in self.findings if f.fix))

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the results do not apply or are waived, each once."""
        texts = (f.waiver if f.status is Status.WAIVED else f.message for f in self.findings)
        return tuple(dict.fromkeys(one_line(t) for t in texts if t))


def _cause(finding: Finding) -> tuple:
    return (finding.rule.id, finding.status, int(finding.severity), finding.detail or "")


def entries(report: Report, status: Status) -> list[Entry]:
    """The report's results of `status` grouped by cause: worst first, then by where they were
    first found (domain order), then rule id. Not-applicable results group by their reason too."""
    groups: dict[tuple, list[Finding]] = {}
    key = finding_key(report)
    for finding in sorted((f for f in report.findings if f.status is status), key=key):
        cause = _cause(finding)
        if status is Status.NOT_APPLICABLE:
            cause += (one_line(finding.message),)
        groups.setdefault(cause, []).append(finding)
    order = {name: index for index, name in enumerate(report.domain_order())}
    result = [Entry(tuple(found)) for found in groups.values()]
    return sorted(result, key=lambda e: (-int(e.severity), order.get(e.first.domain, len(order)),
                                         e.rule.id, e.headline))


def where(finding: Finding, report: Report) -> str:
    """The finding's location as a person reads it: relative to the build directory when inside
    it (the report's header names that directory), else relative to the current directory."""
    if finding.location is None:
        return ""
    path = finding.location.path
    build_dir = report.inputs.get("build_dir")
    shown = display_path(path)
    if build_dir:
        try:
            shown = PurePath(path).relative_to(PurePath(str(build_dir))).as_posix()
        except ValueError:
            pass
    shown = one_line(shown)
    return f"{shown}:{finding.location.line}" if finding.location.line else shown
