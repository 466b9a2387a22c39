"""Unit tests of the image format pieces: versions, header, TLVs, trailer, options, signer, encryption, verify."""

from __future__ import annotations

import hashlib
import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zsec_west.errors import ImageFormatError, KeyFileError, UsageError
from zsec_west.keys.encoding import Fingerprint, public_bytes
from zsec_west.mcuboot.encryption import aes_ctr, aes_ctr_in_place, unwrap_key, wrap_key
from zsec_west.mcuboot.header import Flag, ImageHeader, flag_names
from zsec_west.mcuboot.parse import info, parse_image
from zsec_west.mcuboot.signatures import SignRequest, select_hash, verify_signature
from zsec_west.mcuboot.tlv import (
    INFO_MAGIC,
    PROT_INFO_MAGIC,
    TlvType,
    area_size,
    check_custom_tag,
    decode_area,
    encode_area,
    tlv_name,
)
from zsec_west.mcuboot.trailer import boot_magic, effective_max_align, read_trailer, trailer_size
from zsec_west.mcuboot.verify import verify_image
from zsec_west.mcuboot.version import parse_dependencies, resolve_security_counter
from zsec_west.sign.image import ImageOptions, create_image
from zsec_west.sign.pemsigner import PemSigner
from zsec_west.sign.protected import boot_record
from zsec_west.versions import ImageVersion as Version
from zsec_west.versions import parse_image_version as parse_version

BASE = dict(header_size=0x200, slot_size=0x20000, version="1.2.3+4", pad_header=True)


# --- versions ---------------------------------------------------------------------------------

VALID = ["0", "1", "1.2", "1.2.3", "1.2.3+4", "0.0.0+0", "255.255.65535+4294967295", "10.20.30+40"]
INVALID = ["", "01", "1.02", "1.2+3", "a", "1.2.3.4", "-1", "1.2.3+", " 1.2", "1..2", "1.2.03", "v1.2"]


@pytest.mark.parametrize("text", VALID)
def test_version_parses_like_imgtool(text):
    imgtool_version = pytest.importorskip("imgtool.version")
    assert tuple(vars(parse_version(text)).values()) == tuple(imgtool_version.decode_version(text))


@pytest.mark.parametrize("text", INVALID)
def test_version_rejects_like_imgtool(text):
    imgtool_version = pytest.importorskip("imgtool.version")
    with pytest.raises(ValueError):
        imgtool_version.decode_version(text)
    with pytest.raises(UsageError):
        parse_version(text)


@given(st.text(alphabet="0123456789.+x ", max_size=14))
@settings(max_examples=300, deadline=None)
def test_version_grammar_matches_imgtool(text):
    imgtool_version = pytest.importorskip("imgtool.version")
    try:
        theirs = tuple(imgtool_version.decode_version(text))
    except ValueError:
        theirs = None
    try:
        ours = tuple(vars(parse_version(text)).values())
    except UsageError as exc:
        # We also refuse parts that would not fit the header (imgtool fails later, when packing).
        assert theirs is None or "out of range" in str(exc)
        return
    assert ours == theirs


def test_version_helpers():
    v = parse_version("1.2.3+4")
    assert str(v) == "1.2.3+4" and v.short == "1.2.3"
    assert v.security_counter() == 0x01020003
    assert resolve_security_counter("auto", v) == 0x01020003
    assert resolve_security_counter("AUTO", v) == 0x01020003
    assert resolve_security_counter("0x10", v) == 16
    assert resolve_security_counter(None, v) is None
    for bad in (-1, 1 << 32, "x12", True):
        with pytest.raises(UsageError):
            resolve_security_counter(bad, v)
    with pytest.raises(UsageError):
        Version(256)


def test_dependencies():
    deps = parse_dependencies("(0,1.0.0),(2, 2.3.4+5)")
    assert [(d.image_id, str(d.version)) for d in deps] == [(0, "1.0.0+0"), (2, "2.3.4+5")]
    for bad in ("", "1,2", "(1,1.0),(2)", "(1,01.0)", "(300,1.0)"):
        with pytest.raises(UsageError):
            parse_dependencies(bad)


# --- header and TLVs --------------------------------------------------------------------------

@pytest.mark.parametrize("endian", ["little", "big"])
def test_header_round_trip(endian):
    header = ImageHeader(0x20000000, 0x200, 12, 1234, Flag.RAM_LOAD | Flag.ENCRYPTED_AES256, Version(1, 2, 3, 4))
    raw = header.pack(endian)
    assert len(raw) == 32
    assert raw[:4] == (bytes.fromhex("3db8f396") if endian == "little" else bytes.fromhex("96f3b83d"))
    assert ImageHeader.unpack(raw + b"tail") == (header, endian)
    assert header.encrypted and header.aes_key_size == 32
    assert flag_names(header.flags) == ["ENCRYPTED_AES256", "RAM_LOAD"]
    assert flag_names(0x80000000) == ["0x80000000"]


@pytest.mark.parametrize("data,message", [
    (b"", "shorter than the 32-byte"), (b"\xff" * 32, "erased"), (bytes(32), "invalid image magic"),
    (struct.pack("<I", 0x96F3B83C) + bytes(28), "legacy"),
])
def test_header_errors(data, message):
    with pytest.raises(ImageFormatError, match=message):
        ImageHeader.unpack(data)


# 0x0100-style custom types are left out: in big-endian images imgtool writes KEYHASH (0x01) as
# bytes 01 00, the same as a custom 0x0100, so the two cannot be told apart (see tlv.py).
TLV_TYPES = st.sampled_from([int(t) for t in TlvType] + [0xA0, 0xFF, 0x1A0, 0xFFFE, 0x0101])


@given(st.lists(st.tuples(TLV_TYPES, st.binary(max_size=40)), max_size=8), st.sampled_from(["little", "big"]))
@settings(max_examples=200, deadline=None)
def test_tlv_area_round_trip(entries, endian):
    area = encode_area(PROT_INFO_MAGIC, entries, endian)
    assert len(area) == area_size(entries)
    if not entries:
        assert area == b""
        return
    decoded = decode_area(b"xx" + area, 2, endian, PROT_INFO_MAGIC)
    assert decoded.total == len(area) and decoded.protected
    assert [(t.type, t.value) for t in decoded.tlvs] == entries


def test_tlv_encoding_matches_imgtool_layout():
    # Known types are written as (type byte, 0, u16 length): in big endian that is not a u16 type.
    assert encode_area(INFO_MAGIC, [(TlvType.SHA256, b"ab")], "little") == bytes.fromhex("0769 0a00 1000 0200 6162")
    assert encode_area(INFO_MAGIC, [(TlvType.SHA256, b"ab")], "big") == bytes.fromhex("6907 000a 1000 0002 6162")
    assert encode_area(INFO_MAGIC, [(0x1A0, b"")], "big") == bytes.fromhex("6907 0008 01a0 0000")


def test_tlv_decode_errors():
    good = encode_area(INFO_MAGIC, [(TlvType.SHA256, bytes(32))])
    with pytest.raises(ImageFormatError, match="truncated"):
        decode_area(good[:-1], 0, "little", INFO_MAGIC)
    with pytest.raises(ImageFormatError, match="magic"):
        decode_area(good, 0, "little", PROT_INFO_MAGIC)
    bad_len = bytearray(good)
    bad_len[6] = 0xFF  # TLV length beyond the area
    with pytest.raises(ImageFormatError, match="overruns"):
        decode_area(bytes(bad_len), 0, "little", INFO_MAGIC)
    short_total = bytearray(good)
    short_total[2:4] = (2).to_bytes(2, "little")
    with pytest.raises(ImageFormatError, match="less than its header"):
        decode_area(bytes(short_total), 0, "little", INFO_MAGIC)


def test_custom_tags_and_names():
    check_custom_tag(0xA0)
    check_custom_tag(0xFFFE)
    for bad in (0x9F, 0xFFFF, 0x10, 0x74, 0x50):
        with pytest.raises(UsageError):
            check_custom_tag(bad)
    assert tlv_name(0x22) == "ECDSA_SIG" and tlv_name(0x1A5) == "VENDOR_0x01a5" and tlv_name(0x99) == "UNKNOWN_0x0099"


# --- trailer ----------------------------------------------------------------------------------

def test_trailer_sizes():
    assert trailer_size() == 0x1B0  # the documented default: 384 + 32 + 16
    assert trailer_size(overwrite_only=True, max_align=8) == 32
    assert trailer_size(overwrite_only=True, max_align=32) == 96
    assert trailer_size(align=4, max_align=8, max_sectors=64) == 64 * 12 + 32 + 16
    assert trailer_size(encrypted=True) == 0x1B0 + 32
    assert trailer_size(encrypted=True, save_enctlv=True, enctlv_len=80) == 0x1B0 + 160
    assert trailer_size(align=32, max_align=32) == 128 * 96 + 128 + 32
    assert boot_magic(8) == bytes.fromhex("77c295f360d2ef7f3552500f2cb67980")
    assert boot_magic(32)[:4] == bytes.fromhex("20002de1") and boot_magic(16, "big")[:2] == b"\x00\x10"
    assert effective_max_align(16, None) == 16 and effective_max_align(1, None) == 8
    for align, max_align in ((3, None), (1, 4), (64, None)):
        with pytest.raises(UsageError):
            effective_max_align(align, max_align)
    assert read_trailer(b"abc", 3) is None
    assert read_trailer(b"\xff" * 64, 0).magic == "erased"


# --- boot record ------------------------------------------------------------------------------

def test_boot_record_cbor():
    signer_id = bytes(range(32))
    record = boot_record("SPE", Version(1, 2, 3), "sha256", signer_id)
    assert record.hex().startswith("a501635350450465312e322e33055820")  # as measured from imgtool
    assert len(record) == 91
    cbor2 = pytest.importorskip("cbor2")
    assert cbor2.loads(record) == {1: "SPE", 4: "1.2.3", 5: signer_id, 6: "SHA256", 2: bytes(32)}
    assert record == cbor2.dumps({1: "SPE", 4: "1.2.3", 5: signer_id, 6: "SHA256", 2: bytes(32)})
    long_record = boot_record("ABCDEFGHIJKL", Version(200, 255, 65535), "sha512", bytes(64))
    assert long_record == cbor2.dumps({1: "ABCDEFGHIJKL", 4: "200.255.65535", 5: bytes(64), 6: "SHA512", 2: bytes(64)})


# --- options and create_image validation ------------------------------------------------------

@pytest.mark.parametrize("kwargs,message", [
    (dict(header_size=16), "header size"),
    (dict(pad=True, slot_size=0), "slot size"),
    (dict(erased_val=0x55), "erased value"),
    (dict(align=3), "align"),
    (dict(max_align=4), "max-align"),
    (dict(load_addr=0x1000, rom_fixed=0x2000), "cannot both"),
    (dict(load_addr=1 << 32), "32-bit"),
    (dict(boot_record="ABCDEFGHIJKLM"), "longer than 12"),
    (dict(custom_tlvs=[(0x10, b"")]), "outside"),
    (dict(custom_tlvs=[(0x9F, b"")]), "outside"),
    (dict(custom_tlvs=[(0xA0, b""), (0xA0, b"x")]), "twice"),
    (dict(version="1.x"), "invalid version"),
    (dict(security_counter="soon"), "security counter"),
    (dict(pure=True, sha="512"), "pure"),
    (dict(sha="1"), "sha"),
    (dict(encrypt_keylen=192), "key length"),
    (dict(clear=True), "--clear"),
    (dict(endian="middle"), "endian"),
])
def test_option_errors(kwargs, message):
    with pytest.raises(UsageError, match=message):
        ImageOptions(**{**BASE, **kwargs})


def test_options_normalise():
    options = ImageOptions(**BASE, dependencies=[*parse_dependencies("(1,2.0)")], custom_tlvs=[(0xA0, bytearray(b"x"))])
    assert options.version == Version(1, 2, 3, 4)
    assert isinstance(options.dependencies, tuple) and options.custom_tlvs == ((0xA0, b"x"),)
    assert ImageOptions(**BASE, test=True).padded and not ImageOptions(**BASE).padded
    assert ImageOptions(**BASE, dependencies="(1,2.0)").dependencies == parse_dependencies("(1,2.0)")


def test_header_area_must_be_zero_without_pad_header(make_payload):
    data = make_payload(4096)  # random, so the first 0x200 bytes are not zero
    with pytest.raises(ImageFormatError, match="header area") as info_:
        create_image(data, ImageOptions(**{**BASE, "pad_header": False}))
    assert "pad-header" in str(info_.value)
    with pytest.raises(ImageFormatError, match="shorter than the header"):
        create_image(bytes(100), ImageOptions(**{**BASE, "pad_header": False}))


def test_image_too_big_for_slot(make_payload):
    data = make_payload(0x1000)
    with pytest.raises(ImageFormatError) as exc:
        create_image(data, ImageOptions(**{**BASE, "slot_size": 0x1200}))
    message = str(exc.value)
    assert "0x1228" in message and "0x1b0" in message and "0x1200" in message
    # Exactly full is fine.
    fit = create_image(data, ImageOptions(**{**BASE, "slot_size": 0x1228 + 0x1B0, "pad": True}))
    assert len(fit.data) == 0x1228 + 0x1B0


@pytest.mark.parametrize("key,sha,pure,public_only,expected", [
    (None, "auto", False, False, "sha256"), (None, "384", False, False, "sha384"),
    ("rsa-2048", "auto", False, False, "sha256"), ("ecdsa-p384", "auto", False, False, "sha384"),
    ("ed25519", "512", False, False, "sha512"), ("ed25519", "auto", True, False, "sha512"),
    ("ecdsa-p256", "512", False, True, "sha512"),
])
def test_select_hash(key, sha, pure, public_only, expected):
    assert select_hash(key, sha, pure=pure, public_only=public_only) == expected


@pytest.mark.parametrize("key,sha,pure", [
    ("rsa-2048", "384", False), ("rsa-3072", "512", False), ("ecdsa-p384", "256", False),
    ("ecdsa-p256", "512", False), ("ecdsa-p256", "auto", True), (None, "auto", True),
])
def test_select_hash_refuses(key, sha, pure):
    with pytest.raises(UsageError):
        select_hash(key, sha, pure=pure)


def test_signer_key_checks(keys):
    with pytest.raises(KeyFileError, match="X25519"):
        PemSigner(keys["x25519"].private)
    with pytest.raises(KeyFileError, match="key type is ecdsa-p256, but ed25519 is required"):
        PemSigner(keys["ecdsa-p256"].private, expect="ed25519")
    with pytest.raises(KeyFileError, match="public key"):
        PemSigner.from_file(keys["ed25519"].public_pem)
    signer = PemSigner.from_file(keys["ecdsa-p256"].private_pem, expect="ecdsa-p256")
    with pytest.raises(KeyFileError, match="sha256"):
        signer.sign(SignRequest(b"x", hashlib.sha384(b"x").digest(), "sha384"))
    with pytest.raises(KeyFileError, match="pure"):
        signer.sign(SignRequest(b"x", hashlib.sha256(b"x").digest(), "sha256", pure=True))


def test_create_refuses_bad_combinations(keys, make_payload):
    data = make_payload(2048)
    signer = PemSigner(keys["rsa-2048"].private)
    with pytest.raises(UsageError, match="384"):
        create_image(data, ImageOptions(**BASE, sha="384"), signer)
    with pytest.raises(UsageError, match="at the same time"):
        create_image(data, ImageOptions(**BASE), signer, (b"sig", keys["rsa-2048"].public))
    with pytest.raises(UsageError, match="same type"):
        create_image(data, ImageOptions(**BASE, encrypt_key=keys["x25519"].public), signer)
    with pytest.raises(UsageError, match="same type"):
        create_image(data, ImageOptions(**BASE, encrypt_key=keys["enc-p256"].public), PemSigner(keys["ecdsa-p384"].private))
    with pytest.raises(UsageError, match="HMAC-SHA512"):
        create_image(data, ImageOptions(**BASE, encrypt_key=keys["enc-p256"].public, hmac_sha="512"))
    with pytest.raises(KeyFileError, match="cannot encrypt"):
        create_image(data, ImageOptions(**BASE, encrypt_key=keys["ed25519"].public))
    with pytest.raises(UsageError, match="pure"):
        create_image(data, ImageOptions(**BASE, pure=True), signer)
    with pytest.raises(UsageError, match="vendor id"):
        create_image(data, ImageOptions(**BASE, cid="name-without-vid"))


@pytest.mark.parametrize("key,length", [("ecdsa-p256", 72), ("ecdsa-p384", 103)])
def test_pad_sig(keys, make_payload, key, length):
    signed = create_image(make_payload(2048), ImageOptions(**BASE, pad_sig=True), PemSigner(keys[key].private))
    # P-384 DER can reach 104 bytes, which imgtool (and we) leave as is.
    assert length <= len(signed.signature) <= 104
    assert verify_image(signed.data, keys[key].public).ok
    again = PemSigner(keys[key].private, pad_sig=True).sign(
        SignRequest(b"m", hashlib.new(signed.hash_name, b"m").digest(), signed.hash_name))
    assert length <= len(again) <= 104


def test_signed_image_metadata(keys, make_payload):
    key = keys["ecdsa-p384"]
    signed = create_image(make_payload(3000), ImageOptions(**BASE, security_counter="auto", confirm=True),
                          PemSigner(key.private))
    h = signed.header
    assert signed.image_size == h.hdr_size + h.img_size + signed.protected_tlv_size + signed.unprotected_tlv_size
    assert signed.hash_name == "sha384" and signed.key_type == "ecdsa-p384" and signed.signature_type == "ECDSA_SIG"
    assert signed.key_fingerprint == Fingerprint.of(key.public)
    assert signed.key_hash == hashlib.sha384(public_bytes(key.public)).digest()
    assert len(signed.data) == BASE["slot_size"] and signed.trailer is not None
    assert [o for o, _ in signed.trailer_records()] == [BASE["slot_size"] - 24, BASE["slot_size"] - 16]
    summary = json.loads(json.dumps(signed.summary()))
    assert summary["digest"] == signed.digest.hex() and summary["output_size"] == BASE["slot_size"]


# --- parse / info -----------------------------------------------------------------------------

def test_info_describes_image(keys, make_payload):
    options = ImageOptions(**BASE, security_counter=7, dependencies=parse_dependencies("(1,2.3.4)"), confirm=True,
                           vid="example.com", load_addr=0x20000000)
    signed = create_image(make_payload(2000), options, PemSigner(keys["ed25519"].private))
    described = json.loads(json.dumps(info(signed.data)))
    assert described["header"]["version"] == "1.2.3+4" and described["header"]["flag_names"] == ["RAM_LOAD"]
    assert described["header"]["load_addr"] == "0x20000000"
    prot, unprot = described["tlv_areas"]
    assert [t["name"] for t in prot["tlvs"]] == ["SEC_CNT", "DEPENDENCY", "UUID_VID"]
    assert prot["tlvs"][0]["security_counter"] == 7
    assert prot["tlvs"][1]["dependency"] == {"image_id": 1, "min_version": "2.3.4+0"}
    assert [t["name"] for t in unprot["tlvs"]] == ["SHA256", "KEYHASH", "ED25519"]
    assert unprot["tlvs"][0]["value"] == signed.digest.hex()
    assert described["trailer"] == {"magic": "good", "max_align": 8, "image_ok": "set", "image_ok_value": 1,
                                    "erased_val": "0xff"}
    assert described["image_size"] == signed.image_size and described["file_size"] == BASE["slot_size"]


@pytest.mark.parametrize("kwargs,state", [
    (dict(pad=True), ("good", 8, "unset")), (dict(test=True, align=32), ("good", 32, "unset")),
    (dict(confirm=True, max_align=16, erased_val=0), ("good", 16, "set")),
    (dict(confirm=True, overwrite_only=True), ("good", 8, "unset")),
])
def test_trailer_state(make_payload, kwargs, state):
    signed = create_image(make_payload(1000), ImageOptions(**BASE, **kwargs))
    trailer = parse_image(signed.data).trailer
    assert (trailer.magic, trailer.max_align, trailer.image_ok) == state


def test_big_endian_parse(keys, make_payload):
    signed = create_image(make_payload(1000), ImageOptions(**BASE, endian="big", security_counter=3),
                          PemSigner(keys["ed25519"].private))
    parsed = parse_image(signed.data)
    assert parsed.endian == "big" and parsed.protected.tlvs[0].type == TlvType.SEC_CNT
    assert info(signed.data)["tlv_areas"][0]["tlvs"][0]["security_counter"] == 3
    assert verify_image(signed.data, keys["ed25519"].public).ok


# --- encryption -------------------------------------------------------------------------------

@pytest.mark.parametrize("enc,keylen,hmac_sha,tlv,length", [
    ("enc-rsa", 16, "auto", TlvType.ENC_RSA2048, 256), ("enc-p256", 16, "auto", TlvType.ENC_EC256, 113),
    ("enc-p256", 32, "256", TlvType.ENC_EC256, 129), ("x25519", 16, "auto", TlvType.ENC_X25519, 80),
    ("x25519", 32, "256", TlvType.ENC_X25519, 96), ("x25519", 16, "512", TlvType.ENC_X25519_SHA512, 112),
    ("x25519", 32, "512", TlvType.ENC_X25519_SHA512, 128),
])
def test_key_wrap_round_trip(keys, enc, keylen, hmac_sha, tlv, length):
    aes_key = bytes(range(keylen))
    tlv_type, value = wrap_key(keys[enc].public, aes_key, hmac_sha)
    assert (tlv_type, len(value)) == (tlv, length)
    assert unwrap_key(tlv_type, value, keys[enc].private, keylen) == aes_key
    tampered = bytearray(value)
    tampered[-1] ^= 1
    with pytest.raises(ImageFormatError):
        unwrap_key(tlv_type, bytes(tampered), keys[enc].private, keylen)
    with pytest.raises(ImageFormatError):
        unwrap_key(tlv_type, value[:-1], keys[enc].private, keylen)
    with pytest.raises(KeyFileError):
        unwrap_key(tlv_type, value, keys["ed25519"].private, keylen)


def test_aes_ctr_chunks_are_one_stream():
    data = bytes(range(256)) * 4200 + b"tail"  # crosses the 1 MiB chunk boundary
    key = bytes(16)
    buf = bytearray(b"hdr" + data)
    aes_ctr_in_place(key, buf, 3, len(buf))
    assert bytes(buf[3:]) == aes_ctr(key, data)
    assert aes_ctr(key, bytes(buf[3:])) == data


def test_encrypted_verify_needs_key(keys, make_payload):
    signer = PemSigner(keys["ed25519"].private)
    signed = create_image(make_payload(5000), ImageOptions(**BASE, encrypt_key=keys["x25519"].public), signer)
    assert signed.header.img_size % 16 == 0 and signed.encryption == "ENC_X25519"
    result = verify_image(signed.data, keys["ed25519"].public)
    checks = {c.name: c for c in result.checks}
    assert not result.ok and checks["decrypt"].status == "skip" and "encrypted" in checks["hash"].reason
    assert verify_image(signed.data, keys["ed25519"].public, decrypt_key=keys["x25519"].private).ok
    wrong = verify_image(signed.data, keys["ed25519"].public, decrypt_key=keys["enc-p256"].private)
    assert {c.name: c.status for c in wrong.checks}["decrypt"] == "fail"


# --- verify: the checks beyond imgtool --------------------------------------------------------

def _swap_unprotected(data: bytes, entries) -> bytes:
    parsed = parse_image(data)
    return data[:parsed.hashed_end] + encode_area(INFO_MAGIC, entries)


def test_verify_checks_keyhash_matches_key(keys, make_payload, imgtool, tmp_path):
    """A valid signature under a KEYHASH naming another key: imgtool accepts it, we do not."""
    key, other = keys["ed25519"], keys["ecdsa-p256"]
    signed = create_image(make_payload(2000), ImageOptions(**BASE), PemSigner(key.private))
    parsed = parse_image(signed.data)
    entries = [(t.type, t.value) for t in parsed.unprotected.tlvs]
    entries[1] = (TlvType.KEYHASH, hashlib.sha256(public_bytes(other.public)).digest())
    forged = _swap_unprotected(signed.data, entries)
    path = tmp_path / "forged.bin"
    path.write_bytes(forged)
    [res] = imgtool.batch([["verify", "-k", str(key.public_pem), str(path)]])
    assert res["rc"] == 0
    result = verify_image(forged, key.public)
    assert not result.ok and [c.name for c in result.failures] == ["key"]


def test_verify_flags_unprotected_metadata(keys, make_payload):
    signed = create_image(make_payload(2000), ImageOptions(**BASE), PemSigner(keys["ed25519"].private))
    parsed = parse_image(signed.data)
    entries = [(t.type, t.value) for t in parsed.unprotected.tlvs] + [(TlvType.SEC_CNT, b"\xff" * 4)]
    result = verify_image(_swap_unprotected(signed.data, entries), keys["ed25519"].public)
    assert [c.name for c in result.failures] == ["unprotected-tlvs"]
    assert "SEC_CNT" in result.failures[0].reason


def test_verify_protect_size_and_slot(keys, make_payload):
    signed = create_image(make_payload(2000), ImageOptions(**BASE, security_counter=1), PemSigner(keys["ed25519"].private))
    bad = bytearray(signed.data)
    bad[10:12] = (0).to_bytes(2, "little")
    names = [c.name for c in verify_image(bytes(bad), keys["ed25519"].public).failures]
    assert "protected-size" in names
    assert verify_image(signed.data, slot_size=signed.image_size + 0x1B0).ok
    tight = verify_image(signed.data, slot_size=signed.image_size + 0x1AF)
    assert [c.name for c in tight.failures] == ["slot"] and "exceeds" in tight.failures[0].reason
    assert verify_image(signed.data, slot_size=signed.image_size, trailer_size=0).ok
    padded = create_image(make_payload(2000), ImageOptions(**BASE, pad=True))
    assert not verify_image(padded.data, slot_size=BASE["slot_size"] * 2).ok
    assert verify_image(padded.data, slot_size=BASE["slot_size"]).ok


def test_verify_reports_without_raising(keys, make_payload):
    assert not verify_image(b"not an image").ok
    assert verify_image(b"").checks[0].name == "format"
    unsigned = create_image(make_payload(2000), ImageOptions(**BASE))
    result = verify_image(unsigned.data, keys["rsa-2048"].public)
    assert [c.name for c in result.failures] == ["key", "signature"]
    assert "No signature found" in result.failures[1].reason
    assert verify_image(unsigned.data).ok  # hash only, like imgtool verify without a key
    mismatch = create_image(make_payload(2000), ImageOptions(**BASE), PemSigner(keys["ecdsa-p384"].private))
    checks = {c.name: c for c in verify_image(mismatch.data, keys["rsa-2048"].public).checks}
    assert checks["hash"].status == "fail" and "mismatch" in checks["hash"].reason


def test_verify_pure_and_full_pubkey(keys, make_payload):
    key = keys["ed25519"]
    signed = create_image(make_payload(2000), ImageOptions(**BASE, pure=True, public_key_format="full"),
                          PemSigner(key.private))
    result = verify_image(signed.data, key.public)
    assert result.ok and result.hash_name == "sha512" and "pure" in result.checks[-1].reason
    assert result.key_fingerprint == Fingerprint.of(key.public)
    unkeyed = verify_image(signed.data)
    assert unkeyed.key_type == "ed25519" and unkeyed.key_fingerprint == Fingerprint.of(key.public)
    parsed = parse_image(signed.data)
    entries = [(t.type, b"\x02" if t.type == TlvType.SIG_PURE else t.value) for t in parsed.unprotected.tlvs]
    assert not verify_image(_swap_unprotected(signed.data, entries), key.public).ok


def test_verify_signature_helper(keys):
    key = keys["rsa-3072"]
    region = b"region"
    digest = hashlib.sha256(region).digest()
    signature = PemSigner(key.private).sign(SignRequest(region, digest, "sha256"))
    assert len(signature) == 384
    assert verify_signature(key.public, signature, SignRequest(region, digest, "sha256"))
    assert not verify_signature(key.public, signature[:-1], SignRequest(region, digest, "sha256"))


def test_pubkey_tlv_with_a_foreign_key_type_fails_cleanly():
    """A PUBKEY TLV may hold any DER key; one MCUboot never uses (DSA) is reported, not a crash."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa

    from zsec_west.tfm.images import find_images

    unsigned = create_image(bytes(0x200) + bytes(range(256)) * 8, ImageOptions(header_size=0x200, slot_size=0x10000))
    parsed = parse_image(unsigned.data)
    digest = next(t.value for t in parsed.unprotected.tlvs if t.type == TlvType.SHA256)
    dsa_der = dsa.generate_private_key(1024).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    area = encode_area(INFO_MAGIC, [(TlvType.SHA256, digest), (TlvType.PUBKEY, dsa_der),
                                    (TlvType.ECDSA_SIG, b"\x30\x06\x02\x01\x01\x02\x01\x01")])
    image = bytes(unsigned.data[:parsed.hashed_end]) + area
    result = verify_image(image)
    assert result.key_type is None and result.dev_key is None
    assert {c.name: c.status for c in result.checks}["hash"] == "pass"
    [found] = find_images(image)
    assert found.key_source == "PUBKEY" and found.hash_ok is True and found.signature_ok is not True
