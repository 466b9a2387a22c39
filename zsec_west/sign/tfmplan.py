"""Signing a Zephyr build that runs under TF-M, with the parameters Zephyr's TF-M integration used.

With CONFIG_TFM_BL2, TF-M's BL2 (an MCUboot) verifies the secure image (TF-M, `tfm/bin/tfm_s.hex`)
and the non-secure image (Zephyr, `zephyr/zephyr.hex`), and Zephyr's build signs both with TF-M's
`wrapper.py` and merges BL2 and the two signed images into `zephyr/tfm_merged.hex`. Per image:

- header size: CONFIG_ROM_START_OFFSET (0x400 by default with BL2);
- slot size: RE_SIGN_BIN_SIZE of TF-M's preprocessed signing layout of that image
  (tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_{s,ns}.dir/*.o), else the devicetree's
  slot0_partition (secure) or slot0_ns_partition (non-secure) size;
- version: CONFIG_TFM_IMAGE_VERSION_S / _NS; security counter: CONFIG_TFM_IMAGE_SECURITY_COUNTER
  where the build has it (Zephyr 4.x), else `auto` (Zephyr 3.7);
- boot record: SPE / NSPE (the wrapper's --measured-boot-record); key format: full (PUBKEY TLV;
  TFM_PUBLIC_KEY_FORMAT when the build sets it); max align 8 (the wrapper's rule for align <= 8);
- key: CONFIG_TFM_KEY_FILE_S / _NS (TF-M's MCUBOOT_KEY_S / _NS as the sub-build used them).

Zephyr up to 4.2 signs with --align 1 and writes hex only: the secure image padded with a
prepended header (--pad --pad-header), the non-secure one unpadded. From Zephyr 4.2.99 (the
"FOTA" signing) it also writes .bin files, takes --align from the flash write-block-size,
confirms the hex images and sizes the trailer with --max-sectors; a build whose zephyr/ holds
zephyr_ns_signed.bin or tfm_s_signed.bin is taken to sign that way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zsec_west.builddir import TFM, Build, Domain
from zsec_west.builddir.bootloader import TFM_KEY_TYPES
from zsec_west.builddir.tfmbuild import SubBuild, load_subbuild
from zsec_west.builddir.tfmlayout import SigningLayout
from zsec_west.errors import BuildDirError, UsageError
from zsec_west.keys.paths import resolve_key_path
from zsec_west.sign.plan import ImagePlan
from zsec_west.tfm.facts import TfmConfig, read_config
from zsec_west.versions import compare

SECURE, NON_SECURE = "S", "NS"
BOOT_RECORDS = {SECURE: "SPE", NON_SECURE: "NSPE"}
FOTA_SIGNING_FROM = "4.2.99"  # Zephyr's "trusted-firmware-m: Fix sign images to allow FOTA"
_DT_PARTITIONS = {SECURE: "slot0_partition", NON_SECURE: "slot0_ns_partition"}


@dataclass(frozen=True)
class TfmOutput:
    """One file Zephyr's TF-M signing writes, with its own padding options."""

    variant: str  # "ns.signed", "s.signed", ...
    input: Path
    output: Path
    fields: dict[str, Any] = field(default_factory=dict)  # pad, confirm, pad_header


@dataclass(frozen=True)
class TfmImagePlan(ImagePlan):
    """How the build signs one TF-M image (`role` S or NS): ImagePlan plus what TF-M adds."""

    role: str = NON_SECURE
    tfm_fields: dict[str, Any] = field(default_factory=dict)
    tfm_outputs: tuple[TfmOutput, ...] = ()

    def image_fields(self) -> dict[str, object]:
        return {**super().image_fields(), **self.tfm_fields}


@dataclass(frozen=True)
class TfmMerge:
    """zephyr/tfm_merged.hex: BL2 + signed secure + signed non-secure image."""

    output: Path
    bl2: Path
    secure: Path
    nonsecure: Path


@dataclass(frozen=True)
class TfmPlan:
    app: Domain
    sub: SubBuild
    config: TfmConfig
    images: tuple[TfmImagePlan, ...]
    merge: TfmMerge | None
    fota: bool


def tfm_app(build: Build) -> Domain | None:
    """The application domain built with TF-M (CONFIG_BUILD_WITH_TFM=y), if the build is one."""
    for domain in build.images:
        if domain.kind != TFM and domain.config_path.is_file() and domain.kconfig.enabled("BUILD_WITH_TFM"):
            return domain
    return None


def _fota(app: Domain, build: Build) -> tuple[bool, str]:
    zdir = app.build_dir / "zephyr"
    if (zdir / "zephyr_ns_signed.bin").is_file() or (zdir / "tfm_s_signed.bin").is_file():
        return True, f"the build wrote .bin signed images in {zdir}"
    version = build.zephyr_version
    if version and (compare(version, FOTA_SIGNING_FROM) or 0) >= 0:
        return True, f"Zephyr {version} signs TF-M images for FOTA"
    return False, f"Zephyr {version or '(version unknown)'} signs TF-M images with --align 1, hex only"


def _slot_size(plan_sources: dict[str, str], role: str, layout: SigningLayout | None, sub: SubBuild,
               app: Domain) -> int:
    size = layout.get("RE_SIGN_BIN_SIZE") if layout is not None else None
    if layout is not None and size:
        plan_sources["slot_size"] = f"RE_SIGN_BIN_SIZE in {layout.path}"
        return size
    dt = app.devicetree
    part = dt.partition(_DT_PARTITIONS[role]) if dt is not None else None
    if part is None:
        raise BuildDirError(f"no TF-M signing layout for the {role} image and no {_DT_PARTITIONS[role]} in the "
                            "devicetree: the slot size is unknown", path=sub.path, hint="give -S/--slot-size")
    plan_sources["slot_size"] = f"{_DT_PARTITIONS[role]} size in {dt.path if dt else 'the devicetree'}"
    return part.size


def _align(app: Domain, fota: bool, sources: dict[str, str]) -> tuple[int, int]:
    """(--align, max_align): 1 and 8 before FOTA signing; the flash write-block-size after."""
    align = 1
    write_block = app.devicetree.write_block_size if fota and app.devicetree is not None else None
    if write_block and write_block <= 32:
        align = write_block
        sources["align"] = "write-block-size of zephyr,flash"
    else:
        sources["align"] = "1, as Zephyr's TF-M signing passes it"
    return align, 8 if align <= 8 else align


def _max_sectors(app: Domain) -> int | None:
    """S_NS_MAX_SECTORS of Zephyr's FOTA signing: the larger partition over the erase-block size."""
    dt = app.devicetree
    if dt is None:
        return None
    erase = dt.erase_block_size or 1
    sizes = [p.size for p in (dt.partition(_DT_PARTITIONS[SECURE]), dt.partition(_DT_PARTITIONS[NON_SECURE]))
             if p is not None]
    return max(sizes) // erase if sizes else None


def _key(role: str, config: TfmConfig, sub: SubBuild, west_topdir: Path | None
         ) -> tuple[str | None, Path | None, str | None]:
    """(setting as written, resolved path, where it came from) of the build's key for `role`."""
    cache = sub.value(f"MCUBOOT_KEY_{role}")
    if cache:
        return cache, Path(cache), f"MCUBOOT_KEY_{role} in {sub.path / 'CMakeCache.txt'}"
    for key in config.key_files:
        if key.role == role:
            return key.configured, resolve_key_path(key.path, west_topdir), f"CONFIG_{key.symbol}"
    return None, None, None


def _outputs(role: str, app: Domain, sub: SubBuild, fota: bool) -> tuple[TfmOutput, ...]:
    zdir = app.build_dir / "zephyr"
    name = app.kernel_name
    if role == NON_SECURE:
        hex_in, bin_in, stem = zdir / f"{name}.hex", zdir / f"{name}.bin", "zephyr_ns_signed"
        hex_fields: dict[str, Any] = {"pad": True, "confirm": True} if fota else {}
        bin_fields: dict[str, Any] = {}
    else:
        hex_in = sub.secure_output(".hex") or sub.path / "bin" / "tfm_s.hex"
        bin_in = sub.secure_output(".bin") or sub.path / "bin" / "tfm_s.bin"
        stem = "tfm_s_signed"
        hex_fields = {"pad": True, "pad_header": True, **({"confirm": True} if fota else {})}
        bin_fields = {"pad": True, "pad_header": True}
    tag = role.lower()
    outputs = [TfmOutput(f"{tag}.signed", hex_in, zdir / f"{stem}.hex", hex_fields)]
    if fota:
        outputs.append(TfmOutput(f"{tag}.signed.bin", bin_in, zdir / f"{stem}.bin", bin_fields))
    for out in outputs:
        if not out.input.is_file():
            raise BuildDirError(f"the {role} image to sign is not in the build", path=out.input,
                                hint="build it first")
    return tuple(outputs)


def _image_plan(role: str, app: Domain, sub: SubBuild, config: TfmConfig, fota: bool,
                west_topdir: Path | None) -> TfmImagePlan:
    sources: dict[str, str] = {}
    header = config.rom_start_offset
    if header is None:
        raise BuildDirError("CONFIG_ROM_START_OFFSET is not set; cannot tell the BL2 header size",
                            path=app.config_path, hint="give -H/--header-size")
    sources["header_size"] = f"CONFIG_ROM_START_OFFSET in {app.config_path}"
    layout = sub.signing_layout(role)  # parsed from the sub-build's object files: once per image
    slot = _slot_size(sources, role, layout, sub, app)
    align, max_align = _align(app, fota, sources)
    version = (config.version_s if role == SECURE else config.version_ns) or "0.0.0+0"
    sources["version"] = f"CONFIG_TFM_IMAGE_VERSION_{role}"
    counter: int | str = config.security_counter if config.security_counter is not None else "auto"
    sources["security_counter"] = ("CONFIG_TFM_IMAGE_SECURITY_COUNTER" if config.security_counter is not None
                                   else "auto: Zephyr's TF-M signing passes -s auto in this version")
    key_format = app.cache.value("TFM_PUBLIC_KEY_FORMAT") or "full"
    fields: dict[str, Any] = {"max_align": max_align, "security_counter": counter,
                              "boot_record": BOOT_RECORDS[role], "public_key_format": key_format}
    rom_fixed = layout.get("RE_IMAGE_ROM_FIXED") if layout is not None else None
    if rom_fixed is not None:
        fields["rom_fixed"] = rom_fixed
    if fota and (sectors := _max_sectors(app)):
        fields["max_sectors"] = sectors
    setting, key_file, key_source = _key(role, config, sub, west_topdir)
    if key_source:
        sources["key"] = key_source
    sources["key_type"] = "CONFIG_TFM_MCUBOOT_SIGNATURE_TYPE"
    return TfmImagePlan(
        domain=f"{app.name}:{role}", build_dir=app.build_dir, header_size=header, slot_size=slot, align=align,
        version=version, load_addr=layout.get("RE_IMAGE_LOAD_ADDRESS") if layout is not None else None,
        key_setting=setting, key_file=key_file, expect_key_type=TFM_KEY_TYPES.get(config.signature_type or ""),
        sources=sources, role=role, tfm_fields=fields, tfm_outputs=_outputs(role, app, sub, fota),
    )


def plan_tfm(build: Build, app: Domain, *, secure: bool, west_topdir: Path | None = None,
             merge: bool = True) -> TfmPlan:
    """The signing plan of a TF-M build: the non-secure image, the secure one too when asked."""
    config = read_config(app.kconfig)
    if not config.bl2:
        raise BuildDirError("TF-M is built without BL2 (CONFIG_TFM_BL2=n): nothing verifies the images, "
                            "so there is nothing to sign", path=app.config_path)
    if config.image_number == 1:
        raise UsageError("TF-M builds with one combined image (CONFIG_TFM_MCUBOOT_IMAGE_NUMBER=1) are not "
                         "supported yet", hint="sign tfm_s_zephyr_ns.hex explicitly with -H, -S and -v")
    if config.use_ns_app:
        raise UsageError("CONFIG_TFM_USE_NS_APP builds (TF-M's own non-secure app) are not supported",
                         hint="sign the images explicitly with -H, -S and -v")
    tfm_domain = next((d for d in build.images if d.kind == TFM and d.parent is app), None)
    if tfm_domain is None:
        raise BuildDirError("the TF-M sub-build (tfm/) is missing", path=app.build_dir / "tfm")
    sub = load_subbuild(tfm_domain, build)
    fota, why = _fota(app, build)
    roles = (SECURE, NON_SECURE) if secure else (NON_SECURE,)
    images = tuple(_image_plan(role, app, sub, config, fota, west_topdir) for role in roles)
    for image in images:
        image.sources["scheme"] = why
    zdir = app.build_dir / "zephyr"
    merged = None
    if merge:
        bl2_name = "bl2_signed.hex" if config.bl1 else "bl2.hex"
        bl2 = sub.path / "bin" / bl2_name
        if not bl2.is_file():
            raise BuildDirError("BL2's image, which tfm_merged.hex starts with, is not in the build", path=bl2)
        merged = TfmMerge(zdir / "tfm_merged.hex", bl2, zdir / "tfm_s_signed.hex", zdir / "zephyr_ns_signed.hex")
        if not secure and not merged.secure.is_file():
            raise BuildDirError("the signed secure image to merge is not in the build", path=merged.secure,
                                hint="sign it too with --secure")
    return TfmPlan(app, sub, config, images, merged, fota)
