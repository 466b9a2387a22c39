"""Version comparison for vulnerability ranges: release tags as Zephyr, MCUboot, TF-M and
mbed TLS spell them ('v3.7.1', 'v3.7.1-rc1', 'V3.6.2', 'mbedtls-3.6.2', 'TF-Mv2.1.1',
git describe output), NVD start/end bounds and OSV introduced/fixed/last_affected/limit events.

Every comparison goes through `parse()`; a string that is not a version (a commit hash, '-')
parses to None and the caller reports "cannot decide" rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

# A tag may carry a product prefix ('mbedtls-', 'TF-M', 'zephyr_tf-m_') and a 'v'.
_HEAD = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_+-]*?[-_]?)??[vV]?(?P<release>\d+(?:\.\d+)*)(?P<rest>.*)$")
# What may follow the numbers: a pre-release marker, then build/describe data after - or +.
_REST = re.compile(
    r"^(?:[-_.~]?(?P<pre>rc|alpha|beta|pre|dev|a|b)\.?(?P<prenum>\d*))?(?P<post>[-+].*)?$",
    re.IGNORECASE,
)
_DESCRIBE = re.compile(r"^-(?P<count>\d+)-g[0-9a-fA-F]+")
_PRE_RANK = {"dev": 0, "pre": 1, "a": 1, "alpha": 1, "b": 2, "beta": 2, "rc": 3}
_FINAL = 4
_WIDTH = 6  # release components compared; 3.7 == 3.7.0 == 3.7.0.0

VersionKey = tuple  # (release..., pre_rank, pre_num, commits_after)


@dataclass(frozen=True, order=False)
class Version:
    """A parsed version; compare with `.key`."""

    text: str
    key: VersionKey

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=65536)
def parse(text: str | None) -> Version | None:
    """'v3.7.1-rc1' -> Version; None for commit hashes, '*', '-', '' and other non-versions."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw or raw in ("*", "-", "0.0.0-unknown"):
        return None
    head = _HEAD.match(raw)
    if not head:
        return None
    rest = _REST.match(head.group("rest"))
    if not rest:
        return None
    release = [int(part) for part in head.group("release").split(".")]
    if len(release) > _WIDTH:
        return None
    release += [0] * (_WIDTH - len(release))
    pre = (rest.group("pre") or "").lower()
    pre_rank = _PRE_RANK[pre] if pre else _FINAL
    pre_num = int(rest.group("prenum") or 0) if pre else 0
    commits = 0
    post = rest.group("post") or ""
    describe = _DESCRIBE.match(post)
    if describe:
        # `git describe`: N commits after the tag, so later than the tag itself.
        commits = int(describe.group("count"))
    return Version(raw, (*release, pre_rank, pre_num, commits))


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


def ranges_from_events(events: Sequence[dict]) -> list[Range]:
    """OSV SEMVER/ECOSYSTEM events -> intervals. Events are sorted by version first, as the OSV
    schema's evaluation algorithm does; an unparseable event raises ValueError."""
    keyed = []
    for index, event in enumerate(events):
        if not isinstance(event, dict) or len(event) != 1:
            raise ValueError(f"event {index} must be an object with one key")
        (kind, value), = event.items()
        if kind not in ("introduced", "fixed", "last_affected", "limit"):
            raise ValueError(f"event {index}: unknown event type {kind!r}")
        if not isinstance(value, str):
            raise ValueError(f"event {index}: {kind} must be a string")
        if kind == "introduced" and value == "0":
            sort_key: VersionKey = ()
        else:
            parsed = key(value)
            if parsed is None:
                raise ValueError(f"event {index}: {kind} {value!r} is not a version")
            sort_key = parsed
        # At equal versions a closing event sorts before an opening one.
        keyed.append((sort_key, 0 if kind != "introduced" else 1, kind, value))
    keyed.sort(key=lambda item: (item[0], item[1]))
    result: list[Range] = []
    start: str | None = None
    open_ = False
    for _, _, kind, value in keyed:
        if kind == "introduced":
            if not open_:
                start, open_ = value, True
        elif kind == "limit":
            continue  # limits bound git walks; they say nothing about released versions
        elif open_:
            result.append(Range(start, True, value, kind == "last_affected"))
            open_ = False
    if open_:
        result.append(Range(start, True, None))
    return result


def sortable(version: VersionKey) -> str:
    """An order-preserving text form of a key, so SQLite can compare versions itself: each
    number is written as its digit count (a letter) followed by its digits."""
    return "".join(chr(97 + len(str(part))) + str(part) for part in version)


@lru_cache(maxsize=65536)
def sortable_of(text: str | None) -> str | None:
    parsed = key(text)
    return sortable(parsed) if parsed is not None else None


def listed(version: VersionKey, versions: Iterable[str]) -> bool:
    """The version is one of `versions` (tags such as 'v3.7.1' or 'zephyr-v3.7.1')."""
    return any(key(item) == version for item in versions)
