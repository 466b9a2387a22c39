"""SPDX 2.3 documents of a domain, built with the spdx-tools model (spdx_json.py validates and
serialises them).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Hashable
from dataclasses import dataclass, field

from spdx_tools.spdx.model import (
    Actor,
    ActorType,
    Checksum,
    ChecksumAlgorithm,
    CreationInfo,
    Document,
    ExternalPackageRef,
    ExternalPackageRefCategory,
    ExtractedLicensingInfo,
    File,
    FileType,
    Package,
    PackagePurpose,
    PackageVerificationCode,
    Relationship,
    RelationshipType,
    SpdxNoAssertion,
)

from zsec_west import __version__
from zsec_west.sbom.document import DocumentInfo
from zsec_west.sbom.hashing import FileFacts
from zsec_west.sbom.licenses import License, parse_license, symbols
from zsec_west.sbom.packages import TOOLCHAIN, PackageData
from zsec_west.sbom.planner import DomainPlan

TOOL = f"zsec-west-{__version__}"
FORMATS = {"spdx-json": ".spdx.json", "spdx-tv": ".spdx"}
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
_SOURCE_SUFFIXES = (".c", ".h", ".s", ".S", ".cpp", ".cc", ".cxx", ".hpp", ".hh", ".inc", ".ld",
                    ".dts", ".dtsi", ".overlay")
_ARCHIVE_SUFFIXES = (".a", ".lib")
_BINARY_SUFFIXES = (".o", ".obj", ".elf", ".bin", ".hex", ".so")


def _safe(part: str) -> str:
    return _ID_UNSAFE.sub("-", part).strip("-") or "x"


@functools.lru_cache(maxsize=1024)
def _safe_head(parts: tuple[str, ...]) -> str:
    return "".join(_safe(part) + "-" for part in parts)


def spdx_id(*parts: str) -> str:
    # Every file's id starts with the same few parts ("File", the package): made once.
    return "SPDXRef-" + _safe_head(parts[:-1]) + _safe(parts[-1])


def creators(info: DocumentInfo) -> list[Actor]:
    found = [Actor(ActorType.TOOL, TOOL)]
    if info.author:
        found.append(Actor(ActorType.ORGANIZATION, info.author))
    return found


def organization(name: str | None) -> Actor | SpdxNoAssertion:
    return Actor(ActorType.ORGANIZATION, name) if name else SpdxNoAssertion()


def _file_type(name: str) -> FileType:
    if name.endswith(_SOURCE_SUFFIXES):
        return FileType.SOURCE
    if name.endswith(_ARCHIVE_SUFFIXES):
        return FileType.ARCHIVE
    if name.endswith(_BINARY_SUFFIXES):
        return FileType.BINARY
    return FileType.TEXT


def checksums(facts: FileFacts) -> list[Checksum]:
    return [Checksum(ChecksumAlgorithm.SHA1, facts.sha1),
            Checksum(ChecksumAlgorithm.SHA256, facts.sha256)]


def verification_code(files: list[tuple[str, FileFacts]]) -> PackageVerificationCode:
    """SPDX 2.3 §7.9: SHA-1 over the sorted, concatenated SHA-1s of the package's files."""
    joined = "".join(sorted(facts.sha1 for _, facts in files))
    return PackageVerificationCode(hashlib.sha1(joined.encode("ascii")).hexdigest())


class _LicenseRefs:
    """Every LicenseRef- a document uses, so each can be declared once."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def note(self, item: License | None) -> None:
        if item is not None:
            for ref, original in item.refs:
                self.found.setdefault(ref, original)

    def declarations(self) -> list[ExtractedLicensingInfo]:
        return [ExtractedLicensingInfo(
            license_id=ref, license_name=original,
            extracted_text=f"Files name the licence '{original}' in an SPDX-License-Identifier "
                           "tag; it is not on the SPDX License List and its text was not "
                           "extracted.")
            for ref, original in sorted(self.found.items())]


def external_refs(package: PackageData) -> list[ExternalPackageRef]:
    refs = [ExternalPackageRef(ExternalPackageRefCategory.SECURITY, "cpe23Type", cpe)
            for cpe in package.identifiers.cpes]
    refs += [ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl)
             for purl in package.identifiers.purls]
    return refs


@dataclass
class FileLayout:
    """Where each file of a domain document and each relationship goes in its JSON.

    Files enter the spdx-tools model (and its validation) once per shape: per package, file
    type, licence and whether it names copyright holders. The others are written from their
    shape's template (jsontemplate.py); their ids are unique and well-formed by construction.
    An int is an index into the document's files (relationships); a tuple holds the strings of
    a templated file (SPDXID, fileName, SHA-1, SHA-256[, copyrightText]) or of a package's
    CONTAINS relationship to it (package id, file id).
    """

    files: list[int | tuple[Hashable, tuple[str, ...]]] = field(default_factory=list)
    relationships: list[int | tuple[str, str]] = field(default_factory=list)
    shapes: dict[Hashable, int] = field(default_factory=dict)  # shape -> its file in the model
    values: dict[int, tuple[str, ...]] = field(default_factory=dict)  # model file -> its strings
    # A modelled file's CONTAINS relationship (index, its strings): the others' template.
    contains: tuple[int, tuple[str, str]] | None = None

    @property
    def templated(self) -> bool:
        return any(not isinstance(entry, int) for entry in self.files)


class _Files:
    """The files of one document, each in the model or in the layout only."""

    def __init__(self, refs: _LicenseRefs, used_ids: set[str], every_file: bool):
        self.refs, self.used_ids, self.every_file = refs, used_ids, every_file
        self.files: list[File] = []
        self.layout = FileLayout()

    def add(self, package: PackageData, package_id: str, relationships: list[Relationship]
            ) -> None:
        for name, facts in package.files:
            file_id = spdx_id("File", package.key, name[2:])
            if file_id in self.used_ids:
                number = 2
                while f"{file_id}-{number}" in self.used_ids:
                    number += 1
                file_id = f"{file_id}-{number}"
            self.used_ids.add(file_id)
            item = parse_license(facts.license) if facts.license else None
            self.refs.note(item)
            copyright_text = "\n".join(facts.copyrights) if facts.copyrights else None
            values = (file_id, name, facts.sha1, facts.sha256) + (
                (copyright_text,) if copyright_text is not None else ())
            shape = (package.key, _file_type(name), item.text if item else None,
                     copyright_text is not None)
            if not self.every_file and shape in self.layout.shapes:
                self.layout.files.append((shape, values))
                self.layout.relationships.append((package_id, file_id))
                continue
            self.layout.shapes.setdefault(shape, len(self.files))
            self.layout.values[len(self.files)] = values
            self.layout.files.append(len(self.files))
            self.files.append(File(
                name, file_id, checksums(facts), file_types=[_file_type(name)],
                license_concluded=item.expression if item else SpdxNoAssertion(),
                license_info_in_file=symbols(item) if item else [SpdxNoAssertion()],
                copyright_text=copyright_text if copyright_text is not None
                else SpdxNoAssertion(),
            ))
            if self.layout.contains is None:
                self.layout.contains = (len(relationships), (package_id, file_id))
            self.layout.relationships.append(len(relationships))
            relationships.append(Relationship(package_id, RelationshipType.CONTAINS, file_id))


def build_domain_document(plan: DomainPlan, info: DocumentInfo, *, every_file: bool = True
                          ) -> tuple[Document, dict[str, str], FileLayout]:
    """The SPDX document of one domain, the SPDX id of each package by its key, and the layout
    of its files. With `every_file` False only one file per shape is in the model."""
    refs = _LicenseRefs()
    image = plan.image
    image_id = spdx_id("Image", image.name)
    image_package = Package(
        image_id, image.name, SpdxNoAssertion(), version=image.version,
        file_name=image.files[0][0] if image.files else None,
        supplier=organization(image.supplier), files_analyzed=False,
        checksums=checksums(image.files[0][1]) if image.files else [],
        license_concluded=SpdxNoAssertion(), license_declared=SpdxNoAssertion(),
        copyright_text=SpdxNoAssertion(), primary_package_purpose=PackagePurpose.FIRMWARE,
        comment=("Image files: " + "; ".join(f"{rel} SHA-256 {facts.sha256}"
                                              for rel, facts in image.files) + ".")
        if image.files else image.missing,
    )
    packages = [image_package]
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, image_id)]
    ids: dict[str, str] = {}
    files = _Files(refs, {image_id}, every_file)
    layout = files.layout
    for package in plan.packages:
        package_id = spdx_id("Package", package.key)
        ids[package.key] = package_id
        files.used_ids.add(package_id)
        concluded = package.license()
        refs.note(concluded)
        declared = parse_license(package.declared_license) if package.declared_license else None
        refs.note(declared)
        analyzed = bool(package.files)
        copyright_lines = package.copyrights()
        packages.append(Package(
            package_id, package.name, package.download_location or SpdxNoAssertion(),
            version=package.version.version, supplier=organization(package.supplier),
            originator=organization(package.originator) if package.originator else None,
            files_analyzed=analyzed,
            verification_code=verification_code(package.files) if analyzed else None,
            homepage=package.homepage,
            license_concluded=concluded.expression if concluded else SpdxNoAssertion(),
            license_info_from_files=(symbols(concluded) if concluded else [SpdxNoAssertion()])
            if analyzed else [],
            license_declared=declared.expression if declared else SpdxNoAssertion(),
            copyright_text="\n".join(copyright_lines) if copyright_lines else SpdxNoAssertion(),
            comment=package.comment(), external_references=external_refs(package),
            primary_package_purpose=PackagePurpose[package.purpose],
        ))
        first = len(relationships)
        if package.kind == TOOLCHAIN:
            relationships.append(Relationship(image_id, RelationshipType.DEPENDS_ON, package_id))
            relationships.append(Relationship(package_id, RelationshipType.BUILD_TOOL_OF,
                                              image_id))
        else:
            relationships.append(Relationship(image_id, RelationshipType.CONTAINS, package_id))
        layout.relationships.extend(range(first, len(relationships)))
        files.add(package, package_id, relationships)
    creation = CreationInfo(
        "SPDX-2.3", "SPDXRef-DOCUMENT", info.name, info.namespace, creators(info), info.created,
        creator_comment=info.creator_comment, document_comment=info.comment)
    document = Document(creation, packages=packages, files=files.files,
                        relationships=relationships, extracted_licensing_info=refs.declarations())
    ids["image"] = image_id
    layout.relationships.insert(0, 0)  # DESCRIBES
    return document, ids, layout
