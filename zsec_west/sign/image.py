"""The public entry to building MCUboot images: `create_image`, byte-compatible with imgtool
2.5.0 `sign`, and the values it takes and returns.

The builder itself is sign/imagebuild.py; compressed images (`--compression`) are built from its
pieces by sign/compressed.py, loaded only when asked for.
"""

from __future__ import annotations

from zsec_west.errors import UsageError
from zsec_west.sign.imagebuild import FixedSignature, Payload, PayloadSource, SignedImage, build_image, vector_to_sign
from zsec_west.sign.options import ImageOptions
from zsec_west.sign.signer import Signer

__all__ = ["FixedSignature", "ImageOptions", "Payload", "PayloadSource", "SignedImage", "create_image",
           "vector_to_sign"]


def create_image(payload: Payload, options: ImageOptions, signer: Signer | None = None,
                 fixed_signature: FixedSignature | None = None) -> SignedImage:
    """Build the image for `payload` (the input firmware as read from .bin/.hex, or still on disk).

    Sign with `signer`, or insert `fixed_signature` = (signature TLV value, public key of its
    signer) as imgtool's --fix-sig does, or neither for an unsigned (hash-only) image.
    Raises UsageError for options that do not fit, ImageFormatError for an input or a result that
    cannot be an image (header area not zero, image + trailer larger than the slot, ...).
    """
    if signer is not None and fixed_signature is not None:
        raise UsageError("cannot sign with a key and insert a fixed signature at the same time")
    if options.compression != "disabled":
        # Imported here: only compressed images need lzma.
        from zsec_west.sign.compressed import create_compressed_image

        return create_compressed_image(payload, options, signer, fixed_signature)
    return build_image(payload, options, signer, fixed_signature)
