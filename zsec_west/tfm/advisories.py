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

# A bool, a string (compared case-insensitively) or several strings, any of which may match.
Expected = bool | str | tuple[str, ...]
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
    """One value test: `name` must equal (or, with negate, differ from) `expected`; with
    `prefix` the value must start with it (a platform family such as 'arm/rse/')."""

    name: str
    expected: Expected
    negate: bool = False
    prefix: bool = False

    def holds(self, value: bool | str) -> bool:
        if isinstance(self.expected, bool):
            result = _truthy(value) == self.expected
        else:
            text = str(value).strip().lower()
            wanted = (self.expected,) if isinstance(self.expected, str) else self.expected
            result = any(text.startswith(w.lower()) if self.prefix else text == w.lower()
                         for w in wanted)
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
    verified: bool = True  # False: the range is not confirmed by the advisory; `note` says why

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


_TEST_KINDS = ("equals", "not_equals", "starts_with")


def _test(raw: Any, where: str) -> Test | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise DataFileError(f"{where}: a test needs a name", path=DATA_FILE)
    kinds = [k for k in _TEST_KINDS if k in raw]
    if len(kinds) != 1:
        raise DataFileError(f"{where}: give exactly one of equals / not_equals / starts_with",
                            path=DATA_FILE)
    expected = raw[kinds[0]]
    if isinstance(expected, list) and expected and all(isinstance(e, str) and e for e in expected):
        expected = tuple(expected)
    elif not isinstance(expected, (bool, str)) or (kinds[0] == "starts_with"
                                                   and isinstance(expected, bool)):
        raise DataFileError(f"{where}: expected value must be a bool, a string or a list of "
                            "strings (starts_with: strings only)", path=DATA_FILE)
    return Test(raw["name"], expected, negate=kinds[0] == "not_equals",
                prefix=kinds[0] == "starts_with")


def _fail(where: str, problem: str) -> DataFileError:
    return DataFileError(f"{where}: {problem}", path=DATA_FILE)


_Range = tuple[TfmVersion | None, TfmVersion | None, TfmVersion | None, str]


def _range(affected: Any, where: str, verified: bool) -> _Range:
    """(introduced, last_affected, fixed, note) of an entry's `affected` mapping, checked."""
    if not isinstance(affected, dict):
        raise _fail(where, "'affected' must be a mapping")
    introduced = _version(affected, "introduced", where)
    last = _version(affected, "last_affected", where)
    fixed = _version(affected, "fixed", where)
    note = " ".join(str(affected.get("note") or "").split())
    if last is None and fixed is None:
        raise _fail(where, "'affected' needs last_affected or fixed")
    if introduced and last and introduced.release > last.release:
        raise _fail(where, "introduced is after last_affected")
    if last and fixed and fixed.release <= last.release:
        raise _fail(where, "fixed must come after last_affected")
    if introduced and fixed and not last and fixed.release <= introduced.release:
        raise _fail(where, "fixed must come after introduced")
    if not verified and not note:
        raise _fail(where, "an unverified entry needs affected.note saying what is unconfirmed")
    return introduced, last, fixed, note


def _conditions(raws: Any, where: str) -> tuple[Condition, ...]:
    conditions = []
    for number, raw in enumerate(raws or [], start=1):
        cwhere = f"{where} condition {number}"
        if not isinstance(raw, dict):
            raise _fail(cwhere, "not a mapping")
        for key in ("describe", "otherwise"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise _fail(cwhere, f"missing '{key}'")
        cache, kconfig = _test(raw.get("cache"), cwhere), _test(raw.get("kconfig"), cwhere)
        if cache is None and kconfig is None:
            raise _fail(cwhere, "needs a cache or a kconfig test")
        conditions.append(Condition(raw["describe"].strip(), raw["otherwise"].strip(), cache, kconfig))
    return tuple(conditions)


def _advisory(entry: Any, index: int) -> Advisory:
    if not isinstance(entry, dict):
        raise DataFileError(f"entry {index} is not a mapping", path=DATA_FILE)
    where = str(entry.get("id") or f"entry {index}")
    for key in ("id", "title", "summary", "severity", "source", "url"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise _fail(where, f"missing or empty '{key}'")
    if not re.fullmatch(r"TFMV-\d+", entry["id"]):
        raise _fail(where, "id must look like TFMV-<n>")
    # An advisory may be published before its CVE is assigned (TFMV-11): then `cve` is absent.
    cve = entry.get("cve", "")
    if "cve" in entry and not (isinstance(cve, str) and re.fullmatch(r"CVE-\d{4}-\d{4,}", cve)):
        raise _fail(where, f"cve {cve!r} is not a CVE id")
    verified = entry.get("verified", True)
    if not isinstance(verified, bool):
        raise _fail(where, "verified must be true or false")
    introduced, last, fixed, note = _range(entry.get("affected"), where, verified)
    try:
        severity = Severity.parse(entry["severity"])
    except ValueError as exc:
        raise _fail(where, str(exc)) from None
    commits = entry.get("fix_commits") or []
    if not isinstance(commits, list):
        raise _fail(where, "fix_commits must be a list")
    return Advisory(
        id=entry["id"], cve=cve, title=entry["title"].strip(),
        summary=" ".join(entry["summary"].split()), introduced=introduced, last_affected=last,
        fixed=fixed, note=note, fix_commits=tuple(str(c) for c in commits), severity=severity,
        source=entry["source"], url=entry["url"],
        conditions=_conditions(entry.get("conditions"), where), verified=verified,
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
