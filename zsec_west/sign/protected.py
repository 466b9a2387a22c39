"""What goes into the protected TLV area: security counter, boot record, dependencies, UUIDs."""

from __future__ import annotations

import re
import struct
from typing import TYPE_CHECKING

from zsec_west.errors import UsageError
from zsec_west.mcuboot.header import ENDIAN_PREFIX
from zsec_west.mcuboot.tlv import HASH_SIZES, TlvType
from zsec_west.mcuboot.version import resolve_security_counter
from zsec_west.sign.options import ImageOptions
from zsec_west.versions import ImageVersion as Version

if TYPE_CHECKING:
    import uuid


def parse_uuid(value: str, namespace: uuid.UUID | None) -> bytes:
    """A --vid/--cid value: a UUID, 32 hex digits, or a name hashed with uuid5 under `namespace`."""
    if re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", value):
        return bytes.fromhex(value.replace("-", ""))
    if re.fullmatch(r"[0-9a-fA-F]{32}", value):
        return bytes.fromhex(value)
    if value.isprintable():
        if namespace is None:
            raise UsageError(f"class id {value!r} is a name, which needs a vendor id (--vid) as namespace")
        import uuid

        return uuid.uuid5(namespace, value).bytes
    raise UsageError(f"unknown UUID format {value!r}")


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("CBOR length too large")


def boot_record(sw_type: str, version: Version, hash_name: str, signer_id: bytes) -> bytes:
    """The CBOR measured-boot record (PSA sw component); the measurement is zeros for the bootloader to fill."""
    items: list[tuple[int, bytes | str]] = [
        (1, sw_type), (4, version.short), (5, signer_id), (6, hash_name.upper()),
        (2, bytes(HASH_SIZES[hash_name])),  # must stay last: the bootloader patches it in place
    ]
    out = bytearray(_cbor_head(5, len(items)))
    for key, value in items:
        out += _cbor_head(0, key)
        raw = value.encode("utf-8") if isinstance(value, str) else value
        out += _cbor_head(3 if isinstance(value, str) else 2, len(raw)) + raw
    return bytes(out)


def protected_entries(options: ImageOptions, hash_name: str, key_hash: bytes | None,
                      compression: tuple[tuple[int, bytes], ...] = ()) -> list[tuple[int, bytes]]:
    """The protected TLVs in imgtool's order: counter, boot record, dependencies, compression,
    vendor and class ids, custom TLVs."""
    e = ENDIAN_PREFIX[options.endian]
    version = options.version
    assert isinstance(version, Version)
    entries: list[tuple[int, bytes]] = []
    counter = resolve_security_counter(options.security_counter, version)
    if counter is not None:
        entries.append((TlvType.SEC_CNT, struct.pack(e + "I", counter)))
    if options.boot_record is not None:
        signer_id = key_hash if key_hash is not None else bytes(32)
        entries.append((TlvType.BOOT_RECORD, boot_record(options.boot_record, version, hash_name, signer_id)))
    dependencies = options.dependencies
    assert not isinstance(dependencies, str)  # ImageOptions.__post_init__ parsed it
    for dep in dependencies:
        v = dep.version
        packed = struct.pack(e + "B3xBBHI", dep.image_id, v.major, v.minor, v.revision, v.build)
        entries.append((TlvType.DEPENDENCY, packed))
    entries.extend(compression)
    vid = None
    if options.vid is not None:
        import uuid  # only images with --vid/--cid need it

        vid = parse_uuid(options.vid, uuid.NAMESPACE_DNS)
    if vid is not None:
        entries.append((TlvType.UUID_VID, vid))
    if options.cid is not None:
        import uuid

        entries.append((TlvType.UUID_CID, parse_uuid(options.cid, uuid.UUID(bytes=vid) if vid else None)))
    entries.extend(options.custom_tlvs)
    return entries
