"""Signing parameters taken from a Zephyr build, as its CMake signing step (cmake/mcuboot.cmake) chose them.

For each image MCUboot loads (a domain with CONFIG_BOOTLOADER_MCUBOOT=y that is not MCUboot
itself): header size = CONFIG_ROM_START_OFFSET; alignment = `write-block-size` of the chosen
`zephyr,flash` (4, with a warning, when absent); version = CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION
(else the application's VERSION file); key = CONFIG_MCUBOOT_SIGNATURE_KEY_FILE (else sysbuild's
SB_CONFIG_BOOT_SIGNATURE_KEY_FILE), relative paths from the west top directory;
CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS are kept for the caller to apply. Outputs: zephyr.signed.{bin,hex},
plus .signed.confirmed (--pad --confirm) and .signed.encrypted (CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE)
variants when the build asks for them.

The rest depends on the application's MCUboot mode (CONFIG_MCUBOOT_BOOTLOADER_MODE_*, which 4.x
sysbuild sets from SB_CONFIG_MCUBOOT_MODE_*) and on which mcuboot.cmake signed:
- Zephyr 4.x (imgtool called directly): slot size = `slot1_partition` size, `slot0_partition` for
  SINGLE_APP, SINGLE_APP_RAM_LOAD and the firmware updater itself; overwrite-only (OVERWRITE_ONLY,
  SINGLE_APP, FIRMWARE_UPDATER) -> `--overwrite-only --align 1`; RAM_LOAD -> `--align 1 --load-addr
  <zephyr,sram> --hex-addr <slot0>` plus a slot1 set of images; SINGLE_APP_RAM_LOAD -> `--align 1
  --load-addr <mcuboot,ram-load-dev, else zephyr,sram>`; swap and direct-XIP modes -> `--align
  <write-block-size>`.
- Zephyr 3.x (through `west sign`, recognised by CONFIG_MCUBOOT_CMAKE_WEST_SIGN_PARAMS): slot size
  = `slot1_partition` size when it exists, else `slot0_partition`; overwrite-only as above; no
  RAM-load handling.
A key setting that is a comma-separated list (Zephyr main, 2026) signs with its first entry; the
others are public keys MCUboot also trusts.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.builddir import MCUBOOT, SYSBUILD, TFM, Build, Domain
from zsec_west.builddir.bootloader import mcuboot_type
from zsec_west.builddir.devicetree import Devicetree, Partition
from zsec_west.builddir.mcubootmode import McubootMode, application_mode, bootloader_mode, sysbuild_mode
from zsec_west.errors import BuildDirError, KeyFileError, UsageError
from zsec_west.keys.keyset import split_key_list
from zsec_west.keys.paths import resolve_key_path
from zsec_west.sign.imageversion import image_version

DEFAULT_ALIGN = 4  # what mcuboot.cmake assumes when the flash has no write-block-size
# Only Zephyr 3.x's mcuboot.cmake (which wraps `west sign`) has this symbol.
WEST_SIGN_SYMBOL = "MCUBOOT_CMAKE_WEST_SIGN_PARAMS"
_CMAKE_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


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
    mode: str | None = None  # the application's MCUboot mode (a name of mcubootmode.MODES)
    signing_step: str = "imgtool"  # "imgtool" (Zephyr 4.x mcuboot.cmake) or "west sign" (3.x)
    key_setting: str | None = None  # the Kconfig value, as written
    key_file: Path | None = None  # resolved; may not exist on this machine
    encryption_key_file: Path | None = None
    public_key_files: tuple[Path, ...] = ()  # further entries of a key list: trusted, not used to sign
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
        found = mcuboot_type(mcuboot.kconfig, "CONFIG_", rsa_len=mcuboot.kconfig.int("BOOT_SIGNATURE_TYPE_RSA_LEN"))
        if found:
            return found[0], f"{found[1]} in {mcuboot.config_path}"
    sysbuild = build.sysbuild
    if sysbuild is not None and sysbuild.config_path.is_file():
        found = mcuboot_type(sysbuild.kconfig, "SB_CONFIG_", rsa_len=None)
        if found:
            return found[0], f"{found[1]} in {sysbuild.config_path}"
    return None, None


def _expand(value: str, domain: Domain) -> str:
    """CMake's string(CONFIGURE): ${VAR} from the domain's cache; unknown ones stay as they are."""
    return _CMAKE_VAR.sub(lambda m: domain.cache.value(m.group(1)) or m.group(0), value)


def _resolve(value: str, domain: Domain, west_topdir: Path | None) -> Path:
    # mcuboot.cmake: relative paths are relative to the west topdir
    text = _expand(value, domain)
    return resolve_key_path(text, west_topdir) or Path(text).expanduser()


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
    west_sign = WEST_SIGN_SYMBOL in k
    mode = _mode(build, domain, sources, warnings)
    slots = _slots(domain, dt, sources, west_sign)
    layout = _layout(domain, dt, slots, sources, warnings, west_sign)
    keys = _keys(build, domain, west_topdir, sources)
    extra_args = _extra_args(domain, sources)
    slot1_addr = slots.slot1.address if layout.ram_load and slots.slot1 is not None and not slots.single else None
    outputs, notes = _outputs(domain, keys.encryption_key_file is not None,
                              k.enabled("MCUBOOT_GENERATE_CONFIRMED_IMAGE"), layout.hex_addr, slot1_addr)
    return ImagePlan(
        domain=domain.name, build_dir=domain.build_dir, header_size=header_size, slot_size=slots.size,
        align=layout.align, version=image_version(domain, sources), overwrite_only=layout.overwrite_only,
        load_addr=layout.load_addr, hex_addr=layout.hex_addr, pure=k.enabled("MCUBOOT_BOOTLOADER_SIGNATURE_TYPE_PURE"),
        mode=mode.name if mode else None, signing_step="west sign" if west_sign else "imgtool",
        key_setting=keys.key_setting, key_file=keys.key_file, encryption_key_file=keys.encryption_key_file,
        public_key_files=keys.public_key_files,
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


def _mode(build: Build, domain: Domain, sources: dict[str, str], warnings: list[str]) -> McubootMode | None:
    """The application's mode (what its signing follows), checked against the bootloader's side."""
    mode = application_mode(domain.kconfig)
    if mode is not None:
        sources["mode"] = f"{mode.setting} in {domain.config_path}"
    other, where = None, ""
    if build.sysbuild is not None and build.sysbuild.config_path.is_file():
        other, where = sysbuild_mode(build.sysbuild.kconfig), str(build.sysbuild.config_path)
    mcuboot = build.domain_of_kind(MCUBOOT)
    if other is None and mcuboot is not None and mcuboot.config_path.is_file():
        other, where = bootloader_mode(mcuboot.kconfig), str(mcuboot.config_path)
    if mode is not None and other is not None and mode.signing_class != other.signing_class:
        warnings.append(f"{domain.name}: the image is signed for {mode.setting} ({mode.signing_class}), but "
                        f"{other.setting} in {where} says MCUboot runs {other.signing_class}; "
                        "MCUboot may not boot or update it")
    return mode


def _slots(domain: Domain, dt: Devicetree, sources: dict[str, str], west_sign: bool) -> _Slots:
    k = domain.kconfig
    slot0 = dt.partition("slot0_partition")
    if slot0 is None:
        raise BuildDirError("the devicetree has no slot0_partition", path=dt.path, hint="give -S/--slot-size")
    if west_sign:  # Zephyr 3.x's `west sign`: slot1 when there is one, whatever the mode
        slot1 = dt.partition("slot1_partition")
        chosen = slot1 or slot0
        sources["slot_size"] = f"{chosen.label} size in {dt.path} (west sign, Zephyr 3.x)"
        return _Slots(slot0, slot1, slot1 is None, chosen.size)
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
            warnings: list[str], west_sign: bool) -> _Layout:
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
    if k.enabled("MCUBOOT_IMGTOOL_OVERWRITE_ONLY"):
        sources["align"] = sources["overwrite_only"] = f"CONFIG_MCUBOOT_IMGTOOL_OVERWRITE_ONLY in {config}"
        return _Layout(1, True, False)
    if not west_sign and k.enabled("MCUBOOT_BOOTLOADER_MODE_RAM_LOAD"):
        sram = _load_region(dt, ("zephyr,sram",), "RAM-load mode")
        sources["align"] = sources["load_addr"] = f"RAM-load mode in {config}; zephyr,sram in {dt.path}"
        return _Layout(1, False, True, sram, slots.slot0.address)
    if not west_sign and k.enabled("MCUBOOT_BOOTLOADER_MODE_SINGLE_APP_RAM_LOAD"):
        load = _load_region(dt, ("mcuboot,ram-load-dev", "zephyr,sram"), "single-app RAM-load mode")
        sources["align"] = sources["load_addr"] = (f"single-app RAM-load mode in {config}; "
                                                   f"mcuboot,ram-load-dev or zephyr,sram in {dt.path}")
        return _Layout(1, False, False, load)
    if align not in (1, 2, 4, 8, 16, 32):
        raise BuildDirError(f"flash write-block-size {align} is not one imgtool accepts "
                            "(1..32, a power of two)",
                            path=dt.path, hint="give --align")
    return _Layout(align, False, False)


def _load_region(dt: Devicetree, chosen: tuple[str, ...], what: str) -> int:
    """The address of the first chosen node that exists, as mcuboot.cmake's dt_reg_addr gives it."""
    for name in chosen:
        node = dt.chosen(name)
        if node is not None and node.reg is not None:
            return node.reg[0]
    raise BuildDirError(f"{what} needs the chosen {' or '.join(chosen)} node, which is missing", path=dt.path)


@dataclass(frozen=True)
class _Keys:
    key_setting: str | None
    key_file: Path | None
    encryption_key_file: Path | None
    expect: str | None
    public_key_files: tuple[Path, ...] = ()


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
    # A comma-separated list (Zephyr main, 2026): the first entry signs, the others are public keys.
    entries = split_key_list(key_setting) if key_setting else []
    key_file = _resolve(entries[0], domain, west_topdir) if entries else None
    public_keys = tuple(_resolve(entry, domain, west_topdir) for entry in entries[1:])
    enc_setting = k.string("MCUBOOT_ENCRYPTION_KEY_FILE")
    enc_file = _resolve(enc_setting, domain, west_topdir) if enc_setting else None
    if enc_setting:
        sources["encryption_key"] = f"CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE in {domain.config_path}"
    expect, expect_where = bootloader_key_type(build)
    if expect_where:
        sources["key_type"] = expect_where
    return _Keys(key_setting, key_file, enc_file, expect, public_keys)


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
