"""Key sets: several keys where one is expected, for key rotation.

MCUboot's CONFIG_BOOT_SIGNATURE_KEY_FILE (and sysbuild's SB_CONFIG_BOOT_SIGNATURE_KEY_FILE) may
name a comma-separated list of PEM files: the bootloader embeds the public half of each and
accepts an image signed with any of them. The first entry is the key the application is signed
with; every entry after it must be a public-only PEM of the same signature type (MCUboot's build
checks this with `imgtool keyinfo --require public`), so a development bootloader can accept
production images without ever holding the production private key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from zsec_west.errors import KeyFileError
from zsec_west.files.reading import read_bytes
from zsec_west.keys.encoding import PublicKey, key_type_name
from zsec_west.keys.pem import load_public_key

KeyKind = Literal["private", "public"]


def split_key_list(text: str) -> list[str]:
    """The entries of a comma-separated key list (one entry when there is no comma).

    A pkcs11: URI is one entry whatever it holds: its attributes may contain commas.
    """
    if text.strip().startswith("pkcs11:"):
        return [text.strip()]
    return [part.strip() for part in text.split(",") if part.strip()]


def key_kind(path: str | Path) -> KeyKind:
    """Whether a PEM file holds a key pair ("private") or only a public key ("public"), as
    `imgtool keyinfo` reports it. An encrypted private key is "private" (read from its armour,
    no passphrase needed); anything that is not a PEM key is a KeyFileError."""
    path = Path(path)
    data = read_bytes(path, KeyFileError, missing="key file not found",
                      directory="is a directory, not a key file", unreadable="cannot read key file", kind="key")
    armour = data.split(b"-----END", 1)[0]
    if b"PRIVATE KEY-----" in armour:
        return "private"
    if b"PUBLIC KEY-----" in armour:
        load_public_key(path)  # a damaged or unsupported public key is an error, not "public"
        return "public"
    raise KeyFileError("not a PEM key file", path=path)


@dataclass(frozen=True)
class KeySetEntry:
    """One key of a set: where it is, its public half and what the file holds."""

    path: Path
    public_key: PublicKey
    kind: KeyKind

    @property
    def key_type(self) -> str:
        return key_type_name(self.public_key)


def load_key_set(paths: list[Path], *, setting: str = "the key list") -> list[KeySetEntry]:
    """Load a key set and check it as MCUboot's build does: entries after the first are
    public-only PEMs of the first entry's key type. KeyFileError names the entry at fault."""
    entries: list[KeySetEntry] = []
    for index, path in enumerate(paths):
        kind = key_kind(path)
        entry = KeySetEntry(path, load_public_key(path), kind)
        if index and kind != "public":
            raise KeyFileError(f"entry {index + 1} of {setting} holds a private key; every entry after the "
                               "first must be a public-only PEM", path=path,
                               hint="export its public half with `zsec sign getpub -e pem`")
        if index and entry.key_type != entries[0].key_type:
            raise KeyFileError(f"entry {index + 1} of {setting} is a {entry.key_type} key, the first is "
                               f"{entries[0].key_type}; a bootloader verifies one signature type", path=path)
        entries.append(entry)
    return entries
