"""Tampering: any change to what is hashed or signed must fail verification; broken input must give a
clear answer (a failed result or ImageFormatError), never an unexpected exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zsec_west.errors import ImageFormatError
from zsec_west.mcuboot.parse import info, parse_image
from zsec_west.mcuboot.verify import verify_image
from zsec_west.mcuboot.version import parse_dependencies
from zsec_west.sign.image import ImageOptions, create_image
from zsec_west.sign.pemsigner import PemSigner

OPTIONS = dict(header_size=0x80, slot_size=0x4000, version="2.1.0+7", pad_header=True, security_counter="auto",
               boot_record="SPE", dependencies=parse_dependencies("(1,1.0.0)"), custom_tlvs=((0xA0, b"vendor"),))
SIGNERS = ("ed25519", "ecdsa-p256", "rsa-2048", "ed25519-pure")


@pytest.fixture(scope="module")
def images(keys, make_payload):
    """Small signed images (1 KiB payload), one per key type; plus an encrypted one."""
    out = {}
    for name in SIGNERS:
        key = keys[name.removesuffix("-pure")]
        options = ImageOptions(**OPTIONS, pure=name.endswith("-pure"))
        out[name] = (create_image(make_payload(1024, seed=3), options, PemSigner(key.private)), key.public, None)
    enc = ImageOptions(**OPTIONS, encrypt_key=keys["x25519"].public)
    out["encrypted"] = (create_image(make_payload(1024, seed=4), enc, PemSigner(keys["ed25519"].private)),
                        keys["ed25519"].public, keys["x25519"].private)
    return out


def _flip(data: bytes, index: int, mask: int) -> bytes:
    buf = bytearray(data)
    buf[index] ^= mask
    return bytes(buf)


@pytest.mark.parametrize("name", [*SIGNERS, "encrypted"])
def test_every_byte_of_the_image_matters(images, name):
    """Exhaustive: flipping the low bit of any byte from the header to the last TLV fails verify."""
    signed, public, decrypt = images[name]
    data = signed.data
    assert verify_image(data, public, decrypt_key=decrypt).ok
    survivors = [i for i in range(signed.image_size) if verify_image(_flip(data, i, 0x01), public, decrypt_key=decrypt).ok]
    assert survivors == []


@pytest.mark.parametrize("name", SIGNERS)
@given(data=st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_change_to_hashed_region_or_signature_fails(images, name, data):
    signed, public, _ = images[name]
    parsed = parse_image(signed.data)
    sig = next(t for t in parsed.unprotected.tlvs if t.name in ("ED25519", "ECDSA_SIG", "RSA2048_PSS"))
    sig_range = range(sig.offset + 4, sig.offset + 4 + sig.length)
    index = data.draw(st.one_of(st.integers(0, parsed.hashed_end - 1), st.sampled_from(sig_range)))
    mask = data.draw(st.integers(1, 255))
    result = verify_image(_flip(signed.data, index, mask), public)
    assert not result.ok
    failed = {c.name for c in result.failures}
    assert failed & {"hash", "signature", "protected-size", "format"}


@pytest.mark.parametrize("name", [*SIGNERS, "encrypted"])
def test_truncation_never_verifies(images, name):
    signed, public, decrypt = images[name]
    for length in range(signed.image_size):
        cut = signed.data[:length]
        result = verify_image(cut, public, decrypt_key=decrypt)
        assert not result.ok, length
        try:
            parse_image(cut)
        except ImageFormatError:
            continue


def test_truncated_padding_fails_slot_check(images):
    signed, public, _ = images["ed25519"]
    padded = create_image(b"\x00" * 0x80 + b"\x11" * 512, ImageOptions(**{**OPTIONS, "pad_header": False, "confirm": True}))
    assert verify_image(padded.data, slot_size=OPTIONS["slot_size"]).ok
    short = verify_image(padded.data[:-1], slot_size=OPTIONS["slot_size"])
    assert [c.name for c in short.failures] == ["slot"]


@given(st.binary(max_size=600))
@settings(max_examples=300, deadline=None)
def test_garbage_gives_answers_not_crashes(blob):
    assert not verify_image(blob).ok or parse_image(blob)
    try:
        info(blob)
    except ImageFormatError:
        pass


@given(header=st.binary(min_size=28, max_size=28), tail=st.binary(max_size=300),
       endian=st.sampled_from([b"\x3d\xb8\xf3\x96", b"\x96\xf3\xb8\x3d"]))
@settings(max_examples=400, deadline=None)
def test_garbled_headers_with_valid_magic(header, tail, endian):
    """A good magic followed by random fields: parse either succeeds or raises ImageFormatError."""
    blob = endian + header + tail
    result = verify_image(blob)
    if result.ok:
        parse_image(blob)
    try:
        info(blob)
    except ImageFormatError:
        pass


@pytest.mark.parametrize("name", SIGNERS)
@given(data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_garbled_tlv_areas(images, name, data):
    """Random bytes written over the TLV areas never escape as anything but a failed check or an error."""
    signed, public, _ = images[name]
    parsed = parse_image(signed.data)
    start = parsed.payload_end
    junk = data.draw(st.binary(min_size=1, max_size=signed.image_size - start))
    offset = data.draw(st.integers(start, signed.image_size - len(junk)))
    blob = bytearray(signed.data)
    blob[offset:offset + len(junk)] = junk
    result = verify_image(bytes(blob), public)
    if bytes(blob) != signed.data:
        assert not result.ok or bytes(blob[:signed.image_size]) == signed.data[:signed.image_size]
