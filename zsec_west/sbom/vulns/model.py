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
    conditions: str = ""  # configuration the advisory names, in words
    fixed: str = ""  # the version to upgrade to, in words ('3.7.3 (v3.7 LTS), 4.4.2')
    state: str = "published"  # or 'embargoed': details unknown yet
    package: str = ""  # curated package name (zephyr, mbedtls, tf-m, mcuboot)

    @property
    def canonical_id(self) -> str:
        """The CVE when there is one, so that NVD, OSV and curated records of one flaw merge."""
        for ident in (self.id, *self.aliases):
            if is_cve(ident):
                return ident
        return self.id


@dataclass
class LoadResult:
    """What a reader produced from one input: records plus warnings about skipped ones."""

    vulnerabilities: list[Vulnerability] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
