"""The HTML reporter: strict HTML5, everything from the build escaped, nothing loaded from
anywhere, the same summary as the other formats."""

from __future__ import annotations

import re

import html5lib
import pytest

from zsec_west.findings import Evidence, Finding, Location, Report, Rule, Severity, Status
from zsec_west.report import html, render
from zsec_west.report.html import memory_bar, script_hash

HOSTILE = '<script>alert(1)</script>"\'&<img src=x onerror=alert(2)>'


def strict_parse(page: str):
    """html5lib in strict mode raises on the first parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)


def test_sample_report_is_strict_html5(report, golden):
    page = html.render(report)
    strict_parse(page)
    golden("report.html", page)


def test_everything_from_the_build_is_escaped():
    rule = Rule("R-1", HOSTILE, Severity.HIGH, problem=HOSTILE, rationale=HOSTILE, fix=HOSTILE,
                references=(HOSTILE,))
    finding = Finding(rule, HOSTILE, Status.FAIL, HOSTILE, Evidence(HOSTILE, HOSTILE),
                      Location(HOSTILE, 3), subject=HOSTILE, detail=HOSTILE)
    na = Finding(rule, "app", Status.NOT_APPLICABLE, HOSTILE, subject="n/a")
    page = html.render(Report("check", [finding, na], {"build_dir": HOSTILE}, (HOSTILE, "app"),
                              notes=(HOSTILE,)))
    tree = strict_parse(page)
    assert "<script>alert" not in page and "<img" not in page
    assert not [(e.tag, name) for e in tree.iter() for name in e.attrib if name.lower().startswith("on")]
    scripts = tree.findall(".//script")
    assert len(scripts) == 1 and "alert" not in (scripts[0].text or "")
    assert not tree.findall(".//img")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_nothing_is_loaded_and_only_the_own_script_may_run(report):
    page = html.render(report)
    tree = strict_parse(page)
    [policy] = [m.get("content") for m in tree.findall(".//meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in policy
    [script] = tree.findall(".//script")
    assert f"'{script_hash(script.text)}'" in policy
    for element in tree.iter():
        for attribute in ("src", "href", "action", "srcset", "data"):
            assert not element.get(attribute), f"<{element.tag} {attribute}=...>"
    assert not re.search(r"url\(|@import|https?://[^\s\"<]*\.(js|css|woff2?|png|svg)", page)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_human_format_names_the_problem(report, fmt):
    assert "Stack canaries are off" in render(report, fmt)


def test_memory_bar_keeps_one_scale_and_breaks_only_big_gaps():
    from zsec_west.facts.tfm import MemoryRegion

    a = MemoryRegion("a", "secure", "a", 0x0, 0x1000, "partition")
    b = MemoryRegion("b", "non-secure", "b", 0x1000, 0x3000, "partition")
    c = MemoryRegion("c", "secure", "c", 0x5000, 0x1000, "partition")  # a gap of 0x1000 before it
    far = MemoryRegion("far", "unknown", "far", 0x1000_0000, 0x1000, "partition")
    segments = memory_bar([c, a, b], width=1000)
    assert [s.region.name if s.region else "gap" for s in segments] == ["a", "b", "gap", "c"]
    assert [s.width for s in segments] == pytest.approx([1000 / 6, 3000 / 6, 1000 / 6, 1000 / 6], abs=0.001)
    assert abs(sum(s.width for s in segments) - 1000) < 0.01
    big = memory_bar([a, far], width=1000)
    assert big[1].region is None and big[1].width < big[0].width and big[1].label.startswith("gap of")
    assert abs(big[0].width - big[2].width) < 0.01  # same sizes, same widths
