"""Splitting an MCUboot image into header, payload, TLV areas and trailer, and describing it (`info`)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from zsec_west.errors import ImageFormatError
from zsec_west.keys import devkeys
from zsec_west.keys.encoding import Fingerprint
from zsec_west.mcuboot.header import ENDIAN_PREFIX, HEADER_SIZE, ImageHeader, flag_names
from zsec_west.mcuboot.tlv import INFO_MAGIC, PROT_INFO_MAGIC, Tlv, TlvArea, TlvType, decode_area, read_info
from zsec_west.mcuboot.trailer import TrailerState, read_trailer

SMALL_VALUE = 64  # TLV values up to this many bytes are shown in full by `info`


@dataclass(frozen=True)
class ParsedImage:
    """Where everything is in an image. Offsets index the data passed to `parse_image`."""

    header: ImageHeader
    endian: str
    protected: TlvArea | None
    unprotected: TlvArea
    trailer: TrailerState | None
    file_size: int

    @property
    def payload_start(self) -> int:
        return self.header.hdr_size

    @property
    def payload_end(self) -> int:
        return self.header.hdr_size + self.header.img_size

    @property
    def hashed_end(self) -> int:
        """End of the hashed region: the start of the unprotected TLV area."""
        return self.unprotected.offset

    @property
    def image_size(self) -> int:
        """Header + payload + TLV areas (what precedes any padding and trailer)."""
        return self.unprotected.end

    def tlvs(self) -> list[Tlv]:
        return [*(self.protected.tlvs if self.protected else ()), *self.unprotected.tlvs]


def parse_image(data: bytes | memoryview) -> ParsedImage:
    """Parse `data` (a .bin, or the bytes of a .hex); truncated or garbled input is ImageFormatError.

    Like the bootloader, the areas are found from the header sizes: payload at hdr_size, then a
    protected area if one starts with 0x6908, then the 0x6907 area. Whether ih_protect_tlv_size
    agrees is a verification question, not a parse error.
    """
    header, endian = ImageHeader.unpack(data)
    if header.hdr_size < HEADER_SIZE:
        raise ImageFormatError(f"header size {header.hdr_size} is smaller than the 32-byte header")
    offset = header.hdr_size + header.img_size
    if offset > len(data):
        raise ImageFormatError(
            f"truncated image: header says payload ends at 0x{offset:x}, file is 0x{len(data):x} bytes"
        )
    protected = None
    magic, _ = read_info(data, offset, endian)
    if magic == PROT_INFO_MAGIC:
        protected = decode_area(data, offset, endian, PROT_INFO_MAGIC)
        offset = protected.end
    elif header.protect_tlv_size and magic != INFO_MAGIC:
        raise ImageFormatError(f"invalid protected TLV info magic 0x{magic:04x} at 0x{offset:x}")
    unprotected = decode_area(data, offset, endian, INFO_MAGIC)
    return ParsedImage(header, endian, protected, unprotected, read_trailer(data, unprotected.end), len(data))


def _value_summary(tlv: Tlv, endian: str) -> dict[str, object]:
    entry: dict[str, object] = {"type": tlv.type, "type_hex": f"0x{tlv.type:02x}", "name": tlv.name,
                                "offset": tlv.offset, "length": tlv.length}
    e = ENDIAN_PREFIX[endian]
    if tlv.length <= SMALL_VALUE:
        entry["value"] = tlv.value.hex()
    if tlv.type == TlvType.SEC_CNT and tlv.length == 4:
        entry["security_counter"] = struct.unpack(e + "I", tlv.value)[0]
    elif tlv.type == TlvType.DEPENDENCY and tlv.length == 12:
        image_id, major, minor, rev, build = struct.unpack(e + "B3xBBHI", tlv.value)
        entry["dependency"] = {"image_id": image_id, "min_version": f"{major}.{minor}.{rev}+{build}"}
    elif tlv.type in (TlvType.UUID_VID, TlvType.UUID_CID) and tlv.length == 16:
        entry["uuid"] = "-".join(tlv.value.hex()[a:b] for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)))
    return entry


def info(data: bytes | memoryview) -> dict[str, object]:
    """Header fields, flags, TLVs and trailer state as plain data (for text and JSON reports)."""
    parsed = parse_image(data)
    h = parsed.header
    areas = []
    for area in (parsed.protected, parsed.unprotected):
        if area is None:
            continue
        areas.append({
            "kind": "protected" if area.protected else "unprotected",
            "magic": f"0x{area.magic:04x}",
            "offset": area.offset,
            "size": area.total,
            "tlvs": [_value_summary(t, parsed.endian) for t in area.tlvs],
        })
    return {
        "header": {
            "magic": f"0x{h.magic:08x}",
            "load_addr": f"0x{h.load_addr:08x}",
            "hdr_size": h.hdr_size,
            "protect_tlv_size": h.protect_tlv_size,
            "img_size": h.img_size,
            "flags": f"0x{h.flags:08x}",
            "flag_names": flag_names(h.flags),
            "version": str(h.version),
            "pad1": f"0x{h.pad1:08x}",
        },
        "endian": parsed.endian,
        "tlv_areas": areas,
        "image_size": parsed.image_size,
        "file_size": parsed.file_size,
        "trailer": parsed.trailer.as_dict() if parsed.trailer else None,
        "signing_key": signing_key(parsed),
    }


def signing_key(parsed: ParsedImage) -> dict[str, object] | None:
    """The key an image names (KEYHASH digest, else PUBKEY fingerprint), and the publicly known
    development key it is, if it is one."""
    for tlv in parsed.unprotected.find(TlvType.KEYHASH):
        if tlv.length <= SMALL_VALUE:
            dev = devkeys.lookup_digest(tlv.value)
            return {"tlv": "KEYHASH", "digest": tlv.value.hex(), "development_key": dev.name if dev else None}
    pubkey = next(parsed.unprotected.find(TlvType.PUBKEY), None)
    if pubkey is None:
        return None
    fingerprint = Fingerprint.of_encoding(pubkey.value)
    found = devkeys.lookup(fingerprint)
    return {"tlv": "PUBKEY", "sha256": fingerprint.sha256, "development_key": found.name if found else None}
