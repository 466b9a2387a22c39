"""`zsec sign --build-dir`: a sysbuild build signs with nothing but a key, as Zephyr's build would."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest

from tests.sign_cli.conftest import files_in, imgtool, imgtool_verifies, mcuboot_built_with, snapshot
from tests.sign_cli.test_plan import APP, app_config, set_config
from zsec_west.keys.encoding import Fingerprint
from zsec_west.keys.pem import load_public_key

HEADER, SLOT, ALIGN = 0x200, 0x76000, 4


@pytest.fixture
def sysbuild(build_copy, keys) -> Path:
    """The sysbuild fixture with a fresh stand-in zephyr.bin (zeroed ROM_START_OFFSET area + random
    body), its MCUboot built with the test's RSA-2048 key, so that key is one it trusts."""
    build = build_copy("mcuboot-sysbuild")
    mcuboot_built_with(build, keys["rsa-2048"])
    zdir = build / APP / "zephyr"
    (zdir / "zephyr.bin").write_bytes(bytes(HEADER) + os.urandom(20000))
    (zdir / "zephyr.signed.bin").unlink()  # the committed one is signed with the dev key
    return build


def header_fields(image: bytes) -> tuple[int, ...]:
    return struct.unpack_from("<IIHHIIBBHI", image)


def test_sign_sysbuild_with_only_a_key(zsec, sysbuild: Path, keys):
    key = keys["rsa-2048"]
    zin = sysbuild / APP / "zephyr" / "zephyr.bin"
    before = snapshot(zin)
    run = zsec("sign", "--build-dir", sysbuild, "-k", key)
    assert run.code == 0, run.err
    signed = sysbuild / APP / "zephyr" / "zephyr.signed.bin"
    checked = imgtool("verify", "-k", key, signed)  # the real imgtool executable
    assert checked.returncode == 0 and "Image was correctly validated" in checked.stdout, checked.stderr
    image = signed.read_bytes()
    magic, load, hdr, prot, img_size, flags, major, minor, rev, build = header_fields(image)
    assert (magic, hdr, img_size, flags, (major, minor, rev, build)) == (0x96F3B83D, HEADER, 20000, 0, (0, 0, 0, 0))
    assert image[32:HEADER] == bytes(HEADER - 32)  # header padding kept from the input (no --pad-header)
    assert len(image) < SLOT  # not padded: the plain signed variant
    assert snapshot(zin) == before  # the input is never modified
    assert not (sysbuild / "mcuboot" / "zephyr" / "zephyr.signed.bin").exists()  # MCUboot is not an app image


def test_slot_and_alignment_show_in_the_confirmed_variant(zsec, sysbuild: Path, keys):
    set_config(app_config(sysbuild), MCUBOOT_GENERATE_CONFIRMED_IMAGE="y")
    key = keys["rsa-2048"]
    run = zsec("sign", "--build-dir", sysbuild, "-k", key)
    assert run.code == 0, run.err
    confirmed = sysbuild / APP / "zephyr" / "zephyr.signed.confirmed.bin"
    assert imgtool_verifies(key, confirmed)
    data = confirmed.read_bytes()
    assert len(data) == SLOT  # --pad to the slot1_partition size the build used
    # align 4 -> max_align 8: 16-byte magic at the end, image_ok at slot_end - (16 + 8)
    assert data[-16:] == bytes.fromhex("77c295f360d2ef7f3552500f2cb67980")
    assert data[-24] == 0x01 and data[-23:-16] == b"\xff" * 7
    plain = (sysbuild / APP / "zephyr" / "zephyr.signed.bin").read_bytes()
    assert data[:HEADER] == plain[:HEADER]  # same header, payload; only the trailer differs
    # The trailer size the slot must leave free is the swap trailer for align 4 (128 sectors).
    info = json.loads(zsec("sign", "info", confirmed, "--format", "json").out)
    assert info["trailer"]["max_align"] == 8 and info["trailer"]["image_ok"] == "set"


def test_manifest_records_every_image(zsec, sysbuild: Path, keys, tmp_path: Path):
    set_config(app_config(sysbuild), MCUBOOT_GENERATE_CONFIRMED_IMAGE="y")
    manifest = tmp_path / "manifest.json"
    run = zsec("sign", "--build-dir", sysbuild, "-k", keys["ecdsa-p256"], "--manifest", manifest, "-v", "1.4.2+7",
               "--domain", APP)
    # The MCUboot build verifies RSA-2048 signatures: an ECDSA key is the wrong key type.
    assert run.code == 2 and "rsa-2048 is required" in run.err
    assert not manifest.exists()
    run = zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"], "--manifest", manifest, "-v", "1.4.2+7")
    assert run.code == 0, run.err
    doc = json.loads(manifest.read_text())
    assert doc["schema_version"] == "1" and doc["command"] == "sign manifest"
    assert doc["build_dir"] == str(sysbuild.resolve())
    assert [(e["domain"], e["variant"]) for e in doc["images"]] == [(APP, "signed"), (APP, "signed.confirmed")]
    fingerprint = Fingerprint.of(load_public_key(keys["rsa-2048"])).sha256
    for entry in doc["images"]:
        out = Path(entry["output"]["path"])
        data = out.read_bytes()
        assert entry["output"]["size"] == len(data)
        import hashlib
        assert entry["output"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["input"]["path"].endswith("zephyr.bin") and entry["input"]["size"] == HEADER + 20000
        assert entry["version"] == "1.4.2+7"  # the command line overrides the build's 0.0.0+0
        assert entry["header_size"] == HEADER and entry["slot_size"] == SLOT and entry["align"] == ALIGN
        assert entry["signature_type"] == "RSA2048_PSS" and entry["hash"]["algorithm"] == "sha256"
        assert entry["compression"] is None
        assert entry["key"] == {"type": "rsa-2048", "sha256": fingerprint, "key_hash_tlv": fingerprint,
                                "source": str(keys["rsa-2048"]), "development_key": None}
        assert entry["hash"]["digest"] == json.loads(zsec("sign", "verify", out, "--format", "json").out)["digest"]
    assert doc["images"][1]["confirmed"] and doc["images"][1]["output"]["size"] == SLOT


def test_command_line_overrides_the_build(zsec, sysbuild: Path, keys):
    key = keys["rsa-2048"]
    run = zsec("sign", "--build-dir", sysbuild, "-k", key, "-S", "0x10000", "--align", "8", "--pad", "-s", "auto",
               "-v", "3.1.0")
    assert run.code == 0, run.err
    image = (sysbuild / APP / "zephyr" / "zephyr.signed.bin").read_bytes()
    assert len(image) == 0x10000
    info = json.loads(zsec("sign", "info", sysbuild / APP / "zephyr" / "zephyr.signed.bin", "--format", "json").out)
    assert info["header"]["version"] == "3.1.0+0"
    counter = [t for a in info["tlv_areas"] for t in a["tlvs"] if t["name"] == "SEC_CNT"]
    assert counter[0]["security_counter"] == 0x03010000


def test_extra_imgtool_args_from_the_build_apply(zsec, sysbuild: Path, keys):
    set_config(app_config(sysbuild), MCUBOOT_EXTRA_IMGTOOL_ARGS='"--security-counter 9 --boot-record APP"')
    assert zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"]).code == 0
    info = json.loads(zsec("sign", "info", sysbuild / APP / "zephyr" / "zephyr.signed.bin", "--format", "json").out)
    names = [t["name"] for t in info["tlv_areas"][0]["tlvs"]]
    assert info["tlv_areas"][0]["kind"] == "protected" and names == ["SEC_CNT", "BOOT_RECORD"]
    # ... and the command line still wins over them
    assert zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"], "-s", "11").code == 0
    info = json.loads(zsec("sign", "info", sysbuild / APP / "zephyr" / "zephyr.signed.bin", "--format", "json").out)
    assert info["tlv_areas"][0]["tlvs"][0]["security_counter"] == 11


def test_unknown_extra_imgtool_args_fail_clearly(zsec, sysbuild: Path, keys):
    set_config(app_config(sysbuild), MCUBOOT_EXTRA_IMGTOOL_ARGS='"--frobnicate"')
    run = zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"])
    assert run.code == 2 and len(run.err_lines) == 1 and "--frobnicate" in run.err
    assert "zephyr.signed.bin" not in files_in(sysbuild / APP / "zephyr")


def test_encrypted_variant(zsec, sysbuild: Path, keys, tmp_path: Path):
    set_config(app_config(sysbuild), MCUBOOT_ENCRYPTION_KEY_FILE=f'"{keys["rsa-2048"]}"')
    assert zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"]).code == 0
    encrypted = sysbuild / APP / "zephyr" / "zephyr.signed.encrypted.bin"
    plain = sysbuild / APP / "zephyr" / "zephyr.signed.bin"
    assert encrypted.exists() and plain.exists()
    info = json.loads(zsec("sign", "info", encrypted, "--format", "json").out)
    assert "ENCRYPTED_AES128" in info["header"]["flag_names"]
    run = zsec("sign", "verify", "-k", keys["rsa-2048"], "--decrypt-key", keys["rsa-2048"], encrypted)
    assert run.code == 0, run.out + run.err


def test_dev_key_from_the_build_is_refused(zsec, build_copy, devkeys):
    """The example as built: its MCUboot trusts the development key (known by its file name here)."""
    sysbuild = build_copy("mcuboot-sysbuild")
    (sysbuild / APP / "zephyr" / "zephyr.bin").write_bytes(bytes(HEADER) + os.urandom(3000))
    (sysbuild / APP / "zephyr" / "zephyr.signed.bin").unlink()
    dev = devkeys / "mcuboot" / "root-rsa-2048.pem"
    run = zsec("sign", "--build-dir", sysbuild, "-k", dev)
    assert run.code == 2 and len(run.err_lines) == 1
    assert "publicly known development key" in run.err and "root-rsa-2048.pem" in run.err
    assert "--allow-dev-key" in run.err
    assert "zephyr.signed.bin" not in files_in(sysbuild / APP / "zephyr")
    run = zsec("sign", "--build-dir", sysbuild, "-k", dev, "--allow-dev-key")
    assert run.code == 0 and "development key" in run.err  # still warned about
    assert imgtool_verifies(dev, sysbuild / APP / "zephyr" / "zephyr.signed.bin")


def test_stale_build_key_path_asks_for_k(zsec, sysbuild: Path):
    run = zsec("sign", "--build-dir", sysbuild)
    assert run.code == 2 and len(run.err_lines) == 1
    assert "/home/dev/zephyrproject/bootloader/mcuboot/root-rsa-2048.pem" in run.err and "-k" in run.err


def test_infile_outfile_with_build_parameters(zsec, sysbuild: Path, keys, tmp_path: Path, firmware: Path):
    out = tmp_path / "custom.signed.bin"
    assert zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"], firmware, out).code == 0
    info = json.loads(zsec("sign", "info", out, "--format", "json").out)
    assert info["header"]["hdr_size"] == HEADER and info["header"]["img_size"] == 3000
    run = zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"], firmware)
    assert run.code == 2 and "OUTFILE" in run.err


def test_build_dir_found_like_west_build(zsec, sysbuild: Path, keys, monkeypatch):
    """Without INFILE and --build-dir, ./build is used (as `west build` would)."""
    monkeypatch.chdir(sysbuild.parent)
    sysbuild.rename(sysbuild.parent / "build")
    run = zsec("sign", "-k", keys["rsa-2048"])
    assert run.code == 0, run.err
    assert (sysbuild.parent / "build" / APP / "zephyr" / "zephyr.signed.bin").exists()


def test_hex_output_when_the_build_has_hex(zsec, sysbuild: Path, keys):
    from intelhex import IntelHex
    zdir = sysbuild / APP / "zephyr"
    ih = IntelHex()
    ih.frombytes((zdir / "zephyr.bin").read_bytes(), offset=0xC000)
    ih.tofile(str(zdir / "zephyr.hex"), "hex")
    assert zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"]).code == 0
    signed_hex = IntelHex(str(zdir / "zephyr.signed.hex"))
    assert signed_hex.minaddr() == 0xC000  # the image stays where the build linked it
    assert imgtool_verifies(keys["rsa-2048"], zdir / "zephyr.signed.hex")


def test_dash_d_with_a_directory_points_to_build_dir(zsec, sysbuild: Path, keys):
    """Other commands take the build as -d DIR; in `sign`, -d is imgtool's --dependencies."""
    for flag in ("-d", "--dependencies"):
        run = zsec("sign", flag, sysbuild, "-k", keys["rsa-2048"])
        assert run.code == 2 and len(run.err_lines) == 1, run.err
        assert f"--build-dir {sysbuild}" in run.err and "dependencies" in run.err
    assert "zephyr.signed.bin" not in files_in(sysbuild / APP / "zephyr")


def test_a_build_cannot_put_the_signing_key_into_a_custom_tlv(zsec, sysbuild: Path, keys):
    """Issue 15, defect 1: EXTRA_IMGTOOL_ARGS naming the key file as a custom TLV's content would
    ship the private key inside every image. Refused, naming the setting and the tag; nothing written."""
    key = keys["rsa-2048"]
    set_config(app_config(sysbuild), MCUBOOT_EXTRA_IMGTOOL_ARGS=f'"--custom-tlv-file 0xa0 {key}"')
    run = zsec("sign", "--build-dir", sysbuild, "-k", key)
    assert run.code == 2, run.err
    assert len(run.err_lines) == 1
    assert "CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS" in run.err and "0xa0" in run.err and "private key" in run.err
    assert "zephyr.signed.bin" not in files_in(sysbuild / APP / "zephyr")


def test_custom_tlvs_a_build_adds_are_listed(zsec, sysbuild: Path, keys, tmp_path: Path):
    blob = tmp_path / "board-id.bin"
    blob.write_bytes(b"\x01\x02\x03\x04\x05")
    set_config(app_config(sysbuild), MCUBOOT_EXTRA_IMGTOOL_ARGS=f'"--custom-tlv 0xa1 0x0102 --custom-tlv-file 0xa2 {blob}"')
    manifest = tmp_path / "manifest.json"
    run = zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"], "--manifest", manifest)
    assert run.code == 0, run.err
    listed = [line for line in run.err_lines if "custom TLV" in line]
    assert len(listed) == 2, run.err
    assert "0xa1" in listed[0] and "2 bytes" in listed[0] and "CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS" in listed[0]
    assert "0xa2" in listed[1] and "5 bytes" in listed[1] and str(blob) in listed[1]
    entry = json.loads(manifest.read_text())["images"][0]
    assert [(t["tag"], t["size"]) for t in entry["custom_tlvs"]] == [(0xA1, 2), (0xA2, 5)]
    assert "CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS" in entry["custom_tlvs"][0]["source"]


def test_a_huge_devicetree_slot_is_refused_not_allocated(zsec, sysbuild: Path, keys):
    """Issue 15, defect 3: a slot of 0xfff00000 bytes in zephyr.dts with the confirmed image on
    (padded to the slot) must not build a 4 GiB image in memory; exit 2 naming the devicetree."""
    dts = sysbuild / APP / "zephyr" / "zephyr.dts"
    text = dts.read_text()
    assert "reg = < 0x82000 0x76000 >;" in text
    dts.write_text(text.replace("reg = < 0x82000 0x76000 >;", "reg = < 0x82000 0xfff00000 >;"))
    set_config(app_config(sysbuild), MCUBOOT_GENERATE_CONFIRMED_IMAGE="y")
    run = zsec("sign", "--build-dir", sysbuild, "-k", keys["rsa-2048"])
    assert run.code == 2, run.err
    assert len(run.err_lines) == 1 and "0xfff00000" in run.err and "zephyr.dts" in run.err
    assert "zephyr.signed.confirmed.bin" not in files_in(sysbuild / APP / "zephyr")
