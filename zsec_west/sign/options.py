"""The options of an MCUboot image (imgtool `sign`'s), checked as a whole when they are made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from zsec_west.errors import UsageError
from zsec_west.keys.encoding import PublicKey
from zsec_west.mcuboot.header import ENDIAN_PREFIX, HEADER_SIZE
from zsec_west.mcuboot.tlv import check_custom_tag
from zsec_west.mcuboot.trailer import DEFAULT_MAX_SECTORS, effective_max_align
from zsec_west.mcuboot.version import U32_MAX, Dependency, parse_dependencies, resolve_security_counter
from zsec_west.versions import ImageVersion as Version
from zsec_west.versions import parse_image_version as parse_version

MAX_SW_TYPE_LENGTH = 12
# The largest slot an image is padded to. A padded image is built and written whole, so a slot
# of gigabytes (a damaged devicetree, a typo in -S) would exhaust memory and disk. The largest
# serial NOR flash parts hold 2 Gbit (256 MiB), and a slot is at most one flash device.
MAX_PADDED_SLOT = 256 << 20


def check_padded_slot(slot_size: int, padded: bool, source: str = "-S/--slot-size") -> None:
    """UsageError naming where the slot size came from if an image cannot be padded to it."""
    if padded and slot_size > MAX_PADDED_SLOT:
        raise UsageError(f"slot size 0x{slot_size:x} ({source}) is larger than {MAX_PADDED_SLOT >> 20} MiB, "
                         "more than any flash MCUboot boots from; refusing to pad an image to it")

# imgtool's ALLOWED_KEY_SHA: what --sha may be per key; the first entry is what `auto` picks.
@dataclass(frozen=True)
class ImageOptions:
    """Every `imgtool sign` option that shapes the image (keys and files are passed separately).

    Field -> imgtool option: header_size -H, slot_size -S (0: no fit check, only without padding),
    version -v (a Version or "maj.min.rev+build"), pad_header --pad-header, pad --pad, confirm
    --confirm, test --test, align --align, max_align --max-align, max_sectors -M, overwrite_only
    --overwrite-only, erased_val -R, load_addr -L, rom_fixed -F, security_counter -s (int, "auto"
    or None), dependencies -d (Dependency tuple, or imgtool's "(id,ver),..." string), boot_record
    --boot-record, custom_tlvs --custom-tlv/--custom-tlv-file as (type, value) pairs in output
    order, public_key_format --public-key-format, sha --sha, pure --pure, pad_sig --pad-sig,
    encrypt_key -E (the public key object: RSA-2048, P-256 or X25519), encrypt_keylen
    --encrypt-keylen, hmac_sha --hmac-sha, clear -c, save_enctlv --save-enctlv, non_bootable
    --non-bootable, vid --vid, cid --cid, endian -e, compression --compression. Invalid values
    raise UsageError.
    """

    header_size: int
    slot_size: int
    version: Version | str = Version()
    pad_header: bool = False
    pad: bool = False
    confirm: bool = False
    test: bool = False
    align: int = 1
    max_align: int | None = None
    max_sectors: int = DEFAULT_MAX_SECTORS
    overwrite_only: bool = False
    erased_val: int = 0xFF
    load_addr: int | None = None
    rom_fixed: int | None = None
    security_counter: int | Literal["auto"] | None = None
    dependencies: tuple[Dependency, ...] | str = ()
    boot_record: str | None = None
    custom_tlvs: tuple[tuple[int, bytes], ...] = ()
    public_key_format: Literal["hash", "full"] = "hash"
    sha: Literal["auto", "256", "384", "512"] = "auto"
    pure: bool = False
    pad_sig: bool = False
    encrypt_key: PublicKey | None = field(default=None, compare=False)
    encrypt_source: str | None = field(default=None, compare=False)  # -E's file, named in errors
    encrypt_keylen: Literal[128, 256] = 128
    hmac_sha: Literal["auto", "256", "512"] = "auto"
    clear: bool = False
    save_enctlv: bool = False
    non_bootable: bool = False
    vid: str | None = None
    cid: str | None = None
    endian: Literal["little", "big"] = "little"
    compression: Literal["disabled", "lzma2", "lzma2armthumb"] = "disabled"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        version = parse_version(self.version) if isinstance(self.version, str) else self.version
        set_(self, "version", version)
        deps = self.dependencies
        set_(self, "dependencies", parse_dependencies(deps) if isinstance(deps, str) else tuple(deps))
        set_(self, "custom_tlvs", tuple((int(t), bytes(v)) for t, v in self.custom_tlvs))
        if not HEADER_SIZE <= self.header_size <= 0xFFFF:
            raise UsageError(f"header size {self.header_size} must be between 32 and 0xffff")
        if self.confirm and self.test:
            raise UsageError("--confirm and --test exclude each other: an image is either confirmed or "
                             "marked for a test swap")
        if self.slot_size < 0 or (self.padded and self.slot_size == 0):
            raise UsageError("a slot size is needed to pad the image (--pad/--confirm/--test)")
        check_padded_slot(self.slot_size, self.padded)
        if self.erased_val not in (0x00, 0xFF):
            raise UsageError(f"erased value 0x{self.erased_val:x} must be 0 or 0xff")
        if self.endian not in ENDIAN_PREFIX:
            raise UsageError(f"endian {self.endian!r} must be little or big")
        effective_max_align(self.align, self.max_align)
        if self.max_sectors < 0:
            raise UsageError("max sectors must not be negative")
        for name in ("load_addr", "rom_fixed"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= U32_MAX:
                raise UsageError(f"{name.replace('_', ' ')} 0x{value:x} is not a 32-bit address")
        if self.load_addr is not None and self.rom_fixed is not None:
            raise UsageError("load address (-L) and rom-fixed address (-F) cannot both be set")
        resolve_security_counter(self.security_counter, version)
        if self.boot_record is not None and len(self.boot_record) > MAX_SW_TYPE_LENGTH:
            raise UsageError(
                f"boot record sw_type {self.boot_record!r} is longer than {MAX_SW_TYPE_LENGTH} characters")
        seen: set[int] = set()
        for tag, _ in self.custom_tlvs:
            check_custom_tag(tag)
            if tag in seen:
                raise UsageError(f"custom TLV 0x{tag:x} is given twice")
            seen.add(tag)
        _choice("public key format", self.public_key_format, ("hash", "full"))
        _choice("sha", self.sha, ("auto", "256", "384", "512"))
        _choice("hmac sha", self.hmac_sha, ("auto", "256", "512"))
        _choice("encryption key length", self.encrypt_keylen, (128, 256))
        _choice("compression", self.compression, ("disabled", "lzma2", "lzma2armthumb"))
        if self.pure and self.sha != "auto":
            raise UsageError("pure signatures fix the hash (SHA-512); --sha cannot be chosen with --pure")
        if self.clear and self.encrypt_key is None:
            raise UsageError("--clear only makes sense with an encryption key")

    @property
    def padded(self) -> bool:
        """--confirm and --test imply --pad."""
        return self.pad or self.confirm or self.test

    @property
    def effective_max_align(self) -> int:
        return effective_max_align(self.align, self.max_align)


def _choice(name: str, value: object, allowed: tuple[object, ...]) -> None:
    if value not in allowed:
        raise UsageError(f"{name} {value!r} must be one of {', '.join(map(str, allowed))}")
