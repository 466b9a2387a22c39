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
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.license import LicenseExpression
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL

from zsec_west import __version__
from zsec_west.errors import ToolError
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
                       manufacturer=_supplier(info.author),
                       properties=[Property(name="zsec:creator-comment",
                                            value=info.creator_comment)]
                       + ([Property(name="zsec:comment", value=info.comment)]
                          if info.comment else []))


def _image_component(ref: str, image: ImageInfo) -> Component:
    main = image.files[0][1] if image.files else None
    return Component(type=ComponentType.FIRMWARE, name=image.name, version=image.version,
                     bom_ref=ref, supplier=_supplier(image.supplier),
                     hashes=_hashes(main) if main else None,
                     properties=[Property(name="zsec:image-file", value=rel)
                                 for rel, _ in image.files])


def _package_component(package: PackageData, domain: str) -> Component:
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
    files = [Component(type=ComponentType.FILE, name=name, bom_ref=f"{domain}:{package.key}:{name}",
                       hashes=_hashes(facts),
                       licenses=[LicenseExpression(facts.license)] if facts.license else None,
                       copyright="\n".join(facts.copyrights) or None)
             for name, facts in package.files]
    return Component(
        type=_TYPES[package.kind], name=package.name, version=package.version.version,
        bom_ref=f"{domain}:{package.key}", supplier=_supplier(package.supplier),
        licenses=[LicenseExpression(license_.text)] if license_ else None,
        copyright="\n".join(package.copyrights()) or None,
        cpe=identifiers.cpes[0] if identifiers.cpes else None,
        purl=purls[0] if purls else None,
        external_references=[ExternalReference(type=ExternalReferenceType.WEBSITE,
                                               url=XsUri(package.homepage))]
        if package.homepage else None,
        properties=properties, components=files)


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


def _render(bom: Bom, name: str) -> str:
    text = JsonV1Dot6(bom).output_as_string(indent=2)
    sample = json.dumps(_sample(json.loads(text)))
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(sample)
    if error is not None:
        raise ToolError(f"CycloneDX BOM '{name}' failed schema validation: {error}",
                        hint="this is a bug in zsec-west; please report it")
    return text if text.endswith("\n") else text + "\n"


def domain_bom(plan: DomainPlan, info: DocumentInfo) -> str:
    """The CycloneDX 1.6 JSON text of one domain."""
    domain = plan.domain.name
    subject = _image_component(f"{domain}:image", plan.image)
    bom = Bom(serial_number=serial_for(info.namespace), metadata=_metadata(info, subject))
    components = [_package_component(package, domain) for package in plan.packages]
    for component in components:
        bom.components.add(component)
    bom.register_dependency(subject, components)
    return _render(bom, info.name)


def system_bom(name: str, version: str | None, supplier: str | None,
               entries: Iterable[SystemEntry], info: DocumentInfo) -> str:
    """The CycloneDX system BOM: one firmware component per image, BOM-links to each domain."""
    subject = Component(type=ComponentType.FIRMWARE, name=name, version=version,
                        bom_ref="system", supplier=_supplier(supplier))
    bom = Bom(serial_number=serial_for(info.namespace), metadata=_metadata(info, subject))
    images = []
    for entry in entries:
        component = _image_component(f"image:{entry.domain}", entry.image)
        component.external_references.add(ExternalReference(
            type=ExternalReferenceType.BOM, url=XsUri(f"urn:cdx:{entry.namespace}/1"),
            comment=f"{entry.file_name}",
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=entry.sha256)]))
        images.append(component)
        bom.components.add(component)
    bom.register_dependency(subject, images)
    return _render(bom, info.name)


def domain_document(plan: DomainPlan, info: DocumentInfo, fmt: str) -> DomainDocument:
    """A domain's CycloneDX 1.6 JSON document, validated; packages are cited by bom-ref."""
    domain = plan.domain.name
    return DomainDocument(domain_bom(plan, info), {p.key: f"{domain}:{p.key}" for p in plan.packages},
                          str(serial_for(info.namespace)))


def system_document(system: SystemImage, entries: list[SystemEntry], info: DocumentInfo,
                    fmt: str) -> str:
    return system_bom(system.name, system.version, system.supplier, entries, info)
