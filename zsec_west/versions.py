"""The one place that parses and compares versions and decides whether one lies in a range.

Three kinds of version text reach zsec:

* release versions as the projects spell them in tags, headers and data files: Zephyr
  ('v3.7.1', '3.7.99', '4.1.99'), TF-M ('TF-Mv2.1.1', 'zephyr_tf-m_v2.1.2', 'v2.2.2+g1a2b3c'),
  mbed TLS ('mbedtls-3.6.2'), pre-releases ('2.2.0-rc1') and `git describe` output. They are
  compared numerically (`parse`, `Version`); anything that is not one (a commit hash, '-')
  parses to None so that callers say "cannot decide" rather than guess.
* MCUboot image versions (`maj.min.rev+build`), parsed exactly as imgtool does, with its limits
  and messages (`parse_image_version`, `ImageVersion`).
* Zephyr-style VERSION files (`VERSION_MAJOR = 3` ...), and the version a CPE or PURL states.

Ranges follow OSV (introduced / fixed / last_affected events) and NVD (versionStart/End
Including/Excluding); both become `Range`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, total_ordering
from typing import NamedTuple

from zsec_west.errors import UsageError

# -- release versions ------------------------------------------------------------------------

# A tag may carry a product prefix ('mbedtls-', 'TF-M', 'zephyr_tf-m_') and a 'v'.
# Every pattern here is ASCII-only: '３.７.１' (fullwidth digits) is not a version anyone released.
_HEAD = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_+-]*?[-_]?)??[vV]?(?P<release>\d+(?:\.\d+)*)(?P<rest>.*)$",
                   re.ASCII)
# What may follow the numbers: a pre-release marker, then build/describe data after - or +.
_REST = re.compile(
    r"^(?:[-_.~]?(?P<pre>rc|alpha|beta|pre|dev|a|b)\.?(?P<prenum>\d*))?(?P<post>[-+].*)?$",
    re.IGNORECASE | re.ASCII,
)
_DESCRIBE = re.compile(r"^-(?P<count>\d+)-g[0-9a-fA-F]+", re.ASCII)
_MAX_DIGITS = 20  # a number with more digits is no version part (and int() of 4,300+ fails)
_PRE_RANK = {"dev": 0, "pre": 1, "a": 1, "alpha": 1, "b": 2, "beta": 2, "rc": 3}
_FINAL = 4
_WIDTH = 6  # release components compared; 3.7 == 3.7.0 == 3.7.0.0
_NOT_VERSIONS = ("*", "-", "0.0.0-unknown")

# (release numbers..., pre-release rank, pre-release number, commits after the tag)
VersionKey = tuple[int, ...]


@total_ordering
@dataclass(frozen=True, eq=False)
class Version:
    """A release version. Equal and ordered by value ('v3.7.1' == 'zephyr-v3.7.1' == '3.7.1');
    `text` keeps the spelling it was read in."""

    text: str
    key: VersionKey
    bare: str  # without product prefix and 'v': 'TF-Mv2.2.2+g1a2b3c' -> '2.2.2+g1a2b3c'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.key == other.key

    def __lt__(self, other: Version) -> bool:
        return self.key < other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __str__(self) -> str:
        return self.text

    @property
    def release(self) -> tuple[int, int, int]:
        """(major, minor, patch)."""
        return self.key[0], self.key[1], self.key[2]

    @property
    def is_prerelease(self) -> bool:
        return self.key[_WIDTH] != _FINAL


@lru_cache(maxsize=65536)
def parse(text: str | None) -> Version | None:
    """'v3.7.1-rc1' -> Version; None for commit hashes, '*', '-', '' and other non-versions."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw or raw in _NOT_VERSIONS:
        return None
    head = _HEAD.match(raw)
    if not head:
        return None
    rest = _REST.match(head.group("rest"))
    if not rest:
        return None
    numbers = [*head.group("release").split("."), rest.group("prenum") or ""]
    describe = _DESCRIBE.match(rest.group("post") or "")
    if describe:
        numbers.append(describe.group("count"))
    if any(len(number) > _MAX_DIGITS for number in numbers):
        return None
    release = [int(part) for part in head.group("release").split(".")]
    if len(release) > _WIDTH:
        return None
    release += [0] * (_WIDTH - len(release))
    pre = (rest.group("pre") or "").lower()
    pre_rank = _PRE_RANK[pre] if pre else _FINAL
    pre_num = int(rest.group("prenum") or 0) if pre else 0
    # `git describe`: N commits after the tag, so later than the tag itself.
    commits = int(describe.group("count")) if describe else 0
    bare = head.group("release") + head.group("rest")
    return Version(raw, (*release, pre_rank, pre_num, commits), bare)


def key(text: str | None) -> VersionKey | None:
    parsed = parse(text)
    return parsed.key if parsed else None


def compare(a: str, b: str) -> int | None:
    """-1, 0 or 1; None when either side is not a version."""
    ka, kb = key(a), key(b)
    if ka is None or kb is None:
        return None
    return (ka > kb) - (ka < kb)


def same(a: str, b: str) -> bool:
    """True when both parse and are equal ('v3.7.1' == '3.7.1' == 'zephyr-v3.7.1')."""
    return compare(a, b) == 0


def listed(version: VersionKey, versions: Iterable[str]) -> bool:
    """The version is one of `versions` (tags such as 'v3.7.1' or 'zephyr-v3.7.1')."""
    return any(key(item) == version for item in versions)


def sortable(version: VersionKey) -> str:
    """An order-preserving text form of a key, so SQLite can compare versions itself: each
    number is written as its digit count (a letter) followed by its digits."""
    return "".join(chr(97 + len(str(part))) + str(part) for part in version)


@lru_cache(maxsize=65536)
def sortable_of(text: str | None) -> str | None:
    parsed = key(text)
    return sortable(parsed) if parsed is not None else None


# -- release numbers as SBOMs and CPEs state them ----------------------------------------------

# A release: digits and dots, optionally a pre-release marker. A commit hash or a `git describe`
# with commits on top is not one (NVD ranges compare release numbers).
_RELEASE = re.compile(r"^\d+(\.\d+)+(-?(rc|alpha|beta|pre)\.?\d*)?$", re.IGNORECASE | re.ASCII)
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")
_TAG_RELEASE = re.compile(r"(\d+(?:\.\d+)+(?:-?(?:rc|alpha|beta)\.?\d*)?)$", re.IGNORECASE | re.ASCII)


def is_release(version: str | None) -> bool:
    """True for '3.7.1', '2.1.1', '1.0.0-rc1'; false for commits, describes and None."""
    text = version or ""
    return bool(_RELEASE.match(text)) and not _COMMIT.match(text)


def is_commit(text: str | None) -> bool:
    return bool(text) and bool(_COMMIT.match(text or ""))


def release_from_tag(tag: str | None) -> str | None:
    """'v3.7.1' -> '3.7.1', 'TF-Mv2.1.1' -> '2.1.1', 'nanopb-0.4.8' -> '0.4.8'."""
    if not tag:
        return None
    match = _TAG_RELEASE.search(tag.strip())
    return match.group(1) if match and is_release(match.group(1)) else None


def release_from_references(refs: Iterable[str]) -> str | None:
    """The version a CPE (6th field) or a PURL (@version) of a module.yml states."""
    refs = tuple(refs)
    for ref in refs:
        if ref.startswith("cpe:2.3:"):
            fields = ref.split(":")
            if len(fields) > 5 and is_release(fields[5].replace("\\", "")):
                return fields[5].replace("\\", "")
    for ref in refs:
        if ref.startswith("pkg:") and "@" in ref:
            release = release_from_tag(ref.rsplit("@", 1)[1].split("?")[0].split("#")[0])
            if release:
                return release
    return None


def version_file_fields(text: str) -> dict[str, str]:
    """The `NAME = value` lines of a Zephyr-style VERSION file (Zephyr's own or an app's)."""
    return dict(re.findall(r"^\s*(\w+)\s*=\s*(\S*)", text, re.M | re.ASCII))


def zephyr_release(text: str) -> str | None:
    """`VERSION_MAJOR = 3` ... lines of a Zephyr VERSION file -> '3.7.1' (with -EXTRAVERSION)."""
    values = version_file_fields(text)
    try:
        version = f"{values['VERSION_MAJOR']}.{values['VERSION_MINOR']}.{values['PATCHLEVEL']}"
    except KeyError:
        return None
    extra = values.get("EXTRAVERSION")
    return f"{version}-{extra}" if extra else version


def release_from_defines(text: str, names: Sequence[str]) -> str | None:
    """'#define X_MAJOR 3' ... for each of `names` in order -> '3.6.2'; None if one is missing."""
    numbers = []
    for name in names:
        match = re.search(rf"#\s*define\s+{re.escape(name)}\s+\(?\s*(\d{{1,{_MAX_DIGITS}}})(?!\d)", text,
                          re.ASCII)
        if not match:
            return None
        numbers.append(str(int(match.group(1))))
    return ".".join(numbers)


# -- MCUboot image versions (imgtool's `maj.min.rev+build`) -------------------------------------

# imgtool accepts each part as a decimal without leading zeros; later parts are optional.
_IMAGE_VERSION = re.compile(r"^(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\+(0|[1-9]\d*))?)?)?$",
                            re.ASCII)
_IMAGE_LIMITS = (("major", 0xFF), ("minor", 0xFF), ("revision", 0xFFFF), ("build", 0xFFFFFFFF))


@dataclass(frozen=True, order=True)
class ImageVersion:
    """An MCUboot image version as stored in the header (u8, u8, u16, u32)."""

    major: int = 0
    minor: int = 0
    revision: int = 0
    build: int = 0

    def __post_init__(self) -> None:
        values = (self.major, self.minor, self.revision, self.build)
        for (name, limit), value in zip(_IMAGE_LIMITS, values, strict=True):
            if not 0 <= value <= limit:
                raise UsageError(f"version {name} {value} is out of range 0..{limit}")

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.revision}+{self.build}"

    @property
    def short(self) -> str:
        """`maj.min.rev` without the build number (as the boot record stores it)."""
        return f"{self.major}.{self.minor}.{self.revision}"

    def security_counter(self) -> int:
        """The value `--security-counter auto` derives: major<<24 + minor<<16 + revision."""
        return (self.major << 24) + (self.minor << 16) + self.revision


def parse_image_version(text: str) -> ImageVersion:
    """Parse `maj[.min[.rev[+build]]]` exactly as imgtool does; missing parts are 0."""
    match = _IMAGE_VERSION.match(text) if isinstance(text, str) else None
    if not match:
        raise UsageError(
            f"invalid version {text!r}",
            hint="use maj.min.rev+build with later parts optional, e.g. 1.2.3+4",
        )
    for (name, limit), part in zip(_IMAGE_LIMITS, match.groups(), strict=True):
        if part and len(part) > len(str(limit)):  # before int(): 5,000 digits would not convert
            raise UsageError(f"version {name} {part[:12]}... ({len(part)} digits) is out of range 0..{limit}")
    return ImageVersion(*(int(part) if part else 0 for part in match.groups()))


# -- ranges ------------------------------------------------------------------------------------

class Range(NamedTuple):
    """One interval of affected versions. A None bound is open; `lower` '0' means 'from the start'.
    (A named tuple: feeds create millions of these.)"""

    lower: str | None = None
    lower_inclusive: bool = True
    upper: str | None = None
    upper_inclusive: bool = False

    def contains(self, version: VersionKey) -> bool | None:
        """True/False, or None when a bound is not a version we can compare."""
        if self.lower not in (None, "0"):
            low = key(self.lower)
            if low is None:
                return None
            if version < low or (version == low and not self.lower_inclusive):
                return False
        if self.upper is not None:
            high = key(self.upper)
            if high is None:
                return None
            if version > high or (version == high and not self.upper_inclusive):
                return False
        return True

    def is_past(self, version: VersionKey) -> bool:
        """The version is at or after the end of the range, i.e. this range was fixed for it."""
        if self.upper is None:
            return False
        high = key(self.upper)
        if high is None:
            return False
        return version > high or (version == high and not self.upper_inclusive)

    def describe(self) -> str:
        """'>=2.6.0 <=4.4.1', '<3.7.0', 'all versions'."""
        parts = []
        if self.lower not in (None, "0"):
            parts.append(f"{'>=' if self.lower_inclusive else '>'}{self.lower}")
        if self.upper is not None:
            parts.append(f"{'<=' if self.upper_inclusive else '<'}{self.upper}")
        return " ".join(parts) or "all versions"


def affected_range(introduced: str | None = None, fixed: str | None = None,
                   last_affected: str | None = None) -> Range:
    """One OSV-style range: from `introduced` (default: the start) up to, not including,
    `fixed`, or up to and including `last_affected`."""
    if fixed is not None and last_affected is not None:
        raise ValueError("a range has 'fixed' or 'last_affected', not both")
    upper = last_affected if last_affected is not None else fixed
    return Range(introduced or "0", True, upper, last_affected is not None)


def nvd_range(start_including: str | None, start_excluding: str | None,
              end_including: str | None, end_excluding: str | None) -> Range:
    """NVD's cpeMatch bounds (versionStartIncluding ... versionEndExcluding) as a range."""
    if start_including and start_excluding:
        raise ValueError("both versionStartIncluding and versionStartExcluding")
    if end_including and end_excluding:
        raise ValueError("both versionEndIncluding and versionEndExcluding")
    return Range(start_including or start_excluding, start_excluding is None,
                 end_including or end_excluding, end_including is not None)


_EVENTS = ("introduced", "fixed", "last_affected", "limit")


def _event(index: int, event: object) -> tuple[VersionKey, int, str, str]:
    """(sort key, opening order, kind, value) of one OSV event; ValueError when malformed."""
    if not isinstance(event, dict) or len(event) != 1:
        raise ValueError(f"event {index} must be an object with one key")
    (kind, value), = event.items()
    if kind not in _EVENTS:
        raise ValueError(f"event {index}: unknown event type {kind!r}")
    if not isinstance(value, str):
        raise ValueError(f"event {index}: {kind} must be a string")
    if kind == "introduced" and value == "0":
        return (), 1, kind, value
    parsed = key(value)
    if parsed is None:
        raise ValueError(f"event {index}: {kind} {value!r} is not a version")
    # At equal versions a closing event sorts before an opening one.
    return parsed, 0 if kind != "introduced" else 1, kind, value


def ranges_from_events(events: Sequence[dict]) -> list[Range]:
    """OSV SEMVER/ECOSYSTEM events -> intervals. Events are sorted by version first, as the OSV
    schema's evaluation algorithm does; an unparseable event raises ValueError."""
    keyed = sorted((_event(index, event) for index, event in enumerate(events)),
                   key=lambda item: (item[0], item[1]))
    result: list[Range] = []
    start: str | None = None
    for _, _, kind, value in keyed:
        if kind == "introduced":
            if start is None:
                start = value
        elif kind == "limit":
            continue  # limits bound git walks; they say nothing about released versions
        elif start is not None:
            result.append(Range(start, True, value, kind == "last_affected"))
            start = None
    if start is not None:
        result.append(Range(start, True, None))
    return result
