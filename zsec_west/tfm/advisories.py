"""TF-M security advisories (data/tfm-advisories.yaml) and whether they apply to a build."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from zsec_west.errors import DataFileError
from zsec_west.files import shipped
from zsec_west.files.yamldoc import Checker, LineDict, LineList, line_of, located, parse_located
from zsec_west.findings import Severity
from zsec_west.versions import Range, Version, affected_range, parse

DATA_FILE = "tfm-advisories.yaml"  # in zsec_west/data
SOURCE = shipped.label(DATA_FILE)

Expected = bool | str
# name -> value as the build recorded it (None: not recorded)
Lookup = Callable[[str], "bool | str | None"]


@dataclass(frozen=True)
class Test:
    """One value test: `name` must equal (or, with negate, differ from) `expected`."""

    name: str
    expected: Expected
    negate: bool = False

    def holds(self, value: bool | str) -> bool:
        if isinstance(self.expected, bool):
            result = _truthy(value) == self.expected
        else:
            result = str(value).strip().lower() == self.expected.lower()
        return not result if self.negate else result


@dataclass(frozen=True)
class Condition:
    """A configuration an advisory needs, tested on the TF-M cache first, else on Kconfig."""

    describe: str
    otherwise: str
    cache: Test | None = None
    kconfig: Test | None = None

    def evaluate(self, cache: Lookup, kconfig: Lookup) -> bool | None:
        """True/False when the build records it, None when it does not."""
        if self.cache is not None:
            value = cache(self.cache.name)
            if value is not None:
                return self.cache.holds(value)
        if self.kconfig is not None:
            value = kconfig(self.kconfig.name)
            if value is not None:
                return self.kconfig.holds(value)
        return None


@dataclass(frozen=True)
class Advisory:
    id: str
    cve: str
    title: str
    summary: str
    introduced: Version | None
    last_affected: Version | None
    fixed: Version | None
    note: str
    fix_commits: tuple[str, ...]
    severity: Severity
    source: str
    url: str
    conditions: tuple[Condition, ...]
    origin: str = ""  # "file:line" of the entry

    @property
    def range(self) -> Range:
        """The affected releases: up to last_affected when known, else up to (not incl.) fixed."""
        low = str(self.introduced) if self.introduced else None
        if self.last_affected is not None:
            return affected_range(low, last_affected=str(self.last_affected))
        return affected_range(low, fixed=str(self.fixed) if self.fixed else None)

    def affects_version(self, version: Version) -> bool:
        """Whether `version` lies in the affected range."""
        return self.range.contains(version.key) is True

    @property
    def range_text(self) -> str:
        low, last, fixed = self.introduced, self.last_affected, self.fixed
        if low and last:
            return f"v{low} only" if low == last else f"v{low} to v{last}"
        if low:
            return f"v{low} up to, not including, v{fixed}"
        if last:
            return f"all releases up to v{last}"
        return f"all releases before v{fixed}"


@dataclass(frozen=True)
class Verdict:
    """How one advisory relates to one build: affected (True), not (False) or unknown (None)."""

    advisory: Advisory
    affected: bool | None
    reason: str
    in_range: bool | None = None  # whether the version is in the affected range (None: unknown)


def _truthy(value: bool | str) -> bool:
    if isinstance(value, bool):
        return value
    return value.strip().upper() in {"1", "ON", "YES", "TRUE", "Y"}


def _version(check: Checker, node: LineDict, key: str) -> Version | None:
    raw = node.get(key)
    if raw is None:
        return None
    version = parse(str(raw))
    if version is None:
        raise Checker(check.path, node, check.what).fail(key, f"{raw!r} is not a version like 2.1.1")
    return version


def _test(check: Checker, raw: Any, field: str) -> Test | None:
    if raw is None:
        return None
    if not isinstance(raw, LineDict) or not isinstance(raw.get("name"), str):
        raise check.fail(field, "a test needs a name")
    has_eq, has_ne = "equals" in raw, "not_equals" in raw
    if has_eq == has_ne:
        raise check.fail(field, "give exactly one of equals / not_equals")
    expected = raw["equals"] if has_eq else raw["not_equals"]
    if not isinstance(expected, (bool, str)):
        raise check.fail(field, "expected value must be a bool or a string")
    return Test(raw["name"], expected, negate=has_ne)


def _condition(check: Checker, raw: Any, number: int, line: int) -> Condition:
    cond = Checker(check.path, raw, f"{check.what} condition {number}", line)
    describe = cond.string("describe", required=True)
    otherwise = cond.string("otherwise", required=True)
    cache, kconfig = _test(cond, raw.get("cache"), "cache"), _test(cond, raw.get("kconfig"), "kconfig")
    if cache is None and kconfig is None:
        raise cond.fail(None, "needs a cache or a kconfig test")
    return Condition(describe.strip(), otherwise.strip(), cache, kconfig)


def _range(check: Checker, entry: LineDict) -> tuple[Version | None, Version | None, Version | None]:
    affected = entry.get("affected")
    if not isinstance(affected, LineDict):
        raise check.fail("affected", "must be a mapping")
    introduced = _version(check, affected, "introduced")
    last = _version(check, affected, "last_affected")
    fixed = _version(check, affected, "fixed")
    if last is None and fixed is None:
        raise check.fail("affected", "needs last_affected or fixed")
    if introduced and last and introduced > last:
        raise check.fail("affected", "introduced is after last_affected")
    if last and fixed and fixed <= last:
        raise check.fail("affected", "fixed must come after last_affected")
    return introduced, last, fixed


def _identity(check: Checker) -> tuple[str, str, Severity]:
    for key in ("id", "cve", "title", "summary", "severity", "source", "url"):
        value = check.node.get(key)
        if not isinstance(value, str) or not value.strip():
            raise check.fail(key, "missing or empty")
    advisory_id, cve = check.node["id"], check.node["cve"]
    if not re.fullmatch(r"TFMV-\d+", advisory_id):
        raise check.fail("id", "id must look like TFMV-<n>")
    if not re.fullmatch(r"CVE-\d{4}-\d{4,}", cve):
        raise check.fail("cve", f"{cve!r} is not a CVE id")
    try:
        severity = Severity.parse(check.node["severity"])
    except ValueError as exc:
        raise check.fail("severity", str(exc)) from None
    return advisory_id, cve, severity


def _advisory(entry: Any, line: int) -> Advisory:
    where = str(entry.get("id") or f"entry at line {line}") if isinstance(entry, dict) else "entry"
    check = Checker(SOURCE, entry, where, line)
    advisory_id, cve, severity = _identity(check)
    introduced, last, fixed = _range(check, entry)
    raw_conditions = entry.get("conditions") or LineList()
    if not isinstance(raw_conditions, list):
        raise check.fail("conditions", "must be a list")
    conditions = tuple(_condition(check, raw, number, line_of(raw_conditions, number - 1) or line)
                       for number, raw in enumerate(raw_conditions, start=1))
    commits = entry.get("fix_commits") or []
    if not isinstance(commits, list):
        raise check.fail("fix_commits", "must be a list")
    return Advisory(
        id=advisory_id, cve=cve, title=entry["title"].strip(),
        summary=" ".join(entry["summary"].split()), introduced=introduced, last_affected=last,
        fixed=fixed, note=" ".join(str(entry["affected"].get("note") or "").split()),
        fix_commits=tuple(str(c) for c in commits), severity=severity, source=entry["source"],
        url=entry["url"], conditions=conditions, origin=located(SOURCE, entry),
    )


def parse_advisories(text: str) -> list[Advisory]:
    """Advisories from YAML text; raises DataFileError naming the line and entry that is wrong."""
    data = parse_located(text, SOURCE)
    if not isinstance(data, LineDict) or not isinstance(data.get("advisories"), LineList):
        raise DataFileError("expected a mapping with an 'advisories' list", path=located(SOURCE, data))
    entries = data["advisories"]
    result = [_advisory(entry, entries.line_of(index)) for index, entry in enumerate(entries)]
    first: dict[str, str] = {}
    for advisory in result:
        if advisory.id in first:
            raise DataFileError(f"duplicate advisory ids: {advisory.id} (first at {first[advisory.id]})",
                                path=advisory.origin)
        first[advisory.id] = advisory.origin
    return result


@lru_cache(maxsize=1)
def load_advisories() -> tuple[Advisory, ...]:
    """The advisories shipped with the package, validated."""
    return tuple(parse_advisories(shipped.read_text(DATA_FILE)))


def assess(advisory: Advisory, version: Version | None, cache: Lookup,
           kconfig: Lookup) -> Verdict:
    """Apply one advisory to a build: version range first, then each named configuration."""
    if version is None:
        return Verdict(advisory, None, "the TF-M version could not be determined")
    shown = version.bare
    if not advisory.affects_version(version):
        fixed = f"; fixed in v{advisory.fixed}" if advisory.fixed else ""
        return Verdict(advisory, False,
                       f"v{shown} is outside the affected range ({advisory.range_text}){fixed}",
                       in_range=False)
    unknown: list[str] = []
    for condition in advisory.conditions:
        holds = condition.evaluate(cache, kconfig)
        if holds is False:
            return Verdict(advisory, False,
                           f"v{shown} is in the affected range ({advisory.range_text}), but "
                           f"{condition.otherwise}", in_range=True)
        if holds is None:
            unknown.append(condition.describe)
    inside = f"v{shown} is in the affected range ({advisory.range_text})"
    if unknown:
        return Verdict(advisory, None,
                       f"{inside}; the build does not record whether {' and '.join(unknown)}",
                       in_range=True)
    met = [c.describe for c in advisory.conditions]
    return Verdict(advisory, True, inside + (f" and {' and '.join(met)}" if met else ""),
                   in_range=True)
