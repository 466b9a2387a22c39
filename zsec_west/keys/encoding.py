"""Public-key encodings exactly as MCUboot's imgtool writes them into images and C arrays."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | x25519.X25519PublicKey


def load_der_public_key(der: bytes) -> PublicKey | None:
    """A public key from SubjectPublicKeyInfo DER (a PUBKEY TLV), or None when it is not one
    of the key types MCUboot uses (an image may carry anything in that TLV)."""
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    if isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey,
                        x25519.X25519PublicKey)):
        return key
    return None


def public_bytes(key: PublicKey) -> bytes:
    """The encoding MCUboot hashes for KEYHASH: PKCS#1 DER for RSA, SubjectPublicKeyInfo DER otherwise."""
    if isinstance(key, rsa.RSAPublicKey):
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_type_name(key: PublicKey) -> str:
    """imgtool's name for the key type: rsa-2048, ecdsa-p256, ed25519, x25519, ..."""
    if isinstance(key, rsa.RSAPublicKey):
        return f"rsa-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"secp256r1": "ecdsa-p256", "secp384r1": "ecdsa-p384"}.get(
            key.curve.name, f"ecdsa-{key.curve.name}"
        )
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, x25519.X25519PublicKey):
        return "x25519"
    raise TypeError(f"unsupported key type {type(key).__name__}")


@dataclass(frozen=True)
class Fingerprint:
    """Digests of a public key's MCUboot encoding; sha256 is what `imgtool getpubhash` prints."""

    sha256: str
    sha384: str
    sha512: str

    @classmethod
    def of(cls, key: PublicKey) -> Fingerprint:
        return cls.of_encoding(public_bytes(key))

    @classmethod
    def of_encoding(cls, encoding: bytes) -> Fingerprint:
        return cls(
            sha256=hashlib.sha256(encoding).hexdigest(),
            sha384=hashlib.sha384(encoding).hexdigest(),
            sha512=hashlib.sha512(encoding).hexdigest(),
        )

    def all(self) -> tuple[str, str, str]:
        return (self.sha256, self.sha384, self.sha512)
