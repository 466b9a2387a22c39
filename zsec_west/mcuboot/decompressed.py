"""Checking what a compressed image says about the image it was compressed from.

A compressed image (header flag COMPRESSED_LZMA2) carries, in its protected area, the size
(DECOMP_SIZE), digest (DECOMP_SHA) and signature (DECOMP_SIGNATURE) of the image as it was before
compression: same header but without the compression flags and with the original payload size,
same protected TLVs but without the compression ones. MCUboot checks them after decompressing;
so does `check_decompressed`, by rebuilding that image's hashed region.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import replace

from zsec_west.errors import ImageFormatError
from zsec_west.keys.encoding import PublicKey
from zsec_west.mcuboot import compression
from zsec_west.mcuboot.encryption import aes_ctr
from zsec_west.mcuboot.header import ENDIAN_PREFIX, Flag
from zsec_west.mcuboot.parse import ParsedImage
from zsec_west.mcuboot.signatures import SignRequest, signature_tlv, verify_signature
from zsec_west.mcuboot.tlv import PROT_INFO_MAGIC, TlvType, encode_area

COMPRESSION_TLVS = frozenset({TlvType.DECOMP_SIZE, TlvType.DECOMP_SHA, TlvType.DECOMP_SIGNATURE,
                              TlvType.COMP_DEC_SIZE})
COMPRESSION_FLAGS = Flag.COMPRESSED_LZMA1 | Flag.COMPRESSED_LZMA2 | Flag.COMPRESSED_ARM_THUMB_FLT


def _tlv(parsed: ParsedImage, tlv_type: int) -> bytes | None:
    found = parsed.protected.first(tlv_type) if parsed.protected else None
    return found.value if found is not None else None


def original_region(data: bytes | memoryview, parsed: ParsedImage, aes_key: bytes | None) -> bytes:
    """The hashed region (header, header padding, payload, protected TLVs) of the image before
    compression; ImageFormatError when the compressed image does not describe it consistently."""
    h = parsed.header
    if h.flags & Flag.COMPRESSED_LZMA1:
        raise ImageFormatError("LZMA1 compression is not produced by imgtool and not supported")
    e = ENDIAN_PREFIX[parsed.endian]
    size_tlv, digest = _tlv(parsed, TlvType.DECOMP_SIZE), _tlv(parsed, TlvType.DECOMP_SHA)
    if size_tlv is None or len(size_tlv) != 4 or digest is None:
        raise ImageFormatError("compressed image without DECOMP_SIZE and DECOMP_SHA TLVs")
    (size,) = struct.unpack(e + "I", size_tlv)
    payload = bytes(memoryview(data)[parsed.payload_start:parsed.payload_end])
    if aes_key is not None:
        payload = aes_ctr(aes_key, payload)
    comp_size = _tlv(parsed, TlvType.COMP_DEC_SIZE)
    if comp_size is not None and len(comp_size) == 4:
        payload = payload[:struct.unpack(e + "I", comp_size)[0]]  # without the AES block padding
    original = compression.decompress(payload, bool(h.flags & Flag.COMPRESSED_ARM_THUMB_FLT))
    if len(original) != size:
        raise ImageFormatError(f"decompressed payload is {len(original)} bytes, DECOMP_SIZE says {size}")
    kept = [(t.type, t.value) for t in (parsed.protected.tlvs if parsed.protected else ())
            if t.type not in COMPRESSION_TLVS]
    protected = encode_area(PROT_INFO_MAGIC, kept, parsed.endian)
    header = replace(h, flags=h.flags & ~COMPRESSION_FLAGS, img_size=size, protect_tlv_size=len(protected))
    padding = bytes(memoryview(data)[32:h.hdr_size])
    return header.pack(parsed.endian) + padding + original + protected


def check_decompressed(data: bytes | memoryview, parsed: ParsedImage, key: PublicKey | None,
                       aes_key: bytes | None, hash_name: str | None) -> tuple[str, str]:
    """(status, reason) of the decompressed image's size, digest and (with a key) signature."""
    if parsed.header.encrypted and aes_key is None:
        return "skip", "compressed and encrypted; no decryption key given"
    try:
        region = original_region(data, parsed, aes_key)
    except ImageFormatError as exc:
        return "fail", exc.message
    digest = _tlv(parsed, TlvType.DECOMP_SHA) or b""
    name = hash_name
    if name is None or hashlib.new(name, region).digest() != digest:
        return "fail", "DECOMP_SHA does not match the decompressed image"
    if key is None:
        return "pass", "DECOMP_SHA matches the decompressed image; its signature was not checked"
    signature = _tlv(parsed, TlvType.DECOMP_SIGNATURE)
    if signature is None:
        return "fail", "no DECOMP_SIGNATURE TLV for the decompressed image"
    pure = parsed.unprotected.first(TlvType.SIG_PURE) is not None
    signature_tlv(key)  # refuses key types that cannot sign
    if not verify_signature(key, signature, SignRequest(region, digest, name, pure)):
        return "fail", "DECOMP_SIGNATURE does not verify with the given key"
    return "pass", "decompressed image: size, DECOMP_SHA and DECOMP_SIGNATURE verify"
