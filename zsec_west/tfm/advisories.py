"""TF-M security advisories (data/tfm-advisories.yaml) and whether they apply to a build."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from zsec_west.errors import DataFileError
from zsec_west.findings import Severity

DATA_FILE = "data/tfm-advisories.yaml"

_VERSION = re.compile(r"^\s*(?:TF-M)?v?(\d+)\.(\d+)(?:\.(\d+))?(?P<rest>.*)$", re.I)

Expected = bool | str
# name -> value as the build recorded it (None: not recorded)
Lookup = Callable[[str], "bool | str | None"]


@dataclass(frozen=True, order=True)
class TfmVersion:
    """A TF-M release number; `extra` keeps what follows it ('+g1234abc' for a development build)."""

    major: int
    minor: int
    patch: int
    extra: str = ""

    @classmethod
    def parse(cls, text: str) -> TfmVersion | None:
        """'2.1.1', 'v2.1.1', 'TF-Mv2.1.1', 'v2.2.2+g1a2b3c' -> a version; anything else -> None."""
        match = _VERSION.match(str(text))
        if not match:
            return None
        rest = match.group("rest").strip()
        if rest and not rest.startswith(("+", "-", "_", "~")):
            return None
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0), rest)

    @property
    def release(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}{self.extra}"


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
    introduced: TfmVersion | None
    last_affected: TfmVersion | None
    fixed: TfmVersion | None
    note: str
    fix_commits: tuple[str, ...]
    severity: Severity
    source: str
    url: str
    conditions: tuple[Condition, ...]

    def affects_version(self, version: TfmVersion) -> bool:
        """Whether `version`'s release number lies in the affected range."""
        release = version.release
        if self.introduced is not None and release < self.introduced.release:
            return False
        if self.last_affected is not None:
            return release <= self.last_affected.release
        return self.fixed is not None and release < self.fixed.release

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


def _version(entry: dict[str, Any], key: str, where: str) -> TfmVersion | None:
    raw = entry.get(key)
    if raw is None:
        return None
    version = TfmVersion.parse(str(raw))
    if version is None:
        raise DataFileError(f"{where}: {key} {raw!r} is not a version like 2.1.1", path=DATA_FILE)
    return version


def _test(raw: Any, where: str) -> Test | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise DataFileError(f"{where}: a test needs a name", path=DATA_FILE)
    has_eq, has_ne = "equals" in raw, "not_equals" in raw
    if has_eq == has_ne:
        raise DataFileError(f"{where}: give exactly one of equals / not_equals", path=DATA_FILE)
    expected = raw["equals"] if has_eq else raw["not_equals"]
    if not isinstance(expected, (bool, str)):
        raise DataFileError(f"{where}: expected value must be a bool or a string", path=DATA_FILE)
    return Test(raw["name"], expected, negate=has_ne)


def _advisory(entry: Any, index: int) -> Advisory:
    if not isinstance(entry, dict):
        raise DataFileError(f"entry {index} is not a mapping", path=DATA_FILE)
    where = str(entry.get("id") or f"entry {index}")
    for key in ("id", "cve", "title", "summary", "severity", "source", "url"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise DataFileError(f"{where}: missing or empty '{key}'", path=DATA_FILE)
    if not re.fullmatch(r"TFMV-\d+", entry["id"]):
        raise DataFileError(f"{where}: id must look like TFMV-<n>", path=DATA_FILE)
    if not re.fullmatch(r"CVE-\d{4}-\d{4,}", entry["cve"]):
        raise DataFileError(f"{where}: cve {entry['cve']!r} is not a CVE id", path=DATA_FILE)
    affected = entry.get("affected")
    if not isinstance(affected, dict):
        raise DataFileError(f"{where}: 'affected' must be a mapping", path=DATA_FILE)
    introduced = _version(affected, "introduced", where)
    last = _version(affected, "last_affected", where)
    fixed = _version(affected, "fixed", where)
    if last is None and fixed is None:
        raise DataFileError(f"{where}: 'affected' needs last_affected or fixed", path=DATA_FILE)
    if introduced and last and introduced.release > last.release:
        raise DataFileError(f"{where}: introduced is after last_affected", path=DATA_FILE)
    if last and fixed and fixed.release <= last.release:
        raise DataFileError(f"{where}: fixed must come after last_affected", path=DATA_FILE)
    try:
        severity = Severity.parse(entry["severity"])
    except ValueError as exc:
        raise DataFileError(f"{where}: {exc}", path=DATA_FILE) from None
    conditions = []
    for number, raw in enumerate(entry.get("conditions") or [], start=1):
        cwhere = f"{where} condition {number}"
        if not isinstance(raw, dict):
            raise DataFileError(f"{cwhere}: not a mapping", path=DATA_FILE)
        for key in ("describe", "otherwise"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise DataFileError(f"{cwhere}: missing '{key}'", path=DATA_FILE)
        cache, kconfig = _test(raw.get("cache"), cwhere), _test(raw.get("kconfig"), cwhere)
        if cache is None and kconfig is None:
            raise DataFileError(f"{cwhere}: needs a cache or a kconfig test", path=DATA_FILE)
        conditions.append(Condition(raw["describe"].strip(), raw["otherwise"].strip(), cache, kconfig))
    commits = entry.get("fix_commits") or []
    if not isinstance(commits, list):
        raise DataFileError(f"{where}: fix_commits must be a list", path=DATA_FILE)
    return Advisory(
        id=entry["id"], cve=entry["cve"], title=entry["title"].strip(),
        summary=" ".join(entry["summary"].split()), introduced=introduced, last_affected=last,
        fixed=fixed, note=" ".join(str(affected.get("note") or "").split()),
        fix_commits=tuple(str(c) for c in commits), severity=severity, source=entry["source"],
        url=entry["url"], conditions=tuple(conditions),
    )


def parse_advisories(text: str) -> list[Advisory]:
    """Advisories from YAML text; raises DataFileError naming the entry that is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(f"not valid YAML: {exc}", path=DATA_FILE) from None
    if not isinstance(data, dict) or not isinstance(data.get("advisories"), list):
        raise DataFileError("expected a mapping with an 'advisories' list", path=DATA_FILE)
    result = [_advisory(entry, index) for index, entry in enumerate(data["advisories"], start=1)]
    ids = [a.id for a in result]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DataFileError(f"duplicate advisory ids: {', '.join(duplicates)}", path=DATA_FILE)
    return result


@lru_cache(maxsize=1)
def load_advisories() -> tuple[Advisory, ...]:
    """The advisories shipped with the package, validated."""
    text = resources.files("zsec_west").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return tuple(parse_advisories(text))


def assess(advisory: Advisory, version: TfmVersion | None, cache: Lookup,
           kconfig: Lookup) -> Verdict:
    """Apply one advisory to a build: version range first, then each named configuration."""
    if version is None:
        return Verdict(advisory, None, "the TF-M version could not be determined")
    if not advisory.affects_version(version):
        fixed = f"; fixed in v{advisory.fixed}" if advisory.fixed else ""
        return Verdict(advisory, False,
                       f"v{version} is outside the affected range ({advisory.range_text}){fixed}",
                       in_range=False)
    unknown: list[str] = []
    for condition in advisory.conditions:
        holds = condition.evaluate(cache, kconfig)
        if holds is False:
            return Verdict(advisory, False,
                           f"v{version} is in the affected range ({advisory.range_text}), but "
                           f"{condition.otherwise}", in_range=True)
        if holds is None:
            unknown.append(condition.describe)
    inside = f"v{version} is in the affected range ({advisory.range_text})"
    if unknown:
        return Verdict(advisory, None,
                       f"{inside}; the build does not record whether {' and '.join(unknown)}",
                       in_range=True)
    met = [c.describe for c in advisory.conditions]
    return Verdict(advisory, True, inside + (f" and {' and '.join(met)}" if met else ""),
                   in_range=True)
