"""The fields of BSI TR-03183-2 v2.1 (sections 5.2.1 to 5.2.4), what a format reader reports
about each, and how that becomes findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zsec_west.findings import Evidence, Finding, Rule, Severity, Status
from zsec_west.sbom.jsonfile import read_json

PROFILE = "bsi-tr-03183-2"
UNKNOWN_PREFIX = "bsi-unknown:"  # a field stated as not known (our writers: sbom/bsi.py)
_SOURCE = "BSI TR-03183-2 v2.1.0"


@dataclass(frozen=True)
class Field:
    key: str
    section: str
    title: str
    required: bool  # 5.2.1/5.2.2 (SHALL); else 5.2.3/5.2.4 (SHALL where it exists)
    sbom_level: bool = False

    @property
    def problem(self) -> str:
        """What a document lacking the field fails at, as the report's headline."""
        return _PROBLEMS[self.key]


FIELDS = (
    Field("format", "4", "SBOM format: CycloneDX 1.6+ or SPDX 3.0.1+ (JSON or XML)", True, True),
    Field("sbom-creator", "5.2.1", "Creator of the SBOM (e-mail or URL)", True, True),
    Field("timestamp", "5.2.1", "Timestamp of the SBOM", True, True),
    Field("sbom-uri", "5.2.3", "SBOM-URI", False, True),
    Field("creator", "5.2.2", "Component creator (e-mail or URL)", True),
    Field("name", "5.2.2", "Component name", True),
    Field("version", "5.2.2", "Component version", True),
    Field("filename", "5.2.2", "Filename of the component", True),
    Field("dependencies", "5.2.2", "Dependencies, with the completeness of their enumeration", True),
    Field("distribution-licences", "5.2.2", "Distribution licences", True),
    Field("sha512", "5.2.2", "SHA-512 hash of the deployable component", True),
    Field("executable", "5.2.2", "Executable property", True),
    Field("archive", "5.2.2", "Archive property", True),
    Field("structured", "5.2.2", "Structured property", True),
    Field("source-uri", "5.2.4", "Source code URI", False),
    Field("deployable-uri", "5.2.4", "URI of the deployable form of the component", False),
    Field("identifiers", "5.2.4", "Other unique identifiers (CPE, PURL, SWID)", False),
    Field("original-licences", "5.2.4", "Original licences", False),
)
BY_KEY = {f.key: f for f in FIELDS}
_PROBLEMS = {
    "format": "The SBOM is not CycloneDX 1.6+ or SPDX 3.0.1+",
    "sbom-creator": "The SBOM does not name its creator (e-mail or URL)",
    "timestamp": "The SBOM has no creation time",
    "sbom-uri": "The SBOM has no URI",
    "creator": "Components do not name their creator (e-mail or URL)",
    "name": "Components have no name",
    "version": "Components have no version",
    "filename": "Components do not name their file",
    "dependencies": "Dependencies, or the completeness of their list, are not given",
    "distribution-licences": "Components have no distribution licence",
    "sha512": "Deployable components have no SHA-512 hash",
    "executable": "Components do not say whether they are executable",
    "archive": "Components do not say whether they are archives",
    "structured": "Components do not say whether they are structured",
    "source-uri": "Components have no source code URI",
    "deployable-uri": "Components have no URI of their deployable form",
    "identifiers": "Components have no other unique identifier (CPE, PURL, SWID)",
    "original-licences": "Components have no original licence",
}


@dataclass
class Outcome:
    """What one document says about each field: per component present / missing / unknown."""

    missing: dict[str, list[str]] = field(default_factory=dict)  # field -> components
    unknown: dict[str, list[str]] = field(default_factory=dict)  # field -> "component: why"
    checked: dict[str, int] = field(default_factory=dict)  # field -> components looked at
    notes: dict[str, str] = field(default_factory=dict)  # field -> a word on the whole document

    def judge(self, key: str, component: str, present: bool, unknown: str | None = None) -> None:
        self.checked[key] = self.checked.get(key, 0) + 1
        if present:
            return
        if unknown:
            self.unknown.setdefault(key, []).append(f"{component}: {unknown}")
        else:
            self.missing.setdefault(key, []).append(component)


def rule(spec: Field) -> Rule:
    return Rule(id=f"BSI-TR-03183-2:{spec.key}", title=spec.title, problem=spec.problem,
                severity=Severity.MEDIUM if spec.required else Severity.LOW,
                category="sbom-conformance",
                rationale=f"{_SOURCE} section {spec.section} "
                          + ("requires this field." if spec.required else
                             "requires this field where the information exists."),
                fix="Write the SBOM with `zsec sbom --sbom-format cyclonedx|spdx3-json` (with "
                    "--author-contact and --supplier-contact), or add the field with the tool "
                    "that wrote it.",
                references=(_SOURCE,), source=PROFILE)


def _shown(items: list[str], limit: int = 6) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def findings(outcome: Outcome, document: str) -> list[Finding]:
    result = []
    for spec in FIELDS:
        missing = outcome.missing.get(spec.key, [])
        unknown = outcome.unknown.get(spec.key, [])
        note = outcome.notes.get(spec.key)
        if missing:
            subject = "the SBOM" if spec.sbom_level else f"{len(missing)} component(s)"
            status, message = Status.FAIL, (
                f"{spec.title}: missing for {subject}" + ("" if spec.sbom_level else
                                                          f": {_shown(missing)}"))
            if note:
                message += f" ({note})"
        elif unknown:
            status = Status.WAIVED
            message = f"stated in the document as not known: {_shown(unknown, 3)}"
        elif spec.key in outcome.checked or spec.sbom_level:
            status, message = Status.PASS, f"{spec.title}: present" + (
                "" if spec.sbom_level else f" for all {outcome.checked.get(spec.key, 0)} "
                                           "component(s)")
        else:
            continue
        result.append(Finding(rule=rule(spec), domain=document, status=status, message=message,
                              evidence=Evidence(actual=f"{len(missing)} missing, "
                                                       f"{len(unknown)} stated unknown",
                                                expected="present"),
                              subject=spec.key,
                              waiver=message if status is Status.WAIVED else None))
    return result


def load(path: Path) -> Any:
    return read_json(path, "SBOM", hint="only JSON SBOMs are checked")
