"""Which indexed vulnerabilities concern a component's version: identities, row verdicts, and the
merge of one flaw's NVD, OSV and curated records into one match."""

from __future__ import annotations

from dataclasses import dataclass

from zsec_west.sbom.component import Component
from zsec_west.sbom.vulns.curated import Package, Table, package_for
from zsec_west.sbom.vulns.identifiers import parse_cpe, parse_purl
from zsec_west.sbom.vulns.index import Row, VulnIndex
from zsec_west.sbom.vulns.model import CpeKey, PurlKey, Vulnerability
from zsec_west.sbom.vulns.rows import KIND_EXACT, KIND_GIT, KIND_RANGE, KIND_VERSIONS
from zsec_west.versions import Range, VersionKey, key, listed, sortable

AFFECTED, UNKNOWN, FIXED = "affected", "unknown", "fixed"
_RANK = {AFFECTED: 3, UNKNOWN: 2, FIXED: 1}


@dataclass(frozen=True)
class Identity:
    """How the data sources can name a component, and the version to compare."""

    name: str
    cpes: tuple[CpeKey, ...]
    purls: tuple[PurlKey, ...]
    version: str | None
    version_key: VersionKey | None
    package: Package | None


def identity(component: Component, table: Table) -> Identity:
    cpes: list[CpeKey] = []
    purls: list[PurlKey] = []
    candidates = [component.version]
    for text in component.cpes:
        cpe = parse_cpe(text)
        if cpe:
            cpes.append(cpe.key)
            candidates.append(cpe.full_version)
    for text in component.purls:
        parsed = parse_purl(text)
        if parsed:
            purls.append(parsed[0])
            candidates.append(parsed[1])
    package = package_for(component.name, tuple(cpes), tuple(purls), table)
    if package is not None:
        cpes.extend(package.cpes)
        purls.extend(package.purls)
    # The first of component version, CPE version, purl version that is a comparable version.
    version = next((v for v in candidates if v and key(v) is not None), None)
    return Identity(component.name, tuple(dict.fromkeys(cpes)), tuple(dict.fromkeys(purls)),
                    version or component.version, key(version) if version else None, package)


def row_status(row: Row, version: VersionKey) -> tuple[str | None, str]:
    """(status, the range in words) of one row for a version; status None: not concerned."""
    if row.kind == KIND_EXACT:
        exact = key(row.exact)
        if exact is None:
            return UNKNOWN, f"version {row.exact!r}"
        return (AFFECTED if exact == version else None), f"={row.exact}"
    if row.kind == KIND_RANGE:
        rng = Range(row.lo, row.lo_incl, row.hi, row.hi_incl)
        inside = rng.contains(version)
        if inside is None:
            return UNKNOWN, rng.describe()
        if inside:
            return AFFECTED, rng.describe()
        return (FIXED if rng.is_past(version) else None), rng.describe()
    if row.kind == KIND_VERSIONS:
        return (AFFECTED if listed(version, row.versions) else None), "listed affected version"
    if row.kind == KIND_GIT:
        if listed(version, row.versions):
            return AFFECTED, "listed affected version"
        return UNKNOWN, "git commit range"
    return None, ""


@dataclass(frozen=True)
class Match:
    """One flaw (all its records) that concerns a component version."""

    canonical: str
    status: str  # AFFECTED, UNKNOWN or FIXED
    records: tuple[Vulnerability, ...]
    ranges: tuple[str, ...]  # the ranges that put the version in (or past) the flaw
    fixed: str
    curated: Vulnerability | None


def _fixed_text(records: list[tuple[Vulnerability, list[Row], str]], version: VersionKey) -> str:
    for vuln, _, _ in records:
        if vuln.fixed:
            return vuln.fixed
    # The smallest exclusive upper bound above the version, from rows that contain it.
    bounds: dict[str, VersionKey] = {}
    for _, rows, _ in records:
        for row in rows:
            if row.kind == KIND_RANGE and row.hi and not row.hi_incl:
                bound = key(row.hi)
                if bound is not None and bound > version:
                    bounds[row.hi] = bound
    return min(bounds, key=bounds.__getitem__) if bounds else ""


Verdicts = dict[int, tuple[str, list[Row], list[str]]]  # vuln -> (status, deciding rows, ranges)
Member = tuple[Vulnerability, str, list[Row], list[str]]


def _rows(index: VulnIndex, ident: Identity, text: str) -> dict[int, list[Row]]:
    """Every index row of the component's CPEs and purls that may concern its version."""
    rows: dict[int, list[Row]] = {}
    for cpe in ident.cpes:
        for row in index.rows_for_cpe(cpe, text):
            rows.setdefault(row.vuln, []).append(row)
    for purl in ident.purls:
        for row in index.rows_for_purl(purl, text):
            rows.setdefault(row.vuln, []).append(row)
    return rows


def _verdict(rows: list[Row], version: VersionKey) -> tuple[str | None, list[Row], list[str]]:
    """The strongest status the rows of one record give, and the rows that give it."""
    best, hits, why = None, [], []
    for row in dict.fromkeys(rows):
        status, words = row_status(row, version)
        if status is None:
            continue
        if best is None or _RANK[status] > _RANK[best]:
            best, hits, why = status, [row], [words]
        elif status == best:
            hits.append(row)
            why.append(words)
    return best, hits, why


def _match(canonical: str, members: list[Member], version: VersionKey) -> Match | None:
    """One flaw from all its records; None when none of them puts the version in or past it."""
    curated = next((m for m in members if m[0].source == "zsec-advisories"), None)
    # The curated table is written from the project's own advisories: when it has the
    # flaw, its ranges decide, even against a broader NVD configuration.
    deciding = [curated] if curated else [m for m in members if m[1]]
    if not deciding or not deciding[0][1]:
        return None
    status = max((m[1] for m in deciding), key=lambda s: _RANK[s])
    chosen = [m for m in deciding if m[1] == status]
    ranges = tuple(dict.fromkeys(w for m in chosen for w in m[3]))
    fixed = _fixed_text([(m[0], m[2], m[1]) for m in chosen], version)
    ordered = tuple(m[0] for m in ([curated] if curated else [])
                    + [m for m in members if m is not curated])
    return Match(canonical, status, ordered, ranges, fixed, curated[0] if curated else None)


def find(index: VulnIndex, ident: Identity, curated_ids: frozenset[int]) -> list[Match]:
    """Every flaw whose rows put `ident`'s version in an affected range, past a fixed one, or
    where the rows cannot decide."""
    if ident.version_key is None:
        return []
    version = ident.version_key
    per_vuln: Verdicts = {}
    for vuln_id, vuln_rows in _rows(index, ident, sortable(version)).items():
        best, hits, why = _verdict(vuln_rows, version)
        if best is not None or vuln_id in curated_ids:
            per_vuln[vuln_id] = (best or "", hits, why)
    if not per_vuln:
        return []
    records = index.vulnerabilities(per_vuln)
    groups: dict[str, list[Member]] = {}
    for vuln_id, (status, hits, why) in per_vuln.items():
        vuln = records[vuln_id]
        groups.setdefault(vuln.canonical_id, []).append((vuln, status, hits, why))
    matches = (_match(canonical, members, version) for canonical, members in sorted(groups.items()))
    return [match for match in matches if match is not None]
