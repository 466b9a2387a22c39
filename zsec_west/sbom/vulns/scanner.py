"""The vulnerability scan: index the data, match every component, decide applicability from the
build, apply VEX, and turn the result into findings (and an OpenVEX document)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from zsec_west.files.writing import Output, atomic_write
from zsec_west.sbom.component import Component
from zsec_west.sbom.vulns import curated, sources, vex
from zsec_west.sbom.vulns.applicability import (
    DomainFacts,
    Verdict,
    assess,
    domain_facts,
    tfm_advisory_verdict,
)
from zsec_west.sbom.vulns.findings import Locator, Outcome, finding_for, incomplete_finding
from zsec_west.sbom.vulns.index import open_index
from zsec_west.sbom.vulns.matching import FIXED, UNKNOWN, Identity, Match, find, identity
from zsec_west.sbom.vulns.model import PurlKey
from zsec_west.sbom.vulns.options import VulnOptions, VulnScan

if TYPE_CHECKING:
    from zsec_west.builddir import Build

_SHOWN = 5  # ids listed per note before "and N more"


def run_scan(components: Sequence[Component], build: Build, options: VulnOptions,
             progress: Any = None) -> VulnScan:
    result = VulnScan()
    table = curated.shipped()
    files = sources.discover(tuple(options.data))
    statements = vex.load(options.vex_in) if options.vex_in else []
    index, built = open_index(options.db, files, table if options.use_curated else None, progress)
    result.index_path, result.index_built = index.path, built
    result.warnings.extend(index.warnings)
    result.stats.update(records=index.records, skipped_records=index.skipped, inputs=len(files),
                        index=str(index.path),
                        index_built=built, curated=options.use_curated)
    locate = Locator(options.manifest, build.zephyr_base, build.top)
    facts_cache: dict[str, DomainFacts] = {}
    match_cache: dict[Identity, list[Match]] = {}
    entries: dict[tuple[str, str], vex.Entry] = {}
    undecided: dict[tuple[str, str], list[str]] = {}
    bar_cm = progress("matching components", len(components)) if progress else nullcontext(None)
    with index, bar_cm as bar:
        for component in components:
            ident = identity(component, table)
            if ident.version_key is None:
                # Only a gap when the data knows the package at all.
                if index.knows(ident.cpes, ident.purls):
                    known = (f"the {ident.package.name} advisories" if ident.package is not None
                             else "its vulnerability records")
                    result.append(incomplete_finding(component.name, component.domain,
                                                     component.version, known,
                                                     locate(component.name)))
            else:
                if ident not in match_cache:
                    match_cache[ident] = find(index, ident, index.curated_ids)
                if component.domain not in facts_cache:
                    facts_cache[component.domain] = domain_facts(build, component.domain)
                _component(component, ident, match_cache[ident], facts_cache[component.domain],
                           statements, locate, result, entries, undecided)
            if options.use_curated and ident.package is not None:
                _embargoed(component, ident, ident.package, table, result)
            if bar is not None:
                bar.advance()
    for (name, domain), ids in sorted(undecided.items()):
        shown = ", ".join(ids[:_SHOWN]) + (f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else "")
        result.notes.append(f"{name} ({domain}): {len(ids)} record(s) give only ranges this version "
                            f"cannot be compared with (git commits, non-version bounds): {shown}")
    if options.vex_out:
        if options.vex_format == "csaf":
            from zsec_west.sbom.vulns import csaf

            document = csaf.text(list(entries.values()))
        else:
            document = vex.text(list(entries.values()))
        result.outputs.append(Output(options.vex_out, document))
        if options.write:
            atomic_write(options.vex_out, document)
    result.stats.update(findings=len(result))
    return result


def _component(component: Component, ident: Identity, matches: list[Match], facts: DomainFacts,
               statements: list[vex.VexStatement], locate: Locator, result: VulnScan,
               entries: dict[tuple[str, str], vex.Entry],
               undecided: dict[tuple[str, str], list[str]]) -> None:
    version = ident.version or ""
    package = ident.package
    product = vex.product_of(component.name, version, component.cpes, component.purls)
    # What our own --vex-out calls a component without identifiers: pkg:generic/<name>.
    purls = (*ident.purls, PurlKey("generic", "", component.name.lower()))
    for match in matches:
        aliases = tuple(dict.fromkeys(a for r in match.records for a in (r.id, *r.aliases)
                                      if a != match.canonical))
        entry = entries.setdefault((match.canonical, product["@id"]),
                                   vex.Entry(match.canonical, aliases, product))
        if match.status == UNKNOWN:
            undecided.setdefault((component.name, component.domain), []).append(match.canonical)
            entry.statuses[component.domain] = ("under_investigation", "",
                                                "affected range given as git commits or non-version bounds")
            continue
        if match.status == FIXED:
            entry.statuses[component.domain] = ("fixed", "", f"{version} is past the affected range")
            continue
        verdict = _verdict(match, component, facts, package)
        ids = {match.canonical, *aliases}
        waiver = vex.find_waiver(statements, ids, ident.cpes, purls, version)
        outcome = Outcome(
            canonical=match.canonical, records=match.records, component=component.name,
            version=version, domain=component.domain, ranges=match.ranges, fixed=match.fixed,
            built=verdict.built, reason=verdict.reason,
            conditions=match.curated.conditions if match.curated else "",
            waiver=waiver.waiver() if waiver else None)
        result.append(finding_for(outcome, locate(component.name)))
        if waiver is not None:
            entry.statuses[component.domain] = (waiver.status, waiver.justification,
                                                waiver.impact or waiver.waiver())
        elif verdict.built is False:
            entry.statuses[component.domain] = ("not_affected", verdict.justification,
                                                verdict.reason)
        else:
            entry.statuses[component.domain] = ("affected", "", verdict.reason)
            entry.action = (f"Upgrade {component.name} to {match.fixed} or later"
                            if match.fixed else "No fixed version is recorded; mitigate or "
                                                "disable the affected feature")


def _verdict(match: Match, component: Component, facts: DomainFacts,
             package: curated.Package | None) -> Verdict:
    if match.curated is not None and match.curated.package == "tf-m":
        judged = tfm_advisory_verdict(match.curated, component, facts)
        if judged is not None:
            return judged
    if match.curated is not None and (match.curated.kconfig or match.curated.paths
                                      or match.curated.macros):
        return assess(match.curated, component, facts, package)
    # No curated build data: infer from every record's words.
    text = "\n".join(dict.fromkeys(f"{r.summary}\n{r.description}" for r in match.records))
    merged = replace(match.records[0], description=text, kconfig=(), paths=())
    return assess(merged, component, facts, package)


def _embargoed(component: Component, ident: Identity, package: curated.Package,
               table: curated.Table, result: VulnScan) -> None:
    for advisory in table.advisories:
        if advisory.state == "embargoed" and advisory.package == package.name:
            note = (f"{advisory.id} ({advisory.package}) is under embargo; whether "
                    f"{component.name} {ident.version or ''} in {component.domain} is affected "
                    f"is not known yet ({advisory.source})")
            if note not in result.notes:
                result.notes.append(note)
