"""Does an SBOM file meet BSI TR-03183-2 v2.1? Each field the guideline asks for becomes a
finding of the shared findings model, per document: FAIL naming the components that lack it,
WAIVED where the document itself states the value cannot be known (with its reason), PASS
otherwise. Works on any CycloneDX 1.6 or SPDX 3.0.1 JSON file, ours or another tool's; an SPDX
2.x document fails the format requirement and the fields SPDX 2 cannot carry.
"""

from __future__ import annotations

import json
from pathlib import Path

from zsec_west.errors import DataFileError
from zsec_west.findings import Finding, Report
from zsec_west.sbom.conformance import cyclonedx, spdx2, spdx3
from zsec_west.sbom.conformance.model import PROFILE, findings, load

__all__ = ["PROFILE", "check_files"]


def check_document(path: Path) -> list[Finding]:
    """Findings for one SBOM file; DataFileError when it is no SBOM this knows."""
    data = load(path)
    if isinstance(data, dict) and data.get("bomFormat") == "CycloneDX":
        outcome = cyclonedx.check(data)
    elif isinstance(data, dict) and "spdx.org/rdf/3" in json.dumps(data.get("@context", "")):
        outcome = spdx3.check(data)
    elif isinstance(data, dict) and str(data.get("spdxVersion", "")).startswith("SPDX-2"):
        outcome = spdx2.check(data)
    else:
        raise DataFileError("not a CycloneDX or SPDX JSON document", path=path,
                            hint="BSI TR-03183-2 accepts CycloneDX 1.6+ or SPDX 3.0.1+")
    return findings(outcome, path.name)


def check_files(paths: list[Path]) -> Report:
    """The conformance report of every file (each file is a 'domain' of the report)."""
    findings = []
    for path in paths:
        findings.extend(check_document(path))
    return Report("sbom", findings=tuple(findings), domains=tuple(p.name for p in paths),
                  inputs={"conformance": PROFILE, "files": [str(p) for p in paths]})
