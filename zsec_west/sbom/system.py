"""The system document of a multi-image build: every image, and where each is described.

It references each domain document (SPDX ExternalDocumentRef with the SHA-1 of the written
file), lists each image as a package with its SHA-256, and says that each image is
DESCRIBED_BY its domain document. The domain documents must be written first.
"""

from __future__ import annotations

from spdx_tools.spdx.model import (
    Checksum,
    ChecksumAlgorithm,
    CreationInfo,
    Document,
    ExternalDocumentRef,
    Package,
    PackagePurpose,
    Relationship,
    RelationshipType,
    SpdxNoAssertion,
)

from zsec_west.sbom.document import DocumentInfo, SystemEntry
from zsec_west.sbom.spdx_writer import checksums, creators, organization, spdx_id


def document_ref(domain: str) -> str:
    return "DocumentRef-" + spdx_id(domain)[len("SPDXRef-"):]


def build_system_document(name: str, version: str | None, supplier: str | None,
                          entries: list[SystemEntry], info: DocumentInfo,
                          flash_order: tuple[str, ...] = ()) -> Document:
    """The SPDX system document over `entries` (in flash order when known)."""
    system_id = spdx_id("System", name)
    packages = [Package(
        system_id, name, SpdxNoAssertion(), version=version, supplier=organization(supplier),
        files_analyzed=False, license_concluded=SpdxNoAssertion(),
        license_declared=SpdxNoAssertion(), copyright_text=SpdxNoAssertion(),
        primary_package_purpose=PackagePurpose.FIRMWARE,
        comment="All images of the build" + (f"; flash order: {', '.join(flash_order)}"
                                             if flash_order else "") + ".")]
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, system_id)]
    refs: list[ExternalDocumentRef] = []
    for entry in entries:
        image = entry.image
        image_id = spdx_id("Image", entry.domain)
        ref = document_ref(entry.domain)
        refs.append(ExternalDocumentRef(ref, entry.namespace,
                                        Checksum(ChecksumAlgorithm.SHA1, entry.sha1)))
        main = image.files[0] if image.files else None
        packages.append(Package(
            image_id, image.name, SpdxNoAssertion(), version=image.version,
            file_name=entry.image_file if main else None,
            supplier=organization(image.supplier), files_analyzed=False,
            checksums=checksums(main[1]) if main else [],
            license_concluded=SpdxNoAssertion(), license_declared=SpdxNoAssertion(),
            copyright_text=SpdxNoAssertion(), primary_package_purpose=PackagePurpose.FIRMWARE,
            comment=f"Described in {entry.file_name} (SHA-256 {entry.sha256})."
                    + ("" if main else f" {image.missing or 'No image file found.'}"),
        ))
        relationships.append(Relationship(system_id, RelationshipType.CONTAINS, image_id))
        relationships.append(Relationship(image_id, RelationshipType.DESCRIBED_BY,
                                          f"{ref}:SPDXRef-DOCUMENT"))
    creation = CreationInfo(
        "SPDX-2.3", "SPDXRef-DOCUMENT", info.name, info.namespace, creators(info), info.created,
        creator_comment=info.creator_comment, document_comment=info.comment,
        external_document_refs=refs)
    return Document(creation, packages=packages, relationships=relationships)
