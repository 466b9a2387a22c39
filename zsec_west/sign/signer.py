"""The seam between the image builder and whatever holds the private key (PEM, PKCS#11, a command)."""

from __future__ import annotations

import os
from typing import Protocol

from zsec_west.keys.encoding import PublicKey
from zsec_west.mcuboot.signatures import SignRequest

DEFAULT_TIMEOUT = 60.0  # seconds a --sign-command may take
PKCS11_SCHEME = "pkcs11:"


def is_pkcs11_uri(text: str | os.PathLike[str] | None) -> bool:
    """A key named by an RFC 7512 URI (a PKCS#11 token) rather than a file."""
    return isinstance(text, str) and text[: len(PKCS11_SCHEME)].lower() == PKCS11_SCHEME


class Signer(Protocol):
    """Anything that can sign an MCUboot image: returns the signature TLV payload."""

    def public_key(self) -> PublicKey: ...

    def sign(self, request: SignRequest) -> bytes: ...
