"""The 32-byte MCUboot image header (`struct image_header`) and its flags."""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from zsec_west.errors import ImageFormatError
from zsec_west.versions import ImageVersion as Version

IMAGE_MAGIC = 0x96F3B83D
IMAGE_MAGIC_V1 = 0x96F3B83C
IMAGE_MAGIC_NONE = 0xFFFFFFFF
HEADER_SIZE = 32

ENDIAN_PREFIX = {"little": "<", "big": ">"}

# magic, load_addr, hdr_size, protect_tlv_size, img_size, flags, major, minor, revision, build, pad1
_FIELDS = "IIHHIIBBHII"


class Flag(enum.IntFlag):
    """`IMAGE_F_*` header flags (image.h)."""

    PIC = 0x00000001
    ENCRYPTED_AES128 = 0x00000004
    ENCRYPTED_AES256 = 0x00000008
    NON_BOOTABLE = 0x00000010
    RAM_LOAD = 0x00000020
    ROM_FIXED = 0x00000100
    COMPRESSED_LZMA1 = 0x00000200
    COMPRESSED_LZMA2 = 0x00000400
    COMPRESSED_ARM_THUMB_FLT = 0x00000800


ENCRYPTED_MASK = Flag.ENCRYPTED_AES128 | Flag.ENCRYPTED_AES256


def flag_names(flags: int) -> list[str]:
    """Names of the set flags, with unknown bits as hex, in bit order."""
    names: list[str] = []
    for bit in range(32):
        value = 1 << bit
        if flags & value:
            try:
                names.append(Flag(value).name or hex(value))
            except ValueError:
                names.append(f"0x{value:08x}")
    return names


@dataclass(frozen=True)
class ImageHeader:
    """The decoded header fields; `pack` writes them back in the given byte order."""

    load_addr: int
    hdr_size: int
    protect_tlv_size: int
    img_size: int
    flags: int
    version: Version
    magic: int = IMAGE_MAGIC
    pad1: int = 0

    @property
    def encrypted(self) -> bool:
        return bool(self.flags & ENCRYPTED_MASK)

    @property
    def aes_key_size(self) -> int | None:
        """16 or 32 bytes for an encrypted image, else None (AES-256 wins if both bits are set)."""
        if self.flags & Flag.ENCRYPTED_AES256:
            return 32
        if self.flags & Flag.ENCRYPTED_AES128:
            return 16
        return None

    def pack(self, endian: str = "little") -> bytes:
        v = self.version
        try:
            return struct.pack(
                ENDIAN_PREFIX[endian] + _FIELDS, self.magic, self.load_addr, self.hdr_size,
                self.protect_tlv_size, self.img_size, self.flags, v.major, v.minor, v.revision,
                v.build, self.pad1,
            )
        except struct.error as exc:
            raise ImageFormatError(f"header field out of range ({exc})") from None

    @classmethod
    def unpack(cls, data: bytes | memoryview) -> tuple[ImageHeader, str]:
        """Decode a header and tell its byte order (detected from the magic)."""
        if len(data) < HEADER_SIZE:
            raise ImageFormatError(f"file is {len(data)} bytes, shorter than the 32-byte image header")
        raw = bytes(data[:HEADER_SIZE])
        for endian in ("little", "big"):
            fields = struct.unpack(ENDIAN_PREFIX[endian] + _FIELDS, raw)
            if fields[0] == IMAGE_MAGIC:
                break
        else:
            magic = struct.unpack("<I", raw[:4])[0]
            if magic == IMAGE_MAGIC_NONE:
                raise ImageFormatError("no image: the header is erased flash (magic 0xffffffff)")
            if magic == IMAGE_MAGIC_V1:
                raise ImageFormatError("legacy v1 image magic 0x96f3b83c is not supported")
            raise ImageFormatError(
                f"invalid image magic 0x{magic:08x}", hint="is this an MCUboot image?"
            )
        (magic, load, hdr, prot, img, flags, major, minor, rev, build, pad1) = fields
        header = cls(load, hdr, prot, img, flags, Version(major, minor, rev, build), magic, pad1)
        return header, endian
