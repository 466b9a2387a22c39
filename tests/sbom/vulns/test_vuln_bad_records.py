"""Issue 15, defect 5: one malformed NVD or OSV record must not abort the scan. It is skipped,
counted (in the scan's facts, the JSON report's `vulns` section) and named in a warning; the
rest of the feed still matches."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import BUILDS
from tests.sbom.vulns.conftest import zephyr
from tests.sbom.vulns.test_vuln_feeds import NVD, by_id, osv, run
from zsec_west.cli.app import main


def damaged_feed(tmp_path: Path) -> Path:
    """nvd-small.json (whose CVE-2099-0008 has a criteria that is not a CPE) with two more
    records broken the ways a real feed could be."""
    document = json.loads(NVD.read_text())
    records = {item["cve"]["id"]: item["cve"] for item in document["vulnerabilities"]}
    records["CVE-2099-0001"]["configurations"] = "not a list"
    records["CVE-2099-0002"]["descriptions"] = 5  # iterated: TypeError, not ValueError
    feed = tmp_path / "nvd.json"
    feed.write_text(json.dumps(document))
    return feed


def test_broken_records_are_skipped_counted_and_named(tmp_path: Path, hello_build, db) -> None:
    osv_dir = tmp_path / "osv"
    osv_dir.mkdir()
    good = osv("OSV-2099-4", [{"package": {"purl": "pkg:github/zephyrproject-rtos/zephyr"},
                               "ranges": [{"type": "ECOSYSTEM", "events": [
                                   {"introduced": "0"}, {"last_affected": "3.7.1"}]}]}])
    (osv_dir / "OSV-2099-4.json").write_text(json.dumps(good))
    (osv_dir / "OSV-2099-8.json").write_text(json.dumps(dict(good, id="OSV-2099-8", references=5)))
    result = run([zephyr("hello_world")], hello_build, db, [damaged_feed(tmp_path), osv_dir],
                 use_curated=False)
    found = by_id(result)
    assert "CVE-2099-0003" in found and "OSV-2099-4" in found  # the rest still matches
    assert not {"CVE-2099-0001", "CVE-2099-0002", "OSV-2099-8"} & set(found)
    skipped = [w for w in result.warnings if "record skipped" in w]
    assert any("nvd.json" in w and "vulnerabilities[0] (CVE-2099-0001)" in w for w in skipped)
    assert any("nvd.json" in w and "vulnerabilities[1] (CVE-2099-0002)" in w for w in skipped)
    assert any("OSV-2099-8.json" in w and "OSV record OSV-2099-8" in w for w in skipped)
    assert any("vulnerabilities[6] (CVE-2099-0008)" in w for w in skipped)
    assert result.stats["skipped_records"] == 4 == len(skipped), result.warnings


def test_the_count_reaches_the_json_report_and_the_warnings_stderr(tmp_path: Path, capsys) -> None:
    report = tmp_path / "report.json"
    code = main(["sbom", "-d", str(BUILDS["hello"]), "--output-dir", str(tmp_path / "sbom"),
                 "--vuln-data", str(damaged_feed(tmp_path)), "--db", str(tmp_path / "v.sqlite"),
                 "--format", "json", "-o", str(report)])
    err = capsys.readouterr().err
    assert code in (0, 1), err
    data = json.loads(report.read_text())
    assert data["facts"]["vulns"]["skipped_records"] == 3
    assert "CVE-2099-0003" in {f["rule_id"] for f in data["findings"]}
    warnings = [line for line in err.splitlines() if "record skipped" in line]
    assert len(warnings) == 3 and all("nvd.json" in line for line in warnings)
