"""The shipped advisory table as data: it covers the published lists it claims to cover, every
entry names its primary source, ranges are well-formed, and the mbed TLS entries carry the
configuration macros and sources they depend on."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from zsec_west.sbom.vulns import curated
from zsec_west.sbom.vulns.model import Vulnerability
from zsec_west.versions import parse

# Zephyr's vulnerability pages (doc/security/vulnerabilities/20NN.rst), transcribed per year.
ZEPHYR_PAGES = {
    2017: "14199 14201 14202",
    2019: "9506",
    2020: "10019 10021 10022 10023 10024 10027 10028 10058 10059 10060 10061 10062 10063 10064 "
          "10065 10066 10067 10068 10069 10070 10071 10072 10136 13598 13599 13600 13601 13602 "
          "13603",
    2021: "3319 3320 3321 3323 3430 3431 3432 3433 3434 3435 3436 3454 3455 3510 3581 3625 3835 "
          "3861 3966",
    2022: "0553 1041 1042 1841 2741 2993 3806",
    2023: "0396 0397 0779 1901 1902 3725 4257 4258 4259 4260 4262 4263 4264 4265 4424 5055 5139 "
          "5184 5563 5753 5779 6249 6749 6881 7060",
    2024: "1638 3077 3332 4785 5754 5931 6135 6137 6258 6259 6442 6443 6444 8798 10395 11263",
    2025: "1673 1674 1675 2962 7403 10456 10457 10458 9408 9557 9558 12035 12890 12899",
}
# On the pages but deliberately not matchable (the table's header says why).
ZEPHYR_LEFT_OUT = {"CVE-2023-4262", "CVE-2020-10136"}
ZEPHYR_RELEASE_NOTES = {"CVE-2026-2411", "CVE-2026-7007", "CVE-2026-10637", "CVE-2026-9728"}
PAGE = re.compile(r"/doc/security/vulnerabilities/(\d{4})\.rst$")
MACRO = re.compile(r"^MBEDTLS_[A-Z0-9_]+$")
# mbed TLS entries whose advisory names no configuration option that gates the flawed code.
NO_MACRO = {"CVE-2024-45158"}


def page_ids() -> set[str]:
    return {f"CVE-{year}-{n}" for year, numbers in ZEPHYR_PAGES.items() for n in numbers.split()}


@pytest.fixture(scope="module")
def table() -> curated.Table:
    return curated.shipped()


def by_package(table: curated.Table, package: str) -> list[Vulnerability]:
    return [a for a in table.advisories if a.package == package]


def test_every_cve_on_zephyrs_pages_is_covered_except_the_two_left_out(table) -> None:
    ids = {a.id for a in by_package(table, "zephyr")}
    assert len(page_ids()) == 114
    assert page_ids() - ZEPHYR_LEFT_OUT <= ids
    assert not ZEPHYR_LEFT_OUT & ids
    assert ids - page_ids() == ZEPHYR_RELEASE_NOTES


def test_counts_per_source(table) -> None:
    counts = Counter(a.package for a in table.advisories)
    assert counts == {"zephyr": 116, "tf-m": 14, "mbedtls": 44}
    tfm = {a.id for a in by_package(table, "tf-m")}
    assert tfm == {f"TFMV-{n}" for n in range(1, 15)}


def test_every_entry_names_a_primary_source_url(table) -> None:
    for advisory in table.advisories:
        urls = [r for r in advisory.references if r.startswith("https://")]
        assert urls, advisory.id
    for advisory in by_package(table, "zephyr") + by_package(table, "mbedtls"):
        source = advisory.references[-1]  # curated.py appends `source` last
        assert source.startswith("https://"), advisory.id


def test_zephyr_page_sources_match_the_cve_year(table) -> None:
    checked = 0
    for advisory in by_package(table, "zephyr"):
        match = PAGE.search(advisory.references[-1])
        if match:
            assert advisory.id.startswith(f"CVE-{match.group(1)}-"), advisory.id
            checked += 1
    assert checked >= 100


def test_ghsa_aliases_have_their_advisory_url(table) -> None:
    for advisory in by_package(table, "zephyr"):
        for alias in advisory.aliases:
            if alias.startswith("GHSA-"):
                assert any(alias in r for r in advisory.references if r.startswith("http")), \
                    (advisory.id, alias)


def test_ranges_are_well_formed(table) -> None:
    for advisory in table.advisories:
        spans = []
        for affects in advisory.affects[:1]:  # every key of one package carries the same ranges
            for rng in affects.ranges:
                low = parse(rng.lower) if rng.lower not in (None, "0") else None
                high = parse(rng.upper) if rng.upper is not None else None
                assert rng.lower in (None, "0") or low is not None, advisory.id
                assert rng.upper is None or high is not None, advisory.id
                if low and high:
                    # a fixed bound must lie after the first affected release
                    assert low.key < high.key or (rng.upper_inclusive and low.key == high.key), \
                        advisory.id
                spans.append((low.key if low else (), high.key if high else None))
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end is not None and end <= start, f"{advisory.id}: overlapping ranges"


def test_published_entries_match_something_and_embargoed_match_nothing(table) -> None:
    for advisory in table.advisories:
        if advisory.state == "embargoed":
            assert not advisory.affects, advisory.id
        else:
            assert advisory.affects, advisory.id


def test_unverified_entries_say_what_is_unconfirmed(table) -> None:
    unverified = [a for a in table.advisories if not a.verified]
    assert {a.id for a in unverified} >= {"CVE-2020-10065", "CVE-2021-3320", "CVE-2021-3321",
                                          "CVE-2026-93831", "TFMV-5"}
    for advisory in unverified:
        assert "unverified" in advisory.description.lower(), advisory.id


def test_zephyr_entries_say_what_must_be_built(table) -> None:
    for advisory in by_package(table, "zephyr"):
        if advisory.state == "embargoed" or advisory.id == "CVE-2020-13603":
            continue  # no details / a kernel allocator every image has
        assert advisory.kconfig or advisory.paths, advisory.id
        for path in advisory.paths:
            assert path.split("/")[0] in {"subsys", "drivers", "lib", "arch", "kernel"}, path


def test_mbedtls_entries_carry_macros_and_library_paths(table) -> None:
    entries = by_package(table, "mbedtls")
    for advisory in entries:
        assert bool(advisory.macros) != (advisory.id in NO_MACRO), advisory.id
        assert all(MACRO.match(m) for m in advisory.macros), advisory.id
        assert advisory.paths and all(p.startswith("library/") for p in advisory.paths), advisory.id
        if all(p.startswith("library/ssl_") for p in advisory.paths):
            # a TLS-layer flaw needs the TLS module (or its client/server half) at least
            assert any(m.startswith("MBEDTLS_SSL_") for m in advisory.macros), advisory.id
    client = {a.id for a in entries if "MBEDTLS_SSL_CLI_C" in a.macros}
    server = {a.id for a in entries if "MBEDTLS_SSL_SRV_C" in a.macros}
    assert "CVE-2025-27809" in client and "CVE-2024-45159" in server and not client & server


def test_mbedtls_covers_the_newest_lts_and_4x_releases(table) -> None:
    uppers = {rng.upper for a in by_package(table, "mbedtls") for rng in a.affects[0].ranges
              if rng.upper}
    # fixes announced with the newest 3.6 LTS and 4.x releases are in the table
    assert {"3.6.6", "3.6.7", "3.6.8", "4.1.0", "4.1.1", "4.1.2", "4.3.0"} <= uppers
