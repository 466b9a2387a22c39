"""The report of an SBOM run: what was written, package and file counts, gaps (and findings).

The documents themselves are the product; the report says where they are and what is in
them, for a person (text) or a pipeline (JSON, SARIF, JUnit, Markdown).
"""

from __future__ import annotations

from pathlib import Path

from zsec_west.facts import SbomDocument, SbomFacts, SbomImage, SbomPackage
from zsec_west.findings import Report
from zsec_west.sbom.generate import SbomResult
from zsec_west.sbom.packages import GENERATED


def _packages(result: SbomResult) -> tuple[SbomPackage, ...]:
    """Each component with the package it came from (the same order: see generate.py)."""
    packages: list[SbomPackage] = []
    for plan in result.plans:
        domain = plan.domain.name
        described = [p for p in plan.packages if p.kind != GENERATED]
        components = [c for c in result.components if c.domain == domain]
        for package, c in zip(described, components, strict=False):
            ids = package.identifiers
            packages.append(SbomPackage(
                c.domain, c.name, c.version, c.revision, c.supplier, c.spdx_id, c.cpes, c.purls,
                len(c.compiled_files), package.name, (*ids.cpes, *ids.purls)))
    return tuple(packages)


def sbom_facts(result: SbomResult) -> SbomFacts:
    """What the run wrote, as typed facts (Report.facts)."""
    images = tuple(SbomImage(plan.domain.name, plan.image.name, plan.image.version,
                             plan.image.files[0][0] if plan.image.files else None,
                             plan.image.files[0][1].sha256 if plan.image.files else None)
                   for plan in result.plans)
    return SbomFacts(
        format=result.fmt,
        output_dir=str(result.output_dir),
        files_hashed=result.files_hashed,
        documents=tuple(SbomDocument(d.domain, str(d.path), d.packages, d.files, d.missing_files,
                                     d.sha256) for d in result.documents),
        packages=_packages(result),
        images=images,
        gaps=tuple(result.gaps),
    )


def build_report(result: SbomResult, build_dir: Path) -> Report:
    inputs = {"build_dir": str(build_dir), "output_dir": str(result.output_dir),
              "sbom_format": result.fmt}
    return Report("sbom", inputs=inputs, notes=tuple(result.gaps), facts=sbom_facts(result))
