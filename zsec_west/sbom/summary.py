"""The report of an SBOM run: what was written, package and file counts, gaps (and findings).

The documents themselves are the product; the report says where they are and what is in
them, for a person (text) or a pipeline (JSON, SARIF, JUnit, Markdown).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from zsec_west.findings import Report
from zsec_west.sbom.generate import SbomResult
from zsec_west.sbom.packages import GENERATED

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def _short(version: str | None) -> str:
    """A commit hash shortened for a table; releases as they are."""
    if not version:
        return "?"
    return version[:12] if _COMMIT.match(version) else version


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def sbom_facts(result: SbomResult) -> dict[str, Any]:
    """The machine-readable summary (Report.facts['sbom'])."""
    return {
        "format": result.fmt,
        "output_dir": str(result.output_dir),
        "files_hashed": result.files_hashed,
        "documents": [{"domain": d.domain, "path": str(d.path), "packages": d.packages,
                       "files": d.files, "files_not_readable": d.missing_files,
                       "sha256": d.sha256} for d in result.documents],
        "packages": [{"domain": c.domain, "name": c.name, "version": c.version,
                      "revision": c.revision, "supplier": c.supplier, "spdx_id": c.spdx_id,
                      "cpes": list(c.cpes), "purls": list(c.purls),
                      "compiled_files": len(c.compiled_files)} for c in result.components],
        "gaps": list(result.gaps),
    }


def text_lines(result: SbomResult) -> list[str]:
    """What the text report prints before any findings."""
    lines = [f"SBOM ({result.fmt}) in {_display(result.output_dir)}:"]
    width = max(len(d.path.name) for d in result.documents) if result.documents else 0
    for doc in result.documents:
        counts = f"{doc.packages} packages"
        if doc.domain != "system":
            counts += f", {doc.files} files"
            if doc.missing_files:
                counts += f" ({doc.missing_files} more not readable here)"
        lines.append(f"  {doc.path.name.ljust(width)}  {counts}")
    for plan in result.plans:
        domain = plan.domain.name
        lines.append("")
        image = plan.image
        main = f", {image.files[0][0]} sha256 {image.files[0][1].sha256[:16]}..." \
            if image.files else ""
        lines.append(f"{domain}: image {image.name} "
                     f"{_short(image.version) if image.version else '(version unknown)'}"
                     f"{main}")
        rows = []
        for package in plan.packages:
            if package.kind == GENERATED:
                continue
            ids = package.identifiers
            rows.append((package.name, _short(package.version.version), package.supplier or "?",
                         (ids.cpes or ids.purls or ("-",))[0]))
        if rows:
            widths = [max(len(row[i]) for row in rows) for i in range(3)]
            for row in rows:
                lines.append("  " + "  ".join(row[i].ljust(widths[i]) for i in range(3))
                             + f"  {row[3]}")
    return lines


def summary(result: SbomResult) -> str:
    documents = len(result.documents)
    packages = sum(d.packages for d in result.documents if d.domain != "system")
    files = sum(d.files for d in result.documents)
    missing = sum(d.missing_files for d in result.documents)
    text = (f"wrote {documents} document(s) to {_display(result.output_dir)}: "
            f"{packages} packages, {files} files")
    if missing:
        text += f", {missing} not readable here"
    if result.gaps:
        text += f"; {len(result.gaps)} gap(s)"
    return text


def build_report(result: SbomResult, build_dir: Path) -> Report:
    report = Report(command="sbom")
    report.inputs = {"build_dir": str(build_dir), "output_dir": str(result.output_dir),
                     "sbom_format": result.fmt}
    report.facts["sbom"] = sbom_facts(result)
    report.facts["text_preamble"] = text_lines(result)
    report.facts["summary"] = summary(result)
    report.notes = list(result.gaps)
    return report
