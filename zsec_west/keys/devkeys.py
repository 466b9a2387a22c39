"""The table of publicly known MCUboot / TF-M development keys, looked up by public-key digest
(or, when a key file is not at hand, by its published file name)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from zsec_west.keys.encoding import Fingerprint
from zsec_west.keys.paths import file_name


@dataclass(frozen=True)
class DevKey:
    """One published development key."""

    name: str
    origin: str  # "mcuboot" or "tf-m"
    use: str  # "signing" or "encryption"
    type: str
    file: str


@lru_cache(maxsize=1)
def _index() -> dict[str, DevKey]:
    text = resources.files("zsec_west").joinpath("data/devkeys.yaml").read_text(encoding="utf-8")
    index: dict[str, DevKey] = {}
    for entry in yaml.safe_load(text)["keys"]:
        key = DevKey(entry["name"], entry["origin"], entry["use"], entry["type"], entry["file"])
        for alg in ("sha256", "sha384", "sha512"):
            if entry.get(alg):
                index[entry[alg].lower()] = key
    return index


def lookup_digest(digest: bytes | str) -> DevKey | None:
    """The development key whose encoding hashes to `digest` (a KEYHASH TLV value), if any."""
    hexdigest = digest.hex() if isinstance(digest, (bytes, bytearray)) else digest.lower()
    return _index().get(hexdigest)


def lookup(fingerprint: Fingerprint) -> DevKey | None:
    """The development key with this fingerprint, if it is one."""
    for digest in fingerprint.all():
        found = lookup_digest(digest)
        if found:
            return found
    return None


def all_keys() -> list[DevKey]:
    return sorted(set(_index().values()), key=lambda k: k.name)


def by_file_name(path_text: str) -> DevKey | None:
    """The development key whose published file name `path_text` ends in: any case, and the
    `-pkcs8` and `-pub` files of the same key too. Only a hint: a file can be renamed."""
    name = file_name(path_text).lower()
    if not name:
        return None
    for key in all_keys():
        known = key.file.lower()
        stem = known[:-4] if known.endswith(".pem") else known
        if name in {known, f"{stem}-pkcs8.pem", known.replace("-priv", "-pub")}:
            return key
    return None
