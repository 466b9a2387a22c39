"""Signing holds one copy of the firmware: the image is built in one buffer, and a raw input file is
read straight into it (issue 4). Also: that buffer gives the same bytes whichever way it is filled."""

from __future__ import annotations

import os
import tracemalloc

import pytest

from zsec_west.errors import ImageFormatError, InputError
from zsec_west.mcuboot.hexio import RawFile, signing_input
from zsec_west.mcuboot.parse import parse_image
from zsec_west.mcuboot.tlv import TlvType
from zsec_west.mcuboot.verify import verify_image
from zsec_west.sign.image import ImageOptions, create_image, vector_to_sign
from zsec_west.sign.pemsigner import PemSigner

MIB = 1 << 20
BASE = dict(header_size=0x200, slot_size=0x40000, version="1.2.3", pad_header=True)


def _peak_above(func) -> tuple[object, int]:
    """func()'s result and the most memory it had allocated at once (beyond what existed before)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = func()
        return result, tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("extra", [{}, {"pad": True}])
def test_create_image_allocates_one_copy(keys, extra):
    data = os.urandom(4 * MIB)
    options = ImageOptions(**{**BASE, "slot_size": 5 * MIB, **extra})
    signer = PemSigner(keys["ecdsa-p256"].private)
    signed, peak = _peak_above(lambda: create_image(data, options, signer))
    assert verify_image(signed.data, keys["ecdsa-p256"].public).ok
    # The output buffer plus small change (TLVs, the key objects): not a second image.
    assert len(signed.data) <= peak < len(signed.data) + MIB // 4


def test_a_raw_file_is_read_into_the_image_buffer(keys, tmp_path):
    path = tmp_path / "fw.bin"
    path.write_bytes(os.urandom(4 * MIB))
    signer = PemSigner(keys["ed25519"].private)
    options = ImageOptions(**{**BASE, "slot_size": 5 * MIB})

    def sign_from_disk():
        payload, base = signing_input(path)
        assert isinstance(payload, RawFile) and base is None
        return create_image(payload, options, signer)

    signed, peak = _peak_above(sign_from_disk)
    assert peak < len(signed.data) + MIB // 4  # the input never exists apart from the output
    assert signed.data == create_image(path.read_bytes(), options, signer).data  # Ed25519 is deterministic


@pytest.mark.parametrize("opts", [
    {},
    {"pad_header": False},
    {"confirm": True, "erased_val": 0},
    {"pad": True, "slot_size": 0x10800},  # smaller than the hashed region + the room reserved for TLVs
    {"security_counter": 7, "boot_record": "APP", "endian": "big"},
])
def test_file_and_bytes_inputs_give_the_same_image(keys, tmp_path, make_payload, opts):
    data = make_payload(0x10000 - 0x20, zero_header=0 if opts.get("pad_header", True) else 0x200)
    path = tmp_path / "fw.bin"
    path.write_bytes(data)
    options = ImageOptions(**{**BASE, **opts})
    signer = PemSigner(keys["ed25519"].private)
    from_file = create_image(RawFile(path, len(data)), options, signer)
    assert from_file.data == create_image(data, options, signer).data
    assert from_file.data == create_image(memoryview(bytearray(data)), options, signer).data
    region = vector_to_sign(RawFile(path, len(data)), options, keys["ed25519"].public)
    assert region == from_file.data[:parse_image(from_file.data).hashed_end]
    assert verify_image(from_file.data, keys["ed25519"].public).ok


@pytest.mark.parametrize("pad_header", [True, False])
def test_encrypted_image_from_a_file(keys, tmp_path, make_payload, pad_header):
    data = make_payload(0x1003, zero_header=0 if pad_header else 0x200)  # not whole AES blocks
    path = tmp_path / "fw.bin"
    path.write_bytes(data)
    signer = PemSigner(keys["ed25519"].private)
    # --clear keeps the payload plain, so only the random wrapped AES key differs between two runs.
    clear = ImageOptions(**{**BASE, "pad_header": pad_header}, encrypt_key=keys["x25519"].public, clear=True)
    a, b = create_image(RawFile(path, len(data)), clear, signer), create_image(data, clear, signer)
    end = parse_image(a.data).hashed_end
    assert (BASE["header_size"] + a.header.img_size) % 16 == 0 and a.data[:end] == b.data[:end]
    encrypted = ImageOptions(**{**BASE, "pad_header": pad_header}, encrypt_key=keys["x25519"].public)
    signed = create_image(RawFile(path, len(data)), encrypted, signer)
    assert verify_image(signed.data, keys["ed25519"].public, decrypt_key=keys["x25519"].private).ok
    assert signed.data[0x200:0x200 + 0x100] != a.data[0x200:0x200 + 0x100]  # the payload is encrypted


def test_header_area_check_applies_to_files(tmp_path, make_payload):
    path = tmp_path / "fw.bin"
    path.write_bytes(make_payload(0x1000))  # no zeroed header area
    with pytest.raises(ImageFormatError, match="header area"):
        create_image(RawFile(path, 0x1000), ImageOptions(**{**BASE, "pad_header": False}))


def test_a_file_that_changes_size_is_refused(tmp_path):
    path = tmp_path / "fw.bin"
    path.write_bytes(bytes(100))
    payload, _ = signing_input(path)
    path.write_bytes(bytes(101))
    with pytest.raises(InputError, match="changed size"):
        create_image(payload, ImageOptions(**BASE))
    path.write_bytes(bytes(99))
    with pytest.raises(InputError, match="changed size"):
        create_image(payload, ImageOptions(**BASE))


def test_signing_input_errors_and_hex(tmp_path):
    with pytest.raises(InputError, match="not found"):
        signing_input(tmp_path / "missing.bin")
    with pytest.raises(InputError, match="directory"):
        signing_input(tmp_path)
    hex_path = tmp_path / "fw.hex"
    hex_path.write_text(":04000A0001020304E8\n:00000001FF\n")
    assert signing_input(hex_path) == (b"\x01\x02\x03\x04", 0xA)  # hex is decoded: it has an address


def test_an_unprotected_area_longer_than_the_reserved_room(keys, make_payload):
    """A fixed signature of any length still fits: the buffer grows past its reserved room."""
    signature = bytes(range(256)) * 12  # 3 KiB, beyond the 2 KiB room
    options = ImageOptions(**BASE)
    signed = create_image(make_payload(0x1000), options, fixed_signature=(signature, keys["ed25519"].public))
    parsed = parse_image(signed.data)
    assert len(signed.data) == signed.image_size == parsed.image_size
    assert parsed.unprotected.first(TlvType.ED25519).value == signature
    padded = create_image(make_payload(0x1000), ImageOptions(**BASE, pad=True),
                          fixed_signature=(signature, keys["ed25519"].public))
    assert padded.data[:padded.image_size] == signed.data and len(padded.data) == BASE["slot_size"]
    assert set(padded.data[padded.image_size:BASE["slot_size"] - 16]) == {0xFF}
