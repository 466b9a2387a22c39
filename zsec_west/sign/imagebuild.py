"""Building MCUboot images from a firmware payload, byte-compatible with imgtool 2.5.0 `sign`
(without compression: sign/compressed.py builds compressed images from these pieces, and
sign/image.py's `create_image` chooses).

`build_image` is the core of `zsec sign`: it takes the payload (bytes already read from a .bin or
.hex, or a `PayloadSource` still on disk), the options as one frozen `ImageOptions`, and either a
`Signer` or a signature made elsewhere, and returns the finished image with what a report needs
to say about it.

Memory: the image is built in one preallocated bytearray (header, payload, TLV areas, trailer),
hashed and encrypted in place and returned as is, so signing holds one copy of the firmware
beyond its input, and none beyond it when the input is a `PayloadSource`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from zsec_west.errors import ImageFormatError, UsageError
from zsec_west.keys.encoding import Fingerprint, PublicKey, public_bytes
from zsec_west.mcuboot import encryption as encrypt
from zsec_west.mcuboot.header import HEADER_SIZE, Flag, ImageHeader
from zsec_west.mcuboot.signatures import SignRequest, pad_ecdsa_signature, select_hash, signature_tlv, signing_key_type
from zsec_west.mcuboot.tlv import HASH_TLVS, INFO_MAGIC, PROT_INFO_MAGIC, TlvType, area_size, encode_area
from zsec_west.mcuboot.trailer import TrailerLayout, boot_magic, trailer_size
from zsec_west.mcuboot.version import U32_MAX
from zsec_west.sign.options import ImageOptions
from zsec_west.sign.protected import protected_entries
from zsec_west.sign.signer import Signer
from zsec_west.versions import ImageVersion as Version

FixedSignature = tuple[bytes, PublicKey]

# Room reserved after the hashed region for the unprotected TLVs (hash, key hash or key, signature,
# wrapped AES key: about 1.2 KiB at most, with RSA-3072 and RSA key transport), so writing them
# never moves the image. An area that needs more (a signer returning an odd signature) grows it.
_UNPROTECTED_ROOM = 2048
# Up to this many bytes of fill after the pieces, the buffer is built by one join (every byte
# written once); beyond it (a padded slot much larger than its image) it is preallocated with the
# erased value, so no temporary buffer as large as the padding is needed.
_JOIN_FILL_MAX = 1 << 16


class PayloadSource(Protocol):
    """Firmware not read yet (a raw file on disk): `create_image` reads it straight into the image
    buffer, so input and output are one copy in memory instead of two."""

    def __len__(self) -> int: ...

    def readinto(self, view: memoryview) -> None:
        """Fill `view` (exactly len(self) bytes) with the payload."""


Payload = bytes | bytearray | memoryview | PayloadSource


@dataclass(frozen=True)
class SignedImage:
    """A finished image: `data` is the .bin output (padded to the slot when padding was asked).

    `data` is the buffer the image was built in, handed over without a copy: a bytearray that
    compares equal to bytes; do not resize it (the other fields describe it).
    """

    data: bytearray = field(hash=False)  # equality compares it; a mutable buffer cannot be hashed
    options: ImageOptions = field(repr=False)
    header: ImageHeader
    image_size: int  # header + payload + TLV areas, i.e. without padding/trailer
    protected_tlv_size: int
    unprotected_tlv_size: int
    trailer_size: int
    hash_name: str
    digest: bytes
    key_type: str | None = None
    signature_type: str | None = None  # name of the signature TLV, e.g. "ECDSA_SIG"
    signature: bytes | None = None
    public_key: PublicKey | None = field(default=None, compare=False, repr=False)
    key_fingerprint: Fingerprint | None = None
    key_hash: bytes | None = None
    encryption: str | None = None  # name of the key-transport TLV, e.g. "ENC_X25519"
    trailer: TrailerLayout | None = None
    compression: str | None = None  # "lzma2" or "lzma2armthumb" when the payload is compressed

    def trailer_records(self) -> list[tuple[int, bytes]]:
        """What Intel HEX output holds beyond the image: (offset from image start, bytes)."""
        return self.trailer.records() if self.trailer else []

    def summary(self) -> dict[str, object]:
        """Plain-data description for reports (text or JSON)."""
        return {
            "version": str(self.header.version),
            "hash": self.hash_name,
            "digest": self.digest.hex(),
            "key_type": self.key_type,
            "signature_type": self.signature_type,
            "key_sha256": self.key_fingerprint.sha256 if self.key_fingerprint else None,
            "encryption": self.encryption,
            "compression": self.compression,
            "header_size": self.header.hdr_size,
            "payload_size": self.header.img_size,
            "protected_tlv_size": self.protected_tlv_size,
            "unprotected_tlv_size": self.unprotected_tlv_size,
            "image_size": self.image_size,
            "trailer_size": self.trailer_size,
            "slot_size": self.options.slot_size,
            "output_size": len(self.data),
        }


@dataclass
class _Hashed:
    """The image under construction: `buf` holds the hashed region (header + padding + payload +
    protected TLVs, `hashed_end` bytes) followed by room for the rest, filled with the erased value."""

    buf: bytearray
    hashed_end: int
    header: ImageHeader
    hash_name: str
    digest: bytes
    key_type: str | None
    key_hash: bytes | None
    protected_size: int


def _byte_view(payload: bytes | bytearray | memoryview) -> memoryview:
    view = memoryview(payload)
    return view if view.format == "B" and view.ndim == 1 else view.cast("B")


def _check_header_area(area: memoryview, hs: int) -> None:
    """Without --pad-header the input must start with `hs` zero bytes for the header to go into."""
    head = bytes(area)
    if head.count(0) != hs:
        first = next(i for i, b in enumerate(head) if b)
        raise ImageFormatError(
            f"the first {hs} bytes (header area) are not all zero (byte 0x{first:x} is 0x{head[first]:02x})",
            hint="use --pad-header to prepend the header, or build with a zeroed ROM start offset",
        )


def _assemble(pieces: Sequence[bytes | memoryview], size: int, fill: int) -> bytearray:
    """A new buffer of `size` bytes: `pieces` back to back, then `fill` bytes up to `size`."""
    tail = size - sum(len(piece) for piece in pieces)
    if tail <= _JOIN_FILL_MAX:
        # One allocation and one copy of each byte; bytearray(size) would first zero it all.
        return bytearray().join((*pieces, bytes([fill]) * tail))
    buf = bytearray([fill]) * size
    with memoryview(buf) as out:
        pos = 0
        for piece in pieces:
            out[pos:pos + len(piece)] = piece
            pos += len(piece)
    return buf


@dataclass(frozen=True)
class Compressed:
    """What a compressed image adds: its header flags and the protected compression TLVs."""

    mode: str  # "lzma2" or "lzma2armthumb"
    flags: int
    tlvs: tuple[tuple[int, bytes], ...]


def _build_hashed(payload: Payload, options: ImageOptions, key: PublicKey | None, public_only: bool,
                  room: int = 0, *, pad_for_aes: bool = True, compressed: Compressed | None = None) -> _Hashed:
    """Lay out header, payload and protected TLVs in a new buffer with `room` bytes after them
    (the whole slot when padding), and hash them.

    `pad_for_aes=False` lays out an encrypted image without the AES block padding, as imgtool hashes
    the uncompressed image of a compressed one; `compressed` adds the compression flags and TLVs.
    """
    key_type = signing_key_type(key) if key is not None else None
    hash_name = select_hash(key_type, options.sha, pure=options.pure, public_only=public_only)
    key_hash = hashlib.new(hash_name, public_bytes(key)).digest() if key is not None else None
    if options.encrypt_key is not None:
        encrypt.check_key_families(key, options.encrypt_key, options.encrypt_source)
        encrypt.resolve_hmac_sha(options.encrypt_key, options.hmac_sha)
    hs = options.header_size
    view: memoryview | None = None
    source: PayloadSource | None = None
    if isinstance(payload, (bytes, bytearray, memoryview)):
        view = _byte_view(payload)
        size_in = len(view)
    else:
        source = payload
        size_in = len(source)
    if options.pad_header:
        body = size_in
    else:
        if size_in < hs:
            raise ImageFormatError(f"input of {size_in} bytes is shorter than the header size {hs}")
        if view is not None:
            _check_header_area(view[:hs], hs)
        body = size_in - hs
    # An encrypted payload is whole AES blocks (counted from the image start, as imgtool does),
    # the zero padding counted in ih_img_size.
    aes_pad = bytes(-(hs + body) % 16) if options.encrypt_key is not None and pad_for_aes else b""
    img_size = body + len(aes_pad)
    if img_size > U32_MAX:
        raise ImageFormatError(f"payload of {img_size} bytes does not fit a 32-bit size")
    entries = protected_entries(options, hash_name, key_hash, compressed.tlvs if compressed else ())
    flags = compressed.flags if compressed else 0
    if options.encrypt_key is not None:
        flags |= Flag.ENCRYPTED_AES256 if options.encrypt_keylen == 256 else Flag.ENCRYPTED_AES128
    if options.load_addr:
        flags |= Flag.RAM_LOAD
    if options.rom_fixed:  # imgtool treats -F 0 as not given
        flags |= Flag.ROM_FIXED
    if options.non_bootable:
        flags |= Flag.NON_BOOTABLE
    assert isinstance(options.version, Version)
    header = ImageHeader(
        load_addr=options.rom_fixed or options.load_addr or 0,
        hdr_size=hs, protect_tlv_size=area_size(entries), img_size=img_size, flags=int(flags),
        version=options.version,
    )
    packed = header.pack(options.endian)
    protected = encode_area(PROT_INFO_MAGIC, entries, options.endian)
    payload_end = hs + img_size
    hashed_end = payload_end + len(protected)
    if options.slot_size and hashed_end > options.slot_size:  # before the buffer is allocated
        raise ImageFormatError(
            f"image size (0x{hashed_end:x} before its unprotected TLVs and trailer) exceeds the slot size "
            f"0x{options.slot_size:x}", hint="use a larger slot or a smaller image")
    size = max(hashed_end + room, options.slot_size if options.padded else 0)
    fill = options.erased_val
    if view is not None:
        pieces: tuple[bytes | memoryview, ...]
        if options.pad_header:
            pieces = (packed, bytes([fill]) * (hs - HEADER_SIZE), view, aes_pad, protected)
        else:  # the input's zero header area becomes the header
            pieces = (packed, view[HEADER_SIZE:], aes_pad, protected)
        buf = _assemble(pieces, size, fill)
        del pieces
        view.release()
    else:
        assert source is not None
        buf = bytearray([fill]) * size
        with memoryview(buf) as out:
            source.readinto(out[hs if options.pad_header else 0:hs + body])
            if not options.pad_header:
                _check_header_area(out[:hs], hs)
            out[:HEADER_SIZE] = packed
            out[hs + body:payload_end] = aes_pad
            out[payload_end:hashed_end] = protected
    with memoryview(buf) as out, out[:hashed_end] as region:
        digest = hashlib.new(hash_name, region).digest()
    return _Hashed(buf, hashed_end, header, hash_name, digest, key_type, key_hash, header.protect_tlv_size)


def sign_hashed(hashed: _Hashed, options: ImageOptions, signer: Signer) -> bytes:
    """`signer`'s signature over the hashed region of `hashed`, padded when --pad-sig asks."""
    with memoryview(hashed.buf) as whole, whole[:hashed.hashed_end] as region:
        signature = signer.sign(SignRequest(region, hashed.digest, hashed.hash_name, options.pure))
    if options.pad_sig:
        signature = pad_ecdsa_signature(signature, hashed.key_type or "")
    return signature


def vector_to_sign(payload: Payload, options: ImageOptions, public_key: PublicKey | None = None,
                   mode: Literal["payload", "digest"] = "payload") -> bytes | bytearray:
    """What an external signer must sign (`--vector-to-sign`): the hashed region, or its digest.

    `public_key` is the key that will sign; it decides the hash and goes into the boot record.
    """
    if mode not in ("payload", "digest"):
        raise UsageError(f"vector-to-sign {mode!r} must be payload or digest")
    if options.compression != "disabled":
        raise UsageError("--vector-to-sign cannot be used with --compression: a compressed image needs two "
                         "signatures, over the compressed and the original image")
    hashed = _build_hashed(payload, options, public_key, public_only=False)
    if mode == "digest":
        return hashed.digest
    del hashed.buf[hashed.hashed_end:]  # the slot padding, if any; shrinking does not copy
    return hashed.buf


def build_image(payload: Payload, options: ImageOptions, signer: Signer | None,
                fixed_signature: FixedSignature | None, compressed: Compressed | None = None) -> SignedImage:
    """One image, as `create_image` describes it but never compressing the payload itself; with
    `compressed`, the payload is already compressed and the image gets its flags and TLVs."""
    key = signer.public_key() if signer is not None else (fixed_signature[1] if fixed_signature else None)
    hashed = _build_hashed(payload, options, key, public_only=signer is None, room=_UNPROTECTED_ROOM,
                           compressed=compressed)
    buf, hs, img_end = hashed.buf, options.header_size, options.header_size + hashed.header.img_size
    hashed_end = hashed.hashed_end
    unprotected: list[tuple[int, bytes]] = [(HASH_TLVS[hashed.hash_name], hashed.digest)]
    if options.pure:
        unprotected.append((TlvType.SIG_PURE, b"\x01"))
    signature = sig_tlv = None
    if key is not None:
        assert hashed.key_hash is not None
        if options.public_key_format == "hash":
            unprotected.append((TlvType.KEYHASH, hashed.key_hash))
        else:
            unprotected.append((TlvType.PUBKEY, public_bytes(key)))
        sig_tlv = signature_tlv(key)
        if signer is not None:
            signature = sign_hashed(hashed, options, signer)
        else:
            assert fixed_signature is not None
            signature = bytes(fixed_signature[0])
        unprotected.append((sig_tlv, signature))
    enc_name, enctlv_len = None, 0
    if options.encrypt_key is not None:
        aes_key = encrypt.new_aes_key(options.encrypt_keylen)
        enc_type, enc_value = encrypt.wrap_key(options.encrypt_key, aes_key, options.hmac_sha)
        unprotected.append((enc_type, enc_value))
        enc_name, enctlv_len = enc_type.name, len(enc_value)
        if not options.clear:
            encrypt.aes_ctr_in_place(aes_key, buf, hs, img_end)
        del aes_key
    unprot = encode_area(INFO_MAGIC, unprotected, options.endian)
    image_size = hashed_end + len(unprot)
    max_align = options.effective_max_align
    tsize = trailer_size(align=options.align, max_align=max_align, max_sectors=options.max_sectors,
                         overwrite_only=options.overwrite_only, encrypted=options.encrypt_key is not None,
                         save_enctlv=options.save_enctlv, enctlv_len=enctlv_len)
    if options.slot_size and image_size + tsize > options.slot_size:
        raise ImageFormatError(
            f"image size (0x{image_size:x}) + trailer (0x{tsize:x}) exceeds the slot size 0x{options.slot_size:x}",
            hint="use a larger slot, a smaller image, or fewer trailer sectors (-M)",
        )
    if image_size <= len(buf):
        buf[hashed_end:image_size] = unprot  # into the reserved room, in place
    else:
        buf[hashed_end:] = unprot  # longer than the room: the buffer grows (and may move)
    layout = None
    if options.padded:
        layout = TrailerLayout(
            slot_size=options.slot_size, size=tsize, max_align=max_align, erased_val=options.erased_val,
            magic=boot_magic(max_align, options.endian), confirm=options.confirm,
            write_image_ok=(options.confirm or options.test) and not options.overwrite_only,
        )
        del buf[options.slot_size:]  # room beyond a slot smaller than hashed region + room
        layout.write_records(buf)  # the bytes after the image hold the erased value already
    else:
        del buf[image_size:]  # shrinking a bytearray does not copy it
    return SignedImage(
        data=buf, options=options, header=hashed.header, image_size=image_size,
        protected_tlv_size=hashed.protected_size, unprotected_tlv_size=len(unprot), trailer_size=tsize,
        hash_name=hashed.hash_name, digest=hashed.digest, key_type=hashed.key_type,
        signature_type=sig_tlv.name if sig_tlv is not None else None, signature=signature,
        public_key=key, key_fingerprint=Fingerprint.of(key) if key is not None else None,
        key_hash=hashed.key_hash, encryption=enc_name, trailer=layout,
        compression=compressed.mode if compressed is not None else None,
    )
