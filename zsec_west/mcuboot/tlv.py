"""MCUboot TLV type numbers and the encoding of the protected (0x6908) and unprotected (0x6907) areas."""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from zsec_west.errors import ImageFormatError, UsageError
from zsec_west.mcuboot.header import ENDIAN_PREFIX

INFO_MAGIC = 0x6907
PROT_INFO_MAGIC = 0x6908
INFO_SIZE = 4
TLV_HEADER_SIZE = 4
MAX_AREA_SIZE = 0xFFFF

# imgtool's --custom-tlv range; types inside it that MCUboot defines are still refused.
CUSTOM_MIN = 0x00A0
CUSTOM_MAX = 0xFFFE


class TlvType(enum.IntEnum):
    """`IMAGE_TLV_*` type numbers (image.h names)."""

    KEYHASH = 0x01
    PUBKEY = 0x02
    SHA256 = 0x10
    SHA384 = 0x11
    SHA512 = 0x12
    RSA2048_PSS = 0x20
    ECDSA224 = 0x21
    ECDSA_SIG = 0x22
    RSA3072_PSS = 0x23
    ED25519 = 0x24
    SIG_PURE = 0x25
    ENC_RSA2048 = 0x30
    ENC_KW = 0x31
    ENC_EC256 = 0x32
    ENC_X25519 = 0x33
    ENC_X25519_SHA512 = 0x34
    DEPENDENCY = 0x40
    SEC_CNT = 0x50
    BOOT_RECORD = 0x60
    DECOMP_SIZE = 0x70
    DECOMP_SHA = 0x71
    DECOMP_SIGNATURE = 0x72
    COMP_DEC_SIZE = 0x73
    UUID_VID = 0x74
    UUID_CID = 0x75


# Types imgtool knows by name; it writes them as (type byte, 0, u16 len), which differs from a
# u16 type only in big-endian images.
_BYTE_TYPES = frozenset(int(t) for t in TlvType if t != TlvType.ECDSA224)

HASH_TLVS = {"sha256": TlvType.SHA256, "sha384": TlvType.SHA384, "sha512": TlvType.SHA512}
HASH_BY_TLV = {tlv: name for name, tlv in HASH_TLVS.items()}
HASH_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}
SIGNATURE_TLVS = frozenset({TlvType.RSA2048_PSS, TlvType.ECDSA224, TlvType.ECDSA_SIG,
                            TlvType.RSA3072_PSS, TlvType.ED25519})
ENC_TLVS = frozenset({TlvType.ENC_RSA2048, TlvType.ENC_KW, TlvType.ENC_EC256,
                      TlvType.ENC_X25519, TlvType.ENC_X25519_SHA512})
# What MCUBOOT_USE_TLV_ALLOW_LIST lets stand outside the protected area: everything else
# would be unauthenticated metadata.
UNPROTECTED_ALLOWED = frozenset({TlvType.KEYHASH, TlvType.PUBKEY, *HASH_TLVS.values(),
                                 *SIGNATURE_TLVS, TlvType.SIG_PURE, *ENC_TLVS})


def tlv_name(tlv_type: int) -> str:
    """The image.h name of a type, `VENDOR_0x00a0` for the vendor range, else `UNKNOWN_0x....`."""
    try:
        return TlvType(tlv_type).name
    except ValueError:
        return f"VENDOR_0x{tlv_type:04x}" if (tlv_type & 0xFF) >= 0xA0 else f"UNKNOWN_0x{tlv_type:04x}"


def check_custom_tag(tag: int) -> None:
    """Refuse a custom TLV type the way imgtool does: outside 0xa0..0xfffe, or a defined type."""
    if not CUSTOM_MIN <= tag <= CUSTOM_MAX:
        raise UsageError(f"custom TLV type 0x{tag:04x} is outside 0x{CUSTOM_MIN:04x}..0x{CUSTOM_MAX:04x}")
    if tag in _BYTE_TYPES or tag == TlvType.ECDSA224:
        raise UsageError(f"custom TLV type 0x{tag:04x} conflicts with predefined TLV {tlv_name(tag)}")


def encode_tlv(tlv_type: int, value: bytes, endian: str = "little") -> bytes:
    """One TLV: header then value."""
    e = ENDIAN_PREFIX[endian]
    if len(value) > MAX_AREA_SIZE:
        raise ImageFormatError(f"TLV {tlv_name(tlv_type)} value of {len(value)} bytes is too long")
    if tlv_type in _BYTE_TYPES:
        return struct.pack(e + "BBH", tlv_type, 0, len(value)) + value
    return struct.pack(e + "HH", tlv_type, len(value)) + value


def encode_area(magic: int, entries: Iterable[tuple[int, bytes]], endian: str = "little") -> bytes:
    """A TLV area with its info header; an area without entries is empty (b"")."""
    body = b"".join(encode_tlv(t, v, endian) for t, v in entries)
    if not body:
        return b""
    total = INFO_SIZE + len(body)
    if total > MAX_AREA_SIZE:
        raise ImageFormatError(f"TLV area of {total} bytes exceeds the 16-bit size field")
    return struct.pack(ENDIAN_PREFIX[endian] + "HH", magic, total) + body


def area_size(entries: Iterable[tuple[int, bytes]]) -> int:
    """The encoded size of an area holding `entries` (0 when there are none)."""
    body = sum(TLV_HEADER_SIZE + len(v) for _, v in entries)
    return INFO_SIZE + body if body else 0


@dataclass(frozen=True)
class Tlv:
    """One decoded TLV; `offset` is where its 4-byte header starts in the image."""

    type: int
    offset: int
    value: bytes

    @property
    def name(self) -> str:
        return tlv_name(self.type)

    @property
    def length(self) -> int:
        return len(self.value)


@dataclass(frozen=True)
class TlvArea:
    """A decoded TLV area: its info magic, where it starts and its total size incl. the info header."""

    magic: int
    offset: int
    total: int
    tlvs: tuple[Tlv, ...]

    @property
    def protected(self) -> bool:
        return self.magic == PROT_INFO_MAGIC

    @property
    def end(self) -> int:
        return self.offset + self.total

    def find(self, tlv_type: int) -> Iterator[Tlv]:
        return (t for t in self.tlvs if t.type == tlv_type)

    def first(self, tlv_type: int) -> Tlv | None:
        return next(self.find(tlv_type), None)


def read_info(data: bytes | memoryview, offset: int, endian: str) -> tuple[int, int]:
    """The (magic, total) info header at `offset`."""
    if offset + INFO_SIZE > len(data):
        raise ImageFormatError(
            f"truncated image: TLV info at 0x{offset:x} lies beyond the end of the file (0x{len(data):x} bytes)"
        )
    return struct.unpack(ENDIAN_PREFIX[endian] + "HH", bytes(data[offset:offset + INFO_SIZE]))


def _decode_type(raw: bytes, endian: str) -> int:
    # Big-endian imgtool images write a known type T as bytes (T, 0), indistinguishable from a
    # custom type T<<8; the known type wins, since that is what imgtool itself emits.
    value = struct.unpack(ENDIAN_PREFIX[endian] + "H", raw)[0]
    if endian == "big" and raw[1] == 0 and raw[0] in _BYTE_TYPES:
        return raw[0]
    return value


def decode_area(data: bytes | memoryview, offset: int, endian: str, magic: int) -> TlvArea:
    """Decode the area at `offset`, which must start with info `magic`; garbled input is an error."""
    kind = "protected" if magic == PROT_INFO_MAGIC else "unprotected"
    found, total = read_info(data, offset, endian)
    if found != magic:
        raise ImageFormatError(
            f"invalid {kind} TLV info magic 0x{found:04x} at 0x{offset:x} (expected 0x{magic:04x})",
            hint="is this an MCUboot image?",
        )
    end = offset + total
    if total < INFO_SIZE:
        raise ImageFormatError(f"{kind} TLV area at 0x{offset:x} claims {total} bytes, less than its header")
    if end > len(data):
        raise ImageFormatError(
            f"truncated image: {kind} TLV area at 0x{offset:x} needs {total} bytes, "
            f"file ends {len(data) - offset} bytes after its start"
        )
    e = ENDIAN_PREFIX[endian]
    tlvs: list[Tlv] = []
    pos = offset + INFO_SIZE
    while pos < end:
        if pos + TLV_HEADER_SIZE > end:
            raise ImageFormatError(f"{kind} TLV at 0x{pos:x} overruns its area (ends at 0x{end:x})")
        raw = bytes(data[pos:pos + TLV_HEADER_SIZE])
        length = struct.unpack(e + "H", raw[2:])[0]
        if pos + TLV_HEADER_SIZE + length > end:
            raise ImageFormatError(
                f"{kind} TLV at 0x{pos:x} with length {length} overruns its area (ends at 0x{end:x})"
            )
        value = bytes(data[pos + TLV_HEADER_SIZE:pos + TLV_HEADER_SIZE + length])
        tlvs.append(Tlv(_decode_type(raw[:2], endian), pos, value))
        pos += TLV_HEADER_SIZE + length
    return TlvArea(magic, offset, total, tuple(tlvs))
