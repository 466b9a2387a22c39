"""The text reporter: sections per domain, worst first, waivers, colour only when asked."""

from __future__ import annotations

import re

import pytest

from zsec_west.facts import SbomDocument, SbomFacts
from zsec_west.findings import Evidence, Finding, Location, Report, Rule, Severity, Status
from zsec_west.report import FORMATS, render, text

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _entry_lines(output: str) -> list[str]:
    """The one-line entries (severity or 'waived' first), without their continuation lines."""
    return [line for line in output.splitlines()
            if re.match(r"^(critical|high|medium|low|info|waived) +\S+  ", line)]


def test_matches_golden(report, golden):
    golden("report.txt", text.render(report))
    golden("report-verbose.txt", text.render(report, detail=1))


def test_no_escape_sequences_without_colour_even_from_input(report):
    output = text.render(report, detail=1)
    assert "\x1b" not in output
    assert "\x07" not in output
    # the ESC [31m in the finding's message is dropped whole, not left as debris
    assert "asserts on | really" in output


def test_colour_only_adds_styles(report):
    for detail in (-1, 0, 1):
        coloured = text.render(report, colour=True, detail=detail)
        assert "\x1b[" in coloured
        assert ANSI.sub("", coloured) == text.render(report, detail=detail)
    assert "\x1b[1;37;41mcritical" in text.render(report, colour=True)


def test_counts_per_domain_in_domain_order_and_a_total(report):
    lines = text.render(report).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("app "))
    assert lines[start:start + 5] == [
        "app      6 failed, 1 passed, 1 not applicable, 1 waived",
        "mcuboot  1 failed, 1 passed, 0 not applicable, 1 waived",
        "tfm      0 failed, 1 passed, 1 not applicable, 0 waived",
        "hci_ipc  0 failed, 0 passed, 0 not applicable, 0 waived",
        "total    7 failed, 3 passed, 2 not applicable, 2 waived",
    ]


def test_one_line_per_problem_worst_first_problem_not_goal(report):
    entries = _entry_lines(text.render(report))
    assert [line.split()[0] for line in entries] == [
        "critical", "critical", "critical", "high", "medium", "low", "info", "waived", "waived"]
    # a failure states the problem, with what makes it specific, and the domains it was found in
    sign = next(line for line in entries if "ZSEC-SIGN-001" in line)
    assert sign.startswith("critical")  # the profile's severity, not the rule's (high)
    assert "Images are signed with a key of your own" not in "\n".join(entries)  # the goal
    assert sign.endswith("Image signed with a development key (root-rsa-2048.pem)  [mcuboot]")
    canaries = next(line for line in entries if "ZSEC-KCONF-001" in line and "high" in line)
    assert canaries.endswith("Stack canaries are off  [app]")


def test_one_cause_in_several_domains_is_one_entry():
    rule = Rule("R-KEY", "Images are not signed with a development key", Severity.CRITICAL,
                problem="Images are signed with a development key", fix="Use your own key.")
    findings = [Finding(rule, domain, Status.FAIL, f"{domain} names root.pem", subject=f"{domain}-key",
                        detail="MCUboot root-rsa-2048.pem")
                for domain in ("sysbuild", "app", "mcuboot")]
    other = Finding(rule, "app", Status.FAIL, "another key", subject="other", detail="TF-M root-EC-P256.pem")
    output = text.render(Report("check", [*findings, other], domains=("sysbuild", "app", "mcuboot")),
                         width=140)
    assert _entry_lines(output) == [
        "critical  R-KEY  Images are signed with a development key (MCUboot root-rsa-2048.pem)  "
        "[sysbuild, app, mcuboot]",
        "critical  R-KEY  Images are signed with a development key (TF-M root-EC-P256.pem)  [app]",
    ]
    # -v: the evidence of each domain and the fix once
    verbose = text.render(Report("check", findings, domains=("sysbuild", "app", "mcuboot")), detail=1)
    assert verbose.count("fix: Use your own key.") == 1
    assert all(f"{domain}: {domain} names root.pem" in verbose for domain in ("sysbuild", "app", "mcuboot"))


def test_waived_listed_with_reason_in_details(report):
    output = text.render(report)
    assert "waived    ZSEC-TFM-001    TF-M isolation is below level 2  [app]" in output
    verbose = text.render(report, detail=1)
    assert "waived: nRF5340 TF-M profile small; ticket SEC-42" in verbose
    assert "mcuboot: waived: no reason given; bootloader size budget" in " ".join(verbose.split())


def test_not_applicable_reasons_only_with_details(report):
    assert "TF-M has no shell" not in text.render(report)
    verbose = text.render(report, detail=1)
    assert "not applicable:" in verbose
    assert re.search(r"ZSEC-KCONF-002  Shell disabled in production \[tfm\]: TF-M has no shell", verbose)
    assert re.search(r"ZSEC-BOOT-002  +Downgrade prevention \[app\]: no MCUboot in this build", verbose)


def test_quiet_is_the_counts_only(report):
    quiet = text.render(report, detail=-1).splitlines()
    assert quiet[0].startswith("app ") and quiet[-1].startswith("total ")
    assert len(quiet) == 5


def test_preamble_first_and_notes_last(report):
    lines = text.render(report).splitlines()
    assert lines[:2] == ["Security check of /ws/build, profile production (base + strict + production)", ""]
    assert text.render(report, detail=1).splitlines()[1] == (
        "rules: zsec_west/data/rules (112 rules); boards/x.overlay")
    assert lines[-1] == "note: the TF-M domain has no .config; its rules were not evaluated"
    assert text.render(report.with_changes(facts=None)).startswith("critical ")


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_wraps_to_the_width_with_the_fix_under_itself(width):
    rule = Rule("R-1", "Long", Severity.HIGH, problem=" ".join(["problem"] * 20), fix=" ".join(["word"] * 60))
    report = Report("check", [Finding(rule, "app", Status.FAIL, "m", Evidence("a", "b"),
                                      Location("prj.conf", 3))])
    for detail in (0, 1):
        lines = text.render(report, width=width, detail=detail).splitlines()
        assert all(len(line) <= width for line in lines)
    lines = text.render(report, width=width, detail=1).splitlines()
    fix = [i for i, line in enumerate(lines) if "fix: " in line][0]
    column = lines[fix].index("fix: ") + len("fix: ")
    assert lines[fix + 1].startswith(" " * column + "word")
    head = lines[0]
    assert head.startswith("high      R-1  problem problem")
    assert lines[1].startswith(" " * (len("high      R-1  ")) + "problem")


def test_empty_report_still_renders():
    assert text.render(Report("sbom")) == "no findings\n"
    facts = SbomFacts("spdx-json", "out", 3, (SbomDocument("app", "out/app.spdx.json", 2, 3, 0, "ab"),),
                      (), ())
    facts_only = text.render(Report("sbom", facts=facts))
    assert facts_only.startswith("SBOM (spdx-json) in out:") and "total" not in facts_only
    assert "app.spdx.json  2 packages, 3 files" in facts_only


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "text"])
def test_machine_formats_never_coloured(report, fmt):
    assert "\x1b" not in render(report, fmt, colour=True)


def test_unknown_format_is_refused(report):
    with pytest.raises(ValueError, match="unknown report format"):
        render(report, "pdf")


def test_locations_relative_to_the_build_directory_or_the_current_one(tmp_path, monkeypatch):
    rule = Rule("R-1", "title", Severity.HIGH)
    build = tmp_path / "build"
    inside = Finding(rule, "app", Status.FAIL, "m", Evidence("y", "n"),
                     Location(str(build / "zephyr" / ".config"), 7), subject="A")
    outside = Finding(rule, "app", Status.FAIL, "m", Evidence("y", "n"),
                      Location(str(tmp_path / "app" / "prj.conf"), 3), subject="B")
    elsewhere = Finding(rule, "app", Status.FAIL, "m", Evidence("y", "n"),
                        Location("/elsewhere/prj.conf", 3), subject="C")
    monkeypatch.chdir(tmp_path)
    out = text.render(Report("check", [inside, outside, elsewhere], {"build_dir": str(build)},
                             domains=["app"]), detail=1)
    assert "at zephyr/.config:7" in out
    assert "at app/prj.conf:3" in out
    assert "at /elsewhere/prj.conf:3" in out
