"""Shared checks for SBOM tests: parse back, validate, NTIA, look things up."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from ntia_conformance_checker.sbom_checker import SbomChecker
from spdx_tools.spdx.model import Document
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document


def parse_valid(path: Path) -> Document:
    """The written document parsed back by spdx-tools, and valid."""
    document = parse_file(str(path))
    messages = validate_full_spdx_document(document)
    assert messages == [], [m.validation_message for m in messages[:5]]
    return document


def ntia(path: Path) -> Any:
    logging.getLogger().setLevel(logging.ERROR)  # the checker logs floating elements at WARNING
    return SbomChecker(str(path), validate=True, compliance="ntia")


def assert_ntia(path: Path) -> None:
    checker = ntia(path)
    missing = {
        "names": checker.components_without_names,
        "versions": checker.components_without_versions,
        "suppliers": checker.components_without_suppliers,
        "identifiers": checker.components_without_identifiers,
    }
    assert checker.compliant, (path.name, missing, checker.doc_author, checker.doc_timestamp,
                               checker.dependency_relationships)
    assert not checker.floating_component_ids and not checker.has_unknown_pointers


def package(document: Document, name: str):
    """The package called `name`; the image package (SPDXRef-Image-...) when asked for with
    "image:<name>", since an application is often called like its image."""
    if name.startswith("image:"):
        found = [p for p in document.packages if p.spdx_id.startswith("SPDXRef-Image-")
                 and p.name == name[6:]]
    else:
        found = [p for p in document.packages if p.name == name
                 and not p.spdx_id.startswith("SPDXRef-Image-")]
    assert len(found) == 1, (name, [p.name for p in document.packages])
    return found[0]


def refs(pkg, kind: str) -> list[str]:
    return [r.locator for r in pkg.external_references if r.reference_type == kind]


def load_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
