"""SPDX 2.3 (JSON or tag-value) as an SBOM format: the domain documents and the system document."""

from __future__ import annotations

from zsec_west.sbom.document import DocumentInfo, DomainDocument, SystemEntry, SystemImage
from zsec_west.sbom.planner import DomainPlan
from zsec_west.sbom.spdx_json import serialise
from zsec_west.sbom.spdx_writer import build_domain_document
from zsec_west.sbom.system import build_system_document


def domain_text(plan: DomainPlan, info: DocumentInfo, fmt: str, *, every_file: bool = False
                ) -> tuple[str, dict[str, str]]:
    """A domain's SPDX 2.3 text in `fmt`, validated, and the SPDX id of each package. JSON puts
    one file per shape through spdx-tools unless `every_file` (tag-value always does)."""
    document, ids, layout = build_domain_document(
        plan, info, every_file=every_file or fmt != "spdx-json")
    return serialise(document, fmt, layout), ids


def domain_document(plan: DomainPlan, info: DocumentInfo, fmt: str) -> DomainDocument:
    """A domain's SPDX 2.3 document in `fmt` (spdx-json or spdx-tv), validated."""
    text, ids = domain_text(plan, info, fmt)
    return DomainDocument(text, ids, info.namespace)


def system_document(system: SystemImage, entries: list[SystemEntry], info: DocumentInfo,
                    fmt: str) -> str:
    """The SPDX 2.3 system document over the written domain documents, validated."""
    document = build_system_document(system.name, system.version, system.supplier, entries, info,
                                     system.flash_order)
    return serialise(document, fmt)
