"""Writing a signed image to a file: binary as built, or Intel HEX at the address imgtool would use."""

from __future__ import annotations

from pathlib import Path

from zsec_west.errors import UsageError
from zsec_west.mcuboot import hexwrite
from zsec_west.mcuboot.hexio import is_hex_path, write_file
from zsec_west.sign.image import SignedImage


def output_base(signed: SignedImage, input_base: int | None, hex_addr: int | None) -> int:
    """The Intel HEX address of the image: --hex-addr, else the input's base (moved down by a padded header)."""
    if hex_addr is not None:
        base = hex_addr
    elif input_base is None:
        raise UsageError(
            "Intel HEX output needs an address: the input has none and no hex address was given",
            hint="give --hex-addr",
        )
    elif signed.options.pad_header and input_base:
        # imgtool moves the base only when it is non-zero.
        base = input_base - signed.options.header_size
    else:
        base = input_base
    end = base + (signed.options.slot_size if signed.trailer else signed.image_size)
    if base < 0 or end > 1 << 32:
        raise UsageError(f"hex address 0x{base:x} puts the image outside the 32-bit address space")
    return base


def hex_text(signed: SignedImage, base: int) -> str:
    """The Intel HEX text imgtool would write for this image at `base`: the image, then only the
    trailer records (no erased fill between) when it is padded."""
    with memoryview(signed.data) as view, view[:signed.image_size] as image:
        ranges: list[hexwrite.Range] = [(base, image)]
        ranges += [(base + offset, data) for offset, data in signed.trailer_records()]
        return hexwrite.hex_text(hexwrite.joined(ranges))


def write_output(path: str | Path, signed: SignedImage, *, input_base: int | None = None,
                 hex_addr: int | None = None) -> None:
    """Write the image to `path`: Intel HEX for .hex, else the binary (padded if asked)."""
    path = Path(path)
    if is_hex_path(path):
        write_file(path, hex_text(signed, output_base(signed, input_base, hex_addr)))
    else:
        write_file(path, signed.data)
