"""The HTML reports as a person sees them: rendered by headless Chromium, screenshots kept under
the test's temporary directory (CI keeps them as artifacts), and assertions on what is visible
(the page's text, the counts in its summary, element sizes), never on pixels. Chromium also
reports every request the page makes: there must be none but the page itself."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.conftest import BUILDS
from tests.report.chromium import Browser, chromium_binary
from zsec_west.builddir import load_build
from zsec_west.check.audit import CheckOptions, run_check
from zsec_west.cli.app import main
from zsec_west.facts.tfm import MemoryRegion, TfmMemory
from zsec_west.findings import Report, Status
from zsec_west.report import render
from zsec_west.report.grouping import entries
from zsec_west.tfm.report import build_report

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(chromium_binary() is None, reason="chromium is not installed "
                                 "(.ci/run installs Debian's chromium)")]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "nrf52840-mcuboot"

SUMMARY_JS = """JSON.stringify([...document.querySelectorAll('#summary-table tbody tr')].map(tr => ({
  domain: tr.dataset.domain, height: tr.getBoundingClientRect().height,
  counts: Object.fromEntries([...tr.querySelectorAll('td[data-count]')].map(
    td => [td.dataset.count, Number(td.innerText)]))})))"""
CARDS_JS = """JSON.stringify(Object.fromEntries([...document.querySelectorAll('.card')].map(
  card => [card.dataset.severity, Number(card.querySelector('.n').innerText)])))"""
ROWS_JS = """JSON.stringify([...document.querySelectorAll('tr.problem')].map(tr => ({
  severity: tr.dataset.severity, rule: tr.dataset.rule, height: tr.getBoundingClientRect().height,
  text: tr.innerText})))"""
BARS_JS = """JSON.stringify([...document.querySelectorAll('svg.bar')].map(svg => [...svg.querySelectorAll(
  'rect.region')].map(r => ({size: Number(r.dataset.size), world: r.dataset.world,
  width: r.getBoundingClientRect().width}))))"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with Browser(tmp_path_factory.mktemp("chromium") / "profile") as session:
        yield session


def _open(browser: Browser, page: Path, shots: Path, name: str) -> str:
    browser.open(page)
    browser.screenshot(shots / f"{name}.png")
    assert browser.requests() == [page.resolve().as_uri()], "the page asked for something else"
    assert browser.problems() == [], "the page logged errors (a blocked script or resource?)"
    # Nothing sticks out sideways at a laptop's width (long paths and digests wrap).
    assert browser.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    return browser.evaluate("document.body.innerText")


def _expected_summary(report: Report) -> list[dict]:
    rows = []
    for domain in [*report.domain_order(), None]:
        chosen = [f for f in report.findings if domain is None or f.domain == domain]
        counts = report.counts(domain)
        row = {s: sum(1 for f in chosen if f.failed and f.severity.label == s)
               for s in ("critical", "high", "medium", "low", "info")}
        row.update({"fail": counts[Status.FAIL], "pass": counts[Status.PASS],
                    "n/a": counts[Status.NOT_APPLICABLE], "waived": counts[Status.WAIVED]})
        rows.append({"domain": domain or "total", "counts": row})
    return rows


def test_sysbuild_check_report_as_seen(browser, tmp_path, monkeypatch):
    monkeypatch.chdir(EXAMPLE.parent.parent)
    page = tmp_path / "check.html"
    code = main(["check", "-d", str(EXAMPLE), "--profile", "production", "--format", "html", "-o", str(page)])
    assert code == 1
    report = run_check(load_build(EXAMPLE), CheckOptions(profile="production")).report
    text = _open(browser, page, tmp_path / "screenshots", "sysbuild-check")
    # The summary shows each domain's counts as the report has them, and they are on screen.
    summary = json.loads(browser.evaluate(SUMMARY_JS))
    assert [{"domain": r["domain"], "counts": r["counts"]} for r in summary] == _expected_summary(report)
    assert all(row["height"] > 10 for row in summary)
    cards = json.loads(browser.evaluate(CARDS_JS))
    problems = entries(report, Status.FAIL)
    assert cards == {s: sum(1 for e in problems if e.severity.label == s)
                     for s in ("critical", "high", "medium", "low", "info")}
    assert cards["critical"] == 2 and sum(cards.values()) == len(problems) == 13
    # One row per problem, the problem stated as a problem, the development key once.
    rows = json.loads(browser.evaluate(ROWS_JS))
    assert len(rows) == 13 and all(row["height"] > 10 for row in rows)
    key = next(row for row in rows if row["rule"] == "ZSEC-KEY-001")
    assert "Images are signed with a published development key (MCUboot root-rsa-2048.pem)" in key["text"]
    assert "sysbuild, hello_world, mcuboot" in key["text"]
    assert "Images are not signed" not in text
    # Keys and images with their fingerprints.
    assert "fc5701dc6135e1323847bdc40f04d2e5bee5833b23c29f93593d00018cfa9994" in text
    assert "SB_CONFIG_BOOT_SIGNATURE_KEY_FILE" in text


def test_filters_hide_what_is_not_ticked(browser, tmp_path, monkeypatch):
    monkeypatch.chdir(EXAMPLE.parent.parent)
    page = tmp_path / "check.html"
    main(["check", "-d", str(EXAMPLE), "--profile", "production", "--format", "html", "-o", str(page)])
    _open(browser, page, tmp_path / "screenshots", "before-filter")
    browser.evaluate("document.querySelector('input[name=severity][value=low]').click()")
    rows = json.loads(browser.evaluate(ROWS_JS))
    assert {row["severity"] for row in rows if row["height"] > 0} == {"critical", "medium"}
    assert all(row["height"] == 0 for row in rows if row["severity"] == "low")
    assert browser.evaluate("document.getElementById('shown').innerText") == "3 of 13 problems shown"
    browser.evaluate("document.querySelector('input[name=domain][value=hello_world]').click()")
    visible = [row["rule"] for row in json.loads(browser.evaluate(ROWS_JS)) if row["height"] > 0]
    assert visible == ["ZSEC-KEY-001"]  # the only critical/medium problem also found outside hello_world
    browser.screenshot(tmp_path / "screenshots" / "filtered.png")


def test_tfm_report_as_seen(browser, tmp_path, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    build = BUILDS["tfm-ns"]
    page = tmp_path / "tfm.html"
    assert main(["tfm", "-d", str(build), "--profile", "production", "--format", "html", "-o", str(page)]) == 1
    report = build_report(load_build(build), profile="production")
    text = _open(browser, page, tmp_path / "screenshots", "tfm")
    summary = json.loads(browser.evaluate(SUMMARY_JS))
    assert [{"domain": r["domain"], "counts": r["counts"]} for r in summary] == _expected_summary(report)
    assert summary[0]["counts"]["critical"] == 3  # two development keys and dummy provisioning
    assert "TF-M images are signed with a published development key" in text
    assert "PSA Crypto, PSA Internal Trusted Storage" in text
    assert "TFMV-9" in text and "Firmware Update (FWU) partition is disabled" in text
    # The non-secure flash and RAM the devicetree gives, each drawn across its bar, and the
    # secure and non-secure images of TF-M's signing layout, to one scale.
    [flash, ram, images] = json.loads(browser.evaluate(BARS_JS))
    assert [r["world"] for r in flash + ram] == ["non-secure", "non-secure"]
    assert flash[0]["width"] > 500
    assert [r["world"] for r in images] == ["secure", "non-secure"]
    per_byte = [r["width"] / r["size"] for r in images]
    assert max(per_byte) - min(per_byte) < 0.01 * max(per_byte)


def test_memory_split_is_drawn_to_scale(browser, tmp_path):
    """A secure/non-secure layout like an nRF5340's: widths in proportion to the sizes."""
    report = build_report(load_build(BUILDS["tfm-ns"]))
    [domain] = report.facts.domains
    k = 1024
    regions = (MemoryRegion("boot_partition", "secure", "BL2 bootloader", 0x0, 64 * k, "partition"),
               MemoryRegion("slot0_partition", "secure", "TF-M secure image (primary slot)", 0x10000, 192 * k, "partition"),
               MemoryRegion("slot0_ns_partition", "non-secure", "Zephyr non-secure image (primary slot)", 0x40000, 512 * k, "partition"),
               MemoryRegion("tfm_ps_partition", "secure", "TF-M Protected Storage", 0xC0000, 16 * k, "partition"),
               MemoryRegion("sram0_s", "secure", "secure RAM", 0x20000000, 64 * k, "partition"),
               MemoryRegion("sram0_ns", "non-secure", "non-secure RAM", 0x20010000, 192 * k, "partition"))
    memory = TfmMemory("devicetree flash partitions", regions)
    facts = dataclasses.replace(report.facts, domains=(dataclasses.replace(domain, memory=memory),))
    page = tmp_path / "memory.html"
    page.write_text(render(report.with_changes(facts=facts), "html"), encoding="utf-8")
    _open(browser, page, tmp_path / "screenshots", "memory-split")
    [flash, ram] = json.loads(browser.evaluate(BARS_JS))
    assert [r["size"] for r in flash] == [64 * k, 192 * k, 512 * k, 16 * k]
    assert [r["world"] for r in ram] == ["secure", "non-secure"]
    for bar in (flash, ram):
        per_byte = [r["width"] / r["size"] for r in bar]
        assert max(per_byte) - min(per_byte) < 0.01 * max(per_byte), bar  # one scale per bar
    assert abs(flash[2]["width"] / flash[0]["width"] - 8) < 0.05  # 512 KiB is 8 times 64 KiB


def test_vulnerability_table_shows_applicability_and_reasons(browser, tmp_path):
    from zsec_west.findings import Evidence, Finding, Rule, Severity

    rule = Rule("CVE-2024-0001", "Not affected by CVE-2024-0001", Severity.HIGH, category="vulnerability",
                problem="Buffer overflow in <b>mbedtls</b> X.509 parsing", fix="Upgrade mbedtls to 3.6.1")
    findings = (Finding(rule, "app", Status.FAIL, "mbedtls@3.5.0 is affected", Evidence("3.5.0", ">= 3.6.1"),
                        subject="mbedtls@3.5.0", detail="mbedtls@3.5.0"),
                Finding(rule, "mcuboot", Status.NOT_APPLICABLE, "the X.509 parser is not compiled in",
                        subject="mbedtls@3.5.0"))
    page = tmp_path / "vulns.html"
    page.write_text(render(Report("sbom", findings, domains=("app", "mcuboot")), "html"), encoding="utf-8")
    _open(browser, page, tmp_path / "screenshots", "vulns")
    rows = json.loads(browser.evaluate("""JSON.stringify([...document.querySelectorAll('#vuln-table tbody tr')]
        .map(tr => [...tr.cells].map(td => td.innerText)))"""))
    assert rows[0][3:6] == ["app", "affected", "mbedtls@3.5.0 is affected"]
    assert rows[1][3:6] == ["mcuboot", "not applicable", "the X.509 parser is not compiled in"]
    assert "<b>mbedtls</b>" in rows[0][0]  # shown as text, not markup
