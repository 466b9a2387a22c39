"""Waivers: accepted failures, each with a reason and an expiry date.

    waivers:
      - rule: ZSEC-DBG-001
        domain: hello_world        # optional; without it the waiver covers every domain
        reason: Field service shell, disabled by the production fuse
        expires: 2026-06-30

A waived failure is reported with status WAIVED and the reason. A waiver past its expiry date
waives nothing any more and is itself reported as a failure, so that waivers get revisited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

from zsec_west.files.yamldoc import LineDict, LineList, Where, load_yaml
from zsec_west.findings import Evidence, Finding, Location, Rule, Status

EXPIRED_RULE_ID = "ZSEC-WAIVER-001"
_FIELDS = {"rule", "domain", "reason", "expires"}
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9_]+)+$")


@dataclass(frozen=True)
class Waiver:
    rule: str
    domain: str | None
    reason: str
    expires: dt.date
    path: str
    line: int

    def matches(self, finding: Finding) -> bool:
        return (finding.rule.id.upper() == self.rule.upper()
                and (self.domain is None or self.domain == finding.domain))

    def expired(self, today: dt.date) -> bool:
        return self.expires < today


def load_waivers(path: Path) -> list[Waiver]:
    """The waivers in `path`; schema errors raise DataFileError naming file, line and field."""
    where = Where(path)
    doc = load_yaml(path)
    if not isinstance(doc, LineDict) or "waivers" not in doc:
        raise where.error(getattr(doc, "line", None), "waivers", "top level must be a mapping "
                                                                 "with a 'waivers' list")
    extra = set(map(str, doc)) - {"waivers"}
    if extra:
        key = sorted(extra)[0]
        raise where.error(doc.line_of(key), key, "unknown top-level key")
    entries = doc["waivers"]
    if entries is None:
        return []
    if not isinstance(entries, LineList):
        raise where.error(doc.line_of("waivers"), "waivers", "must be a list")
    waivers = []
    for index, entry in enumerate(entries):
        line = entries.line_of(index)
        if not isinstance(entry, LineDict):
            raise where.error(line, None, "a waiver must be a mapping (rule, reason, expires)")
        unknown = set(map(str, entry)) - _FIELDS
        if unknown:
            key = sorted(unknown)[0]
            raise where.error(entry.line_of(key), key, "unknown field")
        for key in ("rule", "reason", "expires"):
            if key not in entry:
                raise where.error(entry.line, key, "required field is missing")
        rule = entry["rule"]
        if not isinstance(rule, str) or not _ID.match(rule.strip()):
            raise where.error(entry.line_of("rule"), "rule", f"{rule!r} is not a rule id")
        reason = entry["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise where.error(entry.line_of("reason"), "reason", "must say why (non-empty text)")
        domain = entry.get("domain")
        if domain is not None and (not isinstance(domain, str) or not domain.strip()):
            raise where.error(entry.line_of("domain"), "domain", "must be a domain name")
        expires = _date(entry["expires"])
        if expires is None:
            raise where.error(entry.line_of("expires"), "expires",
                              f"{entry['expires']!r} is not a date (YYYY-MM-DD)")
        waivers.append(Waiver(rule.strip(), domain.strip() if domain else None,
                              " ".join(reason.split()), expires, str(path), line))
    return waivers


def _date(raw: object) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class WaiverResult:
    findings: list[Finding]
    warnings: list[str]


def apply_waivers(findings: list[Finding], waivers: list[Waiver], today: dt.date,
                  expired_rule: Rule, known_rules: set[str], default_domain: str) -> WaiverResult:
    """Mark waived failures; add a failure per expired waiver; warn about waivers that do nothing."""
    result: list[Finding] = []
    used: dict[Waiver, set[str]] = {w: set() for w in waivers}
    warnings: list[str] = []
    for finding in findings:
        waiver = next((w for w in waivers if w.matches(finding)), None) if finding.failed else None
        if waiver is None:
            result.append(finding)
            continue
        used[waiver].add(finding.domain)
        if waiver.expired(today):
            result.append(finding)
        else:
            result.append(replace(finding, status=Status.WAIVED, waiver=waiver.reason))
    for waiver in waivers:
        where = f"{waiver.path}:{waiver.line}"
        if waiver.rule.upper() not in known_rules:
            warnings.append(f"{where}: waiver names rule {waiver.rule}, which is not in the catalogue")
        elif not used[waiver]:
            scope = f" in domain {waiver.domain}" if waiver.domain else ""
            warnings.append(f"{where}: waiver for {waiver.rule}{scope} matches no failure")
        if waiver.expired(today):
            for domain in sorted(used[waiver]) or [waiver.domain or default_domain]:
                result.append(Finding(
                    rule=expired_rule, domain=domain, status=Status.FAIL,
                    message=f"the waiver for {waiver.rule} expired on {waiver.expires.isoformat()} "
                            f"(reason given: {waiver.reason}); the failure it covered is reported again",
                    evidence=Evidence(f"expired {waiver.expires.isoformat()}", "a current waiver"),
                    location=Location(waiver.path, waiver.line),
                    subject=f"waiver:{waiver.rule}:{waiver.domain or '*'}",
                ))
    return WaiverResult(result, warnings)
