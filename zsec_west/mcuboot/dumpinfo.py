"""The document `imgtool dumpinfo -f json|yaml` writes, field for field, so that tools reading it can
read `zsec sign info`'s too.

It is imgtool 2.5's reading of the image, quirks included: the header is read little-endian,
the protected area is read when ih_protect_tlv_size is not zero (its magic unchecked), TLV types
carry imgtool's names ("UNKNOWN" for others), and the trailer fields are read back from the end
of the file whenever the file is longer than the image. Values of TLVs and the trailer magic are
bytes; JSON shows them as hex, as imgtool does.
"""

from __future__ import annotations

import struct
from pathlib import PurePath
from typing import Any

from zsec_west.errors import ImageFormatError
from zsec_west.mcuboot.header import ENCRYPTED_MASK
from zsec_west.mcuboot.trailer import BOOT_MAGIC_8, BOOT_MAGIC_TAIL, MAGIC_SIZE, align_up

# imgtool's TLV_VALUES names (they differ from image.h's: RSA2048, ECDSASIG, ENCRSA2048, ...).
IMGTOOL_TLV_NAMES = {
    0x01: "KEYHASH", 0x02: "PUBKEY", 0x10: "SHA256", 0x11: "SHA384", 0x12: "SHA512", 0x20: "RSA2048",
    0x22: "ECDSASIG", 0x23: "RSA3072", 0x24: "ED25519", 0x25: "SIG_PURE", 0x30: "ENCRSA2048",
    0x31: "ENCKW", 0x32: "ENCEC256", 0x33: "ENCX25519", 0x34: "ENCX25519_SHA512", 0x40: "DEPENDENCY",
    0x50: "SEC_CNT", 0x60: "BOOT_RECORD", 0x70: "DECOMP_SIZE", 0x71: "DECOMP_SHA",
    0x72: "DECOMP_SIGNATURE", 0x73: "COMP_DEC_SIZE", 0x74: "UUID_VID", 0x75: "UUID_CID",
}
HEADER_ITEMS = ("magic", "load_addr", "hdr_size", "protected_tlv_size", "img_size", "flags")
_INFO = 4


def _unpack(fmt: str, data: bytes | memoryview, offset: int) -> tuple[Any, ...]:
    size = struct.calcsize(fmt)
    if offset < 0 or offset + size > len(data):
        raise ImageFormatError(f"truncated image: nothing to read at 0x{offset:x} (file is 0x{len(data):x} bytes)")
    return struct.unpack(fmt, bytes(data[offset:offset + size]))


def _records(data: bytes | memoryview, offset: int, end: int) -> list[dict[str, Any]]:
    records = []
    while offset < end:
        tlv_type, length = _unpack("<HH", data, offset)
        offset += _INFO
        records.append({"type": tlv_type, "type_name": IMGTOOL_TLV_NAMES.get(tlv_type, "UNKNOWN"), "len": length,
                        "data": bytes(data[offset:offset + length])})
        offset += length
    return records


def _trailer(data: bytes | memoryview, flags: int) -> dict[str, Any]:
    magic = bytes(data[-MAGIC_SIZE:])
    trailer: dict[str, Any] = {"magic": magic}
    if magic == BOOT_MAGIC_8:
        max_align = 8
    elif magic[2:] == BOOT_MAGIC_TAIL:
        max_align = int.from_bytes(magic[:2], "little")
    else:
        return trailer  # imgtool warns that the magic is invalid and reads no further
    offset = len(data) - MAGIC_SIZE - max(0, max_align - MAGIC_SIZE)
    for name in ("image_ok", "copy_done", "swap_info"):
        offset -= max_align
        trailer[name] = data[offset]
    offset -= max_align
    trailer["swap_size"] = int.from_bytes(bytes(data[offset:offset + 4]), "little")
    if flags & ENCRYPTED_MASK:
        trailer["key_field_len"] = align_up(16, max_align) * 2
    return trailer


def dumpinfo(data: bytes | memoryview, filename: str) -> dict[str, Any]:
    """imgtool dumpinfo's document for the image `data` (a .bin, or a .hex's bytes, gaps 0xff)."""
    fields = _unpack("<IIHHIIBBHI", data, 0)
    header: dict[str, Any] = dict(zip(HEADER_ITEMS, fields[:6], strict=False))
    header["version"] = "{}.{}.{}+{}".format(*fields[6:])
    area: dict[str, Any] = {"tlv_hdr_prot": {}, "tlvs_prot": [], "tlv_hdr": {}, "tlvs": []}
    offset = header["hdr_size"] + header["img_size"]
    if header["protected_tlv_size"]:
        magic, total = _unpack("<HH", data, offset)
        area["tlv_hdr_prot"] = {"magic": magic, "tlv_tot": total}
        area["tlvs_prot"] = _records(data, offset + _INFO, offset + total)
        offset += total
    magic, total = _unpack("<HH", data, offset)
    area["tlv_hdr"] = {"magic": magic, "tlv_tot": total}
    area["tlvs"] = _records(data, offset + _INFO, offset + total)
    end = offset + total
    trailer = _trailer(data, header["flags"]) if len(data) > end else {}
    return {"filename": PurePath(filename).name, "header": header, "tlv_area": area, "trailer": trailer}


def as_json_value(value: Any) -> Any:
    """The document with bytes as hex strings, as imgtool's JSON output has them."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {key: as_json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json_value(item) for item in value]
    return value
