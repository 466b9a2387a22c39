"""Matches -> findings of the one findings model, and where a user would fix them."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from zsec_west.errors import BuildDirError
from zsec_west.files.reading import is_file, read_input
from zsec_west.findings import Evidence, Finding, Location, Rule, Severity, Status
from zsec_west.sbom.vulns.model import SOURCE_CURATED, Vulnerability, is_cve

_LABELS = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM,
           "moderate": Severity.MEDIUM, "low": Severity.LOW}


def severity_of(score: float | None, label: str | None = None) -> Severity:
    """CVSS buckets: >=9 critical, >=7 high, >=4 medium, >0 low; a label when there is no score;
    medium when nothing is known (unknown is not the same as harmless)."""
    if score is not None:
        if score >= 9.0:
            return Severity.CRITICAL
        if score >= 7.0:
            return Severity.HIGH
        if score >= 4.0:
            return Severity.MEDIUM
        if score > 0:
            return Severity.LOW
        return Severity.INFO
    if label and label.lower() in _LABELS:
        return _LABELS[label.lower()]
    return Severity.MEDIUM


def _ordered(records: tuple[Vulnerability, ...]) -> list[Vulnerability]:
    """Curated first (its summary and fix are written for this use), then NVD, then OSV."""
    order = {SOURCE_CURATED: 0, "nvd": 1, "osv": 2}
    return sorted(records, key=lambda r: order.get(r.source, 3))


def rule_for(canonical: str, records: tuple[Vulnerability, ...], fix: str) -> Rule:
    ordered = _ordered(records)
    ids = [canonical] + [i for r in ordered for i in (r.id, *r.aliases)]
    ids = list(dict.fromkeys(i for i in ids if i))
    urls = list(dict.fromkeys(u for r in ordered for u in r.references if u.startswith("http")))
    score = next((r.score for r in ordered if r.score is not None), None)
    label = next((r.severity for r in ordered if r.severity), None)
    summary = next((r.summary for r in ordered if r.summary), canonical)
    description = next((r.description for r in ordered if r.description), "")
    ghsa = next((i for i in ids if i.startswith("GHSA-")), None)
    help_uri = (f"https://nvd.nist.gov/vuln/detail/{canonical}" if is_cve(canonical)
                else urls[0] if urls else None)
    if ghsa and not is_cve(canonical):
        help_uri = f"https://github.com/advisories/{ghsa}"
    return Rule(
        id=canonical, title=f"Not affected by {canonical}", problem=summary,
        severity=severity_of(score, label), category="vulnerability",
        rationale=description, fix=fix, references=tuple(ids + urls[:8]),
        source="+".join(dict.fromkeys(r.source for r in ordered)), help_uri=help_uri)


@dataclass(frozen=True)
class Outcome:
    """One match decided for one component in one domain."""

    canonical: str
    records: tuple[Vulnerability, ...]
    component: str
    version: str
    domain: str
    ranges: tuple[str, ...]
    fixed: str
    built: bool | None
    reason: str
    conditions: str = ""
    waiver: str | None = None


def finding_for(outcome: Outcome, location: Location | None) -> Finding:
    fix = (f"Upgrade {outcome.component} to {outcome.fixed} or later"
           + (f" (its revision in {location.path})" if location else "")
           if outcome.fixed else f"No fixed version of {outcome.component} is recorded; "
                                 "mitigate or disable the affected feature")
    rule = rule_for(outcome.canonical, outcome.records, fix)
    in_range = "; ".join(outcome.ranges) or "affected versions"
    subject = f"{outcome.component}@{outcome.version}"
    if outcome.waiver:
        status, message = Status.WAIVED, outcome.waiver
    elif outcome.built is False:
        status = Status.NOT_APPLICABLE
        message = (f"{subject} is in range ({in_range}) but the vulnerable code is not built: "
                   f"{outcome.reason}")
    else:
        status = Status.FAIL
        message = f"{subject} is affected ({in_range}): {rule.problem}"
        if outcome.conditions:
            message += f"; only when {outcome.conditions}"
        if outcome.reason:
            message += f" [{outcome.reason}]"
    expected = f">= {outcome.fixed}" if outcome.fixed else f"not in {in_range}"
    return Finding(rule=rule, domain=outcome.domain, status=status, message=message,
                   evidence=Evidence(actual=outcome.version, expected=expected),
                   location=location, subject=subject, waiver=outcome.waiver, detail=subject)


INCOMPLETE_RULE = Rule(
    id="ZSEC-VULN-INCOMPLETE",
    title="Every component known to the vulnerability data has a comparable version",
    problem="The vulnerability result is incomplete: a component has no comparable version",
    severity=Severity.MEDIUM, category="vulnerability",
    rationale="The vulnerability data knows this component, but without a version that can be "
              "compared with its affected ranges none of its vulnerabilities can be matched. "
              "No finding is not the same as not affected.",
    fix="Give the build a version for the component: build with CONFIG_BUILD_OUTPUT_META=y "
        "(zephyr.meta records module revisions and tags), keep the module's source tree "
        "readable (its version file is read), or pin a release tag in the west manifest.")


def incomplete_finding(component: str, domain: str, version: str | None, known: str,
                       location: Location | None) -> Finding:
    """The matching of one component could not run: its result is incomplete, not clean."""
    shown = version or "none recorded"
    return Finding(rule=INCOMPLETE_RULE, domain=domain, status=Status.FAIL,
                   message=f"{component} has no comparable version ({shown}): {known} could "
                           "not be matched against it, so this result is incomplete",
                   evidence=Evidence(actual=shown, expected="a release version"),
                   location=location, subject=component)


class Locator:
    """The file a user edits to change a component's version: the west manifest when the
    workspace is known, else the build's zephyr_modules.txt. Paths are shown relative to the
    current directory when they lie under it, so reports stay stable across machines."""

    def __init__(self, manifest: Path | None, zephyr_base: Path | None, build_top: Path):
        self.path: Path | None = None
        if manifest is not None and is_file(manifest):
            self.path = manifest
        elif zephyr_base is not None and is_file(zephyr_base / "west.yml"):
            self.path = zephyr_base / "west.yml"
        elif is_file(build_top / "zephyr_modules.txt"):
            self.path = build_top / "zephyr_modules.txt"
        self._lines: list[str] = []
        if self.path is not None:
            # Only for line numbers, but a file beyond every limit is refused, not read.
            data = read_input(self.path, "build", BuildDirError)
            self._lines = data.decode("utf-8", errors="replace").splitlines()
        self._cache: dict[str, Location | None] = {}

    def shown(self) -> str | None:
        if self.path is None:
            return None
        try:
            relative = os.path.relpath(self.path)
        except ValueError:  # another drive on Windows
            return str(self.path)
        return str(self.path) if relative.startswith("..") else relative

    def __call__(self, name: str) -> Location | None:
        if name not in self._cache:
            self._cache[name] = self._locate(name)
        return self._cache[name]

    def _locate(self, name: str) -> Location | None:
        shown = self.shown()
        if shown is None:
            return None
        patterns = (re.compile(rf"^\s*-?\s*name:\s*['\"]?{re.escape(name)}['\"]?\s*$"),
                    re.compile(rf'^"{re.escape(name)}":'))
        for number, line in enumerate(self._lines, start=1):
            if any(p.match(line) for p in patterns):
                return Location(shown, number)
        return Location(shown)
