"""The seam between the image builder and whatever holds the private key (PEM, PKCS#11, a command)."""

from __future__ import annotations

from typing import Protocol

from zsec_west.keys.encoding import PublicKey
from zsec_west.mcuboot.signatures import SignRequest


class Signer(Protocol):
    """Anything that can sign an MCUboot image: returns the signature TLV payload."""

    def public_key(self) -> PublicKey: ...

    def sign(self, request: SignRequest) -> bytes: ...
