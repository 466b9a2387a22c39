"""OSV records (one JSON object per file, a JSON list of them, or a zip of such files, as the
OSV data dumps are shipped) -> Vulnerability records.

GIT ranges name commits; offline we cannot tell whether a release contains a commit, so a GIT
range only decides when the record's `versions[]` lists the component's version; otherwise the
match is reported as undecided.
"""

from __future__ import annotations

from typing import Any

from zsec_west.sbom.vulns.cvss import base_score_v3
from zsec_west.sbom.vulns.identifiers import parse_purl, purl_from_package, purl_from_repo
from zsec_west.sbom.vulns.model import (
    RECORD_ERRORS,
    SOURCE_OSV,
    Affects,
    LoadResult,
    PurlKey,
    Vulnerability,
    record_problem,
)
from zsec_west.versions import ranges_from_events

_LABELS = {"critical": "critical", "high": "high", "moderate": "medium", "medium": "medium",
           "low": "low"}


def is_osv(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("id"), str) and (
        "affected" in data or "modified" in data or "schema_version" in data)


def read_osv(data: Any, origin: str, result: LoadResult) -> None:
    """Add the record(s) in `data` to `result`; bad records become warnings naming `origin`."""
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        where = origin if not isinstance(data, list) else f"{origin}[{index}]"
        ident = record.get("id") if isinstance(record, dict) else None
        try:
            vuln = _record(record, origin)
        except RECORD_ERRORS as exc:
            label = f"OSV record {ident}" if isinstance(ident, str) else "OSV record"
            result.warnings.append(f"{where}: {label}: {record_problem(exc)}; record skipped")
            result.skipped += 1
            continue
        if vuln is not None:
            result.vulnerabilities.append(vuln)


def _record(record: Any, origin: str) -> Vulnerability | None:
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    ident = record.get("id")
    if not isinstance(ident, str) or not ident:
        raise ValueError("'id' is missing")
    if record.get("withdrawn"):
        return None
    aliases = record.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ValueError("'aliases' must be a list of strings")
    affected = record.get("affected") or []
    if not isinstance(affected, list):
        raise ValueError("'affected' must be a list")
    affects: list[Affects] = []
    for position, entry in enumerate(affected):
        try:
            affects.extend(_affected(entry))
        except ValueError as exc:
            raise ValueError(f"affected[{position}]: {exc}") from None
    if not affects:
        return None
    score, label = _severity(record)
    references = tuple(str(ref["url"]) for ref in record.get("references") or []
                       if isinstance(ref, dict) and isinstance(ref.get("url"), str))
    details = str(record.get("details") or "")
    summary = str(record.get("summary") or "") or " ".join(details.split())[:160]
    return Vulnerability(
        id=ident, source=SOURCE_OSV, origin=origin, summary=summary, description=details,
        aliases=tuple(aliases), score=score, severity=label, references=references,
        affects=tuple(affects))


def _package_key(entry: dict) -> PurlKey | None:
    """The package an `affected` entry names: its purl, else ecosystem + name."""
    package = entry.get("package") or {}
    if not isinstance(package, dict):
        raise ValueError("'package' must be an object")
    if package.get("purl"):
        parsed = parse_purl(package["purl"])
        if parsed is None:
            raise ValueError(f"package purl {package['purl']!r} is not a package URL")
        return parsed[0]
    if package.get("ecosystem") or package.get("name"):
        return purl_from_package(str(package.get("ecosystem") or ""), str(package.get("name") or ""))
    return None


def _range(rng: Any, number: int, key: PurlKey | None, versions: tuple[str, ...]) -> Affects:
    """One OSV range: GIT commits, or SEMVER/ECOSYSTEM events that become intervals."""
    if not isinstance(rng, dict):
        raise ValueError(f"ranges[{number}] is not an object")
    kind = rng.get("type")
    events = rng.get("events")
    if not isinstance(events, list) or not events:
        raise ValueError(f"ranges[{number}]: 'events' must be a non-empty list")
    if kind == "GIT":
        repo_key = purl_from_repo(str(rng.get("repo") or "")) or key
        if repo_key is None:
            raise ValueError(f"ranges[{number}]: GIT range without a repo")
        return Affects(repo_key, versions=versions, git_only=True)
    if kind not in ("SEMVER", "ECOSYSTEM"):
        raise ValueError(f"ranges[{number}]: unknown range type {kind!r}")
    if key is None:
        raise ValueError("no package to attach the range to")
    try:
        intervals = ranges_from_events(events)
    except ValueError as exc:
        raise ValueError(f"ranges[{number}]: {exc}") from None
    return Affects(key, ranges=tuple(intervals), versions=versions)


def _affected(entry: Any) -> list[Affects]:
    if not isinstance(entry, dict):
        raise ValueError("not an object")
    key = _package_key(entry)
    versions = entry.get("versions") or []
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        raise ValueError("'versions' must be a list of strings")
    ranges = entry.get("ranges") or []
    if not isinstance(ranges, list):
        raise ValueError("'ranges' must be a list")
    found = [_range(rng, number, key, tuple(versions)) for number, rng in enumerate(ranges)]
    if not ranges and versions:
        if key is None:
            raise ValueError("no package to attach 'versions' to")
        found.append(Affects(key, versions=tuple(versions)))
    return found


def _severity(record: dict) -> tuple[float | None, str | None]:
    for entry in record.get("severity") or []:
        if isinstance(entry, dict) and entry.get("type") in ("CVSS_V3", "CVSS_V31", "CVSS_V30"):
            score = base_score_v3(str(entry.get("score", "")))
            if score is not None:
                return score, None
    specific = record.get("database_specific")
    if isinstance(specific, dict) and isinstance(specific.get("severity"), str):
        return None, _LABELS.get(specific["severity"].lower())
    return None, None
