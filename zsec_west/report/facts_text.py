"""A command's facts for people: the lines before the findings, and the lead of the summary line.

Text and Markdown render the same facts from here, so the formats cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from zsec_west.facts import CheckFacts, SbomFacts, TfmFacts
from zsec_west.facts.tfm import TfmDomain
from zsec_west.report.mdcell import cell
from zsec_west.report.tfm_text import capability_rows, domain_rows, tfm_lines

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def display_path(path: str) -> str:
    """`path` relative to the current directory when it is below it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return path


def short_version(version: str | None) -> str:
    """A commit hash shortened for a table; releases as they are."""
    if not version:
        return "?"
    return version[:12] if _COMMIT.match(version) else version


def _check_lines(facts: CheckFacts, detail: int) -> list[str]:
    chain = " + ".join(reversed(facts.profile_chain))
    lines = [f"Security check of {display_path(facts.build_dir)}, profile {facts.profile} ({chain})"]
    if detail > 0:
        lines.append("rules: " + "; ".join(facts.rule_sources))
    return lines


def _sbom_documents(facts: SbomFacts) -> list[str]:
    lines = [f"SBOM ({facts.format}) in {display_path(facts.output_dir)}:"]
    width = max((len(Path(d.path).name) for d in facts.documents), default=0)
    for doc in facts.documents:
        counts = f"{doc.packages} packages"
        if doc.domain != "system":
            counts += f", {doc.files} files"
            if doc.files_not_readable:
                counts += f" ({doc.files_not_readable} more not readable here)"
        lines.append(f"  {Path(doc.path).name.ljust(width)}  {counts}")
    return lines


def _sbom_domain(facts: SbomFacts, domain: str) -> list[str]:
    lines: list[str] = []
    image = next((i for i in facts.images if i.domain == domain), None)
    if image is not None:
        main = f", {image.file} sha256 {image.sha256[:16]}..." if image.file and image.sha256 else ""
        version = short_version(image.version) if image.version else "(version unknown)"
        lines.append(f"{domain}: image {image.name} {version}{main}")
    rows = [(p.document_name or p.name, short_version(p.version), p.supplier or "?",
             (p.identifiers or ("-",))[0]) for p in facts.packages if p.domain == domain]
    if rows:
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines += ["  " + "  ".join(row[i].ljust(widths[i]) for i in range(3)) + f"  {row[3]}"
                  for row in rows]
    return lines


def _sbom_lines(facts: SbomFacts) -> list[str]:
    lines = _sbom_documents(facts)
    for domain in dict.fromkeys(i.domain for i in facts.images):
        lines.append("")
        lines += _sbom_domain(facts, domain)
    return lines


def preamble_lines(facts: Any, detail: int = 0) -> list[str]:
    """What the text report prints before the findings (nothing for a report without facts);
    `detail` > 0 (-v) adds what only a closer look needs."""
    if isinstance(facts, CheckFacts):
        return _check_lines(facts, detail)
    if isinstance(facts, SbomFacts):
        return _sbom_lines(facts)
    if isinstance(facts, TfmFacts):
        return tfm_lines(facts)
    return []


def summary_lead(facts: Any) -> str | None:
    """What a command did, leading its one-line summary (None: the counts say it all)."""
    if isinstance(facts, SbomFacts):
        described = [d for d in facts.documents if d.domain != "system"]
        text = (f"wrote {len(facts.documents)} document(s) to {display_path(facts.output_dir)}: "
                f"{sum(d.packages for d in described)} packages, "
                f"{sum(d.files for d in facts.documents)} files")
        missing = sum(d.files_not_readable for d in facts.documents)
        if missing:
            text += f", {missing} not readable here"
        if facts.gaps:
            text += f"; {len(facts.gaps)} gap(s)"
        return text
    if isinstance(facts, TfmFacts) and not facts.in_use:
        return "TF-M is not in use by this build"
    return None


def json_sections(facts: Any) -> dict[str, Any]:
    """The `facts` object of a JSON report: one section per kind of fact."""
    return facts.json_sections() if facts is not None else {}


def _tfm_markdown(facts: TfmFacts) -> list[str]:
    lines: list[str] = []
    for entry in facts.domains:
        if isinstance(entry, TfmDomain):
            lines += [f"**TF-M** in use by {cell(entry.app_domain)} (domain {cell(entry.domain)})", "",
                      "| | |", "| --- | --- |"]
            rows = domain_rows(entry)
        else:
            lines += [f"**TF-M** not in use by {cell(entry.domain)}", "", "| | |", "| --- | --- |"]
            rows = capability_rows(entry)
        lines += [f"| {cell(label)} | {cell(value)} |" for label, value in rows]
        lines.append("")
    return lines[:-1]


def markdown_lines(facts: Any) -> list[str]:
    """The facts for a pull-request comment: no paths of the machine that ran the command."""
    if isinstance(facts, CheckFacts):
        return [f"**Profile:** {facts.profile} ({' + '.join(reversed(facts.profile_chain))})"]
    if isinstance(facts, TfmFacts):
        return _tfm_markdown(facts)
    if isinstance(facts, SbomFacts):
        lines = [f"**SBOM:** {facts.format}, {len(facts.documents)} document(s)", ""]
        for doc in facts.documents:
            files = "" if doc.domain == "system" else f", {doc.files} files"
            lines.append(f"- `{Path(doc.path).name}`: {doc.packages} packages{files}")
        return lines
    return []
