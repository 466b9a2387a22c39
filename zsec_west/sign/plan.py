"""Signing parameters taken from a Zephyr build, as its CMake signing step (cmake/mcuboot.cmake) chose them.

For each image MCUboot loads (a domain with CONFIG_BOOTLOADER_MCUBOOT=y that is not MCUboot
itself): header size = CONFIG_ROM_START_OFFSET; slot size = the devicetree `slot1_partition`
size (`slot0_partition` for single-app and the firmware updater); alignment = `write-block-size`
of the chosen `zephyr,flash` (4, with a warning, when absent); overwrite-only -> `--overwrite-only
--align 1`; RAM load -> `--align 1 --load-addr <zephyr,sram> --hex-addr <slot0>`; version =
CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION (else the application's VERSION file); key =
CONFIG_MCUBOOT_SIGNATURE_KEY_FILE (else sysbuild's SB_CONFIG_BOOT_SIGNATURE_KEY_FILE), relative
paths from the west top directory; CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS are kept for the caller to
apply. Outputs: zephyr.signed.{bin,hex}, plus .signed.confirmed (--pad --confirm) and
.signed.encrypted (CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE) variants when the build asks for them.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.builddir import MCUBOOT, SYSBUILD, TFM, Build, Domain
from zsec_west.builddir.devicetree import Devicetree, Partition
from zsec_west.errors import BuildDirError, KeyFileError, UsageError
from zsec_west.keys.paths import resolve_key_path
from zsec_west.versions import version_file_fields as version_fields
from zsec_west.versions import zephyr_release as parse_zephyr_version

DEFAULT_ALIGN = 4  # what mcuboot.cmake assumes when the flash has no write-block-size
_RAM_LOAD_MODES = ("MCUBOOT_BOOTLOADER_MODE_RAM_LOAD", "MCUBOOT_BOOTLOADER_MODE_RAM_LOAD_WITH_REVERT",
                   "MCUBOOT_BOOTLOADER_MODE_SINGLE_APP_RAM_LOAD")
_CMAKE_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_OTHER_SIGNATURE_TYPES = (("BOOT_SIGNATURE_TYPE_ECDSA_P256", "ecdsa-p256"),
                          ("BOOT_SIGNATURE_TYPE_ED25519", "ed25519"), ("BOOT_SIGNATURE_TYPE_NONE", "none"))


@dataclass(frozen=True)
class PlannedOutput:
    """One file the build's signing step writes: `variant` is the name part after the kernel name."""

    variant: str  # "signed", "signed.confirmed", "signed.encrypted", "slot1.signed", ...
    input: Path
    output: Path
    confirm: bool = False  # --pad --confirm
    encrypt: bool = False  # --encrypt <encryption key>
    hex_addr: int | None = None  # RAM load: the slot this variant is for


@dataclass(frozen=True)
class ImagePlan:
    """How the build signs one image. `sources` says where each value came from."""

    domain: str
    build_dir: Path
    header_size: int
    slot_size: int
    align: int
    version: str
    overwrite_only: bool = False
    load_addr: int | None = None
    hex_addr: int | None = None
    pure: bool = False
    key_setting: str | None = None  # the Kconfig value, as written
    key_file: Path | None = None  # resolved; may not exist on this machine
    encryption_key_file: Path | None = None
    expect_key_type: str | None = None  # what the MCUboot build verifies ("none" if unsigned)
    extra_args: tuple[str, ...] = ()
    outputs: tuple[PlannedOutput, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. formats skipped because the build has no such input

    def key_error(self) -> KeyFileError | None:
        """Why the build's own key cannot be used here (None if it can)."""
        setting = self.sources.get("key", "the build")
        if self.key_file is None:
            return KeyFileError(f"the build of '{self.domain}' names no signing key", hint="pass -k KEY")
        if not self.key_file.is_file():
            return KeyFileError(f"the build's signing key {self.key_file} does not exist on this machine "
                                f"(from {setting})",
                                hint="pass the key with -k KEY, a PEM file or a pkcs11: URI")
        return None

    def image_fields(self) -> dict[str, object]:
        """The ImageOptions values the build decided."""
        return {"header_size": self.header_size, "slot_size": self.slot_size, "align": self.align,
                "version": self.version, "overwrite_only": self.overwrite_only,
                "load_addr": self.load_addr, "pure": self.pure}


def signed_domains(build: Build, names: list[str] | None = None) -> list[Domain]:
    """The images MCUboot loads: every domain with CONFIG_BOOTLOADER_MCUBOOT=y but MCUboot itself.

    Named domains are taken as asked (with a check that they are Zephyr images)."""
    if names:
        chosen = [build.domain(name) for name in names]
        for domain in chosen:
            if domain.kind in (SYSBUILD, TFM, MCUBOOT):
                raise UsageError(f"domain '{domain.name}' is {domain.kind}; it is not an image MCUboot loads")
        return chosen
    found = [d for d in build.images if d.kind not in (MCUBOOT, TFM, SYSBUILD)
             and d.config_path.is_file() and d.kconfig.enabled("BOOTLOADER_MCUBOOT")]
    if not found:
        names_seen = ", ".join(d.name for d in build.images)
        raise BuildDirError(f"no image in this build is built for MCUboot (CONFIG_BOOTLOADER_MCUBOOT=y); "
                            f"domains: {names_seen}", path=build.top,
                            hint="sign explicitly with -H, -S and -v instead of --build-dir")
    return found


def bootloader_key_type(build: Build) -> tuple[str | None, str | None]:
    """(key type MCUboot verifies, the setting that says so), from MCUboot's or sysbuild's Kconfig."""
    mcuboot = build.domain_of_kind(MCUBOOT)
    if mcuboot is not None and mcuboot.config_path.is_file():
        k = mcuboot.kconfig
        rsa_len = k.int("BOOT_SIGNATURE_TYPE_RSA_LEN") or 2048
        for symbol, name in (("BOOT_SIGNATURE_TYPE_RSA", f"rsa-{rsa_len}"), *_OTHER_SIGNATURE_TYPES):
            if k.enabled(symbol):
                return name, f"CONFIG_{symbol} in {mcuboot.config_path}"
    sysbuild = build.sysbuild
    if sysbuild is not None and sysbuild.config_path.is_file():
        k = sysbuild.kconfig
        for symbol, name in (("BOOT_SIGNATURE_TYPE_RSA", "rsa-2048"), *_OTHER_SIGNATURE_TYPES):
            if k.enabled(symbol):
                return name, f"SB_CONFIG_{symbol} in {sysbuild.config_path}"
    return None, None


def _expand(value: str, domain: Domain) -> str:
    """CMake's string(CONFIGURE): ${VAR} from the domain's cache; unknown ones stay as they are."""
    return _CMAKE_VAR.sub(lambda m: domain.cache.value(m.group(1)) or m.group(0), value)


def _resolve(value: str, domain: Domain, west_topdir: Path | None) -> Path:
    # mcuboot.cmake: relative paths are relative to the west topdir
    text = _expand(value, domain)
    return resolve_key_path(text, west_topdir) or Path(text).expanduser()


def _version(domain: Domain, sources: dict[str, str]) -> str:
    k = domain.kconfig
    value = k.string("MCUBOOT_IMGTOOL_SIGN_VERSION")
    if value:
        sources["version"] = f"CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION in {domain.config_path}"
        return value
    app = domain.app_source_dir
    if app and (Path(app) / "VERSION").is_file():
        text = (Path(app) / "VERSION").read_text(encoding="utf-8", errors="replace")
        values = version_fields(text)
        base = parse_zephyr_version(text)
        if base:
            sources["version"] = f"{Path(app) / 'VERSION'}"
            return f"{base.split('-')[0]}+{values.get('VERSION_TWEAK') or 0}"
    sources["version"] = "default (no CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION, no VERSION file)"
    return "0.0.0+0"


def plan_domain(build: Build, domain: Domain, *, west_topdir: Path | None = None) -> ImagePlan:
    """The signing plan for one image domain; BuildDirError when the build lacks what signing needs."""
    k = domain.kconfig
    dt = domain.devicetree
    if dt is None:
        raise BuildDirError("devicetree output (zephyr/zephyr.dts) not found; cannot read the flash layout",
                            path=domain.build_dir)
    sources: dict[str, str] = {}
    warnings: list[str] = []
    header_size = _header_size(domain, sources)
    slots = _slots(domain, dt, sources)
    layout = _layout(domain, dt, slots, sources, warnings)
    keys = _keys(build, domain, west_topdir, sources)
    extra_args = _extra_args(domain, sources)
    slot1_addr = slots.slot1.address if layout.ram_load and slots.slot1 is not None and not slots.single else None
    outputs, notes = _outputs(domain, keys.encryption_key_file is not None,
                              k.enabled("MCUBOOT_GENERATE_CONFIRMED_IMAGE"), layout.hex_addr, slot1_addr)
    return ImagePlan(
        domain=domain.name, build_dir=domain.build_dir, header_size=header_size, slot_size=slots.size,
        align=layout.align, version=_version(domain, sources), overwrite_only=layout.overwrite_only,
        load_addr=layout.load_addr, hex_addr=layout.hex_addr, pure=k.enabled("MCUBOOT_BOOTLOADER_SIGNATURE_TYPE_PURE"),
        key_setting=keys.key_setting, key_file=keys.key_file, encryption_key_file=keys.encryption_key_file,
        expect_key_type=keys.expect, extra_args=extra_args, outputs=tuple(outputs), sources=sources,
        warnings=tuple(warnings), notes=tuple(notes),
    )


def _header_size(domain: Domain, sources: dict[str, str]) -> int:
    header_size = domain.kconfig.int("ROM_START_OFFSET")
    if header_size is None:
        raise BuildDirError("CONFIG_ROM_START_OFFSET is not set; cannot tell the MCUboot header size",
                            path=domain.config_path, hint="give -H/--header-size")
    sources["header_size"] = f"CONFIG_ROM_START_OFFSET in {domain.config_path}"
    return header_size


@dataclass(frozen=True)
class _Slots:
    slot0: Partition
    slot1: Partition | None
    single: bool  # one slot: the image is signed for slot0
    size: int


def _slots(domain: Domain, dt: Devicetree, sources: dict[str, str]) -> _Slots:
    k = domain.kconfig
    slot0 = dt.partition("slot0_partition")
    if slot0 is None:
        raise BuildDirError("the devicetree has no slot0_partition", path=dt.path, hint="give -S/--slot-size")
    # One slot: single-app modes, and the firmware updater itself (not the application it updates).
    single = (k.enabled("MCUBOOT_BOOTLOADER_MODE_SINGLE_APP")
              or k.enabled("MCUBOOT_BOOTLOADER_MODE_SINGLE_APP_RAM_LOAD")
              or (k.enabled("MCUBOOT_BOOTLOADER_MODE_FIRMWARE_UPDATER")
                  and not k.enabled("MCUBOOT_APPLICATION_FIRMWARE_UPDATER")))
    slot1 = dt.partition("slot1_partition")
    if single:
        sources["slot_size"] = f"slot0_partition size (single slot) in {dt.path}"
        return _Slots(slot0, slot1, True, slot0.size)
    if slot1 is None:
        raise BuildDirError("the devicetree has no slot1_partition, which gives the slot size in this mode",
                            path=dt.path, hint="give -S/--slot-size")
    sources["slot_size"] = f"slot1_partition size in {dt.path}"
    return _Slots(slot0, slot1, False, slot1.size)


@dataclass(frozen=True)
class _Layout:
    align: int
    overwrite_only: bool
    ram_load: bool
    load_addr: int | None = None
    hex_addr: int | None = None


def _layout(domain: Domain, dt: Devicetree, slots: _Slots, sources: dict[str, str],
            warnings: list[str]) -> _Layout:
    """Alignment, and the RAM-load or overwrite-only variants of it."""
    k = domain.kconfig
    config = domain.config_path
    write_block = dt.write_block_size
    if write_block:
        align = write_block
        sources["align"] = f"write-block-size of zephyr,flash in {dt.path}"
    else:
        align = DEFAULT_ALIGN
        sources["align"] = "default 4 (zephyr,flash has no write-block-size)"
        warnings.append(f"{domain.name}: the zephyr,flash node has no write-block-size; "
                        "assuming 4 as the build does")
    overwrite_only = k.enabled("MCUBOOT_IMGTOOL_OVERWRITE_ONLY")
    ram_load = any(k.enabled(mode) for mode in _RAM_LOAD_MODES)
    if overwrite_only:
        sources["align"] = sources["overwrite_only"] = f"CONFIG_MCUBOOT_IMGTOOL_OVERWRITE_ONLY in {config}"
        return _Layout(1, True, ram_load)
    if ram_load:
        sram = dt.sram
        if sram is None:
            raise BuildDirError("RAM-load mode needs the chosen zephyr,sram node, which is missing",
                                path=dt.path)
        sources["align"] = sources["load_addr"] = f"RAM-load mode in {config}; zephyr,sram in {dt.path}"
        return _Layout(1, False, True, sram[0], slots.slot0.address)
    if align not in (1, 2, 4, 8, 16, 32):
        raise BuildDirError(f"flash write-block-size {align} is not one imgtool accepts "
                            "(1..32, a power of two)",
                            path=dt.path, hint="give --align")
    return _Layout(align, False, False)


@dataclass(frozen=True)
class _Keys:
    key_setting: str | None
    key_file: Path | None
    encryption_key_file: Path | None
    expect: str | None


def _keys(build: Build, domain: Domain, west_topdir: Path | None, sources: dict[str, str]) -> _Keys:
    """The signing and encryption key files the build names, and the key type MCUboot verifies."""
    k = domain.kconfig
    key_setting = k.string("MCUBOOT_SIGNATURE_KEY_FILE")
    if key_setting:
        sources["key"] = f"CONFIG_MCUBOOT_SIGNATURE_KEY_FILE in {domain.config_path}"
    elif build.sysbuild is not None and build.sysbuild.config_path.is_file():
        key_setting = build.sysbuild.kconfig.string("BOOT_SIGNATURE_KEY_FILE")
        if key_setting:
            sources["key"] = f"SB_CONFIG_BOOT_SIGNATURE_KEY_FILE in {build.sysbuild.config_path}"
    key_file = _resolve(key_setting, domain, west_topdir) if key_setting else None
    enc_setting = k.string("MCUBOOT_ENCRYPTION_KEY_FILE")
    enc_file = _resolve(enc_setting, domain, west_topdir) if enc_setting else None
    if enc_setting:
        sources["encryption_key"] = f"CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE in {domain.config_path}"
    expect, expect_where = bootloader_key_type(build)
    if expect_where:
        sources["key_type"] = expect_where
    return _Keys(key_setting, key_file, enc_file, expect)


def _extra_args(domain: Domain, sources: dict[str, str]) -> tuple[str, ...]:
    """CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS split into words (shell quoting rules); the caller applies them."""
    extra = domain.kconfig.string("MCUBOOT_EXTRA_IMGTOOL_ARGS") or ""
    try:
        extra_args = tuple(shlex.split(extra))
    except ValueError as exc:
        raise BuildDirError(f"CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS cannot be split: {exc}",
                            path=domain.config_path) from None
    if extra_args:
        sources["extra_args"] = f"CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS in {domain.config_path}"
    return extra_args


def _outputs(domain: Domain, encrypted: bool, confirmed: bool, primary_addr: int | None,
             slot1_addr: int | None) -> tuple[list[PlannedOutput], list[str]]:
    """Output files per enabled format whose input exists, in the order the build writes them."""
    k = domain.kconfig
    zdir = domain.build_dir / "zephyr"
    name = domain.kernel_name
    outputs: list[PlannedOutput] = []
    missing: list[str] = []
    formats = [ext for ext in ("bin", "hex") if k.enabled(f"BUILD_OUTPUT_{ext.upper()}")]
    for ext in formats:
        source = zdir / f"{name}.{ext}"
        if not source.is_file():
            missing.append(f"{domain.name}: {source} not found (CONFIG_{'BUILD_OUTPUT_' + ext.upper()}=y); "
                           f"no {ext} outputs")
            continue
        slots = [("", primary_addr)]
        if slot1_addr is not None:  # RAM load: a second set of images for the other slot
            slots.append(("slot1.", slot1_addr))
        for prefix, addr in slots:
            variants = [("signed", False, False)]
            if confirmed:
                variants.append(("signed.confirmed", True, False))
            if encrypted:
                variants.append(("signed.encrypted", False, True))
            for variant, confirm, encrypt in variants:
                outputs.append(PlannedOutput(prefix + variant, source, zdir / f"{name}.{prefix}{variant}.{ext}",
                                             confirm=confirm, encrypt=encrypt, hex_addr=addr))
    return outputs, missing


def plan_build(build: Build, domains: list[str] | None = None, *,
               west_topdir: Path | None = None) -> list[ImagePlan]:
    """One plan per image MCUboot loads (or per named domain), in domains.yaml order."""
    return [plan_domain(build, domain, west_topdir=west_topdir) for domain in signed_domains(build, domains)]
