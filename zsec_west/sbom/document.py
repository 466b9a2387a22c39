"""What every SBOM writer gets and gives back, whatever its format.

The formats (SPDX 2.3 JSON and tag-value, CycloneDX 1.6, ...) each live in a writer module that
`writers.py` imports only when that format is asked for: their libraries are large, and a run
pays only for the one it writes.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Protocol

from zsec_west.sbom.planner import DomainPlan, ImageInfo


@dataclass(frozen=True)
class DocumentInfo:
    """Document-level facts shared by the writers."""

    name: str  # the document name (the domain, or "system")
    namespace: str
    created: _dt.datetime  # UTC, whole seconds
    author: str | None  # the organisation that produced the SBOM
    creator_comment: str
    comment: str | None = None
    author_contact: str | None = None  # e-mail or URL of the SBOM's author (BSI TR-03183-2)
    supplier_contact: str | None = None  # e-mail or URL of the application's supplier


@dataclass(frozen=True)
class SystemEntry:
    """One written domain document, as the system document refers to it."""

    domain: str
    file_name: str  # the domain document's file name (same directory as the system document)
    namespace: str  # SPDX namespace (or CycloneDX serial number URN)
    sha1: str  # of the written file's bytes
    sha256: str
    image: ImageInfo
    image_file: str | None = None  # the main image file, relative to the build's top directory


@dataclass(frozen=True)
class DomainDocument:
    """A domain's document as text, the id of each package in it, and the URI others cite it by."""

    text: str
    package_ids: dict[str, str] = field(default_factory=dict)  # package key -> id in the document
    namespace: str = ""


@dataclass(frozen=True)
class SystemImage:
    """The product the system document describes: the default image's name, version, supplier."""

    name: str
    version: str | None
    supplier: str | None
    flash_order: tuple[str, ...] = ()


class DocumentWriter(Protocol):
    """A format: one module per family, given the exact format name (e.g. spdx-json, spdx-tv)."""

    def domain_document(self, plan: DomainPlan, info: DocumentInfo, fmt: str) -> DomainDocument: ...

    def system_document(self, system: SystemImage, entries: list[SystemEntry], info: DocumentInfo,
                        fmt: str) -> str: ...
