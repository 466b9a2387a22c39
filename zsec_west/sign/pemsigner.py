"""A Signer backed by a private key held in memory (loaded from a PEM file)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519

from zsec_west.errors import KeyFileError
from zsec_west.keys.encoding import PublicKey
from zsec_west.keys.pem import PrivateKey, load_private_key
from zsec_west.mcuboot.signatures import (
    SIG_HASH,
    SIG_TLV,
    SignRequest,
    pad_ecdsa_signature,
    prehashed,
    pss,
    signing_key_type,
)


class PemSigner:
    """Signs with a `cryptography` private key: RSA-2048/3072 PSS, ECDSA P-256/P-384 DER, Ed25519."""

    def __init__(self, key: PrivateKey, *, pad_sig: bool = False, expect: str | None = None,
                 source: str | Path | None = None):
        """`expect` names the key type the caller requires (e.g. from the bootloader's config);
        `source` is the file the key came from, for error messages."""
        if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey,
                                ed25519.Ed25519PrivateKey, x25519.X25519PrivateKey)):
            raise KeyFileError(f"unsupported private key {type(key).__name__}", path=source)
        try:
            self.key_type = signing_key_type(key.public_key())
        except KeyFileError as exc:
            raise KeyFileError(exc.message, path=source, hint=exc.hint) from None
        if expect is not None and expect != self.key_type:
            raise KeyFileError(f"key type is {self.key_type}, but {expect} is required", path=source)
        self._key = key
        self.pad_sig = pad_sig
        self.signature_tlv = SIG_TLV[self.key_type]

    @property
    def private_key(self) -> PrivateKey:
        """The key itself, to make sure no output carries it (sign/tlvsecrets.py); never printed."""
        return self._key

    @classmethod
    def from_file(cls, path: str | Path, password: bytes | None = None, *, pad_sig: bool = False,
                  expect: str | None = None) -> PemSigner:
        """Load a private PEM key (PKCS#8, PKCS#1 or SEC1; encrypted ones need `password`)."""
        return cls(load_private_key(path, password), pad_sig=pad_sig, expect=expect, source=path)

    def public_key(self) -> PublicKey:
        return self._key.public_key()

    def sign(self, request: SignRequest) -> bytes:
        key = self._key
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(request.payload if request.pure else request.digest)
        if request.pure:
            raise KeyFileError(f"pure signatures need an Ed25519 key, not {self.key_type}")
        wanted = SIG_HASH[self.key_type]
        if request.hash_name != wanted:
            raise KeyFileError(f"{self.key_type} keys sign with {wanted}, not {request.hash_name}")
        data, alg = prehashed(self.key_type, request)
        if isinstance(key, rsa.RSAPrivateKey):
            # cryptography annotates RSA `data` as bytes but takes any buffer (as EC does).
            return key.sign(data, pss(), alg)  # type: ignore[arg-type]
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        signature = key.sign(data, ec.ECDSA(alg))
        return pad_ecdsa_signature(signature, self.key_type) if self.pad_sig else signature
