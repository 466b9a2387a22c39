"""Verifying MCUboot images: what `imgtool verify` checks, and more.

Beyond imgtool, the KEYHASH/PUBKEY TLV must name the given key, ih_protect_tlv_size must match
the protected area, unauthenticated TLVs outside the allow list fail, the image must fit a given
slot, and encrypted images are checked after decryption when the private encryption key is given.
A bad image is an answer, not an error: `verify_image` returns a failed result and never raises
for the image's content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from zsec_west.errors import ImageFormatError, KeyFileError, UsageError
from zsec_west.keys import devkeys
from zsec_west.keys.devkeys import DevKey
from zsec_west.keys.encoding import Fingerprint, PublicKey, key_type_name, load_der_public_key, public_bytes
from zsec_west.keys.pem import PrivateKey
from zsec_west.mcuboot.encryption import aes_ctr_in_place, aes_ctr_stream, unwrap_key
from zsec_west.mcuboot.header import Flag
from zsec_west.mcuboot.parse import ParsedImage, parse_image
from zsec_west.mcuboot.signatures import (
    SignRequest,
    select_hash,
    signature_hash,
    signature_tlv,
    signing_key_type,
    verify_signature,
)
from zsec_west.mcuboot.tlv import ENC_TLVS, HASH_BY_TLV, SIGNATURE_TLVS, UNPROTECTED_ALLOWED, Tlv, TlvType
from zsec_west.mcuboot.trailer import trailer_size as compute_trailer_size
from zsec_west.versions import ImageVersion as Version

_CHUNK = 1 << 20
Status = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class Check:
    """One verification step: its name, pass/fail/skip, and why."""

    name: str
    status: Status
    reason: str

    @property
    def passed(self) -> bool:
        return self.status != "fail"


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `verify_image`: every check, plus what the image says about itself."""

    checks: tuple[Check, ...]
    version: Version | None = None
    hash_name: str | None = None
    digest: bytes | None = None
    key_type: str | None = None
    signature_type: str | None = None
    key_fingerprint: Fingerprint | None = None
    key_hash: bytes | None = None
    dev_key: DevKey | None = None
    encrypted: bool = False
    key_index: int | None = None  # which key of a key set verified the image (0: the first)

    @property
    def ok(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    @property
    def signature_checked(self) -> bool:
        """The signature was verified against a key (passed or failed), not skipped."""
        return any(c.name == "signature" and c.status != "skip" for c in self.checks)

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checks": [{"name": c.name, "status": c.status, "reason": c.reason} for c in self.checks],
            "checks_run": [c.name for c in self.checks if c.status != "skip"],
            "signature_checked": self.signature_checked,
            "key_index": self.key_index,
            "version": str(self.version) if self.version else None,
            "hash": self.hash_name,
            "digest": self.digest.hex() if self.digest else None,
            "key_type": self.key_type,
            "signature_type": self.signature_type,
            "key_sha256": self.key_fingerprint.sha256 if self.key_fingerprint else None,
            "key_hash": self.key_hash.hex() if self.key_hash else None,
            "dev_key": self.dev_key.name if self.dev_key else None,
            "encrypted": self.encrypted,
        }


def region_digest(data: bytes | memoryview, parsed: ParsedImage, hash_name: str,
                  aes_key: bytes | None = None) -> bytes:
    """Hash of the hashed region, decrypting the payload on the fly when `aes_key` is given."""
    view = memoryview(data)
    h = hashlib.new(hash_name)
    if aes_key is None:
        h.update(view[:parsed.hashed_end])
        return h.digest()
    h.update(view[:parsed.payload_start])
    update = aes_ctr_stream(aes_key)
    for pos in range(parsed.payload_start, parsed.payload_end, _CHUNK):
        h.update(update(view[pos:min(pos + _CHUNK, parsed.payload_end)]))
    h.update(view[parsed.payload_end:parsed.hashed_end])
    return h.digest()


def _image_aes_key(parsed: ParsedImage, private_key: PrivateKey) -> bytes:
    key_size = parsed.header.aes_key_size
    if key_size is None:
        raise ImageFormatError("image is not encrypted (no ENCRYPTED flag in the header)")
    enc = [t for t in parsed.unprotected.tlvs if t.type in ENC_TLVS]
    if not enc:
        raise ImageFormatError("image is flagged encrypted but carries no encryption-key TLV")
    return unwrap_key(enc[0].type, enc[0].value, private_key, key_size)


def decrypt_image(data: bytes | memoryview, private_key: PrivateKey) -> bytearray:
    """The image with its payload decrypted (header and TLVs unchanged): what was hashed and signed."""
    parsed = parse_image(data)
    aes_key = _image_aes_key(parsed, private_key)
    buf = bytearray(data)  # the one copy: decrypted in place, returned as is
    aes_ctr_in_place(aes_key, buf, parsed.payload_start, parsed.payload_end)
    return buf


def _embedded_key(parsed: ParsedImage) -> tuple[PublicKey | None, bytes | None]:
    tlv = next(parsed.unprotected.find(TlvType.PUBKEY), None)
    if tlv is None:
        return None, None
    return load_der_public_key(tlv.value), tlv.value


def verify_image(data: bytes | memoryview, public_key: PublicKey | None = None, *,
                 decrypt_key: PrivateKey | None = None, slot_size: int | None = None,
                 trailer_size: int | None = None) -> VerifyResult:
    """Check an image (a .bin, or the bytes of a .hex) against `public_key`, or its hash only if None.

    `decrypt_key` (private RSA-2048/P-256/X25519) lets an encrypted image's digest and signature be
    checked. With `slot_size`, the image plus its trailer (`trailer_size`, else the default swap
    trailer for the detected max_align) must fit the slot.
    """
    try:
        parsed = parse_image(data)
    except ImageFormatError as exc:
        return VerifyResult((Check("format", "fail", str(exc)),))
    checks = _layout_checks(parsed)
    aes_key = _decrypt_step(parsed, decrypt_key, checks)
    key_type = signing_key_type(public_key) if public_key is not None else None
    hashed = _hash_step(data, parsed, key_type, aes_key)
    checks.append(hashed.check)
    identity = _key_identity(parsed, public_key, hashed.hash_name)
    if identity.check is not None:
        checks.append(identity.check)
    checks.append(_signature_step(data, parsed, public_key, hashed))
    if parsed.header.flags & (Flag.COMPRESSED_LZMA1 | Flag.COMPRESSED_LZMA2):
        from zsec_west.mcuboot.decompressed import check_decompressed  # lzma only for compressed images

        status, reason = check_decompressed(data, parsed, public_key, hashed.aes_key or aes_key, hashed.hash_name)
        checks.append(Check("decompressed", status, reason))  # type: ignore[arg-type]
    if slot_size is not None:
        checks.append(_check_slot(parsed, slot_size, trailer_size))
    if identity.embedded is not None and key_type is None:
        try:
            key_type = key_type_name(identity.embedded)
        except TypeError:
            pass
    h = parsed.header
    return VerifyResult(tuple(checks), h.version, hashed.hash_name, hashed.digest, key_type, hashed.signature_type,
                        identity.fingerprint, identity.key_hash, identity.dev_key, h.encrypted)


def _layout_checks(parsed: ParsedImage) -> list[Check]:
    """The image's own structure: header, protected area size, TLVs outside the protected area."""
    h = parsed.header
    checks = [Check("format", "pass", f"MCUboot image, {parsed.endian}-endian, header {h.hdr_size} bytes, "
                                      f"payload {h.img_size} bytes")]
    prot_total = parsed.protected.total if parsed.protected else 0
    same = prot_total == h.protect_tlv_size
    checks.append(Check(
        "protected-size", "pass" if same else "fail",
        f"ih_protect_tlv_size {h.protect_tlv_size} {'equals' if same else 'differs from'}"
        f" the protected TLV area ({prot_total} bytes)",
    ))
    stray = sorted({t.name for t in parsed.unprotected.tlvs if t.type not in UNPROTECTED_ALLOWED})
    checks.append(Check("unprotected-tlvs", "fail" if stray else "pass",
                        f"not covered by the signature yet outside the protected area: {', '.join(stray)}" if stray
                        else "only hash, key, signature and encryption TLVs are unprotected"))
    return checks


def _decrypt_step(parsed: ParsedImage, decrypt_key: PrivateKey | None, checks: list[Check]) -> bytes | None:
    """The image's AES key when it is encrypted and `decrypt_key` unwraps it; the outcome goes to `checks`."""
    if not parsed.header.encrypted:
        if decrypt_key is not None:
            checks.append(Check("decrypt", "skip", "image is not encrypted"))
        return None
    if decrypt_key is None:
        checks.append(Check("decrypt", "skip", "image is encrypted; no decryption key given"))
        return None
    try:
        aes_key = _image_aes_key(parsed, decrypt_key)
    except (ImageFormatError, KeyFileError) as exc:
        checks.append(Check("decrypt", "fail", str(exc)))
        return None
    checks.append(Check("decrypt", "pass", f"AES-{len(aes_key) * 8} key unwrapped"))
    return aes_key


@dataclass
class _HashOutcome:
    """What the hash step found: its check, and the digests the signature step reuses."""

    check: Check
    hash_name: str | None
    digest: bytes | None  # the first hash TLV's digest, when it matches
    computed: dict[str, bytes]  # digests of the (decrypted, if need be) hashed region, by hash name
    aes_key: bytes | None  # the AES key the payload was hashed through (None: stored in clear)
    signature_tlvs: list[Tlv]
    pure_tlv: Tlv | None

    @property
    def signature_type(self) -> str | None:
        return self.signature_tlvs[0].name if self.signature_tlvs else None


def _hash_step(data: bytes | memoryview, parsed: ParsedImage, key_type: str | None,
               aes_key: bytes | None) -> _HashOutcome:
    hash_tlvs = [t for t in parsed.unprotected.tlvs if t.type in HASH_BY_TLV]
    hash_name = HASH_BY_TLV[TlvType(hash_tlvs[0].type)] if hash_tlvs else None
    outcome = _HashOutcome(Check("hash", "fail", "no SHA256/SHA384/SHA512 TLV"), hash_name, None, {}, None,
                      [t for t in parsed.unprotected.tlvs if t.type in SIGNATURE_TLVS],
                      next(parsed.unprotected.find(TlvType.SIG_PURE), None))
    if not hash_tlvs:
        return outcome
    problems = [problem for tlv in hash_tlvs
                if (problem := _check_hash_tlv(data, parsed, tlv, key_type, aes_key, outcome, tlv is hash_tlvs[0]))]
    if problems:
        outcome.check = Check("hash", "fail", "; ".join(problems))
        return outcome
    encrypted = parsed.header.encrypted
    where = " of the decrypted payload" if outcome.aes_key else (" (payload stored in clear)" if encrypted else "")
    outcome.check = Check("hash", "pass", f"{hash_tlvs[0].name} digest matches{where}")
    return outcome


def _check_hash_tlv(data: bytes | memoryview, parsed: ParsedImage, tlv: Tlv, key_type: str | None,
                    aes_key: bytes | None, outcome: _HashOutcome, first: bool) -> str | None:
    """One hash TLV against the region it covers; the problem, or None when it matches."""
    name = HASH_BY_TLV[TlvType(tlv.type)]
    if key_type is not None:
        try:
            select_hash(key_type, name[3:], public_only=True)
        except UsageError:
            return f"{tlv.name} hash does not fit a {key_type} key (key type mismatch)"
    computed = outcome.computed
    if name not in computed:
        computed[name] = region_digest(data, parsed, name, outcome.aes_key)
        # A digest that matches only after decryption: the payload is stored encrypted.
        if computed[name] != tlv.value and aes_key is not None and outcome.aes_key is None:
            outcome.aes_key = aes_key
            computed.clear()
            computed[name] = region_digest(data, parsed, name, aes_key)
    if computed[name] != tlv.value:
        unknown_plaintext = parsed.header.encrypted and aes_key is None
        return f"{tlv.name}: image has an invalid hash" + (
            " (it is encrypted: the digest covers the plaintext)" if unknown_plaintext else "")
    if first:
        outcome.digest = computed[name]
    return None


@dataclass(frozen=True)
class _Identity:
    """The key an image names (KEYHASH or PUBKEY TLV), and whether it is the given one."""

    check: Check | None  # None: no key given, nothing to compare
    fingerprint: Fingerprint | None
    key_hash: bytes | None
    dev_key: DevKey | None
    embedded: PublicKey | None


def _key_identity(parsed: ParsedImage, public_key: PublicKey | None, hash_name: str | None) -> _Identity:
    key_hash_tlvs = list(parsed.unprotected.find(TlvType.KEYHASH))
    embedded, embedded_bytes = _embedded_key(parsed)
    key_hash = key_hash_tlvs[0].value if key_hash_tlvs else None
    fingerprint = Fingerprint.of(public_key) if public_key is not None else (
        Fingerprint.of_encoding(embedded_bytes) if embedded_bytes is not None else None)
    # The development-key flag is about the key the IMAGE names, not the key given to check it.
    if embedded_bytes is not None:
        dev = devkeys.lookup(Fingerprint.of_encoding(embedded_bytes))
    else:
        dev = devkeys.lookup_digest(key_hash) if key_hash is not None else None
    check = None
    if public_key is not None:
        check = _key_check(public_bytes(public_key), key_hash_tlvs, embedded_bytes, hash_name)
    return _Identity(check, fingerprint, key_hash, dev, embedded)


def _key_check(encoding: bytes, key_hash_tlvs: list[Tlv], embedded_bytes: bytes | None,
               hash_name: str | None) -> Check:
    if not key_hash_tlvs and embedded_bytes is None:
        return Check("key", "fail", "image names no key (no KEYHASH or PUBKEY TLV)")
    if embedded_bytes is not None:
        same = embedded_bytes == encoding
        return Check("key", "pass" if same else "fail",
                     "PUBKEY TLV is the given key" if same else "PUBKEY TLV is a different key")
    wanted = hashlib.new(hash_name or "sha256", encoding).digest()
    same = any(t.value == wanted for t in key_hash_tlvs)
    return Check("key", "pass" if same else "fail",
                 "KEYHASH TLV is the hash of the given key" if same
                 else "KEYHASH TLV is not the hash of the given key (signed with another key)")


def _signature_step(data: bytes | memoryview, parsed: ParsedImage, public_key: PublicKey | None,
                    hashed: _HashOutcome) -> Check:
    if public_key is None:
        return Check("signature", "skip",
                     "no key given: signature not checked" if hashed.signature_tlvs else "image is unsigned")
    return _check_signature(data, parsed, public_key, hashed.signature_tlvs, hashed.pure_tlv, hashed.hash_name,
                            hashed.aes_key, hashed.computed)


def _check_signature(data: bytes | memoryview, parsed: ParsedImage, key: PublicKey, sig_tlvs: list[Tlv],
                     pure_tlv: Tlv | None, hash_name: str | None, aes_key: bytes | None,
                     computed: dict[str, bytes]) -> Check:
    wanted = signature_tlv(key)
    candidates = [t for t in sig_tlvs if t.type == wanted]
    if not candidates:
        present = ", ".join(t.name for t in sig_tlvs) or "none"
        return Check("signature", "fail",
                     f"No signature found for the given key (wanted {wanted.name}; present: {present})")
    pure = pure_tlv is not None
    if pure and (pure_tlv.value != b"\x01" or wanted != TlvType.ED25519):  # type: ignore[union-attr]
        return Check("signature", "fail", "SIG_PURE TLV is malformed or used with a non-Ed25519 key")
    if hash_name is None:
        return Check("signature", "fail", "no hash TLV to sign over")
    digest = computed.get(hash_name) or region_digest(data, parsed, hash_name, aes_key)
    region: bytes | bytearray | memoryview = memoryview(data)[:parsed.hashed_end]
    # The plaintext region itself is needed only for pure Ed25519 or a signature hash that
    # differs from the image hash; otherwise the digest is the pre-hash.
    if aes_key is not None and (pure or signature_hash(key) not in (None, hash_name)):
        plain = bytearray(region)
        aes_ctr_in_place(aes_key, plain, parsed.payload_start, parsed.payload_end)
        region = plain
    request = SignRequest(region, digest, hash_name, pure)
    for tlv in candidates:
        if verify_signature(key, tlv.value, request):
            kind = f"{tlv.name}{' (pure)' if pure else ''}"
            return Check("signature", "pass", f"{kind} signature verifies with the given key")
    return Check("signature", "fail", f"{wanted.name} signature does not verify with the given key")


def _check_slot(parsed: ParsedImage, slot_size: int, trailer_size: int | None) -> Check:
    trailer = parsed.trailer
    if trailer_size is None:
        max_align = trailer.max_align if trailer and trailer.max_align else 8
        trailer_size = compute_trailer_size(max_align=max_align, encrypted=parsed.header.encrypted)
        assumed = f"default swap trailer 0x{trailer_size:x} (max_align {max_align})"
    else:
        assumed = f"trailer 0x{trailer_size:x}"
    need = parsed.image_size + trailer_size
    if parsed.file_size > parsed.image_size and parsed.file_size != slot_size:
        return Check("slot", "fail", f"file is padded to 0x{parsed.file_size:x}, but the slot is 0x{slot_size:x}")
    what = f"image size (0x{parsed.image_size:x}) + {assumed}"
    if need > slot_size:
        return Check("slot", "fail", f"{what} exceeds the slot size 0x{slot_size:x}")
    return Check("slot", "pass", f"{what} fits the slot size 0x{slot_size:x}")

