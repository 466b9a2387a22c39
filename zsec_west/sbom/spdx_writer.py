"""SPDX 2.3 documents of a domain, built with the spdx-tools model, validated, then serialised.

Nothing is written unless spdx-tools' full validation returns no message; a failure is a
ToolError naming the messages (our bug or the library's, never the user's).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

from spdx_tools.spdx import casing_tools
from spdx_tools.spdx.jsonschema import converter as json_converter
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
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
from spdx_tools.spdx.validation import license_expression_validator, spdx_id_validators
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
from spdx_tools.spdx.writer import write_utils
from spdx_tools.spdx.writer.tagvalue import tagvalue_writer

from zsec_west import __version__
from zsec_west.errors import ToolError
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


def spdx_id(*parts: str) -> str:
    return "SPDXRef-" + "-".join(_ID_UNSAFE.sub("-", part).strip("-") or "x" for part in parts)


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


def build_domain_document(plan: DomainPlan, info: DocumentInfo) -> tuple[Document, dict[str, str]]:
    """The SPDX document of one domain, and the SPDX id of each package by its key."""
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
    files: list[File] = []
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, image_id)]
    ids: dict[str, str] = {}
    used_ids = {image_id}
    for package in plan.packages:
        package_id = spdx_id("Package", package.key)
        ids[package.key] = package_id
        used_ids.add(package_id)
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
        if package.kind == TOOLCHAIN:
            relationships.append(Relationship(image_id, RelationshipType.DEPENDS_ON, package_id))
            relationships.append(Relationship(package_id, RelationshipType.BUILD_TOOL_OF,
                                              image_id))
        else:
            relationships.append(Relationship(image_id, RelationshipType.CONTAINS, package_id))
        for name, facts in package.files:
            file_id = spdx_id("File", package.key, name[2:])
            if file_id in used_ids:
                number = 2
                while f"{file_id}-{number}" in used_ids:
                    number += 1
                file_id = f"{file_id}-{number}"
            used_ids.add(file_id)
            item = parse_license(facts.license) if facts.license else None
            refs.note(item)
            files.append(File(
                name, file_id, checksums(facts), file_types=[_file_type(name)],
                license_concluded=item.expression if item else SpdxNoAssertion(),
                license_info_in_file=symbols(item) if item else [SpdxNoAssertion()],
                copyright_text="\n".join(facts.copyrights) if facts.copyrights
                else SpdxNoAssertion(),
            ))
            relationships.append(Relationship(package_id, RelationshipType.CONTAINS, file_id))
    creation = CreationInfo(
        "SPDX-2.3", "SPDXRef-DOCUMENT", info.name, info.namespace, creators(info), info.created,
        creator_comment=info.creator_comment, document_comment=info.comment)
    document = Document(creation, packages=packages, files=files, relationships=relationships,
                        extracted_licensing_info=refs.declarations())
    ids["image"] = image_id
    return document, ids


# --- validation and serialisation -------------------------------------------------------------

_LOCK = threading.Lock()


class _MemoLicensing:
    """spdx-tools' licensing object with `validate` and `parse` memoised by expression text: the
    validator parses every file's licence twice more (48,000 parses for 11,000 files) though a
    build has a few dozen distinct expressions. Results (and errors) are the library's own."""

    def __init__(self, licensing: Any):
        self._licensing = licensing
        self._seen: dict[str, Any] = {}
        self._parsed: dict[str, tuple[Any, Exception | None]] = {}

    def validate(self, expression: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return self._licensing.validate(expression, *args, **kwargs)
        key = str(expression)
        if key not in self._seen:
            self._seen[key] = self._licensing.validate(expression)
        return self._seen[key]

    def parse(self, expression: Any, *args: Any, **kwargs: Any) -> Any:
        if args or not isinstance(expression, str):
            return self._licensing.parse(expression, *args, **kwargs)
        key = f"{sorted(kwargs.items())}|{expression}"
        if key not in self._parsed:
            try:
                self._parsed[key] = (self._licensing.parse(expression, **kwargs), None)
            except Exception as exc:  # remembered and raised again, exactly as the library did
                self._parsed[key] = (None, exc)
        result, error = self._parsed[key]
        if error is not None:
            raise error
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._licensing, name)


@contextlib.contextmanager
def _patched(module: Any, name: str, value: Any) -> Iterator[None]:
    """Swap one module attribute for the duration; a no-op if the library moved it."""
    if not hasattr(module, name):
        yield
        return
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


@contextlib.contextmanager
def _fast_paths(document: Document) -> Iterator[None]:
    """Make spdx-tools fast on documents with thousands of files, without changing results.

    * Relationship validation checks each end against a fresh list of every id in the
      document (quadratic: ~90 s for 11,000 files); answer from a set built once.
    * Licence validation re-parses each file's expression; memoise per expression text.
    * JSON conversion turns property names into camelCase with a regex per property per
      element; memoise per name.
    Everything is restored on exit; a lock keeps concurrent callers from seeing the swap.
    """
    original = spdx_id_validators.is_spdx_id_present_in_document
    known = set(spdx_id_validators.get_list_of_all_spdx_ids(document))

    def present(element_id: str, doc: Document) -> bool:
        if doc is document:
            return element_id in known
        return original(element_id, doc)

    camel = functools.lru_cache(maxsize=512)(casing_tools.snake_case_to_camel_case)
    with _LOCK, contextlib.ExitStack() as stack:
        stack.enter_context(_patched(spdx_id_validators, "is_spdx_id_present_in_document",
                                     present))
        stack.enter_context(_patched(license_expression_validator, "spdx_licensing",
                                     _MemoLicensing(license_expression_validator.spdx_licensing)))
        stack.enter_context(_patched(json_converter, "snake_case_to_camel_case", camel))
        yield


def _validate(document: Document) -> None:
    messages = validate_full_spdx_document(document)
    if messages:
        shown = "; ".join(m.validation_message for m in messages[:5])
        more = f" (and {len(messages) - 5} more)" if len(messages) > 5 else ""
        raise ToolError(f"SPDX document '{document.creation_info.name}' failed validation: "
                        f"{shown}{more}", hint="this is a bug in zsec-west; please report it")


def json_lines(data: dict[str, Any]) -> str:
    """JSON with one package, file or relationship per line.

    spdx-tools' writer pretty-prints with json.dump(indent=4), which cannot use the C encoder
    (five times slower on a big document); encoding each element separately can, and the
    result stays readable and diffs line by line.
    """
    parts = []
    for key, value in data.items():
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in value)
            parts.append(f"  {name}: [\n    {items}\n  ]")
        else:
            parts.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def validate(document: Document) -> None:
    """Raise ToolError naming the problems unless spdx-tools finds the document valid."""
    with _fast_paths(document):
        _validate(document)


def serialise(document: Document, fmt: str) -> str:
    """The document, validated by spdx-tools, as SPDX JSON or tag-value text."""
    with _fast_paths(document):
        _validate(document)
        if fmt == "spdx-json":
            text = json_lines(write_utils.convert(document, DocumentConverter()))
        elif fmt == "spdx-tv":
            stream = io.StringIO()
            # Validated above and ids are unique by construction: skip the writer's deep copy.
            tagvalue_writer.write_document_to_stream(document, stream, validate=False,
                                                     drop_duplicates=False)
            text = stream.getvalue()
        else:
            raise ValueError(f"unknown SPDX format {fmt!r}")
    return text if text.endswith("\n") else text + "\n"
