"""MCUboot image encryption: AES-CTR with a zero IV, and transport of the AES key to the bootloader.

The AES key travels in an unprotected TLV: RSA-OAEP(SHA-256) for an RSA-2048 key, or ECIES
(ephemeral ECDH on P-256 or X25519, HKDF with info "MCUBoot_ECIES_v1", AES-CTR of the key with
the first half of the derived bytes, HMAC over the encrypted key with the rest).
"""

from __future__ import annotations

import hmac as _hmac
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from zsec_west.errors import ImageFormatError, KeyFileError, UsageError
from zsec_west.keys.encoding import PublicKey, key_type_name
from zsec_west.keys.pem import PrivateKey
from zsec_west.mcuboot.tlv import TlvType

HKDF_INFO = b"MCUBoot_ECIES_v1"
ZERO_IV = bytes(16)
AES_KEY_SIZES = {128: 16, 256: 32}
ENC_KEY_TYPES = ("rsa-2048", "ecdsa-p256", "x25519")
_CHUNK = 1 << 20
_HMAC = {"256": hashes.SHA256, "512": hashes.SHA512}


def enc_key_type(key: PublicKey) -> str:
    """The key's type name if it can carry an image AES key, else KeyFileError."""
    try:
        name = key_type_name(key)
    except TypeError as exc:
        raise KeyFileError(str(exc)) from None
    if name not in ENC_KEY_TYPES:
        raise KeyFileError(f"{name} keys cannot encrypt MCUboot images",
                           hint=f"use one of {', '.join(ENC_KEY_TYPES)}")
    return name


def resolve_hmac_sha(key: PublicKey, hmac_sha: str) -> str:
    """`auto` -> 256; 512 is defined only for ECIES-X25519 (and meaningless for RSA)."""
    if hmac_sha not in ("auto", "256", "512"):
        raise UsageError(f"hmac-sha {hmac_sha!r} is not one of auto, 256, 512")
    if hmac_sha == "512" and enc_key_type(key) != "x25519":
        raise UsageError("HMAC-SHA512 is only supported with ECIES-X25519 encryption keys")
    return "256" if hmac_sha == "auto" else hmac_sha


def enc_tlv_type(key: PublicKey, hmac_sha: str = "auto") -> TlvType:
    """The TLV type the wrapped key goes into for this encryption key."""
    name = enc_key_type(key)
    if name == "rsa-2048":
        return TlvType.ENC_RSA2048
    if name == "ecdsa-p256":
        return TlvType.ENC_EC256
    return TlvType.ENC_X25519_SHA512 if resolve_hmac_sha(key, hmac_sha) == "512" else TlvType.ENC_X25519


def new_aes_key(keylen: int) -> bytes:
    """A fresh random AES key of 128 or 256 bits."""
    if keylen not in AES_KEY_SIZES:
        raise UsageError(f"encryption key length {keylen} is not 128 or 256")
    return os.urandom(AES_KEY_SIZES[keylen])


def _oaep() -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _derive(shared: bytes, keylen: int, hmac_sha: str) -> tuple[bytes, bytes]:
    alg = _HMAC[hmac_sha]()
    okm = HKDF(algorithm=alg, length=keylen + alg.digest_size, salt=None, info=HKDF_INFO).derive(shared)
    return okm[:keylen], okm[keylen:]


def _mac(mac_key: bytes, data: bytes, hmac_sha: str) -> bytes:
    mac = crypto_hmac.HMAC(mac_key, _HMAC[hmac_sha]())
    mac.update(data)
    return mac.finalize()


def aes_ctr(key: bytes, data: bytes) -> bytes:
    """AES-CTR with the all-zero IV MCUboot uses (encryption and decryption are the same)."""
    enc = Cipher(algorithms.AES(key), modes.CTR(ZERO_IV)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_ctr_stream(key: bytes) -> Callable[[bytes | memoryview], bytes]:
    """A function applying one continuous AES-CTR keystream to successive chunks."""
    return Cipher(algorithms.AES(key), modes.CTR(ZERO_IV)).encryptor().update


def aes_ctr_in_place(key: bytes, buf: bytearray, start: int, end: int) -> None:
    """Encrypt/decrypt `buf[start:end]` in place, a chunk at a time to bound memory."""
    update = aes_ctr_stream(key)
    with memoryview(buf) as view:  # released on return, so `buf` can be resized afterwards
        for pos in range(start, end, _CHUNK):
            stop = min(pos + _CHUNK, end)
            view[pos:stop] = update(view[pos:stop])


def wrap_key(enc_key: PublicKey, aes_key: bytes, hmac_sha: str = "auto") -> tuple[TlvType, bytes]:
    """(TLV type, TLV value) carrying `aes_key` to the holder of `enc_key`'s private half."""
    tlv_type = enc_tlv_type(enc_key, hmac_sha)
    if isinstance(enc_key, rsa.RSAPublicKey):
        return tlv_type, enc_key.encrypt(aes_key, _oaep())
    sha = resolve_hmac_sha(enc_key, hmac_sha)
    if isinstance(enc_key, ec.EllipticCurvePublicKey):
        ephemeral = ec.generate_private_key(ec.SECP256R1())
        shared = ephemeral.exchange(ec.ECDH(), enc_key)
        pub = ephemeral.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.UncompressedPoint)
    else:
        assert isinstance(enc_key, x25519.X25519PublicKey)
        eph_x = x25519.X25519PrivateKey.generate()
        shared = eph_x.exchange(enc_key)
        pub = eph_x.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    cipher_key, mac_key = _derive(shared, len(aes_key), sha)
    encrypted = aes_ctr(cipher_key, aes_key)
    return tlv_type, pub + _mac(mac_key, encrypted, sha) + encrypted


def unwrap_key(tlv_type: int, value: bytes, private_key: PrivateKey, key_size: int) -> bytes:
    """The AES key from an encryption TLV, using the private encryption key.

    Raises KeyFileError if the key does not fit the TLV type, ImageFormatError if the TLV is
    malformed or its HMAC/OAEP check fails (wrong key or damaged image)."""
    if tlv_type == TlvType.ENC_RSA2048:
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise KeyFileError("the image key is wrapped with RSA-OAEP; an RSA private key is needed")
        try:
            aes_key = private_key.decrypt(value, _oaep())
        except ValueError:
            raise ImageFormatError("cannot unwrap the AES key (RSA-OAEP): wrong key or damaged TLV") from None
        if len(aes_key) != key_size:
            raise ImageFormatError(f"unwrapped AES key is {len(aes_key)} bytes, header says {key_size}")
        return aes_key
    if tlv_type == TlvType.ENC_EC256:
        if not (isinstance(private_key, ec.EllipticCurvePrivateKey) and private_key.curve.name == "secp256r1"):
            raise KeyFileError("the image key is wrapped with ECIES-P256; a P-256 private key is needed")
        pub_len, sha = 65, "256"
    elif tlv_type in (TlvType.ENC_X25519, TlvType.ENC_X25519_SHA512):
        if not isinstance(private_key, x25519.X25519PrivateKey):
            raise KeyFileError("the image key is wrapped with ECIES-X25519; an X25519 private key is needed")
        pub_len, sha = 32, "512" if tlv_type == TlvType.ENC_X25519_SHA512 else "256"
    elif tlv_type == TlvType.ENC_KW:
        raise ImageFormatError("AES key-wrap (ENC_KW) images need the shared AES-KW key; not supported")
    else:
        raise ImageFormatError(f"TLV type 0x{tlv_type:02x} does not carry an encryption key")
    mac_len = _HMAC[sha]().digest_size
    if len(value) != pub_len + mac_len + key_size:
        raise ImageFormatError(
            f"encryption TLV is {len(value)} bytes; expected {pub_len + mac_len + key_size} "
            f"for a {key_size * 8}-bit key"
        )
    pub, mac, encrypted = value[:pub_len], value[pub_len:pub_len + mac_len], value[pub_len + mac_len:]
    try:
        if isinstance(private_key, ec.EllipticCurvePrivateKey):
            peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pub)
            shared = private_key.exchange(ec.ECDH(), peer)
        else:
            shared = private_key.exchange(x25519.X25519PublicKey.from_public_bytes(pub))
    except ValueError:
        raise ImageFormatError("encryption TLV holds an invalid ephemeral public key") from None
    cipher_key, mac_key = _derive(shared, key_size, sha)
    if not _hmac.compare_digest(_mac(mac_key, encrypted, sha), mac):
        raise ImageFormatError("encryption TLV HMAC mismatch: wrong decryption key or damaged TLV")
    return aes_ctr(cipher_key, encrypted)


def check_key_families(signing_key: PublicKey | None, enc_key: PublicKey,
                       enc_source: str | Path | None = None) -> None:
    """imgtool refuses mixing families: an ECDSA signer needs a P-256 enc key, RSA needs RSA.
    Errors name `enc_source`, the encryption key's file, when given."""
    enc = enc_key_type(enc_key)
    if signing_key is None:
        return
    sig = key_type_name(signing_key)
    # P-384 has no ECIES variant in MCUboot, so a P-384 signer cannot encrypt at all.
    wanted = {"ecdsa-p256": "ecdsa-p256", "ecdsa-p384": None, "rsa-2048": "rsa-2048", "rsa-3072": "rsa-2048"}
    if sig in wanted and wanted[sig] != enc:
        raise UsageError(f"signing ({sig}) and encryption ({enc}) must use the same type of key",
                         path=enc_source)
