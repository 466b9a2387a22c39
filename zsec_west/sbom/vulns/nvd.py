"""NVD CVE API 2.0 JSON (the API's pages and the yearly feed files) -> Vulnerability records.

Only `vulnerable: true` cpeMatch entries count: in AND configurations the other entries name
the platform the vulnerable product runs on, not the product itself.
"""

from __future__ import annotations

from typing import Any

from zsec_west.errors import DataFileError
from zsec_west.sbom.vulns.identifiers import parse_cpe
from zsec_west.sbom.vulns.model import (
    RECORD_ERRORS,
    SOURCE_NVD,
    Affects,
    LoadResult,
    Vulnerability,
    record_problem,
)
from zsec_west.versions import Range, nvd_range

# Preferred CVSS metric when a record has several (v3.1 is what most records and GitHub use).
_METRICS = ("cvssMetricV31", "cvssMetricV30", "cvssMetricV40", "cvssMetricV2")
_BOUNDS = ("versionStartIncluding", "versionStartExcluding", "versionEndIncluding",
           "versionEndExcluding")


def is_nvd(data: Any) -> bool:
    return isinstance(data, dict) and (
        data.get("format") == "NVD_CVE" or "CVE_Items" in data
        or ("vulnerabilities" in data and "format" not in data and "id" not in data))


def read_nvd(data: dict, origin: str) -> LoadResult:
    """One NVD 2.0 document (already parsed). A broken document raises DataFileError; a broken
    record is skipped with a warning naming its index and id."""
    if "CVE_Items" in data:
        raise DataFileError("this is an NVD 1.1 JSON feed; use the NVD CVE API 2.0 feeds",
                            path=origin)
    version = data.get("version")
    if version is not None and not str(version).startswith("2."):
        raise DataFileError(f"unsupported NVD format version {version!r} (2.0 expected)",
                            path=origin)
    items = data.get("vulnerabilities")
    if not isinstance(items, list):
        raise DataFileError("'vulnerabilities' must be a list", path=origin)
    result = LoadResult()
    for index, item in enumerate(items):
        try:
            vuln = _record(item, origin)
        except RECORD_ERRORS as exc:
            ident = _id_of(item)
            label = f"vulnerabilities[{index}]" + (f" ({ident})" if ident else "")
            result.warnings.append(f"{origin}: {label}: {record_problem(exc)}; record skipped")
            result.skipped += 1
            continue
        if vuln is not None:
            result.vulnerabilities.append(vuln)
    return result


def _id_of(item: Any) -> str | None:
    cve = item.get("cve") if isinstance(item, dict) else None
    ident = cve.get("id") if isinstance(cve, dict) else None
    return ident if isinstance(ident, str) else None


def _record(item: Any, origin: str) -> Vulnerability | None:
    if not isinstance(item, dict) or not isinstance(item.get("cve"), dict):
        raise ValueError("not an object with a 'cve' object")
    cve = item["cve"]
    ident = cve.get("id")
    if not isinstance(ident, str) or not ident:
        raise ValueError("'cve.id' is missing")
    if str(cve.get("vulnStatus", "")).lower() == "rejected":
        return None
    affects = _affects(cve.get("configurations") or [])
    if not affects:
        return None  # nothing a component could match (awaiting analysis, hardware only ...)
    description = ""
    for entry in cve.get("descriptions") or []:
        if isinstance(entry, dict) and entry.get("lang") == "en":
            description = str(entry.get("value") or "")
            break
    score, severity = _cvss(cve.get("metrics") or {})
    references = tuple(str(ref["url"]) for ref in cve.get("references") or []
                       if isinstance(ref, dict) and isinstance(ref.get("url"), str))
    cwes = tuple(str(d.get("value")) for w in cve.get("weaknesses") or [] if isinstance(w, dict)
                 for d in w.get("description") or []
                 if isinstance(d, dict) and str(d.get("value", "")).startswith("CWE-"))
    return Vulnerability(
        id=ident, source=SOURCE_NVD, origin=origin, summary=_first_sentence(description),
        description=description, score=score, severity=severity, references=references,
        cwes=tuple(dict.fromkeys(cwes)), affects=tuple(affects))


def _affects(configurations: Any) -> list[Affects]:
    if not isinstance(configurations, list):
        raise ValueError("'configurations' must be a list")
    found: list[Affects] = []
    for config in configurations:
        if not isinstance(config, dict):
            raise ValueError("a configuration is not an object")
        for node in config.get("nodes") or []:
            if not isinstance(node, dict):
                raise ValueError("a configuration node is not an object")
            if node.get("negate"):
                continue
            for match in node.get("cpeMatch") or []:
                affects = _cpe_match(match)
                if affects is not None:
                    found.append(affects)
    return found


def _cpe_match(match: Any) -> Affects | None:
    if not isinstance(match, dict):
        raise ValueError("a cpeMatch entry is not an object")
    if match.get("vulnerable") is False:
        return None
    criteria = match.get("criteria")
    cpe = parse_cpe(criteria)
    if cpe is None:
        raise ValueError(f"cpeMatch criteria {criteria!r} is not a CPE 2.3 name")
    get = match.get  # hot loop: a feed has about a million of these
    start_in, start_ex = get("versionStartIncluding"), get("versionStartExcluding")
    end_in, end_ex = get("versionEndIncluding"), get("versionEndExcluding")
    if start_in is None and start_ex is None and end_in is None and end_ex is None:
        if cpe.version != "*":
            # A single version ('3.7.0', or '1.14.0' with update 'rc1'); '-' means "no version".
            return Affects(cpe.key, (), cpe.full_version)
        return Affects(cpe.key, (Range(),))
    for name, value in zip(_BOUNDS, (start_in, start_ex, end_in, end_ex), strict=False):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
    return Affects(cpe.key, (nvd_range(start_in, start_ex, end_in, end_ex),))


def _cvss(metrics: Any) -> tuple[float | None, str | None]:
    if not isinstance(metrics, dict):
        return None, None
    for name in _METRICS:
        entries = metrics.get(name)
        if not isinstance(entries, list) or not entries:
            continue
        # NVD's own ("Primary") rating first, else the CNA's.
        entries = sorted((e for e in entries if isinstance(e, dict)),
                         key=lambda e: e.get("type") != "Primary")
        for entry in entries:
            data = entry.get("cvssData") or {}
            score = data.get("baseScore")
            if isinstance(score, (int, float)):
                label = data.get("baseSeverity") or entry.get("baseSeverity")
                return float(score), str(label).lower() if label else None
    return None, None


def _first_sentence(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    cut = text.find(". ")
    sentence = text[:cut + 1] if 0 < cut < limit else text
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"
