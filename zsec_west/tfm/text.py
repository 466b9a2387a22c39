"""Text lines for people: the TF-M facts printed before the findings, and the boards table."""

from __future__ import annotations

from zsec_west.builddir.model import Domain
from zsec_west.tfm.analysis import TfmAnalysis
from zsec_west.tfm.boards import BoardScan
from zsec_west.tfm.capability import Capability
from zsec_west.tfm.platforms import display_platform

_LABEL = 18  # width of the label column


def _size(size: int) -> str:
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} B"


def _row(label: str, value: str) -> str:
    return f"  {label.ljust(_LABEL)}{value}"


def _rows(label: str, values: list[str]) -> list[str]:
    if not values:
        return []
    return [_row(label, values[0])] + [_row("", v) for v in values[1:]]


def _yes(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    return "?" if value is None else yes if value else no


def _version(a: TfmAnalysis) -> str:
    v = a.sub.version
    if not v.version:
        return "unknown (see notes)"
    full = f", {v.full}" if v.full and v.full.lstrip("v") != v.version else ""
    return f"{v.version}{full} (from {v.source})"


def _bl2(a: TfmAnalysis) -> list[str]:
    c = a.config
    bl2 = a.effective_bool("BL2", c.bl2)
    if not bl2:
        return [_row("BL2", _yes(bl2) + ("" if bl2 is None else " (images not verified by TF-M)"))]
    images = a.sub.value("MCUBOOT_IMAGE_NUMBER") or (str(c.image_number) if c.image_number else "?")
    layout = {"1": "1 image (secure + non-secure combined)",
              "2": "2 images (secure and non-secure)"}.get(images, f"{images} images")
    sig = a.sub.value("MCUBOOT_SIGNATURE_TYPE") or c.signature_type or "?"
    parts = [f"yes, {sig} signatures, {layout}"]
    details = []
    if c.security_counter is not None:
        details.append(f"security counter {c.security_counter}")
    else:
        counters = [f"{r} {a.sub.value(f'MCUBOOT_SECURITY_COUNTER_{r}')}" for r in ("S", "NS")
                    if a.sub.value(f"MCUBOOT_SECURITY_COUNTER_{r}")]
        if counters:
            details.append("security counter " + ", ".join(counters))
    versions = [f"{r} {v}" for r, v in (("S", c.version_s), ("NS", c.version_ns)) if v]
    if versions:
        details.append("versions " + ", ".join(versions))
    strategy = a.sub.value("MCUBOOT_UPGRADE_STRATEGY")
    if strategy:
        details.append(f"upgrade {strategy}")
    rollback = a.sub.value("MCUBOOT_HW_ROLLBACK_PROT")
    if rollback:
        details.append(f"HW rollback protection {rollback}")
    if details:
        parts.append(", ".join(details))
    return _rows("BL2", parts)


def _keys(a: TfmAnalysis) -> list[str]:
    lines = []
    for key in a.keys:
        if key.dev_key:
            how = {"content": "", "exported public key": ", by exported public key",
                   "file name": ", by file name"}.get(key.method, "")
            verdict = f"PUBLISHED DEVELOPMENT KEY{how}"
        elif key.method == "unknown":
            verdict = "not on this machine, not checked"
        else:
            verdict = "not a known development key"
        lines.append(f"{key.role:<3}{key.file_name}  {verdict}")
    return _rows("signing keys", lines)


def _partitions(a: TfmAnalysis) -> list[str]:
    effective = a.sub.effective()
    on: list[str] = []
    off: list[str] = []
    for p in a.config.partitions:
        tfm = effective.get(p.symbol)
        enabled = p.enabled if tfm is None else tfm.upper() in ("ON", "TRUE", "1")
        (on if enabled else off).append(p.service)
    lines = [", ".join(on) if on else "none"]
    if off:
        lines.append("not built: " + ", ".join(off))
    return _rows("PSA services", lines)


def _logging(a: TfmAnalysis) -> str:
    log = a.config.log
    if log.silenced:
        return "silenced"
    parts = [f"{name} {value}" for name, value in (("BL2", log.bl2), ("SPM", log.spm),
                                                    ("partitions", log.partition)) if value]
    dump = a.effective_bool("TFM_EXCEPTION_INFO_DUMP", a.config.exception_info_dump)
    if dump is not None:
        parts.append("exception info dump " + ("on" if dump else "off"))
    return ", ".join(parts) or "?"


def _subbuild(a: TfmAnalysis) -> list[str]:
    state = {"built": "built", "configured": "configured, not built", "missing": "missing",
             "unreadable": "unreadable"}[a.sub.state]
    if a.sub.cache is None:
        return [_row("sub-build", f"{state} (tfm/CMakeCache.txt)")]
    if not a.mismatches:
        return [_row("sub-build", f"{state}; its CMake cache matches the .config")]
    lines = [f"{state}; differs from the .config:"]
    lines += [f"  {m.setting}: .config {m.zephyr}, TF-M {m.tfm}" for m in a.mismatches]
    return _rows("sub-build", lines)


def _images(a: TfmAnalysis) -> list[str]:
    if not a.images.images:
        return [_row("images", "none found in the build directory")]
    lines = []
    for out in a.images.images:
        head = f"{out.role}  {_size(out.size)}"
        if out.description:
            head += f"  {out.description}"
        lines.append(head)
        if out.problem:
            lines.append(f"  {out.problem}")
        for img in out.images:
            where = f"at 0x{img.offset:x}: " if out.hex_ranges or len(out.images) > 1 else ""
            desc = f"{img.sw_type or 'image'} v{img.version}"
            if img.security_counter is not None:
                desc += f", security counter {img.security_counter}"
            if img.key_sha256:
                desc += f", {img.key_source} {img.key_sha256[:16]}…"
                if img.dev_key:
                    desc += f" = {img.dev_key} (DEVELOPMENT KEY)"
            if img.signature_ok is not None:
                desc += ", signature " + ("valid" if img.signature_ok else "INVALID")
            elif img.hash_ok is not None:
                desc += ", hash " + ("valid" if img.hash_ok else "INVALID")
            lines.append(f"  {where}{desc}")
    return _rows("images", lines)


def _memory(a: TfmAnalysis) -> list[str]:
    if a.memory is None:
        return [_row("memory", "unknown (no devicetree)")]
    lines = []
    for r in a.memory.regions:
        lines.append(f"{r.world:<11}0x{r.address:08x}-0x{r.end - 1:08x} {_size(r.size):>10}  "
                     f"{r.purpose} [{r.name}]")
    for area in a.memory.image_areas:
        lines.append(f"{area.world:<11}image area +0x{area.offset:x}-0x{area.end - 1:x} {_size(area.size):>10}  "
                     f"{area.purpose} [TF-M signing layout]")
    if a.memory.note:
        lines.append(f"({a.memory.note})")
    return _rows("memory", lines)


def _advisories(a: TfmAnalysis) -> list[str]:
    lines = []
    clear = []
    for verdict in a.verdicts:
        adv = verdict.advisory
        if verdict.affected is True:
            lines.append(f"{adv.id} AFFECTED: {verdict.reason}")
        elif verdict.affected is None:
            lines.append(f"{adv.id} {'possibly affected' if verdict.in_range else 'unknown'}: "
                         f"{verdict.reason}")
        elif verdict.in_range:
            lines.append(f"{adv.id} not applicable: {verdict.reason}")
        else:
            clear.append(adv.id)
    if clear:
        version = a.sub.version.version
        lines.append(f"{', '.join(clear)}: not affected (v{version} is outside their ranges)")
    return _rows("advisories", lines)


def analysis_lines(a: TfmAnalysis) -> list[str]:
    """The TF-M facts of one domain, as the text report prints them before the findings."""
    c = a.config
    platform = a.sub.value("TFM_PLATFORM") or c.platform
    lines = [f"TF-M: in use by {a.app.name} (board {a.app.board or '?'}; domain {a.domain.name})"]
    lines.append(_row("platform", display_platform(platform) or "?"))
    lines.append(_row("version", _version(a)))
    profile = c.profile or ("not set (base configuration)" if c.profile_choice in (None, "NOT_SET")
                            else "?")
    lines.append(_row("profile", profile))
    level = a.sub.value("TFM_ISOLATION_LEVEL") or (str(c.isolation_level) if c.isolation_level else "?")
    model = a.sub.value("CONFIG_TFM_SPM_BACKEND") or c.model or "?"
    lines.append(_row("isolation", f"level {level}, {model} model"))
    lines.append(_row("build type", a.sub.value("CMAKE_BUILD_TYPE") or c.build_type or "?"))
    lines += _bl2(a)
    dummy = a.effective_bool("TFM_DUMMY_PROVISIONING", c.dummy_provisioning)
    lines.append(_row("provisioning", _yes(dummy, "DUMMY keys (TFM_DUMMY_PROVISIONING)",
                                           "device-specific (no dummy provisioning)")))
    lines += _keys(a)
    lines += _partitions(a)
    lines.append(_row("logging", _logging(a)))
    if c.test_suites:
        lines += _rows("test suites", list(c.test_suites))
    lines += _subbuild(a)
    lines += _images(a)
    lines += _memory(a)
    lines += _advisories(a)
    lines += [f"  note: {note}" for note in a.notes]
    return lines


def capability_lines(domain: Domain, cap: Capability, notes: list[str]) -> list[str]:
    """What the report says about an image built without TF-M."""
    lines = [f"TF-M: not in use by {domain.name} (board {domain.board or '?'})"]
    core = cap.cpu or "unknown core"
    if cap.architecture:
        core += f" ({cap.architecture})"
    lines.append(_row("core", core))
    lines.append(_row("TrustZone-M", "yes (" + ", ".join(cap.evidence) + ")" if cap.secure_capable
                      else "no"))
    lines.append(_row("built as", cap.current_role))
    if cap.ns_targets:
        lines += _rows("build instead", list(cap.ns_targets))
        if cap.ns_source:
            lines.append(_row("", f"(from {cap.ns_source})"))
    if cap.secure_capable:
        lines.append(_row("TF-M platform", display_platform(cap.tfm_platform)
                          or "none known for this board (Kconfig.tfm has no TFM_BOARD default)"))
    lines.append(_row("verdict", cap.summary))
    lines += [f"  note: {note}" for note in notes]
    return lines


def board_lines(scan: BoardScan, zephyr_base: str | None) -> list[str]:
    """The `boards` listing."""
    lines = [f"Boards with a non-secure variant to run under TF-M, in {zephyr_base or '?'}"
             + (f" and {len(scan.roots) - 1} module board root(s)" if len(scan.roots) > 1 else "")]
    lines.append(f"TF-M platforms from {scan.platform_source}")
    lines.append("")
    if scan.boards:
        width = max(len(b.target) for b in scan.boards)
        origin_width = max(len(b.origin) for b in scan.boards)
        for board in scan.boards:
            platform = display_platform(board.tfm_platform) or "-"
            style = "" if board.style == "hwmv2" else "  (legacy board name)"
            lines.append(f"  {board.target.ljust(width)}  {board.origin.ljust(origin_width)}  "
                         f"{platform}{style}")
    else:
        lines.append("  none found")
    lines.append("")
    with_platform = sum(1 for b in scan.boards if b.tfm_platform)
    lines.append(f"{len(scan.boards)} non-secure target(s), {with_platform} with a known TF-M "
                 "platform")
    for problem in scan.problems:
        lines.append(f"problem: {problem.path}: {problem.message}")
    return lines
