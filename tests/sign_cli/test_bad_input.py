"""Bad input to `zsec sign`: one line on stderr, a non-zero exit, no output file, inputs untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sign_cli.conftest import Run, mcuboot_built_with, snapshot
from zsec_west.keys.pem import load_private_key
from zsec_west.sign import keytools

BASIC = ("-H", "0x200", "-S", "0x20000", "-v", "1.0.0")


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def assert_refused(run: Run, outdir: Path, before: dict, *needles: str, code: int = 2) -> None:
    assert run.code == code, run.err
    assert "Traceback" not in run.err
    assert len(run.err_lines) == 1, run.err
    for needle in needles:
        assert needle in run.err, run.err
    assert list(outdir.iterdir()) == [], "an output file was left behind"
    assert snapshot(*before) == before, "an input was modified"


def test_x25519_key_cannot_sign(zsec, keys, firmware, outdir):
    before = snapshot(firmware, keys["x25519"])
    run = zsec("sign", "-k", keys["x25519"], *BASIC, firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, "X25519", "cannot sign")


def test_hash_not_allowed_for_the_key_type(zsec, keys, firmware, outdir):
    before = snapshot(firmware)
    run = zsec("sign", "-k", keys["ecdsa-p256"], *BASIC, "--sha", "384", firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, "ecdsa-p256", "384")


def test_pure_needs_ed25519(zsec, keys, firmware, outdir):
    before = snapshot(firmware)
    run = zsec("sign", "-k", keys["rsa-2048"], *BASIC, "--pure", firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, "pure", "Ed25519")


def test_public_key_where_a_private_one_is_needed(zsec, keys, firmware, outdir):
    pub = keys.public("ecdsa-p256")
    before = snapshot(firmware, pub)
    run = zsec("sign", "-k", pub, *BASIC, firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, str(pub), "public key", "--sign-command")


def test_wrong_passphrase(zsec, keys, firmware, outdir, tmp_path, monkeypatch):
    enc = tmp_path / "enc.pem"
    enc.write_bytes(keytools.private_pem(load_private_key(keys["ed25519"]), b"right"))
    monkeypatch.setenv("PW", "wrong")
    before = snapshot(firmware, enc)
    run = zsec("sign", "-k", enc, "--key-password-env", "PW", *BASIC, firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, str(enc), "wrong passphrase")


def test_encrypted_key_without_passphrase_off_a_terminal(zsec, keys, firmware, outdir, tmp_path):
    enc = tmp_path / "enc.pem"
    enc.write_bytes(keytools.private_pem(load_private_key(keys["ed25519"]), b"right"))
    before = snapshot(firmware, enc)
    run = zsec("sign", "-k", enc, *BASIC, firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, "encrypted", "--key-password-env")


def test_password_variable_not_set(zsec, keys, firmware, outdir, monkeypatch):
    monkeypatch.delenv("NO_SUCH_VAR_ZSEC", raising=False)
    before = snapshot(firmware)
    run = zsec("sign", "-k", keys["ed25519"], "--key-password-env", "NO_SUCH_VAR_ZSEC", *BASIC, firmware,
               outdir / "o.bin")
    assert_refused(run, outdir, before, "NO_SUCH_VAR_ZSEC", "not set")


def test_image_larger_than_the_slot(zsec, keys, firmware, outdir):
    before = snapshot(firmware)
    run = zsec("sign", "-k", keys["ed25519"], "-H", "0x200", "-S", "0x800", "-v", "1.0.0", firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, "exceeds the slot size 0x800")


def test_non_zero_header_area_without_pad_header(zsec, keys, tmp_path, outdir):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"\x01" * 0x400)
    before = snapshot(raw)
    run = zsec("sign", "-k", keys["ed25519"], *BASIC, raw, outdir / "o.bin")
    assert_refused(run, outdir, before, "not all zero", "--pad-header")


def test_hex_with_a_gap(zsec, keys, tmp_path, outdir):
    from intelhex import IntelHex
    ih = IntelHex()
    ih.frombytes(bytes(0x200) + b"\x11" * 64, offset=0x1000)
    ih.frombytes(b"\x22" * 64, offset=0x3000)
    path = tmp_path / "gap.hex"
    ih.tofile(str(path), "hex")
    before = snapshot(path)
    run = zsec("sign", "-k", keys["ed25519"], *BASIC, path, outdir / "o.hex")
    assert_refused(run, outdir, before, "not one contiguous range", "0x1000")


def test_hex_with_overlapping_records(zsec, keys, tmp_path, outdir):
    from intelhex import IntelHex
    ih = IntelHex()
    ih.frombytes(bytes(0x210), offset=0)
    path = tmp_path / "overlap.hex"
    ih.tofile(str(path), "hex")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], *lines[:-1], lines[-1]]) + "\n")  # first record twice
    before = snapshot(path)
    run = zsec("sign", "-k", keys["ed25519"], *BASIC, path, outdir / "o.hex")
    assert_refused(run, outdir, before, "Intel HEX")


def test_dev_key_without_allow_dev_key(zsec, devkeys, firmware, outdir):
    dev = devkeys / "mcuboot" / "root-ec-p256.pem"
    before = snapshot(firmware, dev)
    run = zsec("sign", "-k", dev, *BASIC, firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, "publicly known development key", "root-ec-p256.pem", "--allow-dev-key")
    assert zsec("sign", "-k", dev, *BASIC, "--allow-dev-key", firmware, outdir / "o.bin").code == 0


def test_dev_encryption_key_is_refused_too(zsec, devkeys, keys, firmware, outdir):
    before = snapshot(firmware)
    run = zsec("sign", "-k", keys["rsa-2048"], *BASIC, "-E", devkeys / "mcuboot" / "enc-rsa2048-pub.pem",
               firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, "development key", "decrypt")


def test_output_must_not_overwrite_the_input(zsec, keys, firmware):
    before = snapshot(firmware)
    run = zsec("sign", "-k", keys["ed25519"], *BASIC, firmware, firmware)
    assert run.code == 2 and len(run.err_lines) == 1 and "differ from INFILE" in run.err
    assert snapshot(firmware) == before


@pytest.mark.parametrize("what", ["input", "key"])
def test_missing_files(zsec, keys, firmware, outdir, tmp_path, what):
    missing = tmp_path / "nope"
    infile, key = (missing, keys["ed25519"]) if what == "input" else (firmware, missing)
    run = zsec("sign", "-k", key, *BASIC, infile, outdir / "o.bin")
    assert_refused(run, outdir, {}, str(missing), "not found")


def test_bad_version_and_mixed_key_sources(zsec, keys, firmware, outdir):
    before = snapshot(firmware)
    run = zsec("sign", "-k", keys["ed25519"], "-H", "0x200", "-S", "0x20000", "-v", "1.02", firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, "invalid version")
    run = zsec("sign", "-k", keys["ed25519"], *BASIC, "--fix-sig", firmware, "--fix-sig-pubkey", keys["ed25519"],
               firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, "--fix-sig")


def test_failure_in_a_later_image_leaves_no_earlier_output(zsec, build_copy, keys):
    """All images are built before any is written: the plain image is fine, its encrypted variant is not."""
    import re
    build = build_copy("mcuboot-sysbuild")
    mcuboot_built_with(build, keys["rsa-2048"])
    zdir = build / "hello_world" / "zephyr"
    (zdir / "zephyr.signed.bin").unlink()
    config = zdir / ".config"
    config.write_text(re.sub(r'^CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE=""$',
                             f'CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE="{keys["ed25519"]}"', config.read_text(), flags=re.M))
    run = zsec("sign", "--build-dir", build, "-k", keys["rsa-2048"])
    assert run.code == 2 and len(run.err_lines) == 1 and "cannot encrypt" in run.err
    assert not (zdir / "zephyr.signed.bin").exists() and not (zdir / "zephyr.signed.encrypted.bin").exists()
