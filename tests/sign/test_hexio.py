"""Binary and Intel HEX input/output of firmware and images."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from intelhex import IntelHex

from zsec_west.errors import ImageFormatError, InputError, UsageError
from zsec_west.mcuboot import hexwrite
from zsec_west.mcuboot.hexio import is_hex_path, parse_hex, read_input, write_data
from zsec_west.mcuboot.parse import parse_image
from zsec_west.mcuboot.verify import verify_image
from zsec_west.sign.image import ImageOptions, create_image
from zsec_west.sign.imagefile import hex_text, output_base, write_output

BASE = dict(header_size=0x200, slot_size=0x8000, version="1.0.0", pad_header=True)


def _hex_file(path, chunks: dict[int, bytes]) -> None:
    ih = IntelHex()
    for addr, data in chunks.items():
        ih.puts(addr, data)
    ih.tofile(str(path), "hex")


def test_extension_decides_format(tmp_path):
    assert is_hex_path("a.hex") and is_hex_path("B.HEX") and not is_hex_path("a.bin") and not is_hex_path("hex")
    raw = tmp_path / "fw.bin"
    raw.write_bytes(b":not hex but binary")
    loaded = read_input(raw)
    assert (loaded.data, loaded.base_addr, loaded.is_hex) == (b":not hex but binary", None, False)


def test_contiguous_hex(tmp_path):
    path = tmp_path / "fw.hex"
    _hex_file(path, {0x8000: b"abc", 0x8003: b"def"})
    loaded = read_input(path)
    assert (loaded.data, loaded.base_addr, loaded.is_hex) == (b"abcdef", 0x8000, True)


def test_hex_with_gaps_is_refused(tmp_path):
    path = tmp_path / "gaps.hex"
    _hex_file(path, {0x1000: b"abc", 0x2000: b"def"})
    with pytest.raises(ImageFormatError, match="not one contiguous range") as exc:
        read_input(path)
    assert "0x1000-0x1002" in str(exc.value) and "0x2000-0x2002" in str(exc.value)
    filled = read_input(path, allow_gaps=True)
    assert filled.data == b"abc" + b"\xff" * (0x2000 - 0x1003) + b"def"


def test_overlapping_records_are_refused():
    # Two data records writing address 0x0000.
    text = ":0100000041BE\n:0100000042BD\n:00000001FF\n"
    with pytest.raises(ImageFormatError, match="invalid Intel HEX"):
        parse_hex(text)


@pytest.mark.parametrize("text,message", [
    (":0100000041BF\n:00000001FF\n", "invalid Intel HEX"),  # bad checksum
    ("hello\n", "invalid Intel HEX"),
    (":00000001FF\n", "no data"),
    (b"\xff\xfe", "non-ASCII"),
])
def test_broken_hex(text, message):
    with pytest.raises(ImageFormatError, match=message):
        parse_hex(text)


def test_missing_input(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_input(tmp_path / "nope.hex")
    with pytest.raises(InputError, match="directory"):
        read_input(tmp_path)


def test_hex_output_with_pad_writes_only_trailer_records(make_payload, tmp_path):
    signed = create_image(make_payload(0x1000), ImageOptions(**BASE, confirm=True))
    path = tmp_path / "out.hex"
    write_output(path, signed, hex_addr=0x10000)
    ih = IntelHex(str(path))
    assert ih.segments() == [(0x10000, 0x10000 + signed.image_size), (0x18000 - 24, 0x18000)]
    assert ih.tobinstr(start=0x18000 - 24, end=0x18000 - 1) == b"\x01" + b"\xff" * 7 + bytes.fromhex(
        "77c295f360d2ef7f3552500f2cb67980")
    # Read back with the gap filled, it is the padded binary.
    assert read_input(path, allow_gaps=True).data == signed.data
    assert verify_image(read_input(path, allow_gaps=True).data, slot_size=BASE["slot_size"]).ok


def test_hex_output_without_pad(make_payload, tmp_path):
    signed = create_image(make_payload(0x1000), ImageOptions(**BASE))
    text = hex_text(signed, 0x20000)
    ih = IntelHex()
    ih.loadhex(__import__("io").StringIO(text))
    assert ih.segments() == [(0x20000, 0x20000 + len(signed.data))] and ih.tobinstr() == signed.data


def test_output_base(make_payload):
    padded_header = create_image(make_payload(0x100), ImageOptions(**BASE))
    plain = create_image(bytes(0x200) + make_payload(0x100), ImageOptions(**{**BASE, "pad_header": False}))
    assert output_base(padded_header, 0x10000, None) == 0x10000 - 0x200  # the header goes before the input
    assert output_base(padded_header, 0, None) == 0  # imgtool leaves a zero base alone
    assert output_base(plain, 0x10000, None) == 0x10000
    assert output_base(padded_header, 0x10000, 0x3000) == 0x3000
    with pytest.raises(UsageError, match="needs an address"):
        output_base(plain, None, None)
    with pytest.raises(UsageError, match="32-bit"):
        output_base(padded_header, 0x100, None)
    with pytest.raises(UsageError, match="32-bit"):
        output_base(plain, None, 0xFFFFFF00)


def test_write_binary_and_data(make_payload, tmp_path):
    signed = create_image(make_payload(0x100), ImageOptions(**BASE, pad=True))
    out = tmp_path / "out.bin"
    write_output(out, signed, hex_addr=0x1234)  # ignored for binary output
    assert out.read_bytes() == signed.data and len(signed.data) == BASE["slot_size"]
    write_data(tmp_path / "v.bin", b"vector")
    assert (tmp_path / "v.bin").read_bytes() == b"vector"
    write_data(tmp_path / "v.hex", b"vector", 0x100)
    assert read_input(tmp_path / "v.hex").data == b"vector"
    with pytest.raises(UsageError):
        write_data(tmp_path / "w.hex", b"x")
    with pytest.raises(InputError, match="cannot write"):
        write_output(tmp_path / "missing" / "out.bin", signed)


def test_hex_round_trip_through_parse(make_payload, tmp_path):
    src = tmp_path / "in.hex"
    ih = IntelHex()
    ih.frombytes(make_payload(0x800), offset=0x8000200)
    ih.tofile(str(src), "hex")
    loaded = read_input(src)
    signed = create_image(loaded.data, ImageOptions(**BASE, security_counter=1))
    out = tmp_path / "out.hex"
    write_output(out, signed, input_base=loaded.base_addr)
    back = read_input(out)
    assert back.base_addr == 0x8000000 and back.data == signed.data
    assert parse_image(back.data).header.img_size == 0x800


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 0x30000), st.binary(min_size=1, max_size=70)), min_size=1, max_size=6),
       st.integers(0, (1 << 32) - (1 << 20)))
def test_hex_text_is_record_for_record_what_intelhex_writes(pieces, base):
    # imgtool writes .hex outputs with intelhex; ours come from address ranges and must match.
    reference = IntelHex()
    ranges, address = [], base
    for gap, data in pieces:
        ranges.append((address, data))
        reference.puts(address, data)
        address += len(data) + gap % 3 * gap  # a third of the pieces are adjacent
    expected = io.StringIO()
    reference.write_hex_file(expected)
    assert hexwrite.hex_text(hexwrite.joined(ranges)) == expected.getvalue()


def test_overlapping_ranges_are_an_error():
    with pytest.raises(ImageFormatError, match="overlaps at address 0x104"):
        hexwrite.joined([(0x100, b"abcdef"), (0x104, b"xy")])
