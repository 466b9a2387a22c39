"""Signatures in MCUboot images: which key types sign, with which hash, into which TLV, and checking one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from zsec_west.errors import KeyFileError, UsageError
from zsec_west.keys.encoding import PublicKey, key_type_name
from zsec_west.mcuboot.tlv import TlvType


@dataclass(frozen=True)
class SignRequest:
    """What an image needs signed.

    `payload` is the hashed region (header, padding, body, protected TLVs); `digest` is its hash
    (the value of the hash TLV) computed with `hash_name`. RSA-PSS and ECDSA sign the payload with
    that hash (so a signer may use the digest as a pre-hash); Ed25519 signs the digest, or the
    payload itself when `pure`.
    """

    payload: bytes | bytearray | memoryview
    digest: bytes
    hash_name: str  # "sha256" | "sha384" | "sha512"
    pure: bool = False


SIGNING_KEY_TYPES = ("rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519")
SIG_TLV = {
    "rsa-2048": TlvType.RSA2048_PSS,
    "rsa-3072": TlvType.RSA3072_PSS,
    "ecdsa-p256": TlvType.ECDSA_SIG,
    "ecdsa-p384": TlvType.ECDSA_SIG,
    "ed25519": TlvType.ED25519,
}
# The hash RSA-PSS / ECDSA apply to the signed region (Ed25519 signs the digest or the region itself).
SIG_HASH = {"rsa-2048": "sha256", "rsa-3072": "sha256", "ecdsa-p256": "sha256", "ecdsa-p384": "sha384"}
# Length imgtool pads ECDSA DER signatures to with --pad-sig (for MCUboot < 1.5).
ECDSA_PADDED_LEN = {"ecdsa-p256": 72, "ecdsa-p384": 103}
RSA_PSS_SALT = 32  # the bootloader accepts only salt length == hash length
# Hash algorithm objects are stateless, so one of each is shared.
HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}


def signing_key_type(key: PublicKey, source: str | Path | None = None) -> str:
    """The key's type name if MCUboot can verify signatures made with it, else KeyFileError
    (naming `source`, the key's file or token URI, when given)."""
    try:
        name = key_type_name(key)
    except TypeError as exc:
        raise KeyFileError(str(exc), path=source) from None
    if name == "x25519":
        raise KeyFileError("X25519 keys cannot sign; they only encrypt images", path=source,
                           hint="use -E/--encrypt")
    if name not in SIGNING_KEY_TYPES:
        raise KeyFileError(f"{name} keys are not supported by MCUboot", path=source,
                           hint=f"use one of {', '.join(SIGNING_KEY_TYPES)}")
    return name


def signature_tlv(key: PublicKey) -> TlvType:
    """The TLV type a signature by this key is stored in."""
    return SIG_TLV[signing_key_type(key)]


def signature_hash(key: PublicKey) -> str | None:
    """The hash RSA/ECDSA use over the signed region; None for Ed25519."""
    return SIG_HASH.get(signing_key_type(key))


def pad_ecdsa_signature(signature: bytes, key_type: str) -> bytes:
    """Zero-pad a DER ECDSA signature to imgtool's fixed length (`--pad-sig`)."""
    target = ECDSA_PADDED_LEN.get(key_type)
    if target is None or len(signature) >= target:
        return signature
    return signature + bytes(target - len(signature))


def verify_signature(key: PublicKey, signature: bytes, request: SignRequest) -> bool:
    """Whether `signature` (a signature TLV value) is valid for `request` under `key`."""
    key_type = signing_key_type(key)
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, request.payload if request.pure else request.digest)
        elif isinstance(key, rsa.RSAPublicKey):
            data, alg = prehashed(key_type, request)
            # cryptography annotates RSA `data` as bytes but takes any buffer (as EC does).
            key.verify(signature, data, pss(), alg)  # type: ignore[arg-type]
        elif isinstance(key, ec.EllipticCurvePublicKey):
            # --pad-sig appends zeros after the DER; the bootloader reads sig[1]+2 bytes.
            der = signature[:signature[1] + 2] if len(signature) >= 2 else signature
            data, alg = prehashed(key_type, request)
            key.verify(der, data, ec.ECDSA(alg))
        else:  # pragma: no cover - signing_key_type has refused it
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=RSA_PSS_SALT)


def prehashed(key_type: str, request: SignRequest
               ) -> tuple[bytes | bytearray | memoryview, hashes.HashAlgorithm | utils.Prehashed]:
    """(data, algorithm) for cryptography: the digest as a pre-hash when the image hash matches,
    else the region itself (cryptography takes any buffer: no copy of the image)."""
    wanted = SIG_HASH[key_type]
    if request.hash_name == wanted:
        return request.digest, utils.Prehashed(HASHES[wanted])
    return request.payload, HASHES[wanted]


# imgtool's hash choices per key type (`--sha`); a public-only key may use SHA-512 with P-256.
_ALLOWED_SHA_SIGNER = {"rsa-2048": ("256",), "rsa-3072": ("256",), "ecdsa-p256": ("256",),
                       "ecdsa-p384": ("384",), "ed25519": ("256", "512")}
# With a fixed signature only the public key is known, and imgtool then lets P-256 use SHA-512 too.
_ALLOWED_SHA_PUBLIC = {**_ALLOWED_SHA_SIGNER, "ecdsa-p256": ("256", "512")}


def select_hash(key_type: str | None, sha: str = "auto", *, pure: bool = False,
                public_only: bool = False) -> str:
    """The image hash for a key type and `--sha` choice, under imgtool's per-key constraints."""
    if pure:
        if key_type != "ed25519":
            raise UsageError(f"pure signatures need an Ed25519 key, not {key_type or 'no key'}")
        return "sha512"
    if key_type is None:
        return "sha256" if sha == "auto" else f"sha{sha}"
    allowed = (_ALLOWED_SHA_PUBLIC if public_only else _ALLOWED_SHA_SIGNER)[key_type]
    if sha == "auto":
        return f"sha{allowed[0]}"
    if sha not in allowed:
        raise UsageError(f"a {key_type} key cannot be used with --sha {sha}; allowed: {', '.join(allowed)}")
    return f"sha{sha}"
