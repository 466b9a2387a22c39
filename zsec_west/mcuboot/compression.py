"""LZMA2 image compression as MCUboot uses it (`imgtool sign --compression lzma2|lzma2armthumb`).

The compressed payload is a 2-byte header (the LZMA2 dictionary-size code, then the properties
byte `(pb * 5 + lp) * 9 + lc`) followed by a raw LZMA2 stream, optionally run through the ARM
Thumb branch filter first. The settings are imgtool 2.5's (main.py `comp_default_*`): preset 9,
a 128 KiB dictionary, lc 3, lp 1, pb 2; Python's lzma module is the same liblzma imgtool calls,
so equal input gives equal bytes.
"""

from __future__ import annotations

import lzma
from typing import Any

from zsec_west.errors import ImageFormatError

MODES = ("disabled", "lzma2", "lzma2armthumb")
DICT_SIZE = 128 * 1024
PRESET = 9
LC, LP, PB = 3, 1, 2
HEADER_SIZE = 2


def _filters(mode: str, dict_size: int = DICT_SIZE, lc: int = LC, lp: int = LP, pb: int | None = None
             ) -> list[dict[str, Any]]:
    lzma2: dict[str, Any] = {"id": lzma.FILTER_LZMA2, "dict_size": dict_size, "lc": lc, "lp": lp}
    if pb is None:
        lzma2["preset"] = PRESET  # imgtool leaves pb to the preset (2)
    else:
        lzma2["pb"] = pb
    chain = [lzma2]
    if mode == "lzma2armthumb":
        chain.insert(0, {"id": lzma.FILTER_ARMTHUMB})
    return chain


def dict_size_code(dict_size: int) -> int:
    """The first header byte: the smallest code i with (2 | (i & 1)) << (i // 2 + 11) >= size."""
    for code in range(40):
        if dict_size <= (2 | (code & 1)) << (code // 2 + 11):
            return code
    raise ValueError(f"dictionary size {dict_size} is too large for LZMA2")


def stream_header(dict_size: int = DICT_SIZE, lc: int = LC, lp: int = LP, pb: int = PB) -> bytes:
    return bytes((dict_size_code(dict_size), (pb * 5 + lp) * 9 + lc))


def compress(data: bytes | bytearray | memoryview, mode: str) -> bytes:
    """The compressed payload (stream header + raw stream) imgtool writes for `data`."""
    if mode not in MODES[1:]:
        raise ValueError(f"unknown compression {mode!r}")
    return stream_header() + lzma.compress(data, format=lzma.FORMAT_RAW, filters=_filters(mode))


def decompress(payload: bytes | bytearray | memoryview, arm_thumb: bool) -> bytes:
    """The original bytes of a compressed payload; ImageFormatError when it cannot be decoded."""
    head = bytes(payload[:HEADER_SIZE])
    if len(head) < HEADER_SIZE:
        raise ImageFormatError("compressed payload is shorter than its 2-byte LZMA2 header")
    code, props = head
    if code >= 40 or props >= 9 * 5 * 5:
        raise ImageFormatError(f"invalid LZMA2 header bytes {head.hex()}")
    dict_size = (2 | (code & 1)) << (code // 2 + 11)
    lc, rest = props % 9, props // 9
    lp, pb = rest % 5, rest // 5
    filters = _filters("lzma2armthumb" if arm_thumb else "lzma2", dict_size, lc, lp, pb)
    try:
        return lzma.decompress(bytes(payload[HEADER_SIZE:]), format=lzma.FORMAT_RAW, filters=filters)
    except (lzma.LZMAError, ValueError) as exc:
        raise ImageFormatError(f"compressed payload does not decode: {exc}") from None
