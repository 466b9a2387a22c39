"""The JUnit reporter: parses back, one suite per domain, one case per result, right counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from zsec_west.findings import Evidence, Finding, Report, Rule, Severity, Status
from zsec_west.report import junit


def _parse(report: Report) -> ET.Element:
    return ET.fromstring(junit.render(report).encode("utf-8"))


def test_matches_golden(report, golden):
    golden("report.junit.xml", junit.render(report))


def test_root_counts(report):
    root = _parse(report)
    assert root.tag == "testsuites"
    assert root.get("name") == "zsec-west check"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == \
        ("14", "7", "4", "0")


def test_one_suite_per_domain_with_its_counts(report):
    suites = _parse(report).findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "zsec.check.app", "zsec.check.mcuboot", "zsec.check.tfm", "zsec.check.hci_ipc"]
    for suite in suites:
        domain = suite.get("name").rsplit(".", 1)[1]
        counts = report.counts(domain)
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases) == sum(counts.values())
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure")) == \
            counts[Status.FAIL]
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped")) == \
            counts[Status.WAIVED] + counts[Status.NOT_APPLICABLE]
        assert {case.get("classname") for case in cases} <= {suite.get("name")}
        names = [case.get("name") for case in cases]
        assert len(names) == len(set(names)), "dashboards merge test cases with equal names"


def _case(root: ET.Element, domain: str, name: str) -> ET.Element:
    suite = next(s for s in root.findall("testsuite") if s.get("name") == f"zsec.check.{domain}")
    return next(c for c in suite.findall("testcase") if c.get("name") == name)


def test_failure_carries_severity_message_evidence_location_and_fix(report):
    failure = _case(_parse(report), "app", "ZSEC-KCONF-001").find("failure")
    assert failure.get("type") == "high"
    assert failure.get("message") == "CONFIG_STACK_CANARIES is not set"
    assert "actual: n, expected: y" in failure.text
    assert "location: /ws/app/prj.conf:12" in failure.text
    assert "fix: Set CONFIG_STACK_CANARIES=y in prj.conf." in failure.text
    key = _case(_parse(report), "mcuboot", "ZSEC-SIGN-001").find("failure")
    assert key.get("type") == "critical"


def test_waived_and_not_applicable_are_skipped_with_reason(report):
    root = _parse(report)
    waived = _case(root, "app", "ZSEC-TFM-001")
    assert waived.find("skipped").get("message") == \
        "waived: nRF5340 TF-M profile small; ticket SEC-42"
    assert waived.find("failure") is None
    assert _case(root, "mcuboot", "ZSEC-KCONF-001").find("skipped").get("message") == \
        "waived: no reason given"
    assert _case(root, "tfm", "ZSEC-KCONF-002").find("skipped").get("message") == \
        "not applicable: TF-M has no shell"


def test_passes_are_visible_and_empty(report):
    case = _case(_parse(report), "tfm", "ZSEC-TFM-001")
    assert list(case) == []


def test_repeated_rule_in_a_domain_named_by_subject(report):
    root = _parse(report)
    assert _case(root, "app", "ZSEC-VULN [mbedtls]").find("failure").get("type") == "critical"
    assert _case(root, "app", "ZSEC-VULN [lvgl]") is not None
    # a rule that appears once keeps its bare id
    assert _case(root, "app", "ZSEC-KCONF-003") is not None


def test_markup_escaped_and_control_characters_dropped(report):
    output = junit.render(report)
    assert "\x1b" not in output and "\x07" not in output
    failure = _case(_parse(report), "app", "ZSEC-KCONF-003").find("failure")
    assert failure.get("message") == "asserts on | really"
    assert "actual: y | <on>, expected: n & off" in failure.text  # round-trips through escaping


def test_hostile_strings_still_give_well_formed_xml():
    rule = Rule("R-<1>", 'quote " & \x00 nul', Severity.HIGH, fix="]]> end of CDATA \ud800")
    finding = Finding(rule, 'd"o&m', Status.FAIL, "line one\nline two\x0c",
                      Evidence("\x1b]0;title\x07x", "y"))
    root = ET.fromstring(junit.render(Report('c"md', [finding])).encode("utf-8"))
    case = root.find("testsuite/testcase")
    assert case.get("name") == "R-<1>"
    assert case.get("classname") == 'zsec.c"md.d"o&m'
    failure = case.find("failure")
    assert failure.get("message") == "line one line two"
    assert "]]> end of CDATA" in failure.text
    assert "actual: x, expected: y" in failure.text


def test_empty_report():
    root = _parse(Report("sbom"))
    assert root.get("tests") == "0" and list(root) == []
