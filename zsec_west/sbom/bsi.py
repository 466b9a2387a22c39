"""The BSI TR-03183-2 v2.1 fields of a domain's SBOM, worked out once for every format.

The guideline asks, per SBOM, for its creator (e-mail or URL), a timestamp and a URI; per
component for its creator (e-mail or URL), name, version, file name, dependencies with their
completeness, distribution and original licences, the SHA-512 of the deployable file,
executable/archive/structured properties, source code and deployable URIs, and other unique
identifiers. A component of a firmware image is deployed inside that image, so the image file
is every component's deployable file. What the build cannot tell is stated, with the reason,
as an "unknown" note the conformance check reads back (UNKNOWN_PREFIX).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zsec_west.sbom.conformance.model import UNKNOWN_PREFIX
from zsec_west.sbom.packages import TOOLCHAIN, PackageData
from zsec_west.sbom.planner import DomainPlan, ImageInfo

# A machine-readable statement that a field cannot be known from the build:
# "bsi-unknown:<field>: <reason>" (SPDX 3 annotation statement, CycloneDX property value), with
# the prefix the conformance check reads back.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def contact_kind(value: str | None) -> str | None:
    """'email' or 'url' for a usable creator contact, else None."""
    if not value:
        return None
    text = value.strip()
    if text.startswith("mailto:"):
        text = text[7:]
    if _EMAIL.match(text):
        return "email"
    if text.startswith(("https://", "http://")):
        return "url"
    return None


def unknown(field: str, reason: str) -> str:
    return f"{UNKNOWN_PREFIX}{field}: {reason}"


@dataclass(frozen=True)
class Deployable:
    """The file a domain's components are delivered in: its image."""

    name: str | None  # file name only ("zephyr.signed.bin"), as the guideline wants
    path: str | None  # where the build makes it ("zephyr/zephyr.signed.bin")
    sha512: str | None
    sha256: str | None
    sha1: str | None
    unknown: str = ""  # why the hash (or the file) is not known


def deployable(image: ImageInfo) -> Deployable:
    if image.files:
        rel, facts = image.files[0]
        return Deployable(rel.rsplit("/", 1)[-1], rel, image.sha512.get(rel) or None,
                          facts.sha256, facts.sha1)
    path = image.expected
    name = path.rsplit("/", 1)[-1] if path else None
    why = (f"the image file {path} is not in this build directory (binaries not copied?), "
           "so its SHA-512 cannot be computed") if path else "the build makes no image file"
    return Deployable(name, path, None, None, None, why)


@dataclass(frozen=True)
class ComponentFields:
    """The per-component fields that need a decision beyond the package facts."""

    creator: str | None  # e-mail or URL of the component's creator
    creator_unknown: str
    executable: bool
    completeness: str  # of the image's list of components: complete / incomplete


def creator_of(package: PackageData, supplier_contact: str | None) -> str | None:
    """The creator's contact: the upstream homepage for known components; for the
    application and the build's own files, the contact given for the supplier."""
    if package.kind in ("app", "generated"):
        return supplier_contact if contact_kind(supplier_contact) else None
    return package.homepage if contact_kind(package.homepage) else None


def component_fields(package: PackageData, supplier_contact: str | None) -> ComponentFields:
    creator = creator_of(package, supplier_contact)
    why = "" if creator else (
        "no contact of the supplier given (pass --supplier-contact with an e-mail or URL)"
        if package.kind in ("app", "generated") else
        f"no homepage or contact of the makers of {package.name} is known")
    return ComponentFields(creator, why, package.kind != TOOLCHAIN, "")


def completeness(plan: DomainPlan) -> str:
    """Whether the image's list of components is complete: every file the build recorded
    belongs to a listed package, and the compiled sources were known."""
    if plan.unattributed or not any(p.compiled for p in plan.packages):
        return "incomplete"
    return "complete"
