"""zsec_west.versions: tags as the projects spell them, ordering, OSV events and NVD bounds,
release numbers from tags, references and version files, and imgtool image versions."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zsec_west.errors import UsageError
from zsec_west.versions import (
    ImageVersion,
    Range,
    affected_range,
    compare,
    is_commit,
    is_release,
    key,
    listed,
    nvd_range,
    parse,
    parse_image_version,
    ranges_from_events,
    release_from_defines,
    release_from_references,
    release_from_tag,
    sortable,
    version_file_fields,
    zephyr_release,
)


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


# -- every spelling the projects use ------------------------------------------------------------

@pytest.mark.parametrize("text, release, prerelease", [
    ("v3.7.1", (3, 7, 1), False), ("3.7.99", (3, 7, 99), False), ("4.1.99", (4, 1, 99), False),
    ("2.2.0-rc1", (2, 2, 0), True), ("zephyr_tf-m_v2.1.2", (2, 1, 2), False),
    ("mbedtls-3.6.2", (3, 6, 2), False), ("TF-Mv2.1.1", (2, 1, 1), False),
    ("v2.2.2+g1a2b3c", (2, 2, 2), False), ("1.2.3+4", (1, 2, 3), False),
])
def test_project_spellings(text: str, release: tuple, prerelease: bool) -> None:
    version = parse(text)
    assert version is not None and version.release == release
    assert version.is_prerelease is prerelease
    assert str(version) == text


def test_development_trees_sort_between_releases() -> None:
    # Zephyr's x.y.99 is the development tree after x.y and before the next minor release.
    assert parse("3.7.0") < parse("3.7.99") < parse("4.0.0") < parse("4.1.99") < parse("4.2.0")


def test_equal_versions_hash_alike() -> None:
    assert len({parse("v3.7.1"), parse("3.7.1"), parse("zephyr-v3.7.1"), parse("3.7.1.0")}) == 1


# -- ranges as OSV and NVD state them ------------------------------------------------------------

def test_affected_range_like_osv() -> None:
    fixed = affected_range("1.6.0", fixed="2.1.1")
    last = affected_range("1.3.0", last_affected="2.2.0")
    assert fixed.contains(key("2.1.0")) and not fixed.contains(key("2.1.1"))
    assert not fixed.contains(key("1.5.9")) and fixed.contains(key("1.6.0"))
    assert last.contains(key("2.2.0")) and not last.contains(key("2.2.1"))
    assert affected_range(fixed="1.2.0").describe() == "<1.2.0"
    assert affected_range().describe() == "all versions"
    with pytest.raises(ValueError, match="not both"):
        affected_range("1.0", fixed="2.0", last_affected="1.9")


def test_nvd_bounds() -> None:
    assert nvd_range(None, "3.0.0", "3.7.1", None) == Range("3.0.0", False, "3.7.1", True)
    assert nvd_range("2.0", None, None, "2.28.9") == Range("2.0", True, "2.28.9", False)
    with pytest.raises(ValueError, match="versionStartIncluding and versionStartExcluding"):
        nvd_range("1", "2", None, None)
    with pytest.raises(ValueError, match="versionEndIncluding and versionEndExcluding"):
        nvd_range(None, None, "1", "2")


# -- release numbers from tags, references and version files --------------------------------------

@pytest.mark.parametrize("tag, release", [
    ("v3.7.1", "3.7.1"), ("TF-Mv2.1.1", "2.1.1"), ("nanopb-0.4.8", "0.4.8"), ("v2.2.0-rc1", "2.2.0-rc1"),
    ("main", None), ("a78176c6ff", None), (None, None),
])
def test_release_from_tag(tag, release) -> None:
    assert release_from_tag(tag) == release


def test_release_from_references_prefers_the_cpe() -> None:
    refs = ("pkg:github/ARM-software/trusted-firmware-m@TF-Mv2.1.0",
            "cpe:2.3:a:arm:trusted_firmware-m:2.1.1:*:*:*:*:*:*:*")
    assert release_from_references(refs) == "2.1.1"
    assert release_from_references(refs[:1]) == "2.1.0"
    assert release_from_references(("cpe:2.3:a:x:y:*:*:*:*:*:*:*:*",)) is None


def test_release_and_commit_classification() -> None:
    assert is_release("3.7.1") and is_release("1.0.0-rc1") and not is_release("3")
    assert not is_release("deadbeef") and not is_release(None)
    assert is_commit("a78176c6ff0733ba") and not is_commit("3.7.1") and not is_commit(None)


def test_zephyr_version_file() -> None:
    text = "VERSION_MAJOR = 4\nVERSION_MINOR = 1\nPATCHLEVEL = 99\nVERSION_TWEAK = 0\nEXTRAVERSION =\n"
    assert zephyr_release(text) == "4.1.99"
    assert zephyr_release(text.replace("EXTRAVERSION =", "EXTRAVERSION = rc1")) == "4.1.99-rc1"
    assert zephyr_release("VERSION_MAJOR = 4\n") is None
    assert version_file_fields(text)["PATCHLEVEL"] == "99"


def test_release_from_defines() -> None:
    text = "#define MBEDTLS_VERSION_MAJOR  3\n#define MBEDTLS_VERSION_MINOR 6\n# define MBEDTLS_VERSION_PATCH (2)\n"
    names = ("MBEDTLS_VERSION_MAJOR", "MBEDTLS_VERSION_MINOR", "MBEDTLS_VERSION_PATCH")
    assert release_from_defines(text, names) == "3.6.2"
    assert release_from_defines(text, (*names, "MISSING")) is None


# -- MCUboot image versions (imgtool's grammar is tested against imgtool in tests/sign) ----------

def test_image_versions() -> None:
    version = parse_image_version("1.2.3+4")
    assert version == ImageVersion(1, 2, 3, 4) and str(version) == "1.2.3+4" and version.short == "1.2.3"
    assert parse_image_version("1") == ImageVersion(1) < ImageVersion(1, 0, 0, 1)
    with pytest.raises(UsageError, match="out of range 0..255"):
        parse_image_version("256")
    with pytest.raises(UsageError, match="invalid version"):
        parse_image_version("v1.2")


# -- properties ---------------------------------------------------------------------------------

_NUMBER = st.integers(min_value=0, max_value=2000)
_PRE = st.sampled_from(["", "-rc1", "-rc2", "rc3", "-alpha", "-beta.2", "-dev", "~pre1"])
_PREFIX = st.sampled_from(["", "v", "V", "zephyr-v", "TF-Mv", "mbedtls-", "zephyr_tf-m_v"])
_POST = st.sampled_from(["", "+g1a2b3c", "-12-gabcdef0", "+4"])


@st.composite
def version_texts(draw: st.DrawFn) -> str:
    numbers = draw(st.lists(_NUMBER, min_size=1, max_size=4))
    return draw(_PREFIX) + ".".join(map(str, numbers)) + draw(_PRE) + draw(_POST)


@given(version_texts())
@settings(max_examples=400, deadline=None)
def test_parse_of_str_is_identity(text: str) -> None:
    version = parse(text)
    assert version is not None
    assert parse(str(version)) == version
    assert parse(version.bare) == version


@given(version_texts(), version_texts(), version_texts())
@settings(max_examples=400, deadline=None)
def test_ordering_is_total_and_consistent(a: str, b: str, c: str) -> None:
    x, y, z = parse(a), parse(b), parse(c)
    assert x is not None and y is not None and z is not None
    # Exactly one of <, ==, > holds, and == agrees with hashing and compare().
    assert [x < y, x == y, x > y].count(True) == 1
    if x == y:
        assert hash(x) == hash(y) and x.key == y.key
    assert compare(a, b) == (x > y) - (x < y)
    assert (x <= y) == (not x > y)
    if x <= y and y <= z:
        assert x <= z
    # The SQLite text form sorts as the versions do.
    assert (sortable(x.key) < sortable(y.key)) == (x < y)


@given(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 65535),
                 st.integers(0, 0xFFFFFFFF)))
@settings(max_examples=200, deadline=None)
def test_image_version_round_trip(parts: tuple[int, int, int, int]) -> None:
    version = ImageVersion(*parts)
    assert parse_image_version(str(version)) == version


# -- hostile text: never an exception other than the documented ones -------------------------------

@pytest.mark.parametrize("text", [
    "9" * 5000,  # beyond Python's 4,300-digit int() limit
    "3." + "9" * 5000 + ".1",
    "v3.7.1-rc" + "9" * 5000,
    "v3.7.1-" + "9" * 5000 + "-gabcdef0",
    "1." + "9" * 25,  # 25 digits: no version part, although int() could take it
    "\uff13.\uff17.\uff11",  # fullwidth digits: int() reads them, no project writes them
    "\u0663.\u0667.\u0661",  # Arabic-Indic digits
])
def test_absurd_numbers_and_foreign_digits_are_not_versions(text: str) -> None:
    assert parse(text) is None
    assert compare(text, "3.7.1") is None


def test_defines_with_absurd_numbers_give_no_release() -> None:
    assert release_from_defines("#define V_MAJOR 3\n#define V_MINOR " + "9" * 5000 + "\n",
                                ["V_MAJOR", "V_MINOR"]) is None
    assert release_from_defines("#define V_MAJOR 3U\n#define V_MINOR 6\n", ["V_MAJOR", "V_MINOR"]) == "3.6"


@pytest.mark.parametrize("text, words", [
    ("1." + "9" * 5000, "5000 digits) is out of range 0..255"),
    ("1.2.3+" + "9" * 11, "out of range 0..4294967295"),
    ("\uff11.\uff12.\uff13", "invalid version"),
])
def test_image_versions_beyond_any_field_are_usage_errors(text: str, words: str) -> None:
    with pytest.raises(UsageError, match=re.escape(words)):
        parse_image_version(text)


def test_range_bounds_that_are_not_versions_cannot_decide() -> None:
    assert nvd_range(None, None, "9" * 5000, None).contains(key("3.7.1")) is None
    with pytest.raises(ValueError, match="is not a version"):
        ranges_from_events([{"introduced": "0"}, {"fixed": "9" * 5000}])
