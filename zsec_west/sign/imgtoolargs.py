"""imgtool `sign`'s options as data: the one table from which the CLI builds its flags and the core
reads a build's CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS (without argparse, which stays in the front end).

Each entry names the long and short flag, the field of `ImageOverrides` (or "key"/"encrypt") the
value lands in, and the kind of value: a flag, an integer (decimal or 0x), a decimal from a fixed
set, text (optionally from a fixed set) or a repeatable pair.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class Kind(enum.Enum):
    FLAG = "flag"  # no value: True when given
    INT = "int"  # decimal or 0x-prefixed, as imgtool accepts addresses and sizes
    DECIMAL = "decimal"  # a decimal from `choices`
    TEXT = "text"  # a string, from `choices` when they are given
    PAIR = "pair"  # two values, repeatable (collected as a list of pairs)


# Group titles, in the order the CLI shows them.
LAYOUT = "image layout (imgtool's names; with --build-dir they default to the build's values)"
PROTECTED = "protected TLVs"
SIGNATURE = "signature and encryption"
KEY = "key"


class ArgsError(ValueError):
    """A word of an imgtool command line that cannot be used (the caller names the setting)."""


@dataclass(frozen=True)
class ImgtoolOption:
    """One option of `imgtool sign`."""

    long: str  # "--header-size"
    short: str | None  # "-H"
    field: str  # ImageOverrides field, or "key" / "encrypt"
    kind: Kind
    group: str
    help: str
    metavar: str | tuple[str, str] | None = None
    choices: tuple[Any, ...] | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        return (self.short, self.long) if self.short else (self.long,)

    @property
    def label(self) -> str:
        """How messages name the option: "-H/--header-size"."""
        return "/".join(self.flags)

    def convert(self, text: str) -> Any:
        """One value as given on a command line -> its typed value; ArgsError when it is not one."""
        value: int | str = text
        if self.kind is Kind.INT:
            return parse_int(text)
        if self.kind is Kind.DECIMAL:
            try:
                value = int(text)
            except ValueError:
                raise ArgsError(f"{text!r} is not an integer") from None
        if self.choices is not None and value not in self.choices:
            raise ArgsError(f"{text!r} is not one of {', '.join(map(str, self.choices))}")
        return value


def parse_int(text: str) -> int:
    """Decimal or 0x-prefixed integers, as imgtool accepts them."""
    try:
        return int(text, 0)
    except ValueError:
        raise ArgsError(f"{text!r} is not an integer") from None


def _opt(long: str, short: str | None, kind: Kind, group: str, help: str, *, field: str | None = None,
         metavar: str | tuple[str, str] | None = None, choices: tuple[Any, ...] | None = None) -> ImgtoolOption:
    return ImgtoolOption(long, short, field or long[2:].replace("-", "_"), kind, group, help, metavar, choices)


_F, _I, _D, _T, _P = Kind.FLAG, Kind.INT, Kind.DECIMAL, Kind.TEXT, Kind.PAIR

SIGN_OPTIONS: tuple[ImgtoolOption, ...] = (
    _opt("--key", "-k", _T, KEY, "private PEM file, or a pkcs11: URI (RFC 7512)", metavar="KEY"),
    _opt("--header-size", "-H", _I, LAYOUT, "MCUboot header size (CONFIG_ROM_START_OFFSET)", metavar="N"),
    _opt("--slot-size", "-S", _I, LAYOUT, "slot size (the secondary slot's, if they differ)", metavar="N"),
    _opt("--version", "-v", _T, LAYOUT, "image version maj.min.rev+build", metavar="VER"),
    _opt("--pad-header", None, _F, LAYOUT,
         "prepend the header (filled with the erased value) instead of overwriting zeros"),
    _opt("--pad", None, _F, LAYOUT, "pad to the slot size and add the trailer magic"),
    _opt("--confirm", None, _F, LAYOUT, "pad and mark the image confirmed (image_ok)"),
    _opt("--test", None, _F, LAYOUT, "pad and mark the image for a test swap"),
    _opt("--align", None, _D, LAYOUT, "flash write alignment", choices=(1, 2, 4, 8, 16, 32)),
    _opt("--max-align", None, _D, LAYOUT, "maximum flash alignment", choices=(8, 16, 32)),
    _opt("--max-sectors", "-M", _I, LAYOUT, "sectors in a slot (default 128)", metavar="N"),
    _opt("--overwrite-only", None, _F, LAYOUT, "trailer for overwrite-only upgrades"),
    _opt("--erased-val", "-R", _T, LAYOUT, "value of erased flash (default 0xff)", choices=("0", "0xff")),
    _opt("--hex-addr", "-x", _I, LAYOUT, "address of a .hex output", metavar="ADDR"),
    _opt("--load-addr", "-L", _I, LAYOUT, "RAM load address (RAM_LOAD)", metavar="ADDR"),
    _opt("--rom-fixed", "-F", _I, LAYOUT, "fixed ROM address (ROM_FIXED)", metavar="ADDR"),
    _opt("--endian", "-e", _T, LAYOUT, "byte order (default little)", choices=("little", "big")),
    _opt("--non-bootable", None, _F, LAYOUT, "mark the image non-bootable"),
    _opt("--security-counter", "-s", _T, PROTECTED, "security counter, or auto (from -v)", metavar="N|auto"),
    _opt("--dependencies", "-d", _T, PROTECTED, "images this one depends on", metavar='"(ID,VER),..."'),
    _opt("--boot-record", None, _T, PROTECTED, "measured-boot record software type (<= 12 chars)",
         metavar="SW_TYPE"),
    _opt("--custom-tlv", None, _P, PROTECTED,
         "custom protected TLV: VALUE 0x.. is hex bytes, else UTF-8 text (repeatable)", metavar=("TAG", "VALUE")),
    _opt("--custom-tlv-file", None, _P, PROTECTED, "custom protected TLV with a file's bytes (repeatable)",
         metavar=("TAG", "FILE")),
    _opt("--vid", None, _T, PROTECTED, "vendor UUID TLV", metavar="UUID|NAME"),
    _opt("--cid", None, _T, PROTECTED, "image class UUID TLV", metavar="UUID|NAME"),
    _opt("--public-key-format", None, _T, SIGNATURE, "KEYHASH (default) or the full PUBKEY TLV",
         choices=("hash", "full")),
    _opt("--sha", None, _T, SIGNATURE, "image hash (default: by key type)", choices=("auto", "256", "384", "512")),
    _opt("--pure", None, _F, SIGNATURE, "Ed25519 over the image itself (SHA-512)"),
    _opt("--pad-sig", None, _F, SIGNATURE, "pad ECDSA signatures to a fixed length (MCUboot < 1.5)"),
    _opt("--encrypt", "-E", _T, SIGNATURE, "encrypt for this RSA-2048, P-256 or X25519 key", metavar="KEY"),
    _opt("--encrypt-keylen", None, _D, SIGNATURE, "AES key size (default 128)", choices=(128, 256)),
    _opt("--hmac-sha", None, _T, SIGNATURE, "ECIES HMAC/HKDF hash (512: X25519)", choices=("auto", "256", "512")),
    _opt("--clear", "-c", _F, SIGNATURE, "flag as encrypted but keep the payload clear"),
    _opt("--save-enctlv", None, _F, SIGNATURE, "size the trailer for the encryption TLV"),
    _opt("--compression", None, _T, LAYOUT,
         "compress the payload (kept uncompressed when that is not smaller)",
         choices=("disabled", "lzma2", "lzma2armthumb")),
)

_BY_FLAG = {flag: option for option in SIGN_OPTIONS for flag in option.flags}


def _split(word: str) -> tuple[ImgtoolOption | None, str | None]:
    """The option a word names and a value attached to it (`--long=V`, `-XV`), if any."""
    if word.startswith("--"):
        name, eq, attached = word.partition("=")
        return _BY_FLAG.get(name), attached if eq else None
    if word.startswith("-") and len(word) > 2:
        option = _BY_FLAG.get(word[:2])
        if option is not None and option.kind is not Kind.FLAG:
            return option, word[2:]
        return None, None
    return _BY_FLAG.get(word), None


def parse_args(words: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """imgtool `sign` words -> ({field: value}, words that are no option of the table).

    Values are typed as `ImgtoolOption.convert` makes them; pairs collect into a list. A value that
    does not fit, or a missing one, raises ArgsError.
    """
    values: dict[str, Any] = {}
    unknown: list[str] = []
    rest = list(words)
    while rest:
        word = rest.pop(0)
        option, attached = _split(word) if word.startswith("-") else (None, None)
        if option is None:
            unknown.append(word)
            continue
        if option.kind is Kind.FLAG:
            if attached is not None:
                raise ArgsError(f"{option.label} takes no value")
            values[option.field] = True
            continue
        count = 2 if option.kind is Kind.PAIR else 1
        given = [attached] if attached is not None else []
        while len(given) < count and rest and not _is_option(rest[0]):
            given.append(rest.pop(0))
        if len(given) < count:
            raise ArgsError(f"{option.label} needs {'two values' if count == 2 else 'a value'}")
        try:
            typed = [option.convert(text) for text in given]
        except ArgsError as exc:
            raise ArgsError(f"{option.label}: {exc}") from None
        if option.kind is Kind.PAIR:
            values.setdefault(option.field, []).append(typed)
        else:
            values[option.field] = typed[0]
    return values, unknown


def _is_option(word: str) -> bool:
    """A word that starts an option rather than being a value (negative numbers are values)."""
    return word.startswith("-") and len(word) > 1 and not word[1:2].isdigit()
