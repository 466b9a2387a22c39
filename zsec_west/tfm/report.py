"""The sec-tfm report of a build: its findings and its typed facts (zsec_west.facts.tfm)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from zsec_west.builddir.model import APP, MCUBOOT, OTHER, SYSBUILD, TFM, Build, Domain
from zsec_west.errors import ZsecError
from zsec_west.facts.tfm import (
    TfmAdvisory,
    TfmBl2,
    TfmCapability,
    TfmDomain,
    TfmFacts,
    TfmKey,
    TfmLogging,
    TfmMismatch,
    TfmOutput,
    TfmPartition,
    TfmPublicKey,
    TfmSignedImage,
)
from zsec_west.findings import Finding, Report
from zsec_west.rules.profiles import DEFAULT_PROFILE
from zsec_west.tfm.analysis import TfmAnalysis, analyse
from zsec_west.tfm.boards import BoardScan, scan_boards
from zsec_west.tfm.capability import Capability, assess
from zsec_west.tfm.catalogue import tfm_findings
from zsec_west.tfm.facts import config_facts
from zsec_west.tfm.platforms import PlatformTable, display_platform, load_table
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


def _bl2(a: TfmAnalysis) -> TfmBl2:
    c = a.config
    enabled = a.effective_bool("BL2", c.bl2)
    if not enabled:
        return TfmBl2(enabled)
    counters = tuple((role, value) for role in ("S", "NS")
                     if (value := a.sub.value(f"MCUBOOT_SECURITY_COUNTER_{role}")))
    return TfmBl2(
        enabled=enabled,
        signature_type=a.sub.value("MCUBOOT_SIGNATURE_TYPE") or c.signature_type,
        image_number=a.sub.value("MCUBOOT_IMAGE_NUMBER") or (str(c.image_number) if c.image_number else None),
        security_counter=c.security_counter,
        security_counters=counters,
        versions=tuple((role, value) for role, value in (("S", c.version_s), ("NS", c.version_ns)) if value),
        upgrade_strategy=a.sub.value("MCUBOOT_UPGRADE_STRATEGY"),
        hw_rollback_protection=a.sub.value("MCUBOOT_HW_ROLLBACK_PROT"),
    )


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _outputs(a: TfmAnalysis) -> tuple[TfmOutput, ...]:
    return tuple(TfmOutput(
        role=out.role, path=_relative(out.path, a.app.build_dir), size=out.size,
        description=out.description, hex_ranges=tuple(out.hex_ranges), problem=out.problem,
        images=tuple(TfmSignedImage(
            offset=img.offset, version=img.version, security_counter=img.security_counter,
            sw_type=img.sw_type, load_addr=img.load_addr, image_size=img.image_size,
            key_source=img.key_source, key_type=img.key_type, key_sha256=img.key_sha256,
            dev_key=img.dev_key, hash_ok=img.hash_ok, signature_ok=img.signature_ok)
            for img in out.images))
        for out in a.images.images)


def domain_facts(a: TfmAnalysis) -> TfmDomain:
    """The typed facts of one TF-M domain, everything the reporters show."""
    c = a.config
    effective = a.sub.effective()
    platform = a.sub.value("TFM_PLATFORM") or c.platform
    level = a.sub.value("TFM_ISOLATION_LEVEL") or (str(c.isolation_level) if c.isolation_level else None)
    version = a.sub.version
    return TfmDomain(
        domain=a.domain.name, app_domain=a.app.name, board=a.app.board,
        platform=platform, platform_display=display_platform(platform),
        profile=c.profile, profile_choice=c.profile_choice, isolation_level=level,
        model=a.sub.value("CONFIG_TFM_SPM_BACKEND") or c.model,
        build_type=a.sub.value("CMAKE_BUILD_TYPE") or c.build_type,
        version=version.version, version_full=version.full, version_source=version.source,
        bl2=_bl2(a),
        dummy_provisioning=a.effective_bool("TFM_DUMMY_PROVISIONING", c.dummy_provisioning),
        keys=tuple(TfmKey(k.role, k.path, k.setting, k.method, k.dev_key, k.key_sha256, k.detail)
                   for k in a.keys),
        partitions=tuple(TfmPartition(p.key, p.service, p.symbol, p.enabled,
                                      None if effective.get(p.symbol) is None
                                      else effective[p.symbol].upper() in ("ON", "TRUE", "1"))
                         for p in c.partitions),
        logging=TfmLogging(c.log.silenced, c.log.bl2, c.log.spm, c.log.partition,
                           a.effective_bool("TFM_EXCEPTION_INFO_DUMP", c.exception_info_dump)),
        test_suites=tuple(c.test_suites),
        subbuild_state=a.sub.state, subbuild_cache=a.sub.cache is not None,
        subbuild_problem=a.sub.problem, effective=effective,
        mismatches=tuple(TfmMismatch(m.setting, m.zephyr, m.tfm) for m in a.mismatches),
        outputs=_outputs(a),
        public_keys=tuple(TfmPublicKey(k.role, _relative(k.path, a.app.build_dir), k.key_sha256,
                                       k.dev_key, k.problem) for k in a.images.public_keys),
        memory=a.memory,
        advisories=tuple(TfmAdvisory(v.advisory.id, v.advisory.cve, v.affected, v.in_range, v.reason)
                         for v in a.verdicts),
        configuration=config_facts(c),
        notes=tuple(a.notes),
    )


def capability_of(domain: Domain, cap: Capability, notes: list[str]) -> TfmCapability:
    return TfmCapability(
        domain=domain.name, board=domain.board, cpu=cap.cpu, architecture=cap.architecture,
        secure_capable=cap.secure_capable, evidence=tuple(cap.evidence), current_role=cap.current_role,
        board_target=cap.board_target, ns_targets=tuple(cap.ns_targets), ns_source=cap.ns_source,
        tfm_platform=cap.tfm_platform, tfm_platform_display=display_platform(cap.tfm_platform),
        summary=cap.summary, notes=tuple(notes))


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
    notes: list[str] = list(build.notes)
    entries: list[TfmDomain | TfmCapability] = []
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
            entries.append(domain_facts(analysis))
        else:
            capability, capability_notes = _capability(domain, workspace)
            notes += [f"{domain.name}: {note}" for note in capability_notes]
            entries.append(capability_of(domain, capability, capability_notes))
    facts = TfmFacts(any(e.in_use for e in entries), tuple(entries))
    return Report("tfm", tuple(findings), {"build_dir": str(build.top)}, tuple(domains),
                  tuple(notes), facts)
