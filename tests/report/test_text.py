"""The text reporter: sections per domain, worst first, waivers, colour only when asked."""

from __future__ import annotations

import re

import pytest

from zsec_west.facts import SbomDocument, SbomFacts
from zsec_west.findings import Evidence, Finding, Location, Report, Rule, Severity, Status
from zsec_west.report import FORMATS, render, text

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _section(output: str, domain: str) -> list[str]:
    """The lines of one domain's section (from its summary line to the blank line)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{domain}: "))
    end = lines.index("", start)
    return lines[start:end]


def test_matches_golden(report, golden):
    golden("report.txt", text.render(report))


def test_no_escape_sequences_without_colour_even_from_input(report):
    output = text.render(report)
    assert "\x1b" not in output
    assert "\x07" not in output
    # the ESC [31m in the finding's message is dropped whole, not left as debris
    assert "asserts on | really" in output


def test_colour_only_adds_styles(report):
    coloured = text.render(report, colour=True)
    assert "\x1b[" in coloured
    assert "\x1b[1;37;41mcritical" in coloured
    assert ANSI.sub("", coloured) == text.render(report)


def test_sections_follow_domain_order_with_counts(report):
    output = text.render(report)
    summaries = [line for line in output.splitlines()
                 if re.match(r"^\w+: \d+ failed", line) and not line.startswith("total:")]
    assert summaries == [
        "app: 6 failed, 1 passed, 1 not applicable, 1 waived",
        "mcuboot: 1 failed, 1 passed, 0 not applicable, 1 waived",
        "tfm: 0 failed, 1 passed, 1 not applicable, 0 waived",
        "hci_ipc: 0 failed, 0 passed, 0 not applicable, 0 waived",
    ]
    assert "\ntotal: 7 failed, 3 passed, 2 not applicable, 2 waived across 4 domain(s)\n" in output


def test_failures_worst_first_with_evidence_location_and_fix(report):
    app = _section(text.render(report), "app")
    severities = [line.split()[0] for line in app if re.match(r"^  (critical|high|medium|low|info) ", line)]
    assert severities == ["critical", "critical", "high", "medium", "low", "info"]
    block = "\n".join(app)
    assert "ZSEC-KCONF-001  Stack canaries enabled" in block
    assert "actual: n, expected: y" in block
    assert "at: /ws/app/prj.conf:12" in block
    assert "at: /ws/build/zephyr/.config\n" in block + "\n"  # no line number, no ':None'
    assert "fix: Set CONFIG_STACK_CANARIES=y in prj.conf." in block
    assert ":None" not in block


def test_severity_override_decides_the_order_and_label(report):
    mcuboot = _section(text.render(report), "mcuboot")
    assert mcuboot[1].split()[:2] == ["critical", "ZSEC-SIGN-001"]


def test_waived_listed_with_reason_not_as_failures(report):
    output = text.render(report)
    app = "\n".join(_section(output, "app"))
    assert "  waived:\n    ZSEC-TFM-001  TF-M isolation level 2 or higher " \
           "(nRF5340 TF-M profile small; ticket SEC-42)" in app
    assert not re.search(r"^  \w+ +ZSEC-TFM-001", app, re.M)
    assert "ZSEC-KCONF-001  Stack canaries enabled (no reason given)" in output


def test_passing_domain_says_so_and_empty_domain_is_listed(report):
    output = text.render(report)
    assert _section(output, "tfm")[1] == "  no failures"
    assert _section(output, "hci_ipc") == ["hci_ipc: 0 failed, 0 passed, 0 not applicable, 0 waived"]


def test_preamble_first_and_notes_last(report):
    lines = text.render(report).splitlines()
    assert lines[:3] == ["zsec check of /ws/build (profile production: base + strict + production)",
                         "rules: zsec_west/data/rules (112 rules); boards/x.overlay", ""]
    assert lines[-1] == "note: the TF-M domain has no .config; its rules were not evaluated"
    assert text.render(report.with_changes(facts=None)).startswith("app: ")


def test_long_fix_wraps_under_itself():
    rule = Rule("R-1", "Long", Severity.HIGH, fix=" ".join(["word"] * 60))
    report = Report("check", [Finding(rule, "app", Status.FAIL, "m", Evidence("a", "b"),
                                      Location("prj.conf", 3))])
    lines = text.render(report).splitlines()
    fix = [i for i, line in enumerate(lines) if "fix: " in line][0]
    assert all(len(line) <= text.WIDTH for line in lines)
    column = lines[fix].index("fix: ") + len("fix: ")
    assert lines[fix + 1].startswith(" " * column + "word")


def test_empty_report_still_renders():
    assert text.render(Report("sbom")) == "no findings\n"
    facts = SbomFacts("spdx-json", "out", 3, (SbomDocument("app", "out/app.spdx.json", 2, 3, 0, "ab"),),
                      (), ())
    facts_only = text.render(Report("sbom", facts=facts))
    assert facts_only.startswith("SBOM (spdx-json) in out:") and "total:" not in facts_only
    assert "app.spdx.json  2 packages, 3 files" in facts_only


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "text"])
def test_machine_formats_never_coloured(report, fmt):
    assert "\x1b" not in render(report, fmt, colour=True)


def test_unknown_format_is_refused(report):
    with pytest.raises(ValueError, match="unknown report format"):
        render(report, "html")


def test_locations_below_the_current_directory_are_shown_relative(tmp_path, monkeypatch):
    from zsec_west.findings import Evidence, Finding, Location, Report, Rule, Severity, Status
    from zsec_west.report import text

    rule = Rule("R-1", "title", Severity.HIGH)
    inside = Finding(rule, "app", Status.FAIL, "m", Evidence("y", "n"),
                     Location(str(tmp_path / "build" / "zephyr" / ".config"), 7), subject="A")
    outside = Finding(rule, "app", Status.FAIL, "m", Evidence("y", "n"),
                      Location("/elsewhere/prj.conf", 3), subject="B")
    monkeypatch.chdir(tmp_path)
    out = text.render(Report("check", [inside, outside], domains=["app"]))
    assert "at: build/zephyr/.config:7" in out
    assert "at: /elsewhere/prj.conf:3" in out
