"""CycloneDX 1.6 JSON of a domain (and of the system), with cyclonedx-python-lib.

The same plan as the SPDX writer: the image is the BOM's subject (metadata.component), every
package a component with its files as nested `file` components, and the image depends on
every package. Output is checked against the CycloneDX 1.6 JSON schema before it is returned.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable
from typing import Any

from cyclonedx.model import ExternalReference, ExternalReferenceType, HashAlgorithm, HashType, Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.contact import OrganizationalContact, OrganizationalEntity
from cyclonedx.model.license import DisjunctiveLicense, LicenseAcknowledgement
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL

from zsec_west import __version__
from zsec_west.errors import ToolError
from zsec_west.sbom import bsi
from zsec_west.sbom.document import DocumentInfo, DomainDocument, SystemEntry, SystemImage
from zsec_west.sbom.hashing import FileFacts
from zsec_west.sbom.packages import APP, GENERATED, MODULE, TOOLCHAIN, ZEPHYR, PackageData
from zsec_west.sbom.planner import DomainPlan, ImageInfo

EXTENSION = ".cdx.json"
_TYPES = {APP: ComponentType.APPLICATION, ZEPHYR: ComponentType.OPERATING_SYSTEM,
          MODULE: ComponentType.LIBRARY, GENERATED: ComponentType.FILE,
          TOOLCHAIN: ComponentType.APPLICATION}


def _hashes(facts: FileFacts) -> list[HashType]:
    return [HashType(alg=HashAlgorithm.SHA_1, content=facts.sha1),
            HashType(alg=HashAlgorithm.SHA_256, content=facts.sha256)]


def _supplier(name: str | None) -> OrganizationalEntity | None:
    return OrganizationalEntity(name=name) if name else None


def _entity(name: str | None, contact: str | None) -> OrganizationalEntity | None:
    """An organisation with its contact: a URL, or an e-mail as a contact person."""
    kind = bsi.contact_kind(contact)
    if not name and not kind:
        return None
    if kind == "url":
        return OrganizationalEntity(name=name, urls=[XsUri(contact or "")])
    if kind == "email":
        return OrganizationalEntity(name=name, contacts=[OrganizationalContact(
            email=(contact or "").removeprefix("mailto:"))])
    return OrganizationalEntity(name=name)


def _unknown(field: str, reason: str) -> Property:
    return Property(name="zsec:unknown", value=bsi.unknown(field, reason))


def _licence(text: str | None, kind: LicenseAcknowledgement) -> DisjunctiveLicense | None:
    """A licence object (several may sit side by side, unlike expressions): the SPDX id when
    the expression is one licence, else the expression as its name."""
    if not text:
        return None
    single = " " not in text.strip() and "(" not in text
    return (DisjunctiveLicense(id=text.strip(), acknowledgement=kind) if single
            else DisjunctiveLicense(name=text, acknowledgement=kind))


def _bsi_properties(deployable: bsi.Deployable, executable: bool) -> list[Property]:
    found = [Property(name="bsi:component:executable",
                      value="executable" if executable else "non-executable"),
             Property(name="bsi:component:archive", value="no archive"),
             Property(name="bsi:component:structured", value="unstructured")]
    if deployable.name:
        found.insert(0, Property(name="bsi:component:filename", value=deployable.name))
    else:
        found.append(_unknown("filename", deployable.unknown))
    if not deployable.sha512:
        found.append(_unknown("sha512", deployable.unknown or "image file not hashed"))
    found.append(_unknown("deployable-uri", "where the image is published is not known from "
                                            "the build"))
    return found


def _distribution(deployable: bsi.Deployable) -> list[ExternalReference]:
    """The deployable file (the image), with its SHA-512, as a distribution reference."""
    if not deployable.sha512 or not deployable.name:
        return []
    return [ExternalReference(type=ExternalReferenceType.DISTRIBUTION,
                              url=XsUri(f"urn:zsec:image:{deployable.name}"),
                              comment=f"the image file {deployable.path} the component is "
                                      "deployed in",
                              hashes=[HashType(alg=HashAlgorithm.SHA_512,
                                               content=deployable.sha512)])]


def _purl(text: str) -> PackageURL | None:
    try:
        return PackageURL.from_string(text)
    except ValueError:
        return None


def _metadata(info: DocumentInfo, subject: Component) -> BomMetaData:
    tool = Component(type=ComponentType.APPLICATION, name="zsec-west", version=__version__,
                     bom_ref="tool-zsec-west")
    return BomMetaData(tools=ToolRepository(components=[tool]), component=subject,
                       timestamp=info.created.replace(tzinfo=datetime.timezone.utc),
                       manufacturer=_entity(info.author, info.author_contact),
                       properties=[Property(name="zsec:creator-comment",
                                            value=info.creator_comment)]
                       + ([Property(name="zsec:comment", value=info.comment)]
                          if info.comment else [])
                       + ([] if bsi.contact_kind(info.author_contact) else [_unknown(
                           "sbom-creator", "no e-mail or URL of the SBOM's author given (pass "
                                           "--author-contact)")]))


def _image_component(ref: str, image: ImageInfo, contact: str | None = None) -> Component:
    main = image.files[0][1] if image.files else None
    deployable = bsi.deployable(image)
    hashes = _hashes(main) if main else []
    if deployable.sha512:
        hashes.append(HashType(alg=HashAlgorithm.SHA_512, content=deployable.sha512))
    properties = [Property(name="zsec:image-file", value=rel) for rel, _ in image.files]
    properties += _bsi_properties(deployable, True)
    properties += [_unknown("source-uri", "the image is built from the components it contains"),
                   _unknown("identifiers", "no CPE or package URL names this build's image"),
                   _unknown("distribution-licences", "NOASSERTION: the image's licence is the "
                                                     "sum of its components'"),
                   _unknown("original-licences", "the image has no licence of its own")]
    if not image.version:
        properties.append(_unknown("version", "the image's version is not known"))
    if not bsi.contact_kind(contact):
        properties.append(_unknown("creator", "no contact of the image's supplier given (pass "
                                              "--supplier-contact)"))
    return Component(type=ComponentType.FIRMWARE, name=image.name, version=image.version,
                     bom_ref=ref, supplier=_supplier(image.supplier),
                     manufacturer=_entity(image.supplier, contact),
                     hashes=hashes or None, properties=properties)


def _package_component(package: PackageData, domain: str, deployable: bsi.Deployable,
                       supplier_contact: str | None = None) -> Component:
    license_ = package.license()
    identifiers = package.identifiers
    purls = [p for p in (_purl(text) for text in identifiers.purls) if p is not None]
    properties = [Property(name="zsec:kind", value=package.kind)]
    if package.version.revision:
        properties.append(Property(name="zsec:revision", value=package.version.revision))
    properties += [Property(name="zsec:cpe", value=cpe) for cpe in identifiers.cpes[1:]]
    properties += [Property(name="zsec:purl", value=purl.to_string()) for purl in purls[1:]]
    properties += [Property(name="zsec:note", value=note) for note in package.notes]
    if package.missing:
        properties.append(Property(name="zsec:files-not-readable", value=str(len(package.missing))))
    fields = bsi.component_fields(package, supplier_contact)
    properties += _bsi_properties(deployable, fields.executable)
    properties += _package_unknowns(package, fields, license_ is not None)
    licences = [found for found in (
        _licence(license_.text if license_ else None, LicenseAcknowledgement.CONCLUDED),
        _licence(package.declared_license, LicenseAcknowledgement.DECLARED)) if found]
    references = [ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(package.homepage))
                  ] if package.homepage else []
    if package.download_location:
        references.append(ExternalReference(type=ExternalReferenceType.VCS,
                                            url=XsUri(package.download_location)))
    references += _distribution(deployable)
    return Component(
        type=_TYPES[package.kind], name=package.name, version=package.version.version,
        bom_ref=f"{domain}:{package.key}", supplier=_supplier(package.supplier),
        manufacturer=_entity(package.originator or package.supplier, fields.creator),
        licenses=licences or None,
        copyright="\n".join(package.copyrights()) or None,
        cpe=identifiers.cpes[0] if identifiers.cpes else None,
        purl=purls[0] if purls else None,
        external_references=references or None,
        properties=properties)


def file_components(package: PackageData, domain: str) -> list[dict[str, Any]]:
    """A package's files as nested `file` components, as plain JSON.

    The library keeps every component in sorted sets compared field by field, which costs
    seconds per thousand files; files all have this one shape, so they are written directly
    (sorted by name, as the library would) and the schema check covers their shape (_sample)."""
    found = []
    for name, facts in package.files:
        item: dict[str, Any] = {
            "bom-ref": f"{domain}:{package.key}:{name}", "type": "file", "name": name,
            "hashes": [{"alg": "SHA-1", "content": facts.sha1},
                       {"alg": "SHA-256", "content": facts.sha256}]}
        if facts.license:
            item["licenses"] = [{"expression": facts.license}]
        if facts.copyrights:
            item["copyright"] = "\n".join(facts.copyrights)
        found.append(item)
    return sorted(found, key=lambda item: item["name"])


def _package_unknowns(package: PackageData, fields: bsi.ComponentFields,
                      concluded: bool) -> list[Property]:
    found = []
    if not fields.creator:
        found.append(_unknown("creator", fields.creator_unknown))
    if not package.version.version:
        found.append(_unknown("version", f"the version of {package.name} is not known from the "
                                         "build"))
    if not package.download_location:
        found.append(_unknown("source-uri", f"no repository or revision of {package.name} is "
                                            "known"))
    if not package.identifiers.cpes and not package.identifiers.purls:
        found.append(_unknown("identifiers", f"no CPE or package URL of {package.name} is known"))
    if not concluded:
        found.append(_unknown("distribution-licences", "NOASSERTION: no licence could be "
                                                       "concluded from the files read"))
    if not package.declared_license:
        found.append(_unknown("original-licences", f"no licence declared for {package.name} is "
                                                   "known"))
    return found


def serial_for(namespace: str) -> uuid.UUID:
    """A stable serial number from the document namespace (one per generated document)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, namespace)


# jsonschema checks `uniqueItems` pairwise, which is quadratic in the number of file entries;
# every file entry has the same shape, so the schema check sees the first ones of each package.
_VALIDATED_FILES = 50


def _sample(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: (_sample(item[:_VALIDATED_FILES]) if key == "components"
                      and isinstance(item, list) and item and item[0].get("type") == "file"
                      else _sample(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_sample(item) for item in value]
    return value


def _render(bom: Bom, name: str, compositions: list[dict[str, Any]] | None = None,
            files: dict[str, list[dict[str, Any]]] | None = None) -> str:
    """The BOM as JSON, with the completeness of each dependency list (`compositions`, which
    the library does not model) and each package's files, checked against the CycloneDX 1.6
    schema."""
    data = json.loads(JsonV1Dot6(bom).output_as_string())
    if compositions:
        data["compositions"] = compositions
    for component in data.get("components", []):
        nested = (files or {}).get(component.get("bom-ref"))
        if nested:
            component["components"] = nested
    text = json.dumps(data, indent=2, ensure_ascii=False)
    sample = json.dumps(_sample(data))
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(sample)
    if error is not None:
        raise ToolError(f"CycloneDX BOM '{name}' failed schema validation: {error}",
                        hint="this is a bug in zsec-west; please report it")
    return text if text.endswith("\n") else text + "\n"


def domain_bom(plan: DomainPlan, info: DocumentInfo) -> str:
    """The CycloneDX 1.6 JSON text of one domain."""
    domain = plan.domain.name
    subject = _image_component(f"{domain}:image", plan.image, info.supplier_contact)
    bom = Bom(serial_number=serial_for(info.namespace), metadata=_metadata(info, subject))
    deployable = bsi.deployable(plan.image)
    components = [_package_component(package, domain, deployable, info.supplier_contact)
                  for package in plan.packages]
    for component in components:
        bom.components.add(component)
        bom.register_dependency(component, [])
    bom.register_dependency(subject, components)
    compositions = [{"aggregate": bsi.completeness(plan), "dependencies": [f"{domain}:image"]}]
    if components:
        # What each package itself depends on is not enumerated: say so.
        compositions.append({"aggregate": "unknown",
                             "dependencies": [f"{domain}:{p.key}" for p in plan.packages]})
    files = {f"{domain}:{p.key}": file_components(p, domain) for p in plan.packages}
    return _render(bom, info.name, compositions, files)


def system_bom(name: str, version: str | None, supplier: str | None,
               entries: Iterable[SystemEntry], info: DocumentInfo) -> str:
    """The CycloneDX system BOM: one firmware component per image, BOM-links to each domain."""
    subject = _image_component("system", ImageInfo(name, version, supplier),
                               info.supplier_contact)
    bom = Bom(serial_number=serial_for(info.namespace), metadata=_metadata(info, subject))
    images = []
    for entry in entries:
        component = _image_component(f"image:{entry.domain}", entry.image, info.supplier_contact)
        bom.register_dependency(component, [])
        component.external_references.add(ExternalReference(
            type=ExternalReferenceType.BOM, url=XsUri(f"urn:cdx:{entry.namespace}/1"),
            comment=f"{entry.file_name}",
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=entry.sha256)]))
        images.append(component)
        bom.components.add(component)
    bom.register_dependency(subject, images)
    compositions = [{"aggregate": "complete", "dependencies": ["system"]}]
    if images:
        compositions.append({"aggregate": "unknown",
                             "dependencies": [f"image:{e.domain}" for e in entries]})
    return _render(bom, info.name, compositions)


def domain_document(plan: DomainPlan, info: DocumentInfo, fmt: str) -> DomainDocument:
    """A domain's CycloneDX 1.6 JSON document, validated; packages are cited by bom-ref."""
    domain = plan.domain.name
    return DomainDocument(domain_bom(plan, info), {p.key: f"{domain}:{p.key}" for p in plan.packages},
                          str(serial_for(info.namespace)))


def system_document(system: SystemImage, entries: list[SystemEntry], info: DocumentInfo,
                    fmt: str) -> str:
    return system_bom(system.name, system.version, system.supplier, entries, info)
