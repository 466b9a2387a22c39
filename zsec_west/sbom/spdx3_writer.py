"""SPDX 3.0.1 JSON-LD (Core, Software and SimpleLicensing profiles) with spdx-python-model.

One SpdxDocument per domain: a build Sbom whose root is the image package; the image package
contains every package of the image, each package contains its files, every compiled source
generates the image file, and each package's deployable file is the image
(hasDistributionArtifact, BSI TR-03183-2). Licences are relationships to license expressions
(hasDeclaredLicense, hasConcludedLicense). The model checks each value as it is set and every
required property when the document is serialised; nothing is written unless both pass.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import re
from typing import Any

from spdx_python_model import v3_0_1 as spdx

from zsec_west import __version__
from zsec_west.errors import ToolError
from zsec_west.sbom import bsi
from zsec_west.sbom.document import DocumentInfo, DomainDocument, SystemEntry, SystemImage
from zsec_west.sbom.hashing import FileFacts
from zsec_west.sbom.licenses import parse_license
from zsec_west.sbom.packages import APP, GENERATED, MODULE, TOOLCHAIN, ZEPHYR, PackageData
from zsec_west.sbom.planner import DomainPlan, ImageInfo

EXTENSION = ".spdx3.json"
_NO_ASSERTION_LICENSE = "https://spdx.org/rdf/3.0.1/terms/ExpandedLicensing/NoAssertionLicense"
_NO_ASSERTION_ELEMENT = "https://spdx.org/rdf/3.0.1/terms/Core/NoAssertionElement"
_PURPOSES = {APP: "application", ZEPHYR: "operatingSystem", MODULE: "library",
             GENERATED: "source", TOOLCHAIN: "application"}
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
Purpose = spdx.software_SoftwarePurpose


class _Builder:
    """The elements of one document, with ids under its namespace."""

    def __init__(self, info: DocumentInfo):
        self.namespace = info.namespace.rstrip("/")
        self.creation = spdx.CreationInfo()
        self.creation.specVersion = "3.0.1"
        self.creation.created = info.created.replace(tzinfo=_dt.timezone.utc)
        self.elements: list[Any] = []
        self.ids: set[str] = set()
        self.orgs: dict[tuple[str, str | None], Any] = {}
        self.unknowns: list[tuple[Any, str]] = []
        tool = self.add(spdx.Tool, "Tool-zsec-west", name=f"zsec-west {__version__}")
        self.creation.createdUsing = [tool]
        self.creation.comment = info.creator_comment
        if info.author:
            author = self.organization(info.author, info.author_contact)
        else:
            author = self.add(spdx.SoftwareAgent, "Agent-zsec-west", name="zsec-west")
        self.creation.createdBy = [author]
        if not bsi.contact_kind(info.author_contact):
            self.unknowns.append((None, bsi.unknown(
                "sbom-creator", "no e-mail or URL of the SBOM's author given (pass "
                                "--author-contact)")))

    def ident(self, *parts: str) -> str:
        base = f"{self.namespace}#SPDXRef-" + "-".join(_ID_UNSAFE.sub("-", p).strip("-") or "x"
                                                       for p in parts)
        ident, number = base, 2
        while ident in self.ids:
            ident, number = f"{base}-{number}", number + 1
        self.ids.add(ident)
        return ident

    def add(self, cls: Any, *parts: str, **props: Any) -> Any:
        element = cls(_id=self.ident(*parts), creationInfo=self.creation)
        for name, value in props.items():
            if value is not None:
                setattr(element, name, value)
        self.elements.append(element)
        return element

    def organization(self, name: str, contact: str | None) -> Any:
        key = (name, contact)
        if key not in self.orgs:
            org = self.add(spdx.Organization, "Organization", name, name=name)
            kind = bsi.contact_kind(contact)
            if kind and contact:
                org.externalIdentifier = [spdx.ExternalIdentifier(
                    externalIdentifierType=spdx.ExternalIdentifierType.email if kind == "email"
                    else spdx.ExternalIdentifierType.urlScheme,
                    identifier=contact.removeprefix("mailto:"))]
            self.orgs[key] = org
        return self.orgs[key]

    def relate(self, source: Any, kind: str, targets: list[Any],
               completeness: str | None = None) -> Any:
        rel = self.add(spdx.Relationship, "Relationship", kind, source._id.rsplit("#", 1)[-1],
                       from_=source, to=targets,
                       relationshipType=getattr(spdx.RelationshipType, kind))
        if completeness:
            rel.completeness = getattr(spdx.RelationshipCompleteness, completeness)
        return rel

    def license(self, source: Any, kind: str, text: str | None) -> None:
        parsed = parse_license(text) if text else None
        if parsed is None:
            target: Any = _NO_ASSERTION_LICENSE
        else:
            target = self.add(spdx.simplelicensing_LicenseExpression, "License",
                              source._id.rsplit("#", 1)[-1], kind,
                              simplelicensing_licenseExpression=parsed.text)
        self.relate(source, kind, [target])

    def note_unknown(self, subject: Any, statement: str) -> None:
        self.unknowns.append((subject, statement))


def _hashes(facts: FileFacts, sha512: str | None = None) -> list[Any]:
    found = [spdx.Hash(algorithm=spdx.HashAlgorithm.sha1, hashValue=facts.sha1),
             spdx.Hash(algorithm=spdx.HashAlgorithm.sha256, hashValue=facts.sha256)]
    if sha512:
        found.insert(0, spdx.Hash(algorithm=spdx.HashAlgorithm.sha512, hashValue=sha512))
    return found


def _identifiers(package: PackageData) -> list[Any]:
    found = [spdx.ExternalIdentifier(externalIdentifierType=spdx.ExternalIdentifierType.cpe23,
                                     identifier=cpe) for cpe in package.identifiers.cpes]
    found += [spdx.ExternalIdentifier(externalIdentifierType=spdx.ExternalIdentifierType.packageUrl,
                                      identifier=purl) for purl in package.identifiers.purls]
    return found


def _image_unknowns(b: _Builder, image: Any) -> None:
    """An image is this build's product: no registry names it and its sources are the
    packages it contains."""
    b.note_unknown(image, bsi.unknown("source-uri", "the image is built from the packages it "
                                                    "contains; it has no source of its own"))
    b.note_unknown(image, bsi.unknown("identifiers", "no CPE or package URL names this build's "
                                                     "image"))


def _image_file(b: _Builder, image: ImageInfo) -> tuple[Any, bsi.Deployable]:
    found = bsi.deployable(image)
    file = b.add(spdx.software_File, "ImageFile", image.name, name=found.name or image.name,
                 software_primaryPurpose=Purpose.firmware,
                 software_additionalPurpose=[Purpose.executable])
    if image.files:
        file.verifiedUsing = _hashes(image.files[0][1], found.sha512)
    if not found.sha512:
        b.note_unknown(file, bsi.unknown("sha512", found.unknown or "image file not hashed"))
    if found.path:
        file.comment = f"Built as {found.path}."
    b.note_unknown(file, bsi.unknown("deployable-uri", "where the image is published is not "
                                                       "known from the build"))
    return file, found


def _package(b: _Builder, package: PackageData, image_file: Any, image: Any,
             info: DocumentInfo) -> Any:
    fields = bsi.component_fields(package, info.supplier_contact)
    supplier = b.organization(package.supplier, None) if package.supplier else None
    creator_name = package.originator or package.supplier
    creator = b.organization(creator_name, fields.creator) if creator_name else None
    element = b.add(
        spdx.software_Package, "Package", package.key, name=package.name,
        software_packageVersion=package.version.version,
        software_primaryPurpose=getattr(Purpose, _PURPOSES[package.kind]),
        software_downloadLocation=package.download_location,
        software_homePage=package.homepage,
        software_copyrightText="\n".join(package.copyrights()) or None,
        suppliedBy=supplier, originatedBy=[creator] if creator else None,
        externalIdentifier=_identifiers(package) or None, comment=package.comment())
    if package.identifiers.purls:
        element.software_packageUrl = package.identifiers.purls[0]
    if package.download_location:
        element.externalRef = [spdx.ExternalRef(externalRefType=spdx.ExternalRefType.vcs,
                                                locator=[package.download_location])]
    else:
        b.note_unknown(element, bsi.unknown("source-uri", "no repository or revision of "
                                                          f"{package.name} is known"))
    if not package.version.version:
        b.note_unknown(element, bsi.unknown("version", f"the version of {package.name} is not "
                                                       "known from the build"))
    if not fields.creator:
        b.note_unknown(element, bsi.unknown("creator", fields.creator_unknown))
    if not package.identifiers.cpes and not package.identifiers.purls:
        b.note_unknown(element, bsi.unknown("identifiers", f"no CPE or package URL of "
                                                           f"{package.name} is known"))
    concluded = package.license()
    b.license(element, "hasConcludedLicense", concluded.text if concluded else None)
    b.license(element, "hasDeclaredLicense", package.declared_license)
    b.relate(element, "hasDistributionArtifact", [image_file])
    # Its own dependencies are not enumerated: say so instead of implying there are none.
    b.relate(element, "dependsOn", [_NO_ASSERTION_ELEMENT], "noAssertion")
    return element


def _files(b: _Builder, package: PackageData, element: Any, image_file: Any) -> None:
    compiled = {package.relative(p) for p in package.compiled}
    members = []
    for name, facts in package.files:
        is_source = name[2:] in compiled
        file = b.add(spdx.software_File, "File", package.key, name[2:], name=name[2:],
                     verifiedUsing=_hashes(facts),
                     software_primaryPurpose=Purpose.source if is_source else Purpose.file)
        members.append(file)
        if is_source:
            b.relate(file, "generates", [image_file])
    if members:
        b.relate(element, "contains", members, "complete" if not package.missing else "incomplete")


def _annotate(b: _Builder, document: Any) -> None:
    for subject, statement in b.unknowns:
        b.add(spdx.Annotation, "Annotation", annotationType=spdx.AnnotationType.other,
              subject=subject if subject is not None else document, statement=statement)


def _finish(b: _Builder, info: DocumentInfo, root: Any, sbom_name: str,
            imports: list[Any] | None = None) -> str:
    sbom = spdx.software_Sbom(_id=f"{b.namespace}#SPDXRef-Sbom", creationInfo=b.creation,
                              name=sbom_name, rootElement=[root],
                              software_sbomType=[spdx.software_SbomType.build])
    document = spdx.SpdxDocument(
        _id=f"{b.namespace}#SPDXRef-DOCUMENT", creationInfo=b.creation, name=info.name,
        rootElement=[sbom],
        profileConformance=[spdx.ProfileIdentifierType.core, spdx.ProfileIdentifierType.software,
                            spdx.ProfileIdentifierType.simpleLicensing])
    _annotate(b, sbom)
    if info.comment:
        document.comment = info.comment
    if imports:
        document.import_ = imports
    document.dataLicense = b.add(spdx.simplelicensing_LicenseExpression, "DataLicense",
                                 simplelicensing_licenseExpression="CC0-1.0")
    sbom.element = list(b.elements)
    document.element = [sbom, *b.elements]
    return serialise([document, sbom, *b.elements], info.name)


def serialise(objects: list[Any], name: str) -> str:
    """JSON-LD text; the model raises on a missing required property or a wrong type."""
    objset = spdx.SHACLObjectSet()
    for item in objects:
        objset.add(item)
    stream = io.BytesIO()
    try:
        spdx.JSONLDSerializer().write(objset, stream)
    except (ValueError, TypeError) as exc:
        raise ToolError(f"SPDX 3 document '{name}' failed validation: {exc}",
                        hint="this is a bug in zsec-west; please report it") from None
    data = json.loads(stream.getvalue())
    return json_lines(data)


def json_lines(data: dict[str, Any]) -> str:
    """One element of @graph per line: readable, diffs line by line, and fast to write."""
    graph = data.get("@graph", [])
    items = ",\n    ".join(json.dumps(item, ensure_ascii=False, sort_keys=True) for item in graph)
    context = json.dumps(data.get("@context"))
    return f'{{\n  "@context": {context},\n  "@graph": [\n    {items}\n  ]\n}}\n'


def domain_document(plan: DomainPlan, info: DocumentInfo, fmt: str) -> DomainDocument:
    """A domain's SPDX 3.0.1 document, validated by the model while it is serialised."""
    b = _Builder(info)
    image = plan.image
    image_file, _ = _image_file(b, image)
    supplier = b.organization(image.supplier, info.supplier_contact) if image.supplier else None
    root = b.add(spdx.software_Package, "Image", image.name, name=image.name,
                 software_packageVersion=image.version,
                 software_primaryPurpose=Purpose.firmware,
                 suppliedBy=supplier, originatedBy=[supplier] if supplier else None)
    if not image.version:
        b.note_unknown(root, bsi.unknown("version", "the image's version is not known"))
    if not bsi.contact_kind(info.supplier_contact):
        b.note_unknown(root, bsi.unknown("creator", "no contact of the image's supplier given "
                                                    "(pass --supplier-contact)"))
    b.relate(root, "hasDistributionArtifact", [image_file])
    b.license(root, "hasConcludedLicense", None)
    b.license(root, "hasDeclaredLicense", None)
    _image_unknowns(b, root)
    ids: dict[str, str] = {"image": root._id}
    members = []
    for package in plan.packages:
        element = _package(b, package, image_file, root, info)
        ids[package.key] = element._id
        members.append(element)
        _files(b, package, element, image_file)
    contained = [m for m, p in zip(members, plan.packages, strict=True) if p.kind != TOOLCHAIN]
    tools = [m for m, p in zip(members, plan.packages, strict=True) if p.kind == TOOLCHAIN]
    if contained:
        b.relate(root, "contains", contained, bsi.completeness(plan))
    if tools:
        b.relate(root, "usesTool", tools, "complete")
    text = _finish(b, info, root, f"{image.name} build SBOM")
    return DomainDocument(text, ids, f"{b.namespace}#SPDXRef-DOCUMENT")


def system_document(system: SystemImage, entries: list[SystemEntry], info: DocumentInfo,
                    fmt: str) -> str:
    """The system document: every image, each pointing at the document that describes it."""
    b = _Builder(info)
    supplier = b.organization(system.supplier, info.supplier_contact) if system.supplier else None
    root = b.add(spdx.software_Package, "System", system.name, name=system.name,
                 software_packageVersion=system.version, software_primaryPurpose=Purpose.firmware,
                 suppliedBy=supplier, originatedBy=[supplier] if supplier else None,
                 comment="All images of the build" + (
                     f"; flash order: {', '.join(system.flash_order)}" if system.flash_order
                     else "") + ".")
    images = []
    imports = []
    for entry in entries:
        image = entry.image
        image_file, _ = _image_file(b, image)
        package = b.add(spdx.software_Package, "Image", entry.domain, name=image.name,
                        software_packageVersion=image.version,
                        software_primaryPurpose=Purpose.firmware, suppliedBy=supplier,
                        originatedBy=[supplier] if supplier else None,
                        comment=f"Described in {entry.file_name} (SHA-256 {entry.sha256}).")
        b.relate(package, "hasDistributionArtifact", [image_file])
        b.license(package, "hasConcludedLicense", None)
        b.license(package, "hasDeclaredLicense", None)
        b.relate(package, "dependsOn", [_NO_ASSERTION_ELEMENT], "noAssertion")
        _image_unknowns(b, package)
        if not bsi.contact_kind(info.supplier_contact):
            b.note_unknown(package, bsi.unknown("creator", "no contact of the supplier given "
                                                           "(pass --supplier-contact)"))
        if not image.version:
            b.note_unknown(package, bsi.unknown("version", "the image's version is not known"))
        images.append(package)
        imports.append(spdx.ExternalMap(
            externalSpdxId=entry.namespace, locationHint=entry.file_name,
            verifiedUsing=[spdx.Hash(algorithm=spdx.HashAlgorithm.sha256, hashValue=entry.sha256)]))
    b.relate(root, "contains", images, "complete")
    b.relate(root, "hasDistributionArtifact", [e for e in b.elements
                                               if isinstance(e, spdx.software_File)])
    b.license(root, "hasConcludedLicense", None)
    b.license(root, "hasDeclaredLicense", None)
    _image_unknowns(b, root)
    if not system.version:
        b.note_unknown(root, bsi.unknown("version", "the image's version is not known"))
    if not bsi.contact_kind(info.supplier_contact):
        b.note_unknown(root, bsi.unknown("creator", "no contact of the supplier given (pass "
                                                    "--supplier-contact)"))
    return _finish(b, info, root, f"{system.name} SBOM", imports)
