"""Is the signing key one the build's bootloader trusts? An image signed with another key does
not boot, however valid its signature.

What the bootloader trusts, strongest evidence first:
- MCUboot: the public keys in MCUboot's own image in the build (MCUboot embeds them verbatim;
  keys/embedded.py finds them), else those compiled into it (`mcuboot/zephyr/autogen-pubkey*.c`,
  which MCUboot's build generates from its key setting with `imgtool getpub`), else the key files
  its CONFIG_BOOT_SIGNATURE_KEY_FILE (or sysbuild's SB_CONFIG_BOOT_SIGNATURE_KEY_FILE) names, a
  comma-separated key set accepted as such; a file not on this machine still counts when its
  name is a published development key's. An image that holds no key (a stand-in, or MCUboot
  taking its key from hardware) says nothing. CONFIG_BOOT_HW_KEY: the key is provisioned, not
  built in, and cannot be checked here.
- TF-M BL2: per image, the public key TF-M exported (tfm/bin/image_{s,ns}_signing_public_key.pem),
  else MCUBOOT_KEY_S/NS of the sub-build, else CONFIG_TFM_KEY_FILE_S/NS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from zsec_west.builddir import MCUBOOT, Build, Domain
from zsec_west.errors import KeyFileError, ZsecError
from zsec_west.files.reading import read_input
from zsec_west.keys import devkeys
from zsec_west.keys.embedded import find_public_keys
from zsec_west.keys.encoding import Fingerprint, PublicKey, key_type_name
from zsec_west.keys.keyset import split_key_list
from zsec_west.keys.paths import resolve_key_path
from zsec_west.keys.pem import load_public_key

_C_ARRAY = re.compile(r"unsigned\s+char\s+(\w+)\s*\[\s*\]\s*=\s*\{([^}]*)\}", re.S)


class UntrustedKeyError(KeyFileError):
    """The signing key is not one the build's bootloader trusts."""


@dataclass(frozen=True)
class TrustedKey:
    """A key the bootloader trusts, and where we learnt it."""

    sha256: str
    key_type: str | None
    where: str
    dev_key: str | None = None
    by_name: bool = False  # the file is not here: known by its published file name

    def describe(self) -> str:
        dev = ""
        if self.dev_key:
            dev = f", file name of {self.dev_key}; the file is not on this machine" if self.by_name \
                else f", {self.dev_key}"
        return f"{self.where} ({self.key_type or 'key'} sha256 {self.sha256[:16]}...{dev})"


@dataclass(frozen=True)
class TrustAnchor:
    """What one bootloader of the build trusts for one image."""

    bootloader: str  # "MCUboot", "TF-M BL2"
    image: str  # which image it is about, for messages
    keys: tuple[TrustedKey, ...] = ()
    setting: str | None = None  # the setting to change to trust another key
    evidence: str = ""
    unknown: str | None = None  # why the trusted key could not be found


def _trusted(key: PublicKey, where: str) -> TrustedKey:
    fingerprint = Fingerprint.of(key)
    found = devkeys.lookup(fingerprint)
    return TrustedKey(fingerprint.sha256, key_type_name(key), where, found.name if found else None)


def _from_encoding(encoding: bytes, where: str) -> TrustedKey:
    fingerprint = Fingerprint.of_encoding(encoding)
    found = devkeys.lookup(fingerprint)
    return TrustedKey(fingerprint.sha256, found.type if found else None, where, found.name if found else None)


def compiled_keys(zephyr_dir: Path) -> list[TrustedKey]:
    """The public keys in MCUboot's generated autogen-pubkey.c (and -1.c, -2.c ... of a key set)."""
    found = []
    for path in sorted(zephyr_dir.glob("autogen-pubkey*.c")):
        try:  # what cannot be read is no evidence: the next source of it is asked
            text = read_input(path, "build").decode("utf-8", errors="replace")
        except ZsecError:
            continue
        for _, body in _C_ARRAY.findall(text):
            encoding = bytes(int(b, 16) for b in re.findall(r"0x([0-9a-fA-F]{1,2})", body))
            if encoding:
                found.append(_from_encoding(encoding, str(path)))
    return found


def _known_key(written: str, path: Path | None) -> TrustedKey | str:
    """The key a setting names (as written; `path` where it is here), or why it cannot be known:
    by content when the file is here, else by its published file name."""
    if path is not None and path.is_file():
        try:
            return _trusted(load_public_key(path), str(path))
        except ZsecError as exc:
            return f"{path}: {exc.message}"
    dev = devkeys.by_file_name(written)
    digest = devkeys.sha256_of(dev) if dev else None
    if dev is not None and digest is not None:
        return TrustedKey(digest, dev.type, written, dev.name, by_name=True)
    return f"{written} is not on this machine"


def key_files(text: str, root: Path | None) -> tuple[list[TrustedKey], list[str]]:
    """The keys of a key setting (a path or a comma-separated key set) that can be known here,
    and for the others why not."""
    found = [_known_key(entry, resolve_key_path(entry, root)) for entry in split_key_list(text)]
    return [k for k in found if isinstance(k, TrustedKey)], [k for k in found if isinstance(k, str)]


def _image_keys(mcuboot: Domain) -> tuple[list[TrustedKey], Path | None]:
    """The keys embedded in MCUboot's image in the build (its .bin, else .elf, else .hex)."""
    for suffix in (".bin", ".elf", ".hex"):
        path = mcuboot.build_dir / "zephyr" / f"{mcuboot.kernel_name}{suffix}"
        if not path.is_file():
            continue
        from zsec_west.mcuboot import hexio

        try:  # a .hex decoded, the others raw; each a regular file within the image limit
            data = hexio.read_input(path, allow_gaps=True).data
        except ZsecError:
            continue
        return [_from_encoding(k.encoding, f"{path} at 0x{k.offset:x}") for k in find_public_keys(data)], path
    return [], None


def mcuboot_anchor(build: Build, image: str, west_topdir: Path | None) -> TrustAnchor | None:
    """What MCUboot in `build` trusts for the image of domain `image`; None when it checks no signature."""
    mcuboot = build.domain_of_kind(MCUBOOT)
    who = f"'{image}'"
    if mcuboot is None or not mcuboot.config_path.is_file():
        return TrustAnchor("MCUboot", who, unknown="MCUboot is not part of this build")
    k = mcuboot.kconfig
    if k.enabled("BOOT_SIGNATURE_TYPE_NONE"):
        return None
    sysbuild = build.sysbuild
    sb_value = sysbuild.kconfig.string("BOOT_SIGNATURE_KEY_FILE") if sysbuild and sysbuild.config_path.is_file() \
        else None
    setting = "SB_CONFIG_BOOT_SIGNATURE_KEY_FILE" if sb_value and sysbuild else "CONFIG_BOOT_SIGNATURE_KEY_FILE"
    if k.enabled("BOOT_HW_KEY"):
        return TrustAnchor("MCUboot", who, setting=setting,
                           unknown="MCUboot takes its key from hardware (CONFIG_BOOT_HW_KEY)")
    embedded, image_file = _image_keys(mcuboot)
    if embedded:
        return TrustAnchor("MCUboot", who, tuple(embedded), setting, f"embedded in MCUboot's image {image_file}")
    compiled = compiled_keys(mcuboot.build_dir / "zephyr")
    if compiled:
        return TrustAnchor("MCUboot", who, tuple(compiled), setting, "compiled into MCUboot")
    missing: list[str] = []
    app_dir = Path(mcuboot.app_source_dir or "")
    mcuboot_root = app_dir.parents[1] if len(app_dir.parts) > 2 else None  # .../mcuboot/boot/zephyr
    for value, root, where in ((k.string("BOOT_SIGNATURE_KEY_FILE"), mcuboot_root,
                                f"CONFIG_BOOT_SIGNATURE_KEY_FILE in {mcuboot.config_path}"),
                               (sb_value, west_topdir, f"{setting} in {sysbuild.config_path if sysbuild else ''}")):
        if value:
            keys, why = key_files(value, root)
            if keys:
                return TrustAnchor("MCUboot", who, tuple(keys), setting, f"named by {where}")
            missing += why
    return TrustAnchor("MCUboot", who, setting=setting,
                       unknown="; ".join(missing) or "MCUboot's configuration names no signing key")


def check_trust(anchor: TrustAnchor, key: PublicKey, source: str, *, allow: bool) -> str | None:
    """None when `anchor` trusts `key`; a warning when that cannot be told, or when it does not
    but `allow` (--allow-untrusted-key); else UntrustedKeyError naming both keys and the setting."""
    if anchor.unknown:
        return (f"{anchor.image}: could not check that {anchor.bootloader} trusts the signing key: "
                f"{anchor.unknown}")
    digest = Fingerprint.of(key).sha256
    if any(k.sha256 == digest for k in anchor.keys):
        return None
    trusted = ", ".join(k.describe() for k in anchor.keys)
    problem = (f"signing key {source} ({key_type_name(key)} sha256 {digest[:16]}...) is not a key "
               f"{anchor.bootloader} in this build trusts for {anchor.image}: it trusts {trusted} ({anchor.evidence})")
    fix = (f"sign with the key it trusts, or set {anchor.setting} to your key and rebuild {anchor.bootloader}"
           if anchor.setting else f"sign with the key it trusts, or rebuild {anchor.bootloader} with yours")
    if allow:
        return f"{problem}; the image will not boot with this bootloader (signed anyway: --allow-untrusted-key)"
    raise UntrustedKeyError(problem, hint=f"{fix}; or pass --allow-untrusted-key")


def tfm_anchor(role: str, image: str, exported: Path | None, candidates: list[tuple[str, Path | None]],
               setting: str) -> TrustAnchor:
    """What TF-M's BL2 trusts for the `role` image: the exported public key, else the key files
    `candidates` names as (setting as written, resolved path), first found wins."""
    if exported is not None and exported.is_file():
        try:
            key = load_public_key(exported)
        except ZsecError:
            pass
        else:
            return TrustAnchor("TF-M BL2", image, (_trusted(key, str(exported)),), setting,
                               "the public key TF-M exported for BL2")
    missing = []
    for written, path in candidates:
        found = _known_key(written, path)
        if isinstance(found, TrustedKey):
            return TrustAnchor("TF-M BL2", image, (found,), setting, f"the key TF-M's BL2 was built with ({role})")
        missing.append(found)
    return TrustAnchor("TF-M BL2", image, setting=setting, unknown="; ".join(missing) or "no key setting")
