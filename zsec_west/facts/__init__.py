"""What each command learnt besides its findings, as typed values the reporters render.

A report carries one of these in `Report.facts`. They hold data only (no text for people): the
text, Markdown and JSON reporters decide how to show them, so every format shows the same facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zsec_west.facts.tfm import TfmFacts


@dataclass(frozen=True)
class KeyFact:
    """A key file a domain's configuration names, and what it was found to be."""

    domain: str
    setting: str  # e.g. SB_CONFIG_BOOT_SIGNATURE_KEY_FILE
    use: str  # "signing" or "encryption"
    path: str
    state: str  # loaded, missing, unresolved, encrypted, not-a-key, unreadable, empty
    detail: str  # the key type when loaded, else why it was not
    sha256: str | None = None  # public-key fingerprint, when the file could be read
    dev_key: str | None = None  # the published development key it is (by content or name)
    recognised_by: str | None = None  # "content" or "file name"


@dataclass(frozen=True)
class ImageFact:
    """A signed image the build left, and the key its KEYHASH/PUBKEY TLV names."""

    domain: str
    role: str
    path: str
    signed: bool
    key_tlv: str | None = None  # KEYHASH or PUBKEY
    key_digest: str | None = None  # the TLV's value (hex)
    dev_key: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class CheckFacts:
    """What a `check` run was run with, and the keys and signed images it looked at."""

    build_dir: str
    profile: str
    profile_chain: tuple[str, ...]  # the profile and those it extends, most specific first
    rule_sources: tuple[str, ...]  # rule files and databases, with their rule counts
    keys: tuple[KeyFact, ...] = ()
    images: tuple[ImageFact, ...] = ()

    def json_sections(self) -> dict[str, Any]:
        return {"check": self}


@dataclass(frozen=True)
class SbomDocument:
    """One SBOM document written."""

    domain: str  # "system" for the document that references the others
    path: str
    packages: int
    files: int
    files_not_readable: int
    sha256: str


@dataclass(frozen=True)
class SbomPackage:
    """One package of one domain's image."""

    domain: str
    name: str
    version: str | None
    revision: str | None
    supplier: str | None
    spdx_id: str
    cpes: tuple[str, ...]
    purls: tuple[str, ...]
    compiled_files: int
    # The package as its SBOM document names it: `name` above is the component vulnerability
    # matching uses ("toolchain"), this is the product ("arm-none-eabi-gcc"); `identifiers` are
    # all its CPEs and package URLs, including those naming a part of another package.
    document_name: str = ""
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class SbomImage:
    """The image a domain's document describes."""

    domain: str
    name: str
    version: str | None
    file: str | None = None  # its first output file, when the build has one
    sha256: str | None = None


@dataclass(frozen=True)
class SbomFacts:
    """What an `sbom` run wrote, and (with --vulns) what the vulnerability scan looked at."""

    format: str
    output_dir: str
    files_hashed: int
    documents: tuple[SbomDocument, ...]
    packages: tuple[SbomPackage, ...]
    images: tuple[SbomImage, ...] = ()
    gaps: tuple[str, ...] = ()
    vulns: Mapping[str, Any] | None = field(default=None)  # index path, record and input counts

    def json_sections(self) -> dict[str, Any]:
        sbom = {name: getattr(self, name) for name in
                ("format", "output_dir", "files_hashed", "documents", "packages", "images", "gaps")}
        sections: dict[str, Any] = {"sbom": sbom}
        if self.vulns is not None:
            sections["vulns"] = dict(self.vulns)
        return sections


Facts = CheckFacts | SbomFacts | TfmFacts

__all__ = ["CheckFacts", "Facts", "ImageFact", "KeyFact", "SbomDocument", "SbomFacts", "SbomImage",
           "SbomPackage", "TfmFacts"]
