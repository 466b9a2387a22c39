"""One self-contained HTML page per report: something to look at in a review or as a CI artifact.

The page holds everything it shows: styles and a small filtering script are inline, it loads no
font, image or script from anywhere, and its Content-Security-Policy forbids that too (only the
inline script with its own hash runs). Jinja2 renders the template in zsec_west/data/templates
with autoescaping on, so every string from the build is escaped; this module only turns the
report into plain values for it (the view).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2

import zsec_west
from zsec_west.facts import CheckFacts, SbomFacts
from zsec_west.facts.tfm import MemoryRegion, TfmDomain, TfmFacts
from zsec_west.files import shipped
from zsec_west.findings import Finding, Report, Severity, Status
from zsec_west.report.common import clean, display_path, evidence_phrase, one_line
from zsec_west.report.facts_text import preamble_lines
from zsec_west.report.grouping import Entry, entries, where
from zsec_west.report.tfm_text import capability_rows, domain_rows, size_text

TEMPLATE = "templates/report.html"
SCRIPT = "templates/report.js"
STYLE = "templates/report.css"
SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]
BAR_WIDTH = 1000  # SVG user units of a memory bar


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.from_string(shipped.read_text(TEMPLATE))


def script_hash(script: str) -> str:
    """The CSP source that lets exactly this inline script run."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


# -- the view: plain values for the template ------------------------------------------------------

def _finding_view(finding: Finding, report: Report) -> dict[str, str]:
    return {"domain": finding.domain, "message": clean(finding.message), "evidence": evidence_phrase(finding),
            "where": where(finding, report), "waiver": clean(finding.waiver or ""),
            "status": finding.status.value}


def _entry_view(entry: Entry, report: Report) -> dict[str, Any]:
    severity = "waived" if entry.status is Status.WAIVED else entry.severity.label
    return {
        "severity": entry.severity.label, "label": severity, "status": entry.status.value,
        "rule": entry.rule.id, "headline": entry.headline, "title": entry.rule.title,
        "domains": list(entry.domains), "rationale": clean(entry.rule.rationale),
        "results": [_finding_view(f, report) for f in entry.findings],
        "fixes": list(entry.fixes), "references": list(entry.rule.references),
        "help_uri": entry.rule.help_uri or "", "reasons": list(entry.reasons),
        "category": entry.rule.category,
    }


def _summary(report: Report) -> list[dict[str, Any]]:
    """Per domain: failed results by severity, then passed, not applicable and waived."""
    rows = []
    for domain in [*report.domain_order(), None]:
        chosen = [f for f in report.findings if domain is None or f.domain == domain]
        failed = {label: 0 for label in SEVERITIES}
        for finding in chosen:
            if finding.failed:
                failed[finding.severity.label] += 1
        counts = report.counts(domain)
        rows.append({"domain": domain or "total", "total": domain is None, "failed": failed,
                     "fail": counts[Status.FAIL], "pass": counts[Status.PASS],
                     "na": counts[Status.NOT_APPLICABLE], "waived": counts[Status.WAIVED]})
    return rows


def _cards(report: Report) -> list[dict[str, Any]]:
    """The problems (grouped) per severity, for the row of big numbers at the top."""
    problems = entries(report, Status.FAIL)
    return [{"severity": label, "count": sum(1 for e in problems if e.severity.label == label)}
            for label in SEVERITIES]


@dataclass(frozen=True)
class Segment:
    """One piece of a memory bar, in SVG user units."""

    x: float
    width: float
    region: MemoryRegion | None  # None: a gap between regions
    label: str


def memory_bar(regions: Sequence[MemoryRegion], width: int = BAR_WIDTH) -> list[Segment]:
    """Regions in address order, each as wide as its size (the same scale for all); a gap no
    larger than the regions is drawn to scale as well, a larger one as a short break."""
    ordered = sorted(regions, key=lambda r: r.address)
    total = sum(r.size for r in ordered) or 1
    pieces: list[tuple[int, MemoryRegion | None, str]] = []
    end = None
    for region in ordered:
        if end is not None and region.address > end:
            gap = region.address - end
            shown = gap if gap <= total else total // 50 or 1
            pieces.append((shown, None, f"gap of {size_text(gap)}"))
        pieces.append((region.size, region, region.name))
        end = max(end or 0, region.end)
    scale = width / sum(size for size, _, _ in pieces)
    segments, x = [], 0.0
    for size, piece, label in pieces:
        segments.append(Segment(round(x, 3), round(size * scale, 3), piece, label))
        x += size * scale
    return segments


# Facts the page shows in tables of their own rather than as text rows.
_OWN_TABLES = ("signing keys", "images", "memory", "advisories")


def _text_rows(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`rows` without the sections in _OWN_TABLES (their continuation rows have no label)."""
    result, skipping = [], False
    for label, value in rows:
        if label:
            skipping = label in _OWN_TABLES
        if not skipping:
            result.append((label, value))
    return result


def _tfm_view(facts: TfmFacts) -> list[dict[str, Any]]:
    views = []
    for entry in facts.domains:
        if not isinstance(entry, TfmDomain):
            continue
        bars = []
        if entry.memory is not None:
            for kind, title in (("flash", "Flash"), ("ram", "RAM")):
                regions = [r for r in entry.memory.regions if r.kind == kind]
                if regions:
                    bars.append({"kind": kind, "title": title, "segments": memory_bar(regions),
                                 "total": size_text(sum(r.size for r in regions))})
            # TF-M's signing layout: the secure and non-secure images in the area BL2 loads from.
            areas = [MemoryRegion(a.purpose, a.world, a.purpose, a.offset, a.size, "signing layout")
                     for a in entry.memory.image_areas]
            if areas:
                bars.append({"kind": "images", "title": "Images (TF-M signing layout)",
                             "segments": memory_bar(areas), "total": size_text(sum(r.size for r in areas))})
        rows = _text_rows(domain_rows(entry))
        views.append({"facts": entry, "rows": rows, "bars": bars, "memory": entry.memory})
    return views


def _vulns(report: Report) -> list[dict[str, Any]]:
    rows = []
    for finding in sorted((f for f in report.findings if f.rule.category == "vulnerability"),
                          key=lambda f: (f.status is not Status.FAIL, -int(f.severity), f.rule.id, f.domain)):
        applies = {Status.FAIL: "affected", Status.NOT_APPLICABLE: "not applicable",
                   Status.WAIVED: "waived", Status.PASS: "not affected"}[finding.status]
        rows.append({"id": finding.rule.id, "severity": finding.severity.label, "component": finding.subject,
                     "domain": finding.domain, "applies": applies, "status": finding.status.value,
                     "reason": one_line(finding.waiver if finding.status is Status.WAIVED else finding.message),
                     "fix": one_line(finding.fix), "summary": one_line(finding.rule.problem_text),
                     "help_uri": finding.rule.help_uri or ""})
    return rows


def view(report: Report) -> dict[str, Any]:
    """Everything the template shows, as plain values (strings unescaped: Jinja2 escapes them)."""
    facts = report.facts
    subject = display_path(str(report.inputs.get("build_dir") or ""))
    problems = [_entry_view(e, report) for e in entries(report, Status.FAIL) + entries(report, Status.WAIVED)]
    script = shipped.read_text(SCRIPT)
    return {
        "command": report.command, "subject": subject, "tool": zsec_west.TOOL_NAME,
        "version": zsec_west.__version__,
        "header": [clean(line) for line in preamble_lines(facts)] if isinstance(facts, CheckFacts) else [],
        "summary": _summary(report), "cards": _cards(report), "severities": SEVERITIES,
        "domains": report.domain_order(), "problems": problems,
        "not_applicable": [_entry_view(e, report) for e in entries(report, Status.NOT_APPLICABLE)],
        "passed": [_entry_view(e, report) for e in entries(report, Status.PASS)],
        "check": facts if isinstance(facts, CheckFacts) else None,
        "tfm": _tfm_view(facts) if isinstance(facts, TfmFacts) else [],
        "tfm_unused": [{"facts": d, "rows": capability_rows(d)} for d in facts.domains
                       if not isinstance(d, TfmDomain)] if isinstance(facts, TfmFacts) else [],
        "sbom": facts if isinstance(facts, SbomFacts) else None,
        "vulns": _vulns(report), "notes": [clean(n) for n in report.notes],
        "style": shipped.read_text(STYLE), "script": script, "script_hash": script_hash(script),
        "bar_width": BAR_WIDTH, "findings": bool(report.findings),
    }


def render(report: Report, *, colour: bool = False) -> str:
    """The report as one self-contained HTML page; `colour` is ignored."""
    return _template().render(**view(report))
