"""Image options given explicitly (on a command line, or in a build's EXTRA_IMGTOOL_ARGS), as one value.

Every field is None when not given, so that a value the user chose can be told from one the build
decided; `fields()` gives the ImageOptions keyword arguments that were given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from zsec_west.errors import InputError, UsageError
from zsec_west.files.reading import read_input
from zsec_west.mcuboot.version import Dependency, parse_dependencies

_NOT_IMAGE_OPTIONS = ("hex_addr", "custom_tlv_sources")


@dataclass(frozen=True)
class ImageOverrides:
    """`imgtool sign` options that shape an image; see ImageOptions for what each one means.

    `hex_addr` is where a .hex output goes; it is not part of the image itself.
    """

    header_size: int | None = None
    slot_size: int | None = None
    version: str | None = None
    pad_header: bool | None = None
    pad: bool | None = None
    confirm: bool | None = None
    test: bool | None = None
    align: int | None = None
    max_align: int | None = None
    max_sectors: int | None = None
    overwrite_only: bool | None = None
    erased_val: int | None = None
    load_addr: int | None = None
    rom_fixed: int | None = None
    security_counter: int | Literal["auto"] | str | None = None
    dependencies: tuple[Dependency, ...] | None = None
    boot_record: str | None = None
    custom_tlvs: tuple[tuple[int, bytes], ...] | None = None
    # One per custom TLV, the option that gave it ("--custom-tlv-file 0xa0 FILE"): for messages.
    custom_tlv_sources: tuple[str, ...] | None = None
    public_key_format: Literal["hash", "full"] | None = None
    sha: Literal["auto", "256", "384", "512"] | None = None
    pure: bool | None = None
    pad_sig: bool | None = None
    encrypt_keylen: Literal[128, 256] | None = None
    hmac_sha: Literal["auto", "256", "512"] | None = None
    clear: bool | None = None
    save_enctlv: bool | None = None
    non_bootable: bool | None = None
    vid: str | None = None
    cid: str | None = None
    endian: Literal["little", "big"] | None = None
    compression: Literal["disabled", "lzma2", "lzma2armthumb"] | None = None
    hex_addr: int | None = None

    def fields(self) -> dict[str, Any]:
        """The ImageOptions keyword arguments that were given (hex_addr and the TLV sources are not)."""
        return {f.name: value for f in dataclasses.fields(self)
                if f.name not in _NOT_IMAGE_OPTIONS and (value := getattr(self, f.name)) is not None}

    def given(self, name: str) -> bool:
        return getattr(self, name) is not None

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> ImageOverrides:
        """From option values as `imgtoolargs.parse_args` (or argparse with the same table) gives
        them: fields by name, raw `erased_val` text, `custom_tlv` / `custom_tlv_file` pairs."""
        names = {f.name for f in dataclasses.fields(cls)} - {"erased_val", "dependencies", "custom_tlvs",
                                                             "custom_tlv_sources"}
        given: dict[str, Any] = {name: values[name] for name in names if values.get(name) is not None}
        if values.get("erased_val") is not None:
            given["erased_val"] = int(values["erased_val"], 0)
        if values.get("dependencies") is not None:
            given["dependencies"] = parse_dependencies(values["dependencies"])
        tlvs = [(_tag(tag), _tlv_value(value)) for tag, value in values.get("custom_tlv") or ()]
        tlvs += [(_tag(tag), _read_tlv_file(name)) for tag, name in values.get("custom_tlv_file") or ()]
        if tlvs:
            given["custom_tlvs"] = tuple(tlvs)
            given["custom_tlv_sources"] = (
                *(f"--custom-tlv {tag}" for tag, _ in values.get("custom_tlv") or ()),
                *(f"--custom-tlv-file {tag} {name}" for tag, name in values.get("custom_tlv_file") or ()))
        return cls(**given)


def _tag(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise UsageError(f"custom TLV tag {text!r} is not an integer") from None


def _tlv_value(text: str) -> bytes:
    if text.lower().startswith("0x"):
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            raise UsageError(f"custom TLV value {text!r} is not an even number of hex digits") from None
    return text.encode("utf-8")


def _read_tlv_file(name: str) -> bytes:
    return read_input(name, "key", InputError)  # a TLV holds at most 64 KiB
