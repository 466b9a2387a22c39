"""JUnit XML for CI dashboards: a test suite per domain, a test case per rule evaluated there."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence

from zsec_west.findings import Finding, Report, Status
from zsec_west.report.common import clean, evidence_phrase, location_text, one_line, ordered


def _case_name(finding: Finding, repeated: bool) -> str:
    # A rule can yield several results in one domain (one per package, say); the subject
    # tells them apart, otherwise dashboards merge them into one test.
    if repeated and finding.subject:
        return f"{one_line(finding.rule.id)} [{one_line(finding.subject)}]"
    return one_line(finding.rule.id)


def _failure_body(finding: Finding) -> str:
    lines = [f"{one_line(finding.rule.id)}: {one_line(finding.headline)}"]
    if finding.message:
        lines.append(clean(finding.message))
    evidence = evidence_phrase(finding)
    if evidence:
        lines.append(evidence)
    where = location_text(finding)
    if where:
        lines.append(f"location: {where}")
    if finding.fix:
        lines.append(f"fix: {clean(finding.fix)}")
    if finding.rule.rationale:
        lines.append(f"why: {clean(finding.rule.rationale)}")
    return "\n".join(lines)


def _testcase(suite: ET.Element, classname: str, finding: Finding, repeated: bool) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname,
                         name=_case_name(finding, repeated), time="0")
    if finding.status is Status.FAIL:
        message = one_line(finding.message) or one_line(finding.headline)
        failure = ET.SubElement(case, "failure", message=message, type=finding.severity.label)
        failure.text = _failure_body(finding)
    elif finding.status is Status.WAIVED:
        ET.SubElement(case, "skipped",
                      message=f"waived: {one_line(finding.waiver) or 'no reason given'}")
    elif finding.status is Status.NOT_APPLICABLE:
        reason = one_line(finding.message) or "does not apply to this domain"
        ET.SubElement(case, "skipped", message=f"not applicable: {reason}")


def _counts(findings: Sequence[Finding]) -> dict[str, str]:
    statuses = Counter(f.status for f in findings)
    return {
        "tests": str(len(findings)),
        "failures": str(statuses[Status.FAIL]),
        "errors": "0",
        "skipped": str(statuses[Status.WAIVED] + statuses[Status.NOT_APPLICABLE]),
        "time": "0",
    }


def render(report: Report, *, colour: bool = False) -> str:
    """The report as JUnit XML; `colour` is ignored."""
    command = one_line(report.command)
    root = ET.Element("testsuites", {"name": f"zsec-west {command}", **_counts(report.findings)})
    for domain in report.domain_order():
        findings = ordered(report, domain)
        name = f"zsec.{command}.{one_line(domain)}"
        suite = ET.SubElement(root, "testsuite", {"name": name, **_counts(findings)})
        per_rule = Counter(f.rule.id for f in findings)
        for finding in findings:
            _testcase(suite, name, finding, per_rule[finding.rule.id] > 1)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
