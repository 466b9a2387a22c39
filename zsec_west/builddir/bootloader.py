"""Which signatures a build's bootloader verifies, and which setting names the key it trusts.

MCUboot: exactly one CONFIG_BOOT_SIGNATURE_TYPE_* in its own .config (RSA with
CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN), else sysbuild's SB_CONFIG_BOOT_SIGNATURE_TYPE_*; its key is
SB_CONFIG_BOOT_SIGNATURE_KEY_FILE under sysbuild (it feeds MCUboot and the application), else
CONFIG_BOOT_SIGNATURE_KEY_FILE. TF-M's BL2: CONFIG_TFM_MCUBOOT_SIGNATURE_TYPE of the application,
keys CONFIG_TFM_KEY_FILE_S and CONFIG_TFM_KEY_FILE_NS.
"""

from __future__ import annotations

from dataclasses import dataclass

from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.builddir.model import MCUBOOT, Build

# CONFIG_TFM_MCUBOOT_SIGNATURE_TYPE -> imgtool's key type name.
TFM_KEY_TYPES = {"RSA-2048": "rsa-2048", "RSA-3072": "rsa-3072", "EC-P256": "ecdsa-p256", "EC-P384": "ecdsa-p384"}
_MCUBOOT_TYPES = (("BOOT_SIGNATURE_TYPE_ECDSA_P256", "ecdsa-p256"), ("BOOT_SIGNATURE_TYPE_ED25519", "ed25519"),
                  ("BOOT_SIGNATURE_TYPE_NONE", "none"))


@dataclass(frozen=True)
class BootSignature:
    """What a bootloader verifies: the key type (imgtool's name, "none" for no signature check),
    the setting that chose it, and the setting(s) naming its key."""

    verifier: str  # "MCUboot", "TF-M's BL2"
    key_type: str | None
    type_setting: str | None
    key_settings: tuple[str, ...]


def mcuboot_signature(build: Build) -> BootSignature | None:
    """MCUboot's signature type and key setting in `build`; None when the build has no MCUboot."""
    mcuboot = build.domain_of_kind(MCUBOOT)
    sysbuild = build.sysbuild
    sysbuild_kconfig = sysbuild.kconfig if sysbuild is not None and sysbuild.config_path.is_file() else None
    key_setting = ("SB_CONFIG_BOOT_SIGNATURE_KEY_FILE"
                   if sysbuild_kconfig is not None and "BOOT_SIGNATURE_KEY_FILE" in sysbuild_kconfig
                   else "CONFIG_BOOT_SIGNATURE_KEY_FILE")
    if mcuboot is not None and mcuboot.config_path.is_file():
        found = mcuboot_type(mcuboot.kconfig, "CONFIG_", rsa_len=mcuboot.kconfig.int("BOOT_SIGNATURE_TYPE_RSA_LEN"))
        if found:
            return BootSignature("MCUboot", found[0], found[1], (key_setting,))
    if sysbuild_kconfig is not None and "BOOTLOADER_MCUBOOT" in sysbuild_kconfig \
            and sysbuild_kconfig.enabled("BOOTLOADER_MCUBOOT"):
        found = mcuboot_type(sysbuild_kconfig, "SB_CONFIG_", rsa_len=None)
        return BootSignature("MCUboot", found[0] if found else None, found[1] if found else None, (key_setting,))
    return None if mcuboot is None else BootSignature("MCUboot", None, None, (key_setting,))


def mcuboot_type(kconfig: KconfigValues, prefix: str, rsa_len: int | None) -> tuple[str, str] | None:
    """(key type, the setting that chose it) from MCUboot's (or sysbuild's) signature type symbols."""
    for symbol, name in (("BOOT_SIGNATURE_TYPE_RSA", f"rsa-{rsa_len or 2048}"), *_MCUBOOT_TYPES):
        if kconfig.enabled(symbol):
            return name, f"{prefix}{symbol}"
    return None


def tfm_signature(kconfig: KconfigValues) -> BootSignature:
    """TF-M BL2's signature type, from the application's Kconfig."""
    value = kconfig.string("TFM_MCUBOOT_SIGNATURE_TYPE")
    return BootSignature("TF-M's BL2", TFM_KEY_TYPES.get(value or ""),
                         "CONFIG_TFM_MCUBOOT_SIGNATURE_TYPE" if value else None,
                         ("CONFIG_TFM_KEY_FILE_S", "CONFIG_TFM_KEY_FILE_NS"))


def keygen_advice(signature: BootSignature, key_settings: tuple[str, ...] | None = None) -> str:
    """Fix advice for a development key: our keygen command with the type the bootloader
    verifies, and the setting(s) to point at the new key."""
    settings = key_settings or signature.key_settings
    key_type = signature.key_type if signature.key_type not in (None, "none") else None
    names = [f"my-{s.removeprefix('CONFIG_TFM_KEY_FILE_').lower()}-key.pem" for s in settings] \
        if len(settings) > 1 else ["my-key.pem"]
    commands = "; ".join(f"zsec sign keygen -t {key_type or '<type>'} -k {name}" for name in names)
    why = (f"{signature.verifier} in this build verifies {key_type} signatures ({signature.type_setting})"
           if key_type else f"the key type {signature.verifier} verifies is not recorded in this build")
    target = " and ".join(settings)
    keys = "keys" if len(settings) > 1 else "key"
    feeds = " (it feeds both MCUboot and the application)" if settings == ("SB_CONFIG_BOOT_SIGNATURE_KEY_FILE",) \
        else ""
    return (f"Generate your own {keys} ({commands}; {why}), keep {'them' if len(settings) > 1 else 'it'} out of "
            f"the source tree, point {target} at {'them' if len(settings) > 1 else 'it'}{feeds}, and rebuild.")
