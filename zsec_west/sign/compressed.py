"""Compressed images (`--compression lzma2|lzma2armthumb`), made the way imgtool 2.5 makes them.

imgtool first builds, hashes and signs the image as it would be without compression; that
image's payload size, digest and signature become the protected DECOMP_SIZE, DECOMP_SHA and
DECOMP_SIGNATURE TLVs of the compressed image (plus COMP_DEC_SIZE, the compressed size, when it
is also encrypted), which is then built, hashed and signed in its turn. When the compressed
payload plus those TLVs is not smaller than the original payload, the uncompressed image is
the result.

Two imgtool 2.5 defects are not copied: its fall-back image for an encrypted input carries the
ENCRYPTED flag but is neither encrypted nor has a key TLV (here it is the normal encrypted
image), and its compressed image loses --non-bootable (kept here).
"""

from __future__ import annotations

import dataclasses
import struct

from zsec_west.errors import ImageFormatError, UsageError
from zsec_west.mcuboot import compression as lzma2
from zsec_west.mcuboot.header import ENDIAN_PREFIX, Flag
from zsec_west.mcuboot.tlv import TlvType
from zsec_west.mcuboot.trailer import trailer_size
from zsec_west.sign.imagebuild import (
    Compressed,
    FixedSignature,
    Payload,
    SignedImage,
    _build_hashed,
    build_image,
    sign_hashed,
)
from zsec_west.sign.options import ImageOptions
from zsec_west.sign.signer import Signer


def _uncompressed_encrypted(payload: Payload, options: ImageOptions, signer: Signer | None
                            ) -> tuple[bytearray, int, bytes, bytes | None]:
    """(buffer, payload size, digest, signature) of the uncompressed image imgtool hashes before
    compressing an encrypted one: ENCRYPTED flag set, but no AES padding and no encryption."""
    key = signer.public_key() if signer is not None else None
    hashed = _build_hashed(payload, options, key, public_only=signer is None, pad_for_aes=False)
    size = hashed.header.img_size
    tsize = trailer_size(align=options.align, max_align=options.effective_max_align,
                         max_sectors=options.max_sectors, overwrite_only=options.overwrite_only,
                         encrypted=True, save_enctlv=options.save_enctlv, enctlv_len=0)
    if options.slot_size and hashed.hashed_end + tsize > options.slot_size:
        raise ImageFormatError(f"image size (0x{hashed.hashed_end:x}) + trailer (0x{tsize:x}) exceeds the "
                               f"slot size 0x{options.slot_size:x} before compression",
                               hint="imgtool checks the uncompressed image against the slot too")
    signature = sign_hashed(hashed, options, signer) if signer is not None else None
    return hashed.buf, size, hashed.digest, signature


def create_compressed_image(payload: Payload, options: ImageOptions, signer: Signer | None,
                            fixed_signature: FixedSignature | None) -> SignedImage:
    """The compressed image for `payload`, or the uncompressed one when compressing does not pay."""
    if fixed_signature is not None:
        raise UsageError("--compression cannot insert a signature made elsewhere (--fix-sig): a compressed "
                         "image carries two signatures, over the compressed and the original image")
    plain = dataclasses.replace(options, compression="disabled")
    hs = options.header_size
    first: SignedImage | None = None
    if options.encrypt_key is None:
        first = build_image(payload, plain, signer, None)
        buf, size, digest, signature = first.data, first.header.img_size, first.digest, first.signature
    else:
        buf, size, digest, signature = _uncompressed_encrypted(payload, plain, signer)
    with memoryview(buf) as view, view[hs:hs + size] as body:
        data = lzma2.compress(body, options.compression)
    e = ENDIAN_PREFIX[options.endian]
    tlvs = [(TlvType.DECOMP_SIZE, struct.pack(e + "I", size)), (TlvType.DECOMP_SHA, digest)]
    if signature is not None:
        tlvs.append((TlvType.DECOMP_SIGNATURE, signature))
    if len(data) + sum(len(value) for _, value in tlvs) >= size:
        # Not smaller: imgtool keeps the image it built first.
        return first if first is not None else build_image(payload, plain, signer, None)
    del buf, first
    if options.encrypt_key is not None:
        tlvs.append((TlvType.COMP_DEC_SIZE, struct.pack(e + "I", len(data))))
    flags = Flag.COMPRESSED_LZMA2 | (Flag.COMPRESSED_ARM_THUMB_FLT if options.compression == "lzma2armthumb" else 0)
    # The header area is what the uncompressed image had there: erased bytes with --pad-header
    # (prepended by build_image), zeros otherwise.
    compressed_payload = data if options.pad_header else bytes(hs) + data
    compressed = Compressed(options.compression, int(flags), tuple(tlvs))
    return build_image(compressed_payload, plain, signer, None, compressed)
