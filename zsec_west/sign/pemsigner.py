"""A Signer backed by a private key held in memory (loaded from a PEM file), plus how each key type signs."""

from __future__ import annotations

from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils, x25519

from zsec_west.errors import KeyFileError
from zsec_west.keys.encoding import PublicKey, key_type_name
from zsec_west.keys.pem import PrivateKey, load_private_key
from zsec_west.sign.signer import SignRequest
from zsec_west.sign.tlv import TlvType

SIGNING_KEY_TYPES = ("rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519")
_SIG_TLV = {
    "rsa-2048": TlvType.RSA2048_PSS,
    "rsa-3072": TlvType.RSA3072_PSS,
    "ecdsa-p256": TlvType.ECDSA_SIG,
    "ecdsa-p384": TlvType.ECDSA_SIG,
    "ed25519": TlvType.ED25519,
}
# The hash RSA-PSS / ECDSA apply to the signed region (Ed25519 signs the digest or the region itself).
_SIG_HASH = {"rsa-2048": "sha256", "rsa-3072": "sha256", "ecdsa-p256": "sha256", "ecdsa-p384": "sha384"}
# Length imgtool pads ECDSA DER signatures to with --pad-sig (for MCUboot < 1.5).
ECDSA_PADDED_LEN = {"ecdsa-p256": 72, "ecdsa-p384": 103}
RSA_PSS_SALT = 32  # the bootloader accepts only salt length == hash length
# Hash algorithm objects are stateless, so one of each is shared.
HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}


def signing_key_type(key: PublicKey) -> str:
    """The key's type name if MCUboot can verify signatures made with it, else KeyFileError."""
    try:
        name = key_type_name(key)
    except TypeError as exc:
        raise KeyFileError(str(exc)) from None
    if name == "x25519":
        raise KeyFileError("X25519 keys cannot sign; they only encrypt images", hint="use -E/--encrypt")
    if name not in SIGNING_KEY_TYPES:
        raise KeyFileError(f"{name} keys are not supported by MCUboot",
                           hint=f"use one of {', '.join(SIGNING_KEY_TYPES)}")
    return name


def signature_tlv(key: PublicKey) -> TlvType:
    """The TLV type a signature by this key is stored in."""
    return _SIG_TLV[signing_key_type(key)]


def signature_hash(key: PublicKey) -> str | None:
    """The hash RSA/ECDSA use over the signed region; None for Ed25519."""
    return _SIG_HASH.get(signing_key_type(key))


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
            data, alg = _prehashed(key_type, request)
            # cryptography annotates RSA `data` as bytes but takes any buffer (as EC does).
            key.verify(signature, data, _pss(), alg)  # type: ignore[arg-type]
        elif isinstance(key, ec.EllipticCurvePublicKey):
            # --pad-sig appends zeros after the DER; the bootloader reads sig[1]+2 bytes.
            der = signature[:signature[1] + 2] if len(signature) >= 2 else signature
            data, alg = _prehashed(key_type, request)
            key.verify(der, data, ec.ECDSA(alg))
        else:  # pragma: no cover - signing_key_type has refused it
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=RSA_PSS_SALT)


def _prehashed(key_type: str, request: SignRequest
               ) -> tuple[bytes | bytearray | memoryview, hashes.HashAlgorithm | utils.Prehashed]:
    """(data, algorithm) for cryptography: the digest as a pre-hash when the image hash matches,
    else the region itself (cryptography takes any buffer: no copy of the image)."""
    wanted = _SIG_HASH[key_type]
    if request.hash_name == wanted:
        return request.digest, utils.Prehashed(HASHES[wanted])
    return request.payload, HASHES[wanted]


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
        self.signature_tlv = _SIG_TLV[self.key_type]

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
        wanted = _SIG_HASH[self.key_type]
        if request.hash_name != wanted:
            raise KeyFileError(f"{self.key_type} keys sign with {wanted}, not {request.hash_name}")
        data, alg = _prehashed(self.key_type, request)
        if isinstance(key, rsa.RSAPrivateKey):
            # cryptography annotates RSA `data` as bytes but takes any buffer (as EC does).
            return key.sign(data, _pss(), alg)  # type: ignore[arg-type]
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        signature = key.sign(data, ec.ECDSA(alg))
        return pad_ecdsa_signature(signature, self.key_type) if self.pad_sig else signature
