"""Intel HEX input is held by segments, never by address range (issue 15, defect 3).

A .hex names addresses, not sizes: two records 4 GiB apart are 40 bytes of text. Reading one must
cost what its records hold; a span no image can have is refused naming the file.
"""

from __future__ import annotations

import io

import pytest
from intelhex import IntelHex

from zsec_west.errors import ImageFormatError
from zsec_west.mcuboot.hexio import hex_segments, parse_hex, read_input


def _record(kind: int, address: int, payload: bytes) -> str:
    body = bytes([len(payload), address >> 8 & 0xFF, address & 0xFF, kind]) + payload
    return ":" + (body + bytes([-sum(body) & 0xFF])).hex().upper()


def _gap_4g() -> str:
    """16 bytes at 0, 16 bytes at the top of the 32-bit address space."""
    return "\n".join([_record(4, 0, b"\x00\x00"), _record(0, 0, b"\x22" * 16),
                      _record(4, 0, b"\xff\xff"), _record(0, 0xFFF0, b"\x11" * 16),
                      ":00000001FF"]) + "\n"


def test_a_4_gib_gap_is_two_segments_not_4_gib():
    assert hex_segments(_gap_4g()) == [(0, b"\x22" * 16), (0xFFFFFFF0, b"\x11" * 16)]


def test_a_span_no_image_can_have_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "gap.hex"
    path.write_text(_gap_4g(), encoding="ascii")
    with pytest.raises(ImageFormatError, match="spans") as caught:
        read_input(path, allow_gaps=True)
    assert str(caught.value).startswith(f"{path}: ")
    with pytest.raises(ImageFormatError, match="not one contiguous range"):  # signing input: no gaps at all
        read_input(path)


def test_segments_match_intelhex_on_records_in_any_order():
    text = "\n".join([
        _record(4, 0, b"\x00\x00"), _record(0, 0x8003, b"def"), _record(0, 0x8000, b"abc"),  # backwards
        _record(4, 0, b"\x00\x02"), _record(0, 0, b"tail"),
        _record(4, 0, b"\x00\x00"), _record(0, 0xFFFE, b"wx"),  # one range across a 64 KiB boundary
        _record(4, 0, b"\x00\x01"), _record(0, 0, b"yz"),
        ":00000001FF"]) + "\n"
    ih = IntelHex(io.StringIO(text))
    expected = [(start, ih.tobinstr(start=start, end=end - 1)) for start, end in ih.segments()]
    assert expected == [(0x8000, b"abcdef"), (0xFFFE, b"wxyz"), (0x20000, b"tail")]
    assert [(address, bytes(data)) for address, data in hex_segments(text)] == expected
    filled = parse_hex(text, allow_gaps=True, gap_fill=0xFF)
    assert filled.base_addr == 0x8000 and filled.data == ih.tobinstr(start=0x8000, end=0x20003)


EOF_RECORD = ":00000001FF"


@pytest.mark.parametrize("lines,message", [
    ([_record(0, 0, b"A"), _record(0, 0, b"A")], "overlap"),  # the same address twice
    ([_record(0, 0, b"AB"), _record(0, 1, b"B")], "overlap"),
    ([_record(0, 0, b"A")[:-2] + "00"], "checksum"),
    ([":FF000000" + "00" * 4 + "FF"], "length"),  # a byte count that runs past the line
    ([_record(9, 0, b"AB")], "record type"),
    ([":01000000"], "too short"),
    ([":01000000ZZBE"], "hexadecimal"),
    (["hello"], "does not start with ':'"),
])
def test_damaged_records_are_errors(lines, message):
    with pytest.raises(ImageFormatError, match=message) as caught:
        hex_segments("\n".join([*lines, EOF_RECORD]) + "\n", path="x.hex")
    assert str(caught.value).startswith("x.hex: ")
