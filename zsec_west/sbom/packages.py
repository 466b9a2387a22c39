"""Every file of an image mapped to the package it belongs to, and what is known about each package.

Packages of a domain: the application, Zephyr, each module the image used, the files the
build generated (the build directory) and the toolchain. A file belongs to the package whose
root is the longest prefix of its recorded path. Package facts (version, supplier, CPE/PURL)
come from versions.py and identifiers.py; file facts from hashing.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.sbom.component import Component
from zsec_west.sbom.hashing import FileFacts, Unreadable
from zsec_west.sbom.identifiers import Identifiers
from zsec_west.sbom.licenses import License, combine, parse_license
from zsec_west.sbom.pkgversion import VersionInfo
from zsec_west.sbom.tlsconfig import TlsConfig

APP, ZEPHYR, MODULE, GENERATED, TOOLCHAIN = "app", "zephyr", "module", "generated", "toolchain"

# SPDX primary package purpose per kind (names of spdx_tools' PackagePurpose).
PURPOSES = {APP: "APPLICATION", ZEPHYR: "OPERATING_SYSTEM", MODULE: "LIBRARY",
            GENERATED: "SOURCE", TOOLCHAIN: "OTHER"}


@dataclass(frozen=True)
class Root:
    """A directory a package's files live in: as the build recorded it, and here (if it is)."""

    recorded: str
    local: Path | None


@dataclass
class PackageData:
    """One package of a domain's SBOM, before it is written in any format."""

    key: str  # unique within the document: "zephyr", "module-mbedtls", "app", ...
    kind: str
    name: str
    roots: list[Root]
    version: VersionInfo = field(default_factory=VersionInfo)
    supplier: str | None = None
    originator: str | None = None
    identifiers: Identifiers = field(default_factory=Identifiers)
    download_location: str | None = None
    homepage: str | None = None
    declared_license: str | None = None
    evidence: list[str] = field(default_factory=list)  # why the package is in this image
    notes: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # recorded paths of its files
    compiled: list[str] = field(default_factory=list)  # recorded paths of compiled sources
    # compiled source -> bytes it gave the image, where the linker map tells (see linkmap.py)
    linked: dict[str, int] = field(default_factory=dict)
    link_map: str | None = None  # the map `linked` comes from
    tls: TlsConfig | None = None  # mbed TLS only: the configuration it was compiled with
    files: list[tuple[str, FileFacts]] = field(default_factory=list)  # ("./rel", facts)
    missing: list[tuple[str, str]] = field(default_factory=list)  # ("./rel", reason)

    @property
    def purpose(self) -> str:
        return PURPOSES[self.kind]

    def root_of(self, recorded: str) -> Root | None:
        """The (longest) root containing a recorded path."""
        for root in sorted(self.roots, key=lambda r: len(r.recorded), reverse=True):
            prefix = root.recorded.rstrip("/")
            if recorded == prefix or recorded.startswith(prefix + "/"):
                return root
        return None

    def relative(self, recorded: str) -> str:
        root = self.root_of(recorded)
        if root is None:
            return recorded
        return recorded[len(root.recorded.rstrip("/")):].lstrip("/") or Path(recorded).name

    def local_path(self, recorded: str) -> str | None:
        """Where to read a file of this package here; None when its tree is not here."""
        root = self.root_of(recorded)
        if root is None or root.local is None:
            return None
        rel = recorded[len(root.recorded.rstrip("/")):].lstrip("/")
        return f"{str(root.local).rstrip('/')}/{rel}" if rel else str(root.local)

    def license(self) -> License | None:
        """The concluded licence: the AND of the licences its files declare."""
        found = [parse_license(facts.license) for _, facts in self.files if facts.license]
        return combine(item for item in found if item is not None)

    def copyrights(self) -> list[str]:
        seen: dict[str, None] = {}
        for _, facts in self.files:
            for line in facts.copyrights:
                seen.setdefault(line, None)
        return list(seen)

    def comment(self) -> str | None:
        """What the SBOM says about the package in words: why it is in the image, where its
        version came from, notes, files not read."""
        lines = []
        if self.evidence:
            lines.append("In this image because: " + "; ".join(self.evidence) + ".")
        if self.version.source:
            lines.append(f"Version from {self.version.source}.")
        if self.version.revision:
            lines.append(f"Revision {self.version.revision}.")
        if self.identifiers.basis not in ("none", ""):
            lines.append(f"Identifiers from {self.identifiers.basis}.")
        lines += [note[:1].upper() + note[1:] + "." for note in self.notes]
        if self.missing:
            reasons: dict[str, int] = {}
            for _, reason in self.missing:
                reasons[reason] = reasons.get(reason, 0) + 1
            text = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
            lines.append(f"{len(self.missing)} of {len(self.missing) + len(self.files)} "
                         f"files the build used could not be read here and are not listed ({text}).")
        return " ".join(lines) or None

    def component(self, domain: str, spdx_id: str) -> Component:
        """The seam to vulnerability matching. Package URLs with a subpath (an application
        inside the Zephyr tree) name part of another package that is already a component of
        its own; they stay in the SBOM but are not matched a second time."""
        return Component(
            name="toolchain" if self.kind == TOOLCHAIN else self.name,
            version=self.version.version, domain=domain, spdx_id=spdx_id,
            supplier=self.supplier, cpes=self.identifiers.cpes,
            purls=tuple(p for p in self.identifiers.purls if "#" not in p),
            revision=self.version.revision,
            compiled_files=tuple(sorted({self.relative(p) for p in self.compiled})),
            linked_files=self._linked_files(),
            link_map=self.link_map or "",
            macros=self.tls.macros if self.tls is not None else None,
            macros_from=self.tls.header if self.tls is not None else "",
        )

    def _linked_files(self) -> tuple[str, ...] | None:
        """Compiled files that put code or data into the image; those the map says nothing
        about count as present. None without a map that decided any of them."""
        if not self.link_map or not self.linked:
            return None
        return tuple(sorted({self.relative(p) for p in self.compiled
                             if self.linked.get(p, 1) > 0}))


class Mapper:
    """Longest-prefix assignment of recorded paths to packages."""

    def __init__(self, packages: list[PackageData]):
        pairs = [(root.recorded.rstrip("/"), package) for package in packages
                 for root in package.roots if root.recorded]
        # Longest prefix first, so that an app inside zephyr/ or a build dir inside the app wins.
        self._pairs = sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)

    def owner(self, path: str) -> PackageData | None:
        for prefix, package in self._pairs:
            if path == prefix or path.startswith(prefix + "/"):
                return package
        return None


@dataclass
class Assignment:
    """Files of an image per package, and the ones no package claims."""

    unattributed: list[str] = field(default_factory=list)


def assign(packages: list[PackageData], sources: list[str], others: list[str]) -> Assignment:
    """Put every recorded path into its package (`compiled` for sources)."""
    mapper = Mapper(packages)
    result = Assignment()
    compiled = set(sources)
    for path in dict.fromkeys([*sources, *others]):
        owner = mapper.owner(path)
        if owner is None:
            result.unattributed.append(path)
            continue
        owner.paths.append(path)
        if path in compiled:
            owner.compiled.append(path)
    return result


def attach_facts(packages: list[PackageData], facts: dict[str, FileFacts | Unreadable]) -> None:
    """Fill each package's files (readable) and missing (not) from the hashing results."""
    for package in packages:
        for path in package.paths:
            local = package.local_path(path)
            name = "./" + package.relative(path)
            if local is None:
                package.missing.append((name, "source tree not on this machine"))
                continue
            result = facts.get(local)
            if isinstance(result, FileFacts):
                package.files.append((name, result))
            else:
                package.missing.append((name, result.reason if result else "not read"))
        package.files.sort(key=lambda item: item[0])
