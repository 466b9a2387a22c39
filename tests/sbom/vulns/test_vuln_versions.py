"""Version parsing and ranges: tags as the projects spell them, NVD bounds, OSV events."""

from __future__ import annotations

import pytest

from zsec_west.versions import Range, compare, key, listed, parse, ranges_from_events


@pytest.mark.parametrize("a, b", [
    ("v3.7.1", "3.7.1"), ("V3.6.2", "mbedtls-3.6.2"), ("TF-Mv2.1.1", "2.1.1"),
    ("zephyr_tf-m_v2.2.0", "2.2"), ("3.7", "3.7.0"), ("2.2.2+g1234abc", "2.2.2"),
])
def test_spellings_of_one_version_are_equal(a: str, b: str) -> None:
    assert compare(a, b) == 0


@pytest.mark.parametrize("lower, higher", [
    ("v3.7.1-rc1", "v3.7.1"), ("3.7.1-rc1", "3.7.1-rc2"), ("1.0.0-alpha.1", "1.0.0-beta"),
    ("3.7.0", "v3.7.0-12-gabcdef0"), ("v3.7.0-12-gabcdef0", "3.7.1"), ("3.6.99", "3.7.0"),
    ("2.28.10", "3.0.0"), ("3.9", "3.10"),
])
def test_order(lower: str, higher: str) -> None:
    assert compare(lower, higher) == -1
    assert compare(higher, lower) == 1


@pytest.mark.parametrize("text", [
    "a78176c6ff0733ba08018cba4447bd3f20de7978", "5ae0a02", "1012a3ebee18c15ede5efc8332ee2fc37817670f-off",
    "*", "-", "", None, "unknown",
])
def test_non_versions_do_not_parse(text) -> None:
    assert parse(text) is None
    assert compare(text or "", "1.0") is None


def test_nvd_style_bounds() -> None:
    rng = Range("3.0.0", False, "3.7.1", True)  # versionStartExcluding 3.0.0, versionEndIncluding 3.7.1
    assert rng.contains(key("3.0.0")) is False
    assert rng.contains(key("3.0.1")) is True
    assert rng.contains(key("v3.7.1")) is True
    assert rng.contains(key("3.7.2")) is False
    assert rng.is_past(key("3.7.2")) and not rng.is_past(key("3.7.1"))
    assert rng.describe() == ">3.0.0 <=3.7.1"
    assert Range("x-y", True, None).contains(key("1.0")) is None  # a bound we cannot compare


def test_osv_events_are_sorted_and_paired() -> None:
    ranges = ranges_from_events([{"fixed": "3.7.3"}, {"introduced": "4.0.0"}, {"introduced": "2.6.0"},
                                 {"last_affected": "4.4.1"}])
    assert [r.describe() for r in ranges] == [">=2.6.0 <3.7.3", ">=4.0.0 <=4.4.1"]
    assert [r.describe() for r in ranges_from_events([{"introduced": "0"}])] == ["all versions"]
    assert [r.describe() for r in ranges_from_events([{"introduced": "0"}, {"limit": "2.0"}])] == [
        "all versions"]


@pytest.mark.parametrize("events, problem", [
    ([{"introduced": "0", "fixed": "1.0"}], "one key"),
    ([{"removed": "1.0"}], "unknown event"),
    ([{"introduced": "0"}, {"fixed": "abc123f"}], "not a version"),
])
def test_bad_events(events, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ranges_from_events(events)


def test_listed_versions_compare_by_value() -> None:
    assert listed(key("3.7.1"), ["v3.7.0", "zephyr-v3.7.1"])
    assert not listed(key("3.7.2"), ["v3.7.0", "v3.7.1"])
