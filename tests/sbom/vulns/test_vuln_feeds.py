"""NVD 2.0 feeds and OSV records (directory, zip): matching semantics and bad input."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.sbom.vulns.conftest import mbedtls, zephyr
from zsec_west.errors import DataFileError
from zsec_west.findings import Severity, Status
from zsec_west.sbom.component import Component
from zsec_west.sbom.vulns import VulnOptions, scan
from zsec_west.sbom.vulns.cvss import base_score_v3

DATA = Path(__file__).parent / "data"
NVD = DATA / "nvd-small.json"


def by_id(findings) -> dict[str, object]:
    return {f.rule.id: f for f in findings}


def run(components, build, db, data=(), **kw):
    return scan(components, build, VulnOptions(data=tuple(data), db=db, **kw))


def test_nvd_ranges_including_excluding_and_wildcards(hello_build, db) -> None:
    result = run([zephyr("hello_world", version="3.7.1")], hello_build, db, [NVD], use_curated=False)
    found = by_id(result)
    # versionEndExcluding 3.7.1: fixed in 3.7.1.
    assert "CVE-2099-0001" not in found
    # versionStartExcluding 3.7.0 / versionEndIncluding 3.7.1: affected at the inclusive end.
    assert "CVE-2099-0002" in found
    # wildcard version, no bounds: every version; CVSS 9.1 -> critical.
    assert found["CVE-2099-0003"].status is Status.FAIL
    assert found["CVE-2099-0003"].severity.label == "critical"
    # exact version 3.7.1 with update rc1 is 3.7.1-rc1, not 3.7.1.
    assert "CVE-2099-0004" not in found
    # zephyr is only the platform (vulnerable: false) of the mbed TLS flaw.
    assert "CVE-2099-0005" not in found
    assert "CVE-2099-0006" not in found  # rejected
    # versionStartIncluding only; the negated node is ignored.
    assert found["CVE-2099-0007"].status is Status.FAIL
    assert found["CVE-2099-0007"].severity.label == "medium"  # no CVSS: medium
    assert found["CVE-2099-0007"].evidence.actual == "3.7.1"
    assert "CVE-2099-0009" not in found  # another product
    # The broken record is skipped with a warning naming file, index and id.
    assert any("nvd-small.json" in w and "vulnerabilities[6] (CVE-2099-0008)" in w and "not-a-cpe" in w
               for w in result.warnings)

    older = by_id(run([zephyr("hello_world", version="3.7.0")], hello_build, db, [NVD],
                      use_curated=False))
    assert "CVE-2099-0001" in older and "CVE-2099-0002" not in older
    assert older["CVE-2099-0001"].evidence.expected == ">= 3.7.1"


def test_nvd_matches_a_module_by_cpe(hello_build, db) -> None:
    found = by_id(run([mbedtls("hello_world", version="3.6.2")], hello_build, db, [NVD],
                      use_curated=False))
    assert set(found) == {"CVE-2099-0005"}
    # CONFIG_MBEDTLS is not set in hello_world: the module is in the SBOM but not built.
    assert found["CVE-2099-0005"].status is Status.NOT_APPLICABLE
    assert "CONFIG_MBEDTLS is not enabled in hello_world" in found["CVE-2099-0005"].message


def test_description_keywords_decide_when_no_curated_data(hello_build, db) -> None:
    found = by_id(run([zephyr("hello_world", version="3.7.1")], hello_build, db, [NVD],
                      use_curated=False))
    bt = found["CVE-2099-0002"]
    assert bt.status is Status.NOT_APPLICABLE
    assert "inferred from the description" in bt.message and "CONFIG_BT is not enabled" in bt.message
    assert found["CVE-2099-0003"].status is Status.FAIL  # no subsystem named: stays affected


def test_curated_record_merges_with_nvd_and_its_ranges_decide(hello_build, db) -> None:
    result = run([zephyr("hello_world", version="3.7.1")], hello_build, db, [NVD])
    merged = by_id(result)["CVE-2026-2411"]
    assert merged.rule.source == "zsec-advisories+nvd"
    assert "(>=2.6.0 <3.7.3)" in merged.message  # the curated LTS range, not NVD's <=4.4.1
    assert [f.rule.id for f in result].count("CVE-2026-2411") == 1
    # 3.7.3 carries the fix on the LTS branch: the curated table wins over NVD's broad range.
    fixed = by_id(run([zephyr("hello_world", version="3.7.3")], hello_build, db, [NVD]))
    assert "CVE-2026-2411" not in fixed


def test_gzipped_feed_and_directory(tmp_path: Path, hello_build, db) -> None:
    feeds = tmp_path / "feeds"
    (feeds / "nested").mkdir(parents=True)
    (feeds / "nested" / "nvdcve-2.0-2099.json.gz").write_bytes(gzip.compress(NVD.read_bytes()))
    (feeds / "README.txt").write_text("not data")
    found = by_id(run([zephyr("hello_world")], hello_build, db, [feeds], use_curated=False))
    assert "CVE-2099-0003" in found


@pytest.mark.parametrize("content, problem", [
    (NVD.read_text()[:4000], "not valid JSON: .* \\(line"),
    ('{"CVE_Items": []}', "NVD 1.1 JSON feed"),
    ('{"format": "NVD_CVE", "version": "3.0", "vulnerabilities": []}', "unsupported NVD format"),
    ('{"format": "NVD_CVE", "vulnerabilities": {}}', "'vulnerabilities' must be a list"),
])
def test_corrupt_feed_names_the_file(tmp_path: Path, hello_build, db, content: str, problem: str) -> None:
    feed = tmp_path / "nvdcve-2.0-2024.json"
    feed.write_text(content)
    with pytest.raises(DataFileError, match=problem) as caught:
        run([zephyr("hello_world")], hello_build, db, [feed])
    assert caught.value.path == str(feed.resolve())
    assert caught.value.exit_code == 2
    assert not db.exists()  # no half index left behind


def test_missing_data_path(tmp_path: Path, hello_build, db) -> None:
    with pytest.raises(DataFileError, match="vulnerability data not found"):
        run([zephyr("hello_world")], hello_build, db, [tmp_path / "nope.json"])


# --- OSV -----------------------------------------------------------------------------------

def osv(ident: str, affected: list, **extra) -> dict:
    return {"schema_version": "1.6.0", "id": ident, "modified": "2099-01-01T00:00:00Z",
            "summary": extra.pop("summary", f"summary of {ident}"), "affected": affected, **extra}


def write_osv_dir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    records = [
        osv("GHSA-aaaa-bbbb-cccc", [{
            "package": {"ecosystem": "GitHub Actions", "name": "x",
                        "purl": "pkg:github/Mbed-TLS/mbedtls"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "3.6.0"}, {"fixed": "3.6.3"}]}]}],
            aliases=["CVE-2099-1001"],
            severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]),
        osv("OSV-2099-2", [{
            "package": {"name": "zephyr", "ecosystem": ""},
            "ranges": [{"type": "GIT", "repo": "https://github.com/zephyrproject-rtos/zephyr",
                        "events": [{"introduced": "0"}, {"fixed": "0123456789abcdef"}]}],
            "versions": ["v3.6.0", "v3.7.1"]}], summary="USB device stack overflow"),
        osv("OSV-2099-3", [{
            "package": {"name": "zephyr", "ecosystem": ""},
            "ranges": [{"type": "GIT", "repo": "https://github.com/zephyrproject-rtos/zephyr.git",
                        "events": [{"introduced": "0"}, {"fixed": "fedcba9876543210"}]}],
            "versions": ["v3.6.0"]}]),
        osv("OSV-2099-4", [{
            "package": {"purl": "pkg:github/zephyrproject-rtos/zephyr"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                                         {"last_affected": "3.7.1"}]}]}],
            database_specific={"severity": "HIGH"}),
        osv("OSV-2099-5", [{"package": {"purl": "pkg:github/zephyrproject-rtos/zephyr"},
                            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"},
                                                                      {"fixed": "not-a-version"}]}]}]),
        osv("OSV-2099-6", [{"package": {"purl": "pkg:github/zephyrproject-rtos/zephyr"},
                            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}],
            withdrawn="2099-01-02T00:00:00Z"),
    ]
    for record in records:
        (root / f"{record['id']}.json").write_text(json.dumps(record))
    return root


def test_osv_directory(tmp_path: Path, hello_build, db) -> None:
    data = write_osv_dir(tmp_path / "osv")
    components = [zephyr("hello_world"), mbedtls("hello_world", version="3.6.2")]
    result = run(components, hello_build, db, [data], use_curated=False)
    found = by_id(result)
    # SEMVER range on the purl; the alias CVE becomes the rule id; CVSS vector -> 9.8 critical.
    assert found["CVE-2099-1001"].subject == "mbedtls@3.6.2"
    assert found["CVE-2099-1001"].severity.label == "critical"
    assert "GHSA-aaaa-bbbb-cccc" in found["CVE-2099-1001"].rule.references
    # GIT range whose versions[] lists v3.7.1: decided (affected); the USB keyword applies.
    assert found["OSV-2099-2"].status is Status.NOT_APPLICABLE
    assert "inferred from the description ('USB')" in found["OSV-2099-2"].message
    # GIT range not listing 3.7.1: undecided -> a note, no finding.
    assert "OSV-2099-3" not in found
    assert any("OSV-2099-3" in note and "git commits" in note for note in result.notes)
    # ECOSYSTEM last_affected 3.7.1 (inclusive); database_specific severity HIGH.
    assert found["OSV-2099-4"].status is Status.FAIL and found["OSV-2099-4"].severity.label == "high"
    # A bad record is skipped with a warning naming file and id; a withdrawn one is ignored.
    assert any("OSV-2099-5.json" in w and "OSV record OSV-2099-5" in w and "not a version" in w
               for w in result.warnings)
    assert "OSV-2099-5" not in found and "OSV-2099-6" not in found


def test_osv_zip_matches_like_the_directory(tmp_path: Path, hello_build, db) -> None:
    data = write_osv_dir(tmp_path / "osv")
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(data.iterdir()):
            zf.write(path, path.name)
    components = [zephyr("hello_world"), mbedtls("hello_world", version="3.6.2")]
    from_dir = sorted(f.rule.id for f in run(components, hello_build, db, [data], use_curated=False))
    zipped = run(components, hello_build, tmp_path / "other.sqlite", [archive], use_curated=False)
    assert sorted(f.rule.id for f in zipped) == from_dir
    assert any("all.zip:OSV-2099-5.json" in w for w in zipped.warnings)


def test_corrupt_osv_member_names_zip_and_member(tmp_path: Path, hello_build, db) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("GHSA-good.json", json.dumps(osv("GHSA-good", [])))
        zf.writestr("CVE-2099-9.json", '{"id": "CVE-2099-9", "affected": [')
    with pytest.raises(DataFileError, match="not valid JSON") as caught:
        run([zephyr("hello_world")], hello_build, db, [archive])
    assert caught.value.path.endswith("all.zip:CVE-2099-9.json")


def test_not_a_zip(tmp_path: Path, hello_build, db) -> None:
    archive = tmp_path / "all.zip"
    archive.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataFileError, match="not a readable zip"):
        run([zephyr("hello_world")], hello_build, db, [archive])


def test_unknown_json_is_skipped_with_a_warning(tmp_path: Path, hello_build, db) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(NVD, data / "nvd.json")
    (data / "package.json").write_text('{"name": "not vulnerability data"}')
    result = run([zephyr("hello_world")], hello_build, db, [data], use_curated=False)
    assert any("package.json: neither an NVD 2.0 feed nor an OSV record" in w for w in result.warnings)
    assert "CVE-2099-0003" in by_id(result)


@pytest.mark.parametrize("vector, score", [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
    ("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
    ("CVSS:3.1/AV:A/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 2.6),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", None),
    ("CVSS:3.1/AV:N", None),
])
def test_cvss_v3_base_score(vector: str, score) -> None:
    assert base_score_v3(vector) == score


def test_component_without_a_comparable_version_makes_the_result_incomplete(hello_build, db) -> None:
    component = Component("zephyr", "a78176c6ff0733ba08018cba4447bd3f20de7978", "hello_world",
                          purls=("pkg:github/zephyrproject-rtos/zephyr@a78176c",))
    unknown = Component("cmsis", "4b96cbb174678dcd3ca86e11e1f24bc5f8726da0", "hello_world",
                        purls=("pkg:github/zephyrproject-rtos/cmsis@4b96cbb",))
    result = run([component, unknown], hello_build, db, [NVD])
    # A finding of its own (not a note): medium, so the default --fail-on low fails the run.
    # Only for the package the data knows; nothing to say about cmsis.
    assert [(f.rule.id, f.subject, f.status, f.severity) for f in result] == [
        ("ZSEC-VULN-INCOMPLETE", "zephyr", Status.FAIL, Severity.MEDIUM)]
    assert "a78176c6ff07" in result[0].message and "incomplete" in result[0].message


def test_a_zip_bomb_is_refused_near_the_floor_not_at_its_whole_compressed_size(tmp_path):
    # The inflater used to read a whole small member at once, so the ratio was judged against
    # its full compressed size: 512 MiB of blanks (0.5 MB zipped) grew to 130 MB before refusal.
    import tracemalloc

    from zsec_west.sbom.vulns.sources import BOMB_FLOOR, read

    bomb = tmp_path / "osv.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("osv/OSV-1.json", "w", force_zip64=True) as member:
        block = b" " * (16 << 20)
        for _ in range(32):
            member.write(block)
    tracemalloc.start()
    try:
        with pytest.raises(DataFileError, match="decompression bomb") as caught:
            read(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "osv/OSV-1.json" in str(caught.value)
    assert peak < BOMB_FLOOR * 3 // 2


def test_a_directory_without_data_files_is_refused(tmp_path):
    # Before, a wrong --vuln-data directory loaded nothing and the scan reported no problems.
    from zsec_west.sbom.vulns.sources import discover

    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "README.txt").write_text("the feeds are elsewhere\n")
    with pytest.raises(DataFileError, match="no vulnerability data files") as caught:
        discover((tmp_path / "feeds",))
    assert str(caught.value.path) == str(tmp_path / "feeds")
