"""`zsec sign verify` (0 valid, 1 invalid, 2 bad input) and `zsec sign info` (with the dev-key flag)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BUILDS

BASIC = ("-H", "0x200", "-S", "0x20000", "-v", "2.3.4+5")
EXAMPLE_SIGNED = BUILDS["mcuboot-sysbuild"] / "hello_world" / "zephyr" / "zephyr.signed.bin"


@pytest.fixture
def signed(zsec, tmp_path: Path, keys, firmware: Path) -> Path:
    out = tmp_path / "signed.bin"
    assert zsec("sign", "-k", keys["ecdsa-p256"], *BASIC, "--pad", firmware, out).code == 0
    return out


def test_valid_image(zsec, signed: Path, keys):
    run = zsec("sign", "verify", "-k", keys.public("ecdsa-p256"), signed)
    assert run.code == 0
    assert run.out.startswith(f"{signed}: valid") and "2.3.4+5" in run.out
    doc = json.loads(zsec("sign", "verify", "-k", keys["ecdsa-p256"], signed, "--format", "json").out)
    assert doc["ok"] and doc["key_type"] == "ecdsa-p256" and doc["signature_type"] == "ECDSA_SIG"
    assert {c["name"]: c["status"] for c in doc["checks"]}["signature"] == "pass"


def test_without_a_key_the_signature_is_not_checked_and_verify_fails(zsec, signed: Path):
    """A CI step that forgets -k must not pass: the hash alone proves nothing about who signed."""
    run = zsec("sign", "verify", signed)
    assert run.code == 1
    assert run.out.startswith(f"{signed}: hash valid, signature not checked")
    assert "valid\n" not in run.out.splitlines()[0] and "skip  signature" in run.out
    assert len(run.err_lines) == 1 and "signature not checked" in run.err and "--hash-only" in run.err
    doc = json.loads(zsec("sign", "verify", signed, "--format", "json").out)
    assert doc["signature_checked"] is False and doc["hash_only"] is False
    assert doc["checks_run"] == ["format", "protected-size", "unprotected-tlvs", "hash"]
    assert {c["name"]: c["status"] for c in doc["checks"]}["signature"] == "skip"


def test_hash_only_is_asked_for_explicitly(zsec, signed: Path, keys):
    run = zsec("sign", "verify", "--hash-only", signed)
    assert run.code == 0 and "hash only" in run.err and "signature not checked" in run.err
    doc = json.loads(zsec("sign", "verify", "--hash-only", signed, "--format", "json").out)
    assert doc["ok"] and doc["hash_only"] is True and doc["signature_checked"] is False
    assert "signature" not in doc["checks_run"] and "hash" in doc["checks_run"]
    # A broken hash still fails with --hash-only.
    data = bytearray(signed.read_bytes())
    data[0x300] ^= 1
    signed.write_bytes(bytes(data))
    assert zsec("sign", "verify", "--hash-only", signed).code == 1
    run = zsec("sign", "verify", "--hash-only", "-k", keys["ecdsa-p256"], signed)
    assert run.code == 2 and "--hash-only" in run.err


def test_checks_run_with_a_key(zsec, signed: Path, keys):
    doc = json.loads(zsec("sign", "verify", "-k", keys["ecdsa-p256"], signed, "--format", "json").out)
    assert doc["signature_checked"] is True and doc["hash_only"] is False
    assert doc["checks_run"] == ["format", "protected-size", "unprotected-tlvs", "hash", "key", "signature"]


def test_tampered_image_is_invalid(zsec, signed: Path, keys, tmp_path: Path):
    data = bytearray(signed.read_bytes())
    data[0x300] ^= 0x01
    bad = tmp_path / "tampered.bin"
    bad.write_bytes(bytes(data))
    run = zsec("sign", "verify", "-k", keys["ecdsa-p256"], bad)
    assert run.code == 1 and len(run.err_lines) == 1 and "invalid image" in run.err and "hash" in run.err
    assert "INVALID" in run.out


def test_truncated_image_is_invalid(zsec, signed: Path, keys, tmp_path: Path):
    bad = tmp_path / "truncated.bin"
    bad.write_bytes(signed.read_bytes()[:0x400])
    run = zsec("sign", "verify", "-k", keys["ecdsa-p256"], bad)
    assert run.code == 1 and len(run.err_lines) == 1 and "truncated" in run.err


def test_signed_by_another_key_is_invalid(zsec, signed: Path, keys):
    run = zsec("sign", "verify", "-k", keys["ed25519"], signed)
    assert run.code == 1 and "invalid image" in run.err


def test_slot_size_check(zsec, signed: Path, keys):
    assert zsec("sign", "verify", "-k", keys["ecdsa-p256"], "--slot-size", "0x20000", signed).code == 0
    run = zsec("sign", "verify", "-k", keys["ecdsa-p256"], "--slot-size", "0x10000", signed)
    assert run.code == 1 and "slot" in run.err


def test_bad_input_is_exit_2(zsec, tmp_path: Path, signed: Path):
    run = zsec("sign", "verify", tmp_path / "missing.bin")
    assert run.code == 2 and len(run.err_lines) == 1 and "not found" in run.err
    run = zsec("sign", "verify", "-k", tmp_path / "nokey.pem", signed)
    assert run.code == 2 and "key file not found" in run.err


def test_info_flags_the_development_key(zsec, devkeys):
    run = zsec("sign", "info", EXAMPLE_SIGNED)
    assert run.code == 0
    assert "PUBLICLY KNOWN DEVELOPMENT KEY" in run.out and "root-rsa-2048.pem" in run.out
    assert "development key" in run.err
    doc = json.loads(zsec("sign", "info", EXAMPLE_SIGNED, "--format", "json").out)
    assert doc["signing_key"]["tlv"] == "KEYHASH"
    assert doc["signing_key"]["digest"] == "fc5701dc6135e1323847bdc40f04d2e5bee5833b23c29f93593d00018cfa9994"
    assert doc["signing_key"]["development_key"].startswith("MCUboot root-rsa-2048.pem")
    assert doc["header"]["hdr_size"] == 0x200 and doc["trailer"] is None
    # and verify says which key it was
    doc = json.loads(zsec("sign", "verify", "-k", devkeys / "mcuboot" / "root-rsa-2048.pem", EXAMPLE_SIGNED,
                          "--format", "json").out)
    assert doc["ok"] and doc["dev_key"].startswith("MCUboot root-rsa-2048.pem")


def test_info_of_our_image(zsec, signed: Path, tmp_path: Path):
    out = tmp_path / "info.json"
    assert zsec("sign", "info", signed, "--format", "json", "-o", out).code == 0
    doc = json.loads(out.read_text())
    assert doc["header"]["version"] == "2.3.4+5" and doc["file_size"] == 0x20000
    assert doc["signing_key"]["development_key"] is None
    assert doc["trailer"]["magic"] == "good" and doc["trailer"]["image_ok"] == "unset"
    assert [t["name"] for t in doc["tlv_areas"][-1]["tlvs"]] == ["SHA256", "KEYHASH", "ECDSA_SIG"]


def test_info_on_something_else_is_exit_2(zsec, firmware: Path):
    run = zsec("sign", "info", firmware)
    assert run.code == 2 and len(run.err_lines) == 1 and "invalid image magic" in run.err


def test_pubkey_images_are_identified(zsec, tmp_path: Path, devkeys, firmware: Path):
    out = tmp_path / "full.bin"
    dev = devkeys / "mcuboot" / "root-ec-p256.pem"
    assert zsec("sign", "-k", dev, "--allow-dev-key", "--public-key-format", "full", *BASIC, firmware, out).code == 0
    doc = json.loads(zsec("sign", "info", out, "--format", "json").out)
    assert doc["signing_key"]["tlv"] == "PUBKEY"
    assert doc["signing_key"]["development_key"].startswith("MCUboot root-ec-p256.pem")


def test_dev_key_flag_describes_the_image_not_the_given_key(zsec, signed: Path, keys):
    """Checking a dev-key image with your own key must not call your key a dev key, and vice versa."""
    run = zsec("sign", "verify", "-k", keys.public("ecdsa-p256"), EXAMPLE_SIGNED)
    assert run.code == 1
    image_line = next(line for line in run.out.splitlines() if "image key" in line)
    given_line = next(line for line in run.out.splitlines() if "given key" in line)
    assert "DEVELOPMENT KEY" in image_line and "DEVELOPMENT" not in given_line
    own = json.loads(zsec("sign", "verify", "-k", keys.public("ecdsa-p256"), signed,
                          "--format", "json").out)
    assert own["ok"] and own["dev_key"] is None


def test_json_documents_carry_the_shared_envelope(zsec, signed: Path, keys):
    import zsec_west
    verify = json.loads(zsec("sign", "verify", "-k", keys["ecdsa-p256"], signed, "--format", "json").out)
    info = json.loads(zsec("sign", "info", signed, "--format", "json").out)
    for doc, command in ((verify, "sign verify"), (info, "sign info")):
        assert doc["schema_version"] == "1" and doc["command"] == command
        assert doc["tool"] == {"name": "zsec-west", "version": zsec_west.__version__}
        assert doc["inputs"]["image"] == str(signed) and doc["image"] == str(signed)
    assert verify["inputs"]["key"] == str(keys["ecdsa-p256"]) and verify["ok"] is True
    assert info["header"]["hdr_size"] == 0x200
