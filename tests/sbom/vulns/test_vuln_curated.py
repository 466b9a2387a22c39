"""The shipped advisory and keyword tables load, and broken entries are reported with file,
line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsec_west.errors import DataFileError
from zsec_west.sbom.vulns import curated
from zsec_west.sbom.vulns.applicability import load_keywords, shipped_keywords

GOOD = """\
schema: 1
packages:
- name: zephyr
  names: [zephyr]
  cpe: ["zephyrproject:zephyr"]
  purl: ["pkg:github/zephyrproject-rtos/zephyr"]
advisories:
- id: CVE-2026-2411
  package: zephyr
  summary: GATT checks the wrong attribute
  severity: medium
  affected:
  - {introduced: "2.6.0", fixed: "3.7.3"}
  kconfig: [BT]
  source: release notes
"""


def test_shipped_table_is_valid_and_covers_the_projects() -> None:
    table = curated.shipped()
    ids = {a.id for a in table.advisories}
    assert {"CVE-2024-3077", "CVE-2024-5754", "CVE-2024-6443", "CVE-2026-2411", "CVE-2026-7007",
            "CVE-2026-10637", "CVE-2020-13603"} <= ids
    assert {f"TFMV-{n}" for n in range(1, 10)} <= ids
    assert {a.package for a in table.advisories} >= {"zephyr", "tf-m", "mbedtls"}
    assert {p.name for p in table.packages} == {"zephyr", "mbedtls", "tf-m", "mcuboot"}
    for advisory in table.advisories:
        assert advisory.references, advisory.id  # every entry says where its facts come from
    tfm9 = next(a for a in table.advisories if a.id == "TFMV-9")
    assert tfm9.canonical_id == "CVE-2025-53022" and tfm9.kconfig == ("TFM_PARTITION_FIRMWARE_UPDATE",)


def test_shipped_keywords_are_valid() -> None:
    names = {k.name for k in shipped_keywords()}
    assert {"Bluetooth", "IPv6", "ext2", "USB", "MQTT"} <= names


def test_good_table(tmp_path: Path) -> None:
    path = tmp_path / "adv.yaml"
    path.write_text(GOOD)
    table = curated.load(path)
    assert table.advisories[0].fixed == "3.7.3"
    assert table.advisories[0].origin == f"{path}:8"


@pytest.mark.parametrize("old, new, line, problem", [
    ("  severity: medium\n", "  severity: urgent\n", 11, "field 'severity': must be one of"),
    ("  severity: medium\n", "  severty: medium\n", 11, "field 'severty': unknown field"),
    ("  severity: medium\n", "", 8, "needs 'severity' or 'cvss'"),
    ("fixed: \"3.7.3\"", "fixed: \"abc123f\"", 13, "field 'fixed': is not a version"),
    ("introduced: \"2.6.0\"", "introduced: \"3.8.0\"", 13, "3.8.0 is after the end of the range"),
    ("  kconfig: [BT]\n", "  kconfig: [CONFIG_BT]\n", 14, "without the CONFIG_ prefix"),
    ("  package: zephyr\n", "  package: zephir\n", 9, "unknown package 'zephir'"),
    ("  source: release notes\n", "", 8, "field 'source' is required"),
    ("  affected:\n  - {introduced: \"2.6.0\", fixed: \"3.7.3\"}\n", "", 8, "needs 'affected' or 'versions'"),
    ("cpe: [\"zephyrproject:zephyr\"]", "cpe: [\"zephyrproject\"]", 5, "must be 'vendor:product'"),
    ("schema: 1", "schema: 2", 1, "field 'schema': must be 1"),
    ("  summary: GATT", "  summary: [GATT", 11, "not valid YAML"),
    ("  kconfig: [BT]\n", "  kconfig: [BT]\n  macros: [MBEDTLS SSL_CLI_C]\n", 15,
     "field 'macros': item 'MBEDTLS SSL_CLI_C': is not a C macro name"),
    ("  kconfig: [BT]\n", "  kconfig: [BT]\n  macros: [defined(MBEDTLS_SSL_CLI_C)]\n", 15,
     "is not a C macro name"),
    ("  kconfig: [BT]\n", "  kconfig: [BT]\n  macros: MBEDTLS_SSL_CLI_C\n", 15,
     "field 'macros': must be a list"),
    ("  kconfig: [BT]\n", "  kconfig: [BT]\n  macros: [\"\"]\n", 15, "must be a non-empty string"),
    ("  kconfig: [BT]\n", "  kconfig: [BT]\n  verified: maybe\n", 15,
     "field 'verified': must be true or false"),
    ("  kconfig: [BT]\n", "  kconfig: [BT]\n  verified: false\n", 15,
     "needs a 'note' saying what is unconfirmed"),
    ("  kconfig: [BT]\n", "  kconfig: [BT]\n  macro: [MBEDTLS_SSL_TLS_C]\n", 15,
     "field 'macro': unknown field"),
])
def test_errors_name_file_line_and_field(tmp_path: Path, old: str, new: str, line: int,
                                         problem: str) -> None:
    assert old in GOOD
    path = tmp_path / "adv.yaml"
    path.write_text(GOOD.replace(old, new))
    with pytest.raises(DataFileError) as caught:
        curated.load(path)
    assert problem in caught.value.message
    assert caught.value.path == f"{path}:{line}"


def test_duplicate_ids_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "adv.yaml"
    entry = GOOD.split("advisories:\n", 1)[1]
    path.write_text(GOOD + entry)
    with pytest.raises(DataFileError, match="duplicate id \\(first at line 8\\)") as caught:
        curated.load(path)
    assert caught.value.path == f"{path}:16"
    path.write_text(GOOD.replace("  severity: medium\n", "  severity: medium\n  severity: low\n"))
    with pytest.raises(DataFileError, match="duplicate key 'severity'"):
        curated.load(path)


def test_keyword_table_errors(tmp_path: Path) -> None:
    text = "schema: 1\nkeywords:\n- name: USB\n  packages: [zephyr]\n  patterns: ['\\bUSB(']\n  kconfig: [USB]\n"
    with pytest.raises(DataFileError, match="keyword USB: field 'patterns'.*not a regular expression") as caught:
        load_keywords(text, "kw.yaml")
    assert caught.value.path == "kw.yaml:5"
    with pytest.raises(DataFileError, match="needs 'kconfig' or 'paths'"):
        load_keywords("schema: 1\nkeywords:\n- name: USB\n  patterns: [USB]\n", "kw.yaml")
