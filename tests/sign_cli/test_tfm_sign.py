"""`zsec sign --build-dir` on a TF-M build: the non-secure (and with --secure the secure) image signed
with the parameters Zephyr's TF-M signing used, tfm_merged.hex rewritten, BL2's keys enforced.

The fixtures are the real 3.7.1 (TF-M 2.1.1) and 4.1.99 (TF-M 2.1.2) mps2/an521 builds; their
images are not part of the fixtures, so each test writes stand-ins at the addresses the real build
linked them (BL2 at 0x10000000, TF-M at 0x10080400, Zephyr at 0x00100000 after a 0x400-byte
zeroed header area). imgtool 2.5.0 run with the arguments that reproduce TF-M's own signing
(mcuboot-tfm.md, last section) is the oracle.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from intelhex import IntelHex

from tests.conftest import DATA
from tests.sign_cli.conftest import imgtool_inprocess
from zsec_west.keys.encoding import public_bytes
from zsec_west.keys.pem import load_public_key
from zsec_west.mcuboot.hexio import read_input
from zsec_west.mcuboot.parse import parse_image
from zsec_west.mcuboot.tlv import TlvType

BL2_AT, S_AT, NS_AT, SLOT, HEADER = 0x10000000, 0x10080400, 0x00100000, 0x80000, 0x400
FIXTURES = {"3.7.1": DATA / "builds" / "tfm-ns", "4.1.99": DATA / "builds-4.1" / "tfm-ns"}


def write_hex(path: Path, address: int, data: bytes) -> None:
    ih = IntelHex()
    ih.frombytes(data, offset=address)
    ih.tofile(str(path), "hex")


@pytest.fixture(params=sorted(FIXTURES))
def tfm(request, tmp_path: Path) -> Path:
    """A copy of a TF-M fixture build with stand-in BL2, TF-M and Zephyr images."""
    build = tmp_path / "tfm-ns"
    shutil.copytree(FIXTURES[request.param], build)
    for path in [build, *build.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    (build / "tfm" / "bin").mkdir(exist_ok=True)
    write_hex(build / "tfm" / "bin" / "bl2.hex", BL2_AT, os.urandom(0x6850))
    write_hex(build / "tfm" / "bin" / "tfm_s.hex", S_AT, os.urandom(115608))
    ns = bytes(HEADER) + os.urandom(14000)
    write_hex(build / "zephyr" / "zephyr.hex", NS_AT, ns)
    (build / "zephyr" / "zephyr.bin").write_bytes(ns)
    return build


@pytest.fixture
def tfm_keys(devkeys) -> tuple[Path, Path]:
    """(secure, non-secure) TF-M development keys: the ones the fixture's BL2 was built with."""
    return devkeys / "tf-m" / "root-EC-P256.pem", devkeys / "tf-m" / "root-EC-P256_1.pem"


def tlvs(image: bytes) -> dict[int, bytes]:
    parsed = parse_image(image)
    return {t.type: t.value for t in parsed.tlvs()}


def sw_type(boot_record: bytes) -> str:
    # CBOR map: a5, key 1 (01), text of length n (0x60 + n) -> the measured-boot sw_type
    assert boot_record[:2] == b"\xa5\x01"
    length = boot_record[2] - 0x60
    return boot_record[3:3 + length].decode()


def imgtool_reference(tmp_path: Path, key: Path, role: str, infile: Path, counter: str) -> bytes:
    """The image TF-M's own signing makes, reproduced with plain imgtool 2.5 (see the docstring)."""
    out = tmp_path / f"imgtool-{role}.hex"
    extra = ["--pad", "--pad-header"] if role == "S" else []
    code, output = imgtool_inprocess("sign", "-k", key, "--public-key-format", "full", "--align", "1",
                                     "--max-align", "8", "-v", "0.0.0+0", *extra, "-s", counter, "--boot-record",
                                     "SPE" if role == "S" else "NSPE", "-H", hex(HEADER), "-S", hex(SLOT),
                                     infile, out)
    assert code == 0, output
    return read_input(out, allow_gaps=True).data


def test_tfm_build_signs_with_only_a_key(zsec, tfm: Path, tfm_keys, tmp_path: Path):
    s_key, ns_key = tfm_keys
    zdir = tfm / "zephyr"
    bl2_before = (tfm / "tfm" / "bin" / "bl2.hex").read_bytes()
    run = zsec("sign", "--build-dir", tfm, "-k", ns_key, "--secure-key", s_key, "--allow-dev-key",
               "--manifest", tmp_path / "m.json")
    assert run.code == 0, run.err
    ns_out, s_out, merged = zdir / "zephyr_ns_signed.hex", zdir / "tfm_s_signed.hex", zdir / "tfm_merged.hex"
    # 4.1.99 passes CONFIG_TFM_IMAGE_SECURITY_COUNTER (1); 3.7.1 passes -s auto (0 for version 0.0.0)
    counter = 1 if (tfm / "build_info.yml").exists() else 0
    for out, key, role, boot_record in ((ns_out, ns_key, "NS", "NSPE"), (s_out, s_key, "S", "SPE")):
        image = read_input(out, allow_gaps=True).data
        hdr = struct.unpack_from("<IIHHIIBBHI", image)
        assert hdr[0] == 0x96F3B83D and hdr[2] == HEADER and hdr[5] == 0  # magic, header size 0x400, no flags
        found = tlvs(image)
        assert struct.unpack("<I", found[TlvType.SEC_CNT])[0] == counter
        assert sw_type(found[TlvType.BOOT_RECORD]) == boot_record
        # key format "full": the whole public key (PUBKEY TLV), no KEYHASH
        assert found[TlvType.PUBKEY] == public_bytes(load_public_key(key)) and TlvType.KEYHASH not in found
        code, output = imgtool_inprocess("verify", "-k", key, out)
        assert code == 0 and "Image was correctly validated" in output, output
        # Same header, payload and protected TLVs as TF-M's own signing; only the ECDSA signature differs.
        infile = zdir / "zephyr.hex" if role == "NS" else tfm / "tfm" / "bin" / "tfm_s.hex"
        reference = imgtool_reference(tmp_path, key, role, infile, "1" if counter else "auto")
        end = parse_image(image).hashed_end
        assert image[:end] == reference[:end]
    # The secure image is padded to the slot size of its signing layout: the trailer ends the slot.
    s_hex = IntelHex(str(s_out))
    assert s_hex.segments()[0][0] == S_AT - HEADER
    assert s_hex.segments()[-1][1] == S_AT - HEADER + SLOT
    assert s_hex.tobinstr(start=S_AT - HEADER + SLOT - 16, size=16) == bytes.fromhex("77c295f360d2ef7f3552500f2cb67980")
    # tfm_merged.hex: BL2 (unchanged) + the signed secure image + the signed non-secure image
    m = IntelHex(str(merged))
    for part in (tfm / "tfm" / "bin" / "bl2.hex", s_out, ns_out):
        ih = IntelHex(str(part))
        for start, end in ih.segments():
            assert m.tobinstr(start=start, size=end - start) == ih.tobinstr(start=start, size=end - start)
    assert sum(e - s for s, e in m.segments()) == sum(
        e - s for p in (tfm / "tfm" / "bin" / "bl2.hex", s_out, ns_out) for s, e in IntelHex(str(p)).segments())
    assert (tfm / "tfm" / "bin" / "bl2.hex").read_bytes() == bl2_before
    entries = {e["variant"]: e for e in json.loads((tmp_path / "m.json").read_text())["images"]}
    assert {v: (e["slot_size"], e["header_size"]) for v, e in entries.items()} == {
        "s.signed": (SLOT, HEADER), "ns.signed": (SLOT, HEADER)}
    assert "tfm_merged.hex" in run.err and "2 image(s) signed" in run.err


def test_without_secure_only_the_non_secure_image_is_signed(zsec, tfm: Path, tfm_keys, tmp_path: Path):
    s_key, ns_key = tfm_keys
    zdir = tfm / "zephyr"
    # The build's own signed secure image, as TF-M's signing made it.
    code, output = imgtool_inprocess("sign", "-k", s_key, "--public-key-format", "full", "--align", "1", "-v",
                                     "0.0.0+0", "--pad", "--pad-header", "-s", "auto", "--boot-record", "SPE", "-H",
                                     "0x400", "-S", hex(SLOT), tfm / "tfm" / "bin" / "tfm_s.hex",
                                     zdir / "tfm_s_signed.hex")
    assert code == 0, output
    s_before = (zdir / "tfm_s_signed.hex").read_bytes()
    run = zsec("sign", "--build-dir", tfm, "-k", ns_key, "--allow-dev-key")
    assert run.code == 0, run.err
    assert (zdir / "tfm_s_signed.hex").read_bytes() == s_before
    assert "1 image(s) signed" in run.err
    merged = IntelHex(str(zdir / "tfm_merged.hex"))
    for part in (zdir / "tfm_s_signed.hex", zdir / "zephyr_ns_signed.hex"):
        ih = IntelHex(str(part))
        start, end = ih.segments()[0]
        assert merged.tobinstr(start=start, size=end - start) == ih.tobinstr(start=start, size=end - start)


def test_missing_signed_secure_image_asks_for_secure(zsec, tfm: Path, tfm_keys):
    run = zsec("sign", "--build-dir", tfm, "-k", tfm_keys[1], "--allow-dev-key")
    assert run.code == 2 and len(run.err_lines) == 1 and "--secure" in run.err and "tfm_s_signed.hex" in run.err
    assert not (tfm / "zephyr" / "zephyr_ns_signed.hex").exists()


def test_a_key_bl2_does_not_trust_is_refused(zsec, tfm: Path, tfm_keys, keys):
    """The fixture's BL2 was built with TF-M's development keys; a release key it does not know fails."""
    release = keys["ecdsa-p256"]
    run = zsec("sign", "--build-dir", tfm, "-k", release, "--secure")
    assert run.code == 2 and len(run.err_lines) == 1
    line = run.err_lines[0]
    assert str(release) in line and "root-EC-P256" in line and "CONFIG_TFM_KEY_FILE_" in line
    assert "--allow-untrusted-key" in line
    assert not (tfm / "zephyr" / "tfm_merged.hex").exists() and not (tfm / "zephyr" / "zephyr_ns_signed.hex").exists()
    run = zsec("sign", "--build-dir", tfm, "-k", release, "--secure", "--allow-untrusted-key")
    assert run.code == 0, run.err
    assert "will not boot" in run.err
    assert (tfm / "zephyr" / "tfm_merged.hex").exists()


def test_bl2_built_with_the_release_keys_trusts_them(zsec, tfm: Path, keys, tmp_path: Path):
    """When TF-M exported BL2's public keys (tfm/bin/image_*_signing_public_key.pem), they decide."""
    s_key, ns_key = keys["ecdsa-p256"], tmp_path / "ns.pem"
    from zsec_west.sign import keytools
    keytools.keygen(ns_key, "ecdsa-p256")
    for role, key in (("s", s_key), ("ns", ns_key)):
        pem = load_public_key(key).public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
        (tfm / "tfm" / "bin" / f"image_{role}_signing_public_key.pem").write_bytes(pem)
    assert zsec("sign", "--build-dir", tfm, "-k", ns_key, "--secure-key", s_key).code == 0
    run = zsec("sign", "--build-dir", tfm, "-k", s_key, "--secure")  # the secure key signs NS too: wrong
    assert run.code == 2 and "non-secure image" in run.err and "image_ns_signing_public_key.pem" in run.err


def test_domain_and_secure_options_are_checked(zsec, tfm: Path, tfm_keys, build_copy, keys):
    run = zsec("sign", "--build-dir", tfm, "-k", tfm_keys[1], "--allow-dev-key", "--domain", "tfm")
    assert run.code == 2 and "--domain" in run.err
    sysbuild = build_copy("mcuboot-sysbuild")
    run = zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"], "--secure")
    assert run.code == 2 and "TF-M" in run.err


def test_fota_signing_writes_binaries_and_confirmed_hex(zsec, tfm: Path, tfm_keys, tmp_path: Path):
    """A build whose zephyr/ holds zephyr_ns_signed.bin signs the way Zephyr does since its FOTA
    change: .bin outputs too, hex images padded and confirmed (the secure one with its header
    prepended), and its outputs are what imgtool makes with those arguments."""
    s_key, ns_key = tfm_keys
    counter = "1" if (tfm / "build_info.yml").exists() else "auto"  # 4.1.99: CONFIG_TFM_IMAGE_SECURITY_COUNTER
    zdir = tfm / "zephyr"
    (zdir / "zephyr_ns_signed.bin").write_bytes(b"stale")  # what marks a build that signs for FOTA
    (tfm / "tfm" / "bin" / "tfm_s.bin").write_bytes(IntelHex(str(tfm / "tfm" / "bin" / "tfm_s.hex")).tobinstr())
    run = zsec("sign", "--build-dir", tfm, "-k", ns_key, "--secure-key", s_key, "--allow-dev-key")
    assert run.code == 0, run.err
    assert "4 image(s) signed" in run.err
    for name, key, args, infile in (
            ("zephyr_ns_signed.hex", ns_key, ["--pad", "--confirm"], zdir / "zephyr.hex"),
            ("zephyr_ns_signed.bin", ns_key, [], zdir / "zephyr.bin"),
            ("tfm_s_signed.hex", s_key, ["--pad-header", "--pad", "--confirm"], tfm / "tfm" / "bin" / "tfm_s.hex"),
            ("tfm_s_signed.bin", s_key, ["--pad-header", "--pad"], tfm / "tfm" / "bin" / "tfm_s.bin")):
        role = "SPE" if name.startswith("tfm_s") else "NSPE"
        reference = tmp_path / f"ref-{name}"
        code, output = imgtool_inprocess("sign", "-k", key, "--public-key-format", "full", "--align", "1",
                                         "--max-align", "8", "-v", "0.0.0+0", *args, "-s", counter,
                                         "--boot-record", role, "-H", hex(HEADER), "-S", hex(SLOT), infile, reference)
        assert code == 0, output
        ours, theirs = read_input(zdir / name, allow_gaps=True).data, read_input(reference, allow_gaps=True).data
        end = parse_image(ours).hashed_end
        assert ours[:end] == theirs[:end], name
        assert ("--pad" not in args) or len(ours) == len(theirs) == SLOT, name  # ECDSA DER lengths vary
        code, output = imgtool_inprocess("verify", "-k", key, zdir / name)
        assert code == 0, output
    confirmed = read_input(zdir / "zephyr_ns_signed.hex", allow_gaps=True).data
    assert confirmed[-24] == 0x01  # image_ok, max_align 8
