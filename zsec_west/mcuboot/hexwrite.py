"""Intel HEX text from address ranges, record for record as imgtool writes it.

imgtool (through the intelhex package) writes 16 data bytes a record, never across a 64 KiB
boundary, starts a new record after each gap, and puts an extended linear address record before
the data of each 64 KiB region when any data lies above 64 KiB. Writing the same records from
ranges keeps our .hex outputs byte-identical to imgtool's while holding each range once, where
intelhex keeps a dictionary entry per byte (about 100 bytes of memory for each image byte).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import cast

from zsec_west.errors import ImageFormatError

Range = tuple[int, bytes | bytearray | memoryview]

_RECORD_BYTES = 16
_REGION = 0x10000
END_OF_FILE = ":00000001FF\n"


def _record(kind: int, address: int, data: bytes | bytearray | memoryview) -> str:
    record = bytearray((len(data), address >> 8 & 0xFF, address & 0xFF, kind))
    record += data
    record.append(-sum(record) & 0xFF)
    return ":" + record.hex().upper() + "\n"


def joined(ranges: Iterable[Range], path: str | Path | None = None,
           overlap: str = "data overlaps at address 0x{:x}") -> list[Range]:
    """`ranges` in address order with adjacent ones joined (the records run on across them, as
    they do in imgtool's output). Overlapping ranges are an ImageFormatError naming the address."""
    result: list[Range] = []
    grown: set[int] = set()  # indexes of ranges that are our own bytearrays, extended in place
    for start, data in sorted(ranges, key=lambda item: item[0]):
        if not len(data):
            continue
        if result:
            last_start, last = result[-1]
            end = last_start + len(last)
            if start < end:
                raise ImageFormatError(overlap.format(start), path=path)
            if start == end:
                if len(result) - 1 not in grown:
                    last = bytearray(last)
                    grown.add(len(result) - 1)
                cast(bytearray, last).extend(data)
                result[-1] = (last_start, last)
                continue
        result.append((start, data))
    return result


def hex_text(ranges: Sequence[Range]) -> str:
    """The Intel HEX text of `ranges` (address order, adjacent ones joined: see `joined`)."""
    lines: list[str] = []
    extended = bool(ranges) and ranges[-1][0] + len(ranges[-1][1]) - 1 >= _REGION
    region = -1
    for start, data in ranges:
        with memoryview(data) as view:
            position = 0
            while position < len(view):
                address = start + position
                if extended and address >> 16 != region:
                    region = address >> 16
                    lines.append(_record(4, 0, region.to_bytes(2, "big")))
                size = min(_RECORD_BYTES, len(view) - position, _REGION - (address & 0xFFFF))
                lines.append(_record(0, address & 0xFFFF, view[position:position + size]))
                position += size
    lines.append(END_OF_FILE)
    return "".join(lines)
