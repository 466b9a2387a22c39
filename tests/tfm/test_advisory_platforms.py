"""TF-M advisories TFMV-1 .. TFMV-14: the platform restrictions the advisories state are
conditions that decide, from the TF-M cache (TFM_PLATFORM) or Zephyr's Kconfig (TFM_BOARD)."""

from __future__ import annotations

import pytest

from tests.tfm.test_advisories import GOOD as WITH_CVE
from tests.tfm.test_advisories import NOTHING, by_id, lookup
from zsec_west.errors import DataFileError
from zsec_west.tfm.advisories import assess, parse_advisories
from zsec_west.versions import parse as parse_version

# Advisory -> platform (TF-M platform path) it is restricted to, as each advisory states it.
PLATFORM_ONLY = {
    "TFMV-10": ("cypress/psoc64", "rpi/rp2350"),
    "TFMV-11": ("arm/corstone1000",),
    "TFMV-12": ("arm/rse/tc/tc3", "arm/rse/neoverse_rd/rdv3"),
    "TFMV-13": ("arm/rse/automotive_rd/rd1ae",),
    "TFMV-14": ("arm/corstone1000",),
}
OTHER = "arm/mps2/an521"
V230 = parse_version("2.3.0")


def test_all_fourteen_with_a_source_url_and_well_formed_ranges():
    advisories = by_id()
    assert set(advisories) == {f"TFMV-{n}" for n in range(1, 15)}
    for advisory in advisories.values():
        assert advisory.url.startswith("https://trustedfirmware-m.readthedocs.io/"), advisory.id
        low, last, fixed = advisory.introduced, advisory.last_affected, advisory.fixed
        if low and last:
            assert low.release <= last.release, advisory.id
        if last and fixed:
            assert last.release < fixed.release, advisory.id
    assert advisories["TFMV-11"].cve == ""  # the advisory says the CVE is being assigned
    assert advisories["TFMV-14"].cve == "CVE-2026-73094"
    assert not advisories["TFMV-5"].verified and "unverified" in advisories["TFMV-5"].note


@pytest.mark.parametrize("ident", sorted(PLATFORM_ONLY))
def test_platform_restricted_advisories_test_the_platform(ident):
    advisory = by_id()[ident]
    tests = [c for c in advisory.conditions if c.cache and c.cache.name == "TFM_PLATFORM"]
    assert len(tests) == 1 and tests[0].kconfig and tests[0].kconfig.name == "TFM_BOARD"
    base = {"TFM_PARTITION_NS_AGENT_MAILBOX": "ON"}
    for platform in PLATFORM_ONLY[ident]:
        verdict = assess(advisory, V230, lookup({**base, "TFM_PLATFORM": platform}), NOTHING)
        assert verdict.affected is True, (ident, platform)
        # Zephyr's Kconfig decides when the TF-M cache does not record the platform.
        verdict = assess(advisory, V230, lookup(base), lookup({"TFM_BOARD": platform}))
        assert verdict.affected is True, (ident, platform)
    other = assess(advisory, V230, lookup({**base, "TFM_PLATFORM": OTHER}), NOTHING)
    assert other.affected is False and other.in_range is True
    assert "only" in other.reason
    unknown = assess(advisory, V230, lookup(base), NOTHING)
    assert unknown.affected is None


def test_rse_is_a_platform_family_and_corstone_is_not():
    advisories = by_id()
    tc3 = lookup({"TFM_PLATFORM": "arm/rse/tc/tc3"})
    assert assess(advisories["TFMV-12"], V230, tc3, NOTHING).affected is True
    assert assess(advisories["TFMV-14"], V230, tc3, NOTHING).affected is False
    # A platform that merely contains 'rse' elsewhere is not an RSE platform.
    assert assess(advisories["TFMV-13"], V230, lookup({"TFM_PLATFORM": "vendor/arm/rse"}),
                  NOTHING).affected is False


def test_advisories_without_platform_restriction_do_not_test_the_platform():
    for ident, advisory in by_id().items():
        if ident not in PLATFORM_ONLY:
            assert not any(c.cache and c.cache.name == "TFM_PLATFORM" for c in advisory.conditions)


def test_2_3_1_is_fixed_and_2_1_1_is_out_of_the_rse_and_corstone_ranges():
    advisories = by_id()
    rse = lookup({"TFM_PLATFORM": "arm/rse/tc/tc3"})
    assert assess(advisories["TFMV-12"], parse_version("2.3.1"), rse, NOTHING).in_range is False
    assert assess(advisories["TFMV-11"], parse_version("2.1.1"),
                  lookup({"TFM_PLATFORM": "arm/corstone1000"}), NOTHING).in_range is False
    # TFMV-10 covers every release up to 2.3.0 (its advisory names no first version).
    assert advisories["TFMV-10"].affects_version(parse_version("1.0.0"))


GOOD = WITH_CVE.replace("  cve: CVE-2020-16273\n", "")  # an advisory before its CVE


@pytest.mark.parametrize("change,message", [
    (("  url: https://example.org", "  url: https://example.org\n  conditions:\n"
      "  - describe: d\n    otherwise: o\n    cache: {name: TFM_PLATFORM, starts_with: true}"),
     "starts_with: strings only"),
    (("  url: https://example.org", "  url: https://example.org\n  conditions:\n"
      "  - describe: d\n    otherwise: o\n    cache: {name: TFM_PLATFORM, equals: [a, 1]}"),
     "a list of strings"),
    (("  url: https://example.org", "  url: https://example.org\n  conditions:\n"
      "  - describe: d\n    otherwise: o\n    cache: {name: X, equals: a, starts_with: b}"),
     "exactly one of equals / not_equals / starts_with"),
    (("  severity: high", "  severity: high\n  verified: false"), "unverified entry needs a note"),
    (("  severity: high", "  severity: high\n  verified: 'no'"), "field 'verified': must be true or false"),
    (('affected: {last_affected: "1.1.0", fixed: "1.2.0"}', 'affected: {introduced: "1.2.0", fixed: "1.2.0"}'),
     "fixed must come after introduced"),
    (("  title: t", "  cve: CVE-pending\n  title: t"), "is not a CVE id"),
])
def test_parse_rejects_bad_platform_tests_and_flags(change, message):
    with pytest.raises(DataFileError, match=message):
        parse_advisories(GOOD.replace(*change))


def test_parse_accepts_missing_cve_and_platform_lists():
    text = GOOD.replace("  url: https://example.org", "  url: https://example.org\n  conditions:\n"
                        "  - describe: d\n    otherwise: o\n"
                        "    cache: {name: TFM_PLATFORM, equals: [Cypress/PSoC64, rpi/rp2350]}")
    [advisory] = parse_advisories(text)
    assert advisory.cve == "" and advisory.verified
    [condition] = advisory.conditions
    assert condition.evaluate(lookup({"TFM_PLATFORM": "cypress/psoc64"}), NOTHING) is True
    assert condition.evaluate(lookup({"TFM_PLATFORM": "arm/mps2/an521"}), NOTHING) is False
    families = parse_advisories(text.replace("equals: [Cypress/PSoC64, rpi/rp2350]",
                                             "starts_with: [arm/rse/, arm/corstone]"))
    [family] = families[0].conditions
    assert family.evaluate(lookup({"TFM_PLATFORM": "arm/corstone1000"}), NOTHING) is True
    assert family.evaluate(lookup({"TFM_PLATFORM": "arm/mps3/corstone300"}), NOTHING) is False
