"""The table of publicly known MCUboot / TF-M development keys, looked up by public-key digest
(or, when a key file is not at hand, by its published file name)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from zsec_west.errors import DataFileError
from zsec_west.files import shipped
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

    @property
    def short_name(self) -> str:
        """The name without its aliases: "MCUboot root-rsa-2048.pem"."""
        return short_name(self.name)


def short_name(name: str) -> str:
    """A development key's name without the "(also ...)" aliases, for one-line headlines."""
    return name.split(" (also ", 1)[0]


DATA_FILE = "devkeys.yaml"  # in zsec_west/data
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
_FIELDS = ("name", "origin", "use", "type", "file", *_DIGEST_LENGTHS)


def _digest_problem(algorithm: str) -> Callable[[str], str | None]:
    def problem(value: str) -> str | None:
        if re.fullmatch(rf"[0-9a-fA-F]{{{_DIGEST_LENGTHS[algorithm]}}}", value):
            return None
        return f"not a {algorithm} digest ({_DIGEST_LENGTHS[algorithm]} hex digits)"
    return problem


def parse_devkeys(text: str, source: str) -> dict[str, DevKey]:
    """digest (lower-case hex) -> key, from the table's YAML; errors name `file:line` and field."""
    from zsec_west.files.yamldoc import Checker, LineDict, LineList, located, parse_located

    data = parse_located(text, source)
    if not isinstance(data, LineDict) or not isinstance(data.get("keys"), LineList):
        raise DataFileError("expected a mapping with a 'keys' list", path=located(source, data))
    entries = data["keys"]
    index: dict[str, DevKey] = {}
    for number, entry in enumerate(entries):
        check = Checker(source, entry, f"key {number + 1}", entries.line_of(number))
        check.only(_FIELDS)
        key = DevKey(*(check.string(field, required=True) for field in _FIELDS[:5]))
        digests = [check.string(alg, check=_digest_problem(alg)) for alg in _DIGEST_LENGTHS]
        if not any(digests):
            raise check.fail(None, "needs at least one of sha256, sha384, sha512")
        for digest in digests:
            if digest:
                index[digest.lower()] = key
    return index


@lru_cache(maxsize=1)
def _index() -> dict[str, DevKey]:
    return parse_devkeys(shipped.read_text(DATA_FILE), shipped.label(DATA_FILE))


@lru_cache(maxsize=1)
def _text() -> str:
    return shipped.read_text(DATA_FILE).lower()


def lookup_digest(digest: bytes | str) -> DevKey | None:
    """The development key whose encoding hashes to `digest` (a KEYHASH TLV value), if any."""
    hexdigest = digest.hex() if isinstance(digest, (bytes, bytearray)) else digest.lower()
    if hexdigest not in _text():
        return None  # the common case, answered without parsing the table (signing start-up)
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


def sha256_of(key: DevKey) -> str | None:
    """The SHA-256 fingerprint of a development key (of its MCUboot public-key encoding)."""
    return next((digest for digest, known in _index().items()
                 if known == key and len(digest) == _DIGEST_LENGTHS["sha256"]), None)
