"""The table of publicly known MCUboot / TF-M development keys, looked up by public-key digest."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from zsec_west.keys.encoding import Fingerprint


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
