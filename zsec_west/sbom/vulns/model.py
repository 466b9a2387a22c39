"""The normalised vulnerability records every data source is turned into before indexing.

NVD, OSV and the curated table differ in shape; the index and the matcher only see these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from zsec_west.versions import Range

SOURCE_NVD = "nvd"
SOURCE_OSV = "osv"
SOURCE_CURATED = "zsec-advisories"

_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")


def is_cve(ident: str) -> bool:
    return bool(_CVE.match(ident))


class CpeKey(NamedTuple):
    """vendor:product of a CPE 2.3 name; the part (a/o/h) is ignored on purpose because
    module.yml files and NVD disagree on it (TF-M is 'o' in one and 'a' in the other)."""

    vendor: str
    product: str


class PurlKey(NamedTuple):
    """type/namespace/name of a package URL, lower-cased (GitHub names are case-insensitive)."""

    type: str
    namespace: str
    name: str


class Affects(NamedTuple):
    """One statement 'these versions of this package are affected'.

    `exact` is a single affected version ('*' for 'any version in `ranges`'); `versions` lists
    affected versions (OSV `versions[]`); `git_only` marks OSV GIT ranges we cannot evaluate.
    """

    package: CpeKey | PurlKey
    ranges: tuple[Range, ...] = ()
    exact: str = "*"
    versions: tuple[str, ...] = ()
    git_only: bool = False


@dataclass(frozen=True)
class Vulnerability:
    """One advisory from one source, with what it affects."""

    id: str
    source: str  # SOURCE_*
    origin: str  # the file (and member) it came from, for messages
    summary: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()
    score: float | None = None  # CVSS base score when known
    severity: str | None = None  # critical/high/medium/low when only a label is known
    references: tuple[str, ...] = ()
    cwes: tuple[str, ...] = ()
    affects: tuple[Affects, ...] = ()
    # Curated only: what must be built for the flaw to be in the image.
    kconfig: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    macros: tuple[str, ...] = ()  # mbed TLS config macros that must all be defined
    conditions: str = ""  # configuration the advisory names, in words
    fixed: str = ""  # the version to upgrade to, in words ('3.7.3 (v3.7 LTS), 4.4.2')
    state: str = "published"  # or 'embargoed': details unknown yet
    verified: bool = True  # False: the range (or id) is not confirmed by a primary source
    package: str = ""  # curated package name (zephyr, mbedtls, tf-m, mcuboot)

    @property
    def canonical_id(self) -> str:
        """The CVE when there is one, so that NVD, OSV and curated records of one flaw merge."""
        for ident in (self.id, *self.aliases):
            if is_cve(ident):
                return ident
        return self.id


# What reading one malformed record can raise: the readers check the shapes they rely on
# (ValueError with a message), but a feed has thousands of fields of any JSON type, and a wrong
# type met elsewhere (a number where a list is iterated, a list where an object is read) must
# skip that record only, never end the load of the whole feed.
RECORD_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)


def record_problem(exc: BaseException) -> str:
    """What is wrong with a record, for its warning."""
    if isinstance(exc, ValueError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return f"a field has the wrong type ({type(exc).__name__}: {exc})"


@dataclass
class LoadResult:
    """What a reader produced from one input: records plus warnings about skipped ones."""

    vulnerabilities: list[Vulnerability] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0  # malformed records left out (each has a warning)
