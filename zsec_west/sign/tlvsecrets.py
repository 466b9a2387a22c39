"""Custom TLVs never carry private key material.

A custom TLV's content comes from a command line or from a build's CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS
(`--custom-tlv-file 0xa0 FILE`), and goes into every image signed, readable by anyone who gets the
image. A build setting naming the signing key there would publish the key with the firmware (issue
15, defect 1). Content that is or holds a private key is refused, whoever gave it: a PEM private
key block of any kind, a DER private key (PKCS#8, SEC1, PKCS#1; encrypted or not), the bytes of a
key file of the run, or the raw private values of the signing or encryption key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519

from zsec_west.errors import InputError, ZsecError
from zsec_west.files.reading import read_input
from zsec_west.keys.pem import PrivateKey

# "-----BEGIN PRIVATE KEY-----", "... RSA/EC/ENCRYPTED/OPENSSH PRIVATE KEY-----", and the end lines.
_PEM_PRIVATE = re.compile(rb"-----(BEGIN|END) [A-Z0-9 ]*PRIVATE KEY-----")
# Shorter byte strings than this turn up by chance; every private value of a supported key is longer.
_MIN_SECRET = 16
# The smallest DER private key (an Ed25519 PKCS#8 structure) is 48 bytes.
_MIN_DER = 40


@dataclass(frozen=True)
class Secret:
    """Bytes that must not appear in an image, and what they are (for the message)."""

    what: str
    value: bytes


def _fixed(value: int, size: int) -> bytes:
    return value.to_bytes(size, "big")


def key_secrets(key: PrivateKey, what: str) -> list[Secret]:
    """The private values of `key` as raw bytes (big- and little-endian where they are numbers)."""
    values: list[bytes] = []
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.private_numbers()
        values = [_fixed(n, (n.bit_length() + 7) // 8) for n in (numbers.d, numbers.p, numbers.q)]
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        values = [_fixed(key.private_numbers().private_value, (key.curve.key_size + 7) // 8)]
    elif isinstance(key, (ed25519.Ed25519PrivateKey, x25519.X25519PrivateKey)):
        values = [key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())]
    found = [Secret(f"the private value of {what}", v) for v in values]
    found += [Secret(f"the private value of {what}", v[::-1]) for v in values]
    return [s for s in found if len(s.value) >= _MIN_SECRET]


def file_secrets(path: str | Path, what: str) -> list[Secret]:
    """The bytes of a key file, and its private values when it opens without a passphrase. A file
    that cannot be read gives none: reading it as a key reports the problem."""
    try:
        data = read_input(path, "key")
    except ZsecError:
        return []
    found = [Secret(f"{what} {path}", data)] if len(data) >= _MIN_SECRET else []
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except Exception:  # encrypted, public, or not a key: the file bytes are all we know
        return found
    return found + key_secrets(key, f"{what} {path}")  # type: ignore[arg-type]


def _der_length(data: bytes, at: int) -> int | None:
    """The whole length of the DER element starting at `at` (tag, length, content), if it fits."""
    if at + 2 > len(data):
        return None
    first = data[at + 1]
    if first < 0x80:
        head, length = 2, first
    else:
        count = first & 0x7F
        if not 1 <= count <= 3 or at + 2 + count > len(data):
            return None
        head, length = 2 + count, int.from_bytes(data[at + 2:at + 2 + count], "big")
    total = head + length
    return total if at + total <= len(data) else None


def _holds_der_private_key(data: bytes) -> bool:
    """Whether a DER SEQUENCE inside `data` parses as a private key (or as an encrypted one)."""
    at = data.find(0x30)
    while at != -1:
        total = _der_length(data, at)
        if total is not None and total >= _MIN_DER:
            try:
                serialization.load_der_private_key(data[at:at + total], password=None)
                return True
            except TypeError:  # "private key is encrypted": still a private key
                return True
            except Exception:  # not a key (ValueError, UnsupportedAlgorithm ...)
                pass
        at = data.find(0x30, at + 1)
    return False


def private_key_problem(data: bytes, secrets: Iterable[Secret] = ()) -> str | None:
    """What private key material `data` holds, in words; None when it holds none."""
    for secret in secrets:  # the run's own keys first: the most telling message
        if secret.value in data:
            return secret.what
    if _PEM_PRIVATE.search(data):
        return "a PEM private key"
    if _holds_der_private_key(data):
        return "a DER-encoded private key"
    return None


def check_custom_tlvs(tlvs: Sequence[tuple[int, bytes]], sources: Sequence[str],
                      secrets: Iterable[Secret] = ()) -> None:
    """InputError naming the TLV and its source if any custom TLV holds private key material."""
    known = list(secrets)
    for (tag, value), source in zip(tlvs, sources, strict=True):
        problem = private_key_problem(value, known)
        if problem is not None:
            raise InputError(f"custom TLV 0x{tag:x} ({source}) holds {problem}; refusing to put "
                             "private key material into an image, where anyone can read it")
