"""Public keys compiled into a bootloader image, found by their encoding.

MCUboot embeds its keys verbatim, in the encoding `imgtool getpub` prints (§1.9 of the MCUboot
brief): RSA as PKCS#1 RSAPublicKey DER, EC and Ed25519 keys as SubjectPublicKeyInfo DER. Each of
those starts with a fixed DER prefix for its key type and has a fixed length, so the keys in an
image (a .bin, an ELF, a .hex's bytes) can be found without knowing them beforehand. An image
built to take its key from hardware (MCUBOOT_HW_KEY, a key store) holds none.
"""

from __future__ import annotations

from dataclasses import dataclass

# key type -> (DER prefix, length of the value after it, DER suffix)
_LAYOUTS: dict[str, tuple[bytes, int, bytes]] = {
    "ecdsa-p256": (bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d03010703420004"), 64, b""),
    "ecdsa-p384": (bytes.fromhex("3076301006072a8648ce3d020106052b8104002203620004"), 96, b""),
    "ed25519": (bytes.fromhex("302a300506032b6570032100"), 32, b""),
    "rsa-2048": (bytes.fromhex("3082010a0282010100"), 256, bytes.fromhex("0203010001")),
    "rsa-3072": (bytes.fromhex("3082018a0282018100"), 384, bytes.fromhex("0203010001")),
}


@dataclass(frozen=True)
class EmbeddedKey:
    key_type: str
    offset: int
    encoding: bytes


def find_public_keys(data: bytes | bytearray | memoryview) -> list[EmbeddedKey]:
    """Every public key encoding of a type MCUboot verifies in `data`, in the order they appear."""
    view = bytes(data)
    found: list[EmbeddedKey] = []
    for key_type, (prefix, length, suffix) in _LAYOUTS.items():
        start = view.find(prefix)
        while start != -1:
            end = start + len(prefix) + length + len(suffix)
            encoding = view[start:end]
            if len(encoding) == end - start and encoding.endswith(suffix):
                found.append(EmbeddedKey(key_type, start, encoding))
            start = view.find(prefix, start + 1)
    return sorted(found, key=lambda k: k.offset)
