"""The TF-M facts of a report as text lines for people, printed before its findings."""

from __future__ import annotations

from collections.abc import Sequence

from zsec_west.facts.tfm import TfmCapability, TfmDomain, TfmFacts

_LABEL = 18  # width of the label column


def size_text(size: int) -> str:
    """A size as people read it: 512 KiB, 1.5 KiB, 100 B."""
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} B"


Row = tuple[str, str]  # (label, value); a continuation row has an empty label


def _row(label: str, value: str) -> Row:
    return (label, value)


def _rows(label: str, values: list[str]) -> list[Row]:
    if not values:
        return []
    return [_row(label, values[0])] + [_row("", v) for v in values[1:]]


def _block(head: str, rows: list[Row], notes: Sequence[str]) -> list[str]:
    """A domain's facts as text: the head line, the rows in a label column, then the notes."""
    return [head] + [f"  {label.ljust(_LABEL)}{value}" for label, value in rows] + [f"  note: {note}" for note in notes]


def _yes(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    return "?" if value is None else yes if value else no


def _version(d: TfmDomain) -> str:
    if not d.version:
        return "unknown (see notes)"
    full = f", {d.version_full}" if d.version_full and d.version_full.lstrip("v") != d.version else ""
    return f"{d.version}{full} (from {d.version_source})"


def _bl2(d: TfmDomain) -> list[Row]:
    bl2 = d.bl2
    if not bl2.enabled:
        return [_row("BL2", _yes(bl2.enabled) + ("" if bl2.enabled is None else " (images not verified by TF-M)"))]
    images = bl2.image_number or "?"
    layout = {"1": "1 image (secure + non-secure combined)",
              "2": "2 images (secure and non-secure)"}.get(images, f"{images} images")
    parts = [f"yes, {bl2.signature_type or '?'} signatures, {layout}"]
    details = []
    if bl2.security_counter is not None:
        details.append(f"security counter {bl2.security_counter}")
    elif bl2.security_counters:
        details.append("security counter " + ", ".join(f"{r} {v}" for r, v in bl2.security_counters))
    if bl2.versions:
        details.append("versions " + ", ".join(f"{r} {v}" for r, v in bl2.versions))
    if bl2.upgrade_strategy:
        details.append(f"upgrade {bl2.upgrade_strategy}")
    if bl2.hw_rollback_protection:
        details.append(f"HW rollback protection {bl2.hw_rollback_protection}")
    if details:
        parts.append(", ".join(details))
    return _rows("BL2", parts)


def _keys(d: TfmDomain) -> list[Row]:
    lines = []
    for key in d.keys:
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


def _partitions(d: TfmDomain) -> list[Row]:
    on = [p.service for p in d.partitions if p.built]
    off = [p.service for p in d.partitions if not p.built]
    lines = [", ".join(on) if on else "none"]
    if off:
        lines.append("not built: " + ", ".join(off))
    return _rows("PSA services", lines)


def _logging(d: TfmDomain) -> str:
    log = d.logging
    if log.silenced:
        return "silenced"
    parts = [f"{name} {value}" for name, value in (("BL2", log.bl2), ("SPM", log.spm),
                                                    ("partitions", log.partition)) if value]
    if log.exception_info_dump is not None:
        parts.append("exception info dump " + ("on" if log.exception_info_dump else "off"))
    return ", ".join(parts) or "?"


def _subbuild(d: TfmDomain) -> list[Row]:
    state = {"built": "built", "configured": "configured, not built", "missing": "missing",
             "unreadable": "unreadable"}.get(d.subbuild_state, d.subbuild_state)
    if not d.subbuild_cache:
        return [_row("sub-build", f"{state} (tfm/CMakeCache.txt)")]
    if not d.mismatches:
        return [_row("sub-build", f"{state}; its CMake cache matches the .config")]
    lines = [f"{state}; differs from the .config:"]
    lines += [f"  {m.setting}: .config {m.zephyr}, TF-M {m.tfm}" for m in d.mismatches]
    return _rows("sub-build", lines)


def _images(d: TfmDomain) -> list[Row]:
    if not d.outputs:
        return [_row("images", "none found in the build directory")]
    lines = []
    for out in d.outputs:
        head = f"{out.role}  {size_text(out.size)}"
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


def _memory(d: TfmDomain) -> list[Row]:
    if d.memory is None:
        return [_row("memory", "unknown (no devicetree)")]
    lines = [f"{r.world:<11}0x{r.address:08x}-0x{r.end - 1:08x} {size_text(r.size):>10}  {r.purpose} [{r.name}]"
             for r in d.memory.regions]
    lines += [f"{a.world:<11}image area +0x{a.offset:x}-0x{a.end - 1:x} {size_text(a.size):>10}  "
              f"{a.purpose} [TF-M signing layout]" for a in d.memory.image_areas]
    if d.memory.note:
        lines.append(f"({d.memory.note})")
    return _rows("memory", lines)


def _advisories(d: TfmDomain) -> list[Row]:
    lines = []
    clear = []
    for adv in d.advisories:
        if adv.affected is True:
            lines.append(f"{adv.id} AFFECTED: {adv.reason}")
        elif adv.affected is None:
            lines.append(f"{adv.id} {'possibly affected' if adv.in_range else 'unknown'}: {adv.reason}")
        elif adv.in_range:
            lines.append(f"{adv.id} not applicable: {adv.reason}")
        else:
            clear.append(adv.id)
    if clear:
        lines.append(f"{', '.join(clear)}: not affected (v{d.version} is outside their ranges)")
    return _rows("advisories", lines)


def domain_rows(d: TfmDomain) -> list[Row]:
    """The TF-M facts of one domain as (label, value) rows."""
    rows = [_row("platform", d.platform_display or "?"), _row("version", _version(d))]
    profile = d.profile or ("not set (base configuration)" if d.profile_choice in (None, "NOT_SET") else "?")
    rows.append(_row("profile", profile))
    rows.append(_row("isolation", f"level {d.isolation_level or '?'}, {d.model or '?'} model"))
    rows.append(_row("build type", d.build_type or "?"))
    rows += _bl2(d)
    rows.append(_row("provisioning", _yes(d.dummy_provisioning, "DUMMY keys (TFM_DUMMY_PROVISIONING)",
                                          "device-specific (no dummy provisioning)")))
    rows += _keys(d)
    rows += _partitions(d)
    rows.append(_row("logging", _logging(d)))
    if d.test_suites:
        rows += _rows("test suites", list(d.test_suites))
    rows += _subbuild(d)
    rows += _images(d)
    rows += _memory(d)
    rows += _advisories(d)
    return rows


def domain_lines(d: TfmDomain) -> list[str]:
    """The TF-M facts of one domain, as the text report prints them."""
    return _block(f"TF-M: in use by {d.app_domain} (board {d.board or '?'}; domain {d.domain})",
                  domain_rows(d), d.notes)


def capability_rows(c: TfmCapability) -> list[Row]:
    core = c.cpu or "unknown core"
    if c.architecture:
        core += f" ({c.architecture})"
    rows = [_row("core", core),
            _row("TrustZone-M", "yes (" + ", ".join(c.evidence) + ")" if c.secure_capable else "no"),
            _row("built as", c.current_role)]
    if c.ns_targets:
        rows += _rows("build instead", list(c.ns_targets))
        if c.ns_source:
            rows.append(_row("", f"(from {c.ns_source})"))
    if c.secure_capable:
        rows.append(_row("TF-M platform", c.tfm_platform_display
                         or "none known for this board (Kconfig.tfm has no TFM_BOARD default)"))
    rows.append(_row("verdict", c.summary))
    return rows


def capability_lines(c: TfmCapability) -> list[str]:
    """What the report says about an image built without TF-M."""
    return _block(f"TF-M: not in use by {c.domain} (board {c.board or '?'})", capability_rows(c), c.notes)


def tfm_lines(facts: TfmFacts) -> list[str]:
    """Every domain's TF-M facts, a blank line between domains."""
    lines: list[str] = []
    for entry in facts.domains:
        if lines:
            lines.append("")
        lines += domain_lines(entry) if isinstance(entry, TfmDomain) else capability_lines(entry)
    return lines
