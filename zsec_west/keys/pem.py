"""Loading PEM key files into `cryptography` objects, with errors that name the file."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519

from zsec_west.errors import KeyFileError
from zsec_west.files.reading import read_bytes
from zsec_west.keys.encoding import PublicKey

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | x25519.X25519PrivateKey


def _read(path: Path) -> bytes:
    return read_bytes(path, KeyFileError, missing="key file not found",
                      directory="is a directory, not a key file", unreadable="cannot read key file", kind="key")


def is_encrypted_pem(data: bytes) -> bool:
    return b"ENCRYPTED" in data.split(b"-----END", 1)[0]


def load_private_key(path: str | Path, password: bytes | None = None) -> PrivateKey:
    """A private key from a PEM file; an encrypted file needs `password`."""
    path = Path(path)
    data = _read(path)
    if b"PRIVATE KEY" not in data:
        if b"PUBLIC KEY" in data:
            raise KeyFileError("holds a public key; a private key is needed here", path=path)
        raise KeyFileError("not a PEM key file", path=path)
    if is_encrypted_pem(data) and password is None:
        raise KeyFileError(
            "key is encrypted", path=path, hint="give the passphrase with --key-password-env VAR"
        )
    if is_encrypted_pem(data) and not password:
        # cryptography takes b"" for no passphrase at all, and would then say "not encrypted".
        raise KeyFileError("key is encrypted and the passphrase given is empty", path=path)
    try:
        key = serialization.load_pem_private_key(data, password=password or None)
    except TypeError:
        if not password:  # encrypted in a form our PEM check does not see
            raise KeyFileError("key is encrypted", path=path,
                               hint="give the passphrase with --key-password-env VAR") from None
        raise KeyFileError("key is not encrypted but a passphrase was given", path=path) from None
    except ValueError as exc:
        if password is not None and is_encrypted_pem(data):
            raise KeyFileError("wrong passphrase or damaged key", path=path) from None
        raise KeyFileError(f"not a usable private key ({exc})", path=path) from None
    except Exception as exc:  # cryptography raises UnsupportedAlgorithm and others
        raise KeyFileError(f"unsupported key ({exc})", path=path) from None
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey,
                            ed25519.Ed25519PrivateKey, x25519.X25519PrivateKey)):
        raise KeyFileError(f"unsupported key type {type(key).__name__}", path=path)
    return key


def load_public_key(path: str | Path, password: bytes | None = None) -> PublicKey:
    """The public half of a PEM file holding either a public or a private key."""
    path = Path(path)
    data = _read(path)
    if b"PUBLIC KEY" in data and b"PRIVATE KEY" not in data:
        try:
            key = serialization.load_pem_public_key(data)
        except Exception as exc:
            raise KeyFileError(f"not a usable public key ({exc})", path=path) from None
        if not isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey,
                                ed25519.Ed25519PublicKey, x25519.X25519PublicKey)):
            raise KeyFileError(f"unsupported key type {type(key).__name__}", path=path)
        return key
    return load_private_key(path, password).public_key()
