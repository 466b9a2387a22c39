"""The SQLite index: built once, reused while the inputs stay the same, refused when foreign or
newer."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.sbom.vulns.conftest import zephyr
from zsec_west.errors import DataFileError
from zsec_west.sbom.vulns import VulnOptions, scan
from zsec_west.sbom.vulns.index import SCHEMA_VERSION, default_path

NVD = Path(__file__).parent / "data" / "nvd-small.json"


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    copy = tmp_path / "feeds" / "nvd.json"
    copy.parent.mkdir()
    shutil.copy(NVD, copy)
    return copy


def test_second_scan_reuses_the_index(feed: Path, hello_build, db: Path) -> None:
    options = VulnOptions(data=(feed,), db=db)
    first = scan([zephyr("hello_world")], hello_build, options)
    assert first.index_built and db.is_file()
    stamp = db.stat().st_mtime_ns
    second = scan([zephyr("hello_world")], hello_build, options)
    assert not second.index_built
    assert db.stat().st_mtime_ns == stamp
    assert [f.rule.id for f in second] == [f.rule.id for f in first]
    # Warnings of the build are kept in the index and reported again.
    assert second.warnings == first.warnings and any("CVE-2099-0008" in w for w in second.warnings)
    assert not list(db.parent.glob(".*.tmp"))  # no temporary files left


def test_changed_input_rebuilds(feed: Path, hello_build, db: Path) -> None:
    options = VulnOptions(data=(feed,), db=db)
    scan([zephyr("hello_world")], hello_build, options)
    text = feed.read_text().replace('"versionStartIncluding": "3.7.1"', '"versionStartIncluding": "3.7.2"')
    feed.write_text(text)
    os.utime(feed, ns=(feed.stat().st_atime_ns, feed.stat().st_mtime_ns + 10**9))
    again = scan([zephyr("hello_world")], hello_build, options)
    assert again.index_built
    assert "CVE-2099-0007" not in {f.rule.id for f in again}
    # Dropping the curated table is a different input set as well.
    assert scan([zephyr("hello_world")], hello_build,
                VulnOptions(data=(feed,), db=db, use_curated=False)).index_built


def test_default_index_lives_in_the_user_cache(hello_build, private_cache: Path) -> None:
    result = scan([zephyr("hello_world")], hello_build, VulnOptions())
    assert result.index_path == default_path() == private_cache / "zsec-west" / "vulns.sqlite"
    assert result.index_path.is_file()


def test_newer_schema_is_refused(feed: Path, hello_build, db: Path) -> None:
    scan([zephyr("hello_world")], hello_build, VulnOptions(data=(feed,), db=db))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE zsec_meta SET value = ? WHERE key = 'schema_version'",
                     (str(SCHEMA_VERSION + 1),))
    conn.close()
    with pytest.raises(DataFileError, match="newer than this zsec-west reads") as caught:
        scan([zephyr("hello_world")], hello_build, VulnOptions(data=(feed,), db=db))
    assert caught.value.path == str(db) and caught.value.exit_code == 2
    assert "upgrade zsec-west" in str(caught.value)


def test_older_schema_is_rebuilt(feed: Path, hello_build, db: Path) -> None:
    scan([zephyr("hello_world")], hello_build, VulnOptions(data=(feed,), db=db))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE zsec_meta SET value = '0' WHERE key = 'schema_version'")
    conn.close()
    assert scan([zephyr("hello_world")], hello_build, VulnOptions(data=(feed,), db=db)).index_built


def test_a_foreign_file_is_not_overwritten(tmp_path: Path, hello_build) -> None:
    precious = tmp_path / "notes.txt"
    precious.write_text("my notes, not an index\n" * 100)
    with pytest.raises(DataFileError, match="not a zsec-west vulnerability index"):
        scan([zephyr("hello_world")], hello_build, VulnOptions(db=precious))
    assert precious.read_text().startswith("my notes")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(DataFileError, match="refusing to replace it"):
        scan([zephyr("hello_world")], hello_build, VulnOptions(db=other))


def test_index_has_the_lookup_indexes(feed: Path, hello_build, db: Path) -> None:
    scan([zephyr("hello_world")], hello_build, VulnOptions(data=(feed,), db=db))
    with sqlite3.connect(db) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        plan = " ".join(str(r) for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM cpe_affects WHERE vendor='a' AND product='b'"))
    conn.close()
    assert {"cpe_vendor_product", "purl_type_namespace_name"} <= names
    assert "cpe_vendor_product" in plan


def test_later_duplicate_record_wins(tmp_path: Path, hello_build, db: Path) -> None:
    """An NVD 'modified' feed read after a yearly feed replaces the older record."""
    feeds = tmp_path / "dup"
    feeds.mkdir()
    shutil.copy(NVD, feeds / "nvdcve-2.0-2099.json")
    newer = NVD.read_text().replace('"versionStartIncluding": "3.7.1"', '"versionStartIncluding": "3.8.0"')
    (feeds / "nvdcve-2.0-modified.json").write_text(newer)
    found = {f.rule.id for f in scan([zephyr("hello_world")], hello_build,
                                     VulnOptions(data=(feeds,), db=db))}
    assert "CVE-2099-0007" not in found and "CVE-2099-0003" in found


def test_macros_and_verified_survive_indexing(hello_build, db: Path) -> None:
    from zsec_west.sbom.vulns.curated import shipped
    from zsec_west.sbom.vulns.index import VulnIndex

    scan([zephyr("hello_world")], hello_build, VulnOptions(db=db))
    table = {a.id: a for a in shipped().advisories}
    unverified = next(a for a in table.values() if not a.verified)
    with VulnIndex(db) as index:
        stored = {v.id: v for v in index.vulnerabilities(index.curated_ids).values()}
    assert stored["CVE-2025-27809"].macros == ("MBEDTLS_SSL_CLI_C", "MBEDTLS_X509_CRT_PARSE_C")
    assert stored["CVE-2025-27809"].verified is True
    assert stored[unverified.id].verified is False
    # Every curated field the matcher uses comes back as the table has it.
    for ident, advisory in table.items():
        assert (stored[ident].macros, stored[ident].verified, stored[ident].paths) == \
            (advisory.macros, advisory.verified, advisory.paths)


def test_feeds_are_read_in_worker_processes_and_errors_name_the_file(feed: Path, hello_build,
                                                                     db: Path) -> None:
    second = feed.parent / "nvd-2.json"
    shutil.copy(feed, second)
    both = scan([zephyr("hello_world")], hello_build, VulnOptions(data=(feed.parent,), db=db))
    one = scan([zephyr("hello_world")], hello_build,
               VulnOptions(data=(feed,), db=db.parent / "one.sqlite"))
    # The same record in both files is indexed once (the later file wins), as with one file.
    assert sorted(f.rule.id for f in both) == sorted(f.rule.id for f in one)
    second.write_text('{"vulnerabilities": [')
    with pytest.raises(DataFileError) as info:
        scan([zephyr("hello_world")], hello_build,
             VulnOptions(data=(feed.parent,), db=db.parent / "broken.sqlite"))
    assert "nvd-2.json" in str(info.value.path) and "not valid JSON" in info.value.message
