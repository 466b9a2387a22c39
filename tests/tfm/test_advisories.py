"""The TF-M advisories table and how it is applied to a version and a configuration."""

from __future__ import annotations

import pytest

from zsec_west.errors import DataFileError
from zsec_west.tfm.advisories import assess, load_advisories, parse_advisories
from zsec_west.versions import parse


def by_id() -> dict:
    return {a.id: a for a in load_advisories()}


def lookup(values: dict):
    return lambda name: values.get(name)


NOTHING = lookup({})


def test_shipped_table_has_the_nine_published_advisories():
    advisories = by_id()
    assert sorted(advisories, key=lambda i: int(i.split("-")[1])) == [f"TFMV-{n}" for n in range(1, 10)]
    assert advisories["TFMV-8"].cve == "CVE-2024-45746"
    assert str(advisories["TFMV-8"].fixed) == "2.1.1"
    assert str(advisories["TFMV-9"].introduced) == "1.3.0"
    assert str(advisories["TFMV-9"].last_affected) == "2.2.0"


@pytest.mark.parametrize("text,expected", [
    ("2.1.1", ((2, 1, 1), "2.1.1")), ("v2.1.1", ((2, 1, 1), "2.1.1")),
    ("TF-Mv2.2.0", ((2, 2, 0), "2.2.0")), ("v2.2.2+g1a2b3c", ((2, 2, 2), "2.2.2+g1a2b3c")),
    ("1.4", ((1, 4, 0), "1.4")),
])
def test_tfm_versions_parse(text, expected):
    version = parse(text)
    assert (version.release, version.bare) == expected


@pytest.mark.parametrize("text", ["", "unknown", "2.1.1abc"])
def test_version_parse_rejects(text):
    assert parse(text) is None


@pytest.mark.parametrize("version,affected", [
    ("1.5.0", False), ("1.6.0", True), ("2.0.0", True), ("2.1.0", True), ("2.1.1", False),
    ("2.2.0", False),
])
def test_tfmv8_range_boundaries(version, affected):
    # Condition met: the mailbox NS agent is in use.
    verdict = assess(by_id()["TFMV-8"], parse(version),
                     lookup({"TFM_PARTITION_NS_AGENT_MAILBOX": "ON"}), NOTHING)
    assert verdict.affected is affected
    assert verdict.in_range is affected


def test_tfmv9_applies_to_2_1_1_only_with_the_fwu_partition():
    tfmv9 = by_id()["TFMV-9"]
    version = parse("2.1.1")
    off = assess(tfmv9, version, lookup({"TFM_PARTITION_FIRMWARE_UPDATE": "OFF"}), NOTHING)
    assert off.affected is False and off.in_range is True
    assert "Firmware Update (FWU) partition is disabled" in off.reason
    on = assess(tfmv9, version, lookup({"TFM_PARTITION_FIRMWARE_UPDATE": "ON"}), NOTHING)
    assert on.affected is True
    fixed = assess(tfmv9, parse("2.2.1"), lookup({"TFM_PARTITION_FIRMWARE_UPDATE": "ON"}),
                   NOTHING)
    assert fixed.affected is False and fixed.in_range is False


def test_kconfig_decides_when_the_tfm_cache_does_not_record_it():
    tfmv9 = by_id()["TFMV-9"]
    version = parse("2.0.0")
    verdict = assess(tfmv9, version, NOTHING, lookup({"TFM_PARTITION_FIRMWARE_UPDATE": True}))
    assert verdict.affected is True
    # The cache (what TF-M actually saw) wins over Kconfig.
    verdict = assess(tfmv9, version, lookup({"TFM_PARTITION_FIRMWARE_UPDATE": "OFF"}),
                     lookup({"TFM_PARTITION_FIRMWARE_UPDATE": True}))
    assert verdict.affected is False


def test_unrecorded_condition_is_possibly_affected_and_unknown_version_is_unknown():
    tfmv9 = by_id()["TFMV-9"]
    maybe = assess(tfmv9, parse("2.1.1"), NOTHING, NOTHING)
    assert maybe.affected is None and maybe.in_range is True
    assert "does not record whether the Firmware Update partition is enabled" in maybe.reason
    unknown = assess(tfmv9, None, NOTHING, NOTHING)
    assert unknown.affected is None and unknown.in_range is None


def test_not_equals_condition_tfmv7():
    tfmv7 = by_id()["TFMV-7"]
    version = parse("2.0.0")
    silenced = lookup({"CONFIG_TFM_SPM_BACKEND": "IPC",
                       "TFM_PARTITION_LOG_LEVEL": "TFM_PARTITION_LOG_LEVEL_SILENCE"})
    assert assess(tfmv7, version, silenced, NOTHING).affected is False
    logging = lookup({"CONFIG_TFM_SPM_BACKEND": "IPC",
                      "TFM_PARTITION_LOG_LEVEL": "TFM_PARTITION_LOG_LEVEL_INFO"})
    assert assess(tfmv7, version, logging, NOTHING).affected is True
    sfn = lookup({"CONFIG_TFM_SPM_BACKEND": "SFN",
                  "TFM_PARTITION_LOG_LEVEL": "TFM_PARTITION_LOG_LEVEL_INFO"})
    assert assess(tfmv7, version, sfn, NOTHING).affected is False


def test_tfmv5_has_no_lower_bound():
    tfmv5 = by_id()["TFMV-5"]
    on = lookup({"TFM_PARTITION_FIRMWARE_UPDATE": "ON", "CONFIG_TFM_SPM_BACKEND": "IPC"})
    assert assess(tfmv5, parse("1.5.0"), on, NOTHING).affected is True
    assert assess(tfmv5, parse("1.6.0"), on, NOTHING).affected is False


GOOD = """
advisories:
- id: TFMV-1
  cve: CVE-2020-16273
  title: t
  summary: s
  affected: {last_affected: "1.1.0", fixed: "1.2.0"}
  severity: high
  source: src
  url: https://example.org
"""


def test_parse_accepts_minimal_entry():
    [advisory] = parse_advisories(GOOD)
    assert advisory.conditions == ()
    assert advisory.affects_version(parse("1.1.0"))
    assert not advisory.affects_version(parse("1.2.0"))


@pytest.mark.parametrize("change,message", [
    (("cve: CVE-2020-16273", "cve: 2020-16273"), "not a CVE id"),
    (("id: TFMV-1", "id: ADV-1"), "TFMV-<n>"),
    (('fixed: "1.2.0"', 'fixed: "1.0.0"'), "fixed must come after"),
    (('last_affected: "1.1.0"', 'last_affected: "one"'), "not a version"),
    (("severity: high", "severity: urgent"), "unknown severity"),
    (("source: src", "source: ''"), "field 'source': missing or empty"),
    (("  url: https://example.org",
      "  url: https://example.org\n  conditions:\n  - describe: d\n    otherwise: o\n"
      "    cache: {name: X, equals: true, not_equals: false}"), "exactly one of"),
    (("  url: https://example.org",
      "  url: https://example.org\n  conditions:\n  - describe: d\n    otherwise: o"),
     "needs a cache or a kconfig test"),
])
def test_parse_rejects_bad_entries(change, message):
    with pytest.raises(DataFileError, match=message) as info:
        parse_advisories(GOOD.replace(*change))
    assert "tfm-advisories.yaml" in str(info.value)


def test_parse_rejects_duplicates_and_bad_yaml():
    with pytest.raises(DataFileError, match="duplicate advisory ids: TFMV-1"):
        parse_advisories(GOOD + GOOD.split("advisories:")[1])
    with pytest.raises(DataFileError, match="not valid YAML"):
        parse_advisories("advisories: [")
