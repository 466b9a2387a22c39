"""The Markdown reporter: tables that stay tables whatever the cells hold."""

from __future__ import annotations

import re

import pytest

from zsec_west.findings import Evidence, Finding, Location, Report, Rule, Severity, Status
from zsec_west.report import markdown


def _cells(row: str) -> list[str]:
    """Split a table row on pipes that are not backslash-escaped."""
    assert row.startswith("| ") and row.endswith(" |"), row
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row[1:-1])]


def _tables(output: str) -> list[list[str]]:
    tables, current = [], []
    for line in output.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def test_matches_golden(report, golden):
    golden("report.md", markdown.render(report))


def test_every_row_has_as_many_cells_as_its_header(report):
    tables = _tables(markdown.render(report))
    assert len(tables) == 5  # domains, problems, evidence, waived, not applicable
    for table in tables:
        width = len(_cells(table[0]))
        assert all(len(_cells(row)) == width for row in table), table


def test_heading_and_domain_counts(report):
    output = markdown.render(report)
    assert output.startswith("# zsec check report\n")
    assert "**Result:** 7 problem(s) from 7 failed, 3 passed" in output
    domains = _tables(output)[0]
    assert _cells(domains[0]) == ["Domain", "Failed", "Passed", "Not applicable", "Waived"]
    assert _cells(domains[2]) == ["app", "6", "1", "1", "1"]
    assert _cells(domains[5]) == ["hci\\_ipc", "0", "0", "0", "0"]


def test_problems_worst_first_named_as_problems(report):
    rows = [_cells(row) for row in _tables(markdown.render(report))[1][2:]]
    assert [row[0] for row in rows] == ["critical", "critical", "critical", "high", "medium", "low", "info"]
    canaries = next(row for row in rows if row[1] == "ZSEC-KCONF-001")
    assert canaries == ["high", "ZSEC-KCONF-001", "Stack canaries are off", "app", "Set CONFIG\\_STACK\\_CANARIES=y in prj.conf."]
    sign = next(row for row in rows if row[1] == "ZSEC-SIGN-001")
    assert sign[2] == "Image signed with a development key (root-rsa-2048.pem)" and sign[3] == "mcuboot"


def test_evidence_per_domain(report):
    rows = [_cells(row) for row in _tables(markdown.render(report))[2][2:]]
    canaries = next(row for row in rows if row[2] == "ZSEC-KCONF-001")
    assert canaries == ["app", "high", "ZSEC-KCONF-001", "n", "y", "app/prj.conf:12"]
    asserts = next(row for row in rows if row[2] == "ZSEC-KCONF-003")
    assert asserts[3:5] == ["y \\| \\<on\\>", "n & off"]
    assert asserts[5] == "build/zephyr/.config:1042"  # the build directory named, not its path


def test_waived_section(report):
    waived = _tables(markdown.render(report))[3]
    assert _cells(waived[2]) == ["app", "ZSEC-TFM-001", "TF-M isolation is below level 2",
                                 "nRF5340 TF-M profile small; ticket SEC-42"]
    assert _cells(waived[3])[3] == "no reason given"


def test_not_applicable_reasons(report):
    output = markdown.render(report)
    assert "## Not applicable" in output and "<details><summary>2 result(s) did not apply" in output
    rows = [_cells(row) for row in _tables(output)[4][2:]]
    assert ["ZSEC-KCONF-002", "Shell disabled in production", "tfm", "TF-M has no shell"] in rows


def test_no_waived_section_when_nothing_is_waived():
    rule = Rule("R-1", "t", Severity.LOW)
    output = markdown.render(Report("check", [Finding(rule, "app", Status.FAIL)]))
    assert "## Waived" not in output
    assert "## Notes" not in output


def test_no_absolute_paths_for_files_in_the_tree(report):
    assert "/ws/" not in markdown.render(report)


@pytest.mark.parametrize("value, expected", [
    ("a|b", "a\\|b"),
    ("line1\nline2", "line1<br>line2"),
    ("<script>", "\\<script\\>"),
    ("CONFIG_A*B", "CONFIG\\_A\\*B"),
    ("back\\slash", "back\\\\slash"),
    ("", " "),
    (None, " "),
    ("\x1b[1mbold\x1b[0m", "bold"),
])
def test_cell(value, expected):
    assert markdown.cell(value) == expected


def test_multiline_evidence_stays_in_its_row():
    rule = Rule("R-1", "t", Severity.HIGH)
    finding = Finding(rule, "app", Status.FAIL, evidence=Evidence("a\nb|c", "d"),
                      location=Location("prj.conf", 2))
    output = markdown.render(Report("check", [finding]))
    row = next(line for line in output.splitlines() if line.startswith("| app | high"))
    assert _cells(row) == ["app", "high", "R-1", "a<br>b\\|c", "d", "prj.conf:2"]
