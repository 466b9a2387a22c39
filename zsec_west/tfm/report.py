"""The sec-tfm report of a build: findings, facts for JSON, and text lines for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zsec_west.builddir.model import APP, MCUBOOT, OTHER, SYSBUILD, TFM, Build, Domain
from zsec_west.errors import ZsecError
from zsec_west.facts import TfmFacts
from zsec_west.findings import Finding, Report
from zsec_west.rules.profiles import DEFAULT_PROFILE
from zsec_west.tfm.analysis import TfmAnalysis, analyse
from zsec_west.tfm.boards import BoardScan, scan_boards
from zsec_west.tfm.capability import Capability, assess, capability_facts
from zsec_west.tfm.catalogue import tfm_findings
from zsec_west.tfm.facts import config_facts
from zsec_west.tfm.images import image_facts
from zsec_west.tfm.memory import memory_facts
from zsec_west.tfm.platforms import PlatformTable, load_table
from zsec_west.tfm.text import analysis_lines, capability_lines
from zsec_west.tfm.workspace import Workspace

WorkspaceSource = Callable[[], "Workspace | None"]


def _targets(build: Build, names: list[str] | None) -> list[Domain]:
    """TF-M domains to report, or (without any) the application images to assess."""
    tfm_children = {d.parent.name: d for d in build.images if d.kind == TFM and d.parent}
    if names:
        chosen: list[Domain] = []
        for domain in build.select(names):
            if domain.kind == TFM:
                chosen.append(domain)
            elif domain.name in tfm_children:
                chosen.append(tfm_children[domain.name])
            elif domain.kind != SYSBUILD:
                chosen.append(domain)
        return list(dict.fromkeys(chosen))
    found = [d for d in build.images if d.kind == TFM]
    if found:
        return found
    return [d for d in build.images if d.kind in (APP, OTHER)] or [build.default]


def analysis_facts(a: TfmAnalysis) -> dict[str, Any]:
    """Facts of one TF-M domain as plain data."""
    effective = a.sub.effective()
    partitions = []
    for p in a.config.partitions:
        tfm_value = effective.get(p.symbol)
        partitions.append({
            "key": p.key, "service": p.service, "symbol": f"CONFIG_{p.symbol}",
            "enabled": p.enabled,
            "enabled_in_tfm": None if tfm_value is None else tfm_value.upper() in ("ON", "TRUE", "1"),
        })
    version = a.sub.version
    return {
        "domain": a.domain.name,
        "app_domain": a.app.name,
        "in_use": True,
        "board": a.app.board,
        "platform": a.sub.value("TFM_PLATFORM") or a.config.platform,
        "profile": a.config.profile,
        "isolation_level": a.config.isolation_level,
        "version": version.version,
        "version_full": version.full,
        "version_source": version.source,
        "configuration": config_facts(a.config),
        "subbuild": {"state": a.sub.state, "problem": a.sub.problem, "effective": effective},
        "mismatches": [{"setting": m.setting, "zephyr": m.zephyr, "tfm": m.tfm}
                       for m in a.mismatches],
        "partitions": partitions,
        "signing_keys": [{"role": k.role, "path": k.path, "from": k.setting, "method": k.method,
                          "dev_key": k.dev_key, "key_sha256": k.key_sha256, "detail": k.detail}
                         for k in a.keys],
        "images": image_facts(a.images, a.app.build_dir),
        "memory": memory_facts(a.memory),
        "advisories": [{"id": v.advisory.id, "cve": v.advisory.cve,
                        "affected": v.affected, "in_range": v.in_range, "reason": v.reason}
                       for v in a.verdicts],
        "notes": list(a.notes),
    }


def _board_scan(workspace: Workspace | None) -> tuple[BoardScan | None, PlatformTable]:
    table = load_table(workspace.zephyr_base if workspace else None)
    if workspace is None:
        return None, table
    return scan_boards(workspace.roots, table), table


def _capability(domain: Domain, workspace: WorkspaceSource | None) -> tuple[Capability, list[str]]:
    notes: list[str] = []
    kconfig = domain.kconfig
    quick = assess(kconfig, domain.board, None, load_table(None))
    if not quick.secure_capable:
        return quick, notes
    tree = None
    if workspace is not None:
        try:
            tree = workspace()
        except ZsecError as exc:
            notes.append(f"board tree not scanned: {exc}")
    scan, table = _board_scan(tree)
    if scan is not None:
        notes += [f"{p.path}: {p.message}" for p in scan.problems if "board.yml" in p.path]
    return assess(kconfig, domain.board, scan, table), notes


def build_report(build: Build, names: list[str] | None = None,
                 workspace: WorkspaceSource | None = None, profile: str = DEFAULT_PROFILE) -> Report:
    """The report for `zsec tfm -d BUILD`: TF-M facts and findings, or whether TF-M could be used."""
    domains: list[str] = []
    findings: list[Finding] = []
    notes: list[str] = []
    preamble: list[str] = []
    entries: list[dict[str, Any]] = []
    for domain in _targets(build, names):
        if domain.kind == MCUBOOT:
            notes.append(f"{domain.name}: an MCUboot image, not a TF-M or application image")
            continue
        if domain.kind == TFM:
            analysis = analyse(build, domain)
            domains.append(domain.name)
            warnings: list[str] = []
            findings += tfm_findings(build, domain, analysis, warnings, profile)
            notes += [f"{domain.name}: {note}" for note in analysis.notes]
            notes += warnings
            entries.append(analysis_facts(analysis))
            preamble += analysis_lines(analysis)
        else:
            capability, capability_notes = _capability(domain, workspace)
            notes += [f"{domain.name}: {note}" for note in capability_notes]
            entries.append({"domain": domain.name, "app_domain": domain.name, "in_use": False,
                            "board": domain.board, "capability": capability_facts(capability)})
            preamble += capability_lines(domain, capability, capability_notes)
        preamble.append("")
    while preamble and preamble[-1] == "":
        preamble.pop()
    facts = TfmFacts(any(e["in_use"] for e in entries), tuple(entries), tuple(preamble))
    return Report("tfm", tuple(findings), {"build_dir": str(build.top)}, tuple(domains),
                  tuple(notes), facts)
