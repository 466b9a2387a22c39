"""The seam between the image builder and whatever holds the private key (PEM, PKCS#11, a command)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from zsec_west.keys.encoding import PublicKey


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


class Signer(Protocol):
    """Anything that can sign an MCUboot image: returns the signature TLV payload."""

    def public_key(self) -> PublicKey: ...

    def sign(self, request: SignRequest) -> bytes: ...
