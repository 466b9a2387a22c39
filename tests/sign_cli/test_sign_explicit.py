"""`zsec sign` with explicit parameters: imgtool's flags, imgtool's bytes, `sign` as the default action."""

from __future__ import annotations

import argparse
import base64
from pathlib import Path

import pytest

from tests.sign_cli.conftest import imgtool_inprocess, imgtool_verifies
from zsec_west.cli import sign as sign_cli
from zsec_west.cli.args import add_command_parser

BASIC = ("-H", "0x200", "-S", "0x20000", "-v", "1.2.3+4")


@pytest.mark.parametrize("extra", [
    (),
    ("--pad", "--align", "4"),
    ("--confirm", "--align", "8", "--max-align", "16"),
    ("--test", "--overwrite-only", "-R", "0"),
    ("-s", "auto", "-d", "(1,2.0.0),(2,1.1.1+5)", "--boot-record", "APP", "--custom-tlv", "0xa0", "0x0102"),
    ("--public-key-format", "full", "--sha", "512", "-L", "0x20000000"),
    ("--pure",),
    ("--pad-header", "-F", "0x10000", "--non-bootable", "--vid", "example.com", "--cid", "board"),
    ("-e", "big", "--pad"),
])
def test_ed25519_images_are_byte_identical_to_imgtool(zsec, tmp_path: Path, keys, firmware: Path, extra):
    """Ed25519 signatures are deterministic, so the whole file must equal imgtool's."""
    key = keys["ed25519"]
    ours, theirs = tmp_path / "ours.bin", tmp_path / "theirs.bin"
    infile = firmware
    if "--pad-header" in extra:
        infile = tmp_path / "body.bin"
        infile.write_bytes(firmware.read_bytes()[0x200:])
    code, output = imgtool_inprocess("sign", "-k", key, *BASIC, *extra, infile, theirs)
    assert code == 0, output
    run = zsec("sign", "-k", key, *BASIC, *extra, infile, ours)
    assert run.code == 0, run.err
    assert ours.read_bytes() == theirs.read_bytes()


def test_hex_in_hex_out_matches_imgtool(zsec, tmp_path: Path, keys, firmware: Path):
    from intelhex import IntelHex
    hex_in = tmp_path / "fw.hex"
    ih = IntelHex()
    ih.frombytes(firmware.read_bytes(), offset=0x8000)
    ih.tofile(str(hex_in), "hex")
    key = keys["ed25519"]
    ours, theirs = tmp_path / "ours.hex", tmp_path / "theirs.hex"
    assert imgtool_inprocess("sign", "-k", key, *BASIC, "--confirm", hex_in, theirs)[0] == 0
    assert zsec("sign", "-k", key, *BASIC, "--confirm", hex_in, ours).code == 0
    assert ours.read_text() == theirs.read_text()
    # binary in, hex out needs an address
    run = zsec("sign", "-k", key, *BASIC, firmware, tmp_path / "x.hex")
    assert run.code == 2 and "--hex-addr" in run.err and not (tmp_path / "x.hex").exists()
    assert zsec("sign", "-k", key, *BASIC, "-x", "0x10000", firmware, tmp_path / "x.hex").code == 0
    assert IntelHex(str(tmp_path / "x.hex")).minaddr() == 0x10000


@pytest.mark.parametrize("key_type", ["rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384"])
def test_randomised_signatures_verify_with_imgtool(zsec, tmp_path: Path, keys, firmware: Path, key_type):
    out = tmp_path / "out.bin"
    assert zsec("sign", "-k", keys[key_type], *BASIC, firmware, out).code == 0
    assert imgtool_verifies(keys[key_type], out)


def test_sign_is_the_default_action(zsec, tmp_path: Path, keys, firmware: Path):
    key = keys["ed25519"]
    implicit, explicit = tmp_path / "a.bin", tmp_path / "b.bin"
    assert zsec("sign", "-k", key, *BASIC, firmware, implicit).code == 0
    assert zsec("sign", "sign", "-k", key, *BASIC, firmware, explicit).code == 0
    assert implicit.read_bytes() == explicit.read_bytes()
    # A positional first: still `sign`
    third = tmp_path / "c.bin"
    assert zsec("sign", firmware, third, "-k", key, *BASIC).code == 0
    assert third.read_bytes() == implicit.read_bytes()


def test_default_action_under_a_west_style_parser(keys, firmware: Path, tmp_path: Path):
    """west parses with the parser do_add_parser returns (add_command_parser), as a subparser of its own."""
    west = argparse.ArgumentParser(prog="west")
    sub = west.add_subparsers(dest="command")
    add_command_parser(sub, sign_cli.SPEC, "sec-sign")
    args, unknown = west.parse_known_args(["sec-sign", "-k", str(keys["ed25519"]), *BASIC, str(firmware), "out.bin"])
    assert unknown == [] and args.sign_action == "sign" and args.version == "1.2.3+4"
    assert args.infile == str(firmware) and args.outfile == "out.bin"
    args, _ = west.parse_known_args(["sec-sign", "verify", "x.bin", "-k", "k.pem"])
    assert args.sign_action == "verify" and args.image == "x.bin" and args.key == ["k.pem"]
    args, _ = west.parse_known_args(["sec-sign", "getpubhash", "-k", "k.pem", "-e", "raw"])
    assert args.sign_action == "getpubhash" and args.encoding == "raw"


def test_help_lists_the_actions_and_imgtool_flags(zsec, capsys):
    with pytest.raises(SystemExit) as stop:
        zsec("sign", "--help")
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for action in ("verify", "info", "keygen", "getpub", "getpubhash"):
        assert action in text
    with pytest.raises(SystemExit):
        zsec("sign", "sign", "--help")
    text = capsys.readouterr().out
    for flag in ("--header-size", "--slot-size", "--pad-header", "--confirm", "--max-align", "--dependencies",
                 "--custom-tlv-file", "--vector-to-sign", "--build-dir", "--sign-command", "--allow-dev-key"):
        assert flag in text


def test_missing_parameters_are_listed(zsec, tmp_path: Path, keys, firmware: Path):
    out = tmp_path / "out.bin"
    run = zsec("sign", "-k", keys["ed25519"], "-H", "0x200", firmware, out)
    assert run.code == 2 and len(run.err_lines) == 1
    assert "-S/--slot-size" in run.err and "-v/--version" in run.err and "--build-dir" in run.err
    assert "-H/--header-size" not in run.err
    assert not out.exists()


def test_fix_sig_and_vector_to_sign_two_pass_flow(zsec, tmp_path: Path, keys, firmware: Path):
    """External signing as imgtool does it: export the vector, sign elsewhere, insert the signature."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from zsec_west.keys.pem import load_private_key
    vector = tmp_path / "vector.bin"
    pub = keys.public("ecdsa-p256")
    assert zsec("sign", *BASIC, "--vector-to-sign", "payload", "--fix-sig-pubkey", pub, firmware, vector).code == 0
    signature = load_private_key(keys["ecdsa-p256"]).sign(vector.read_bytes(), ec.ECDSA(hashes.SHA256()))
    sig_file = tmp_path / "sig.b64"
    sig_file.write_bytes(base64.b64encode(signature))
    out = tmp_path / "out.bin"
    run = zsec("sign", *BASIC, "--fix-sig", sig_file, "--fix-sig-pubkey", pub, firmware, out)
    assert run.code == 0, run.err
    assert imgtool_verifies(pub, out)
    # --sig-out writes the signature the same way
    again = tmp_path / "sig2.b64"
    assert zsec("sign", "-k", keys["ed25519"], *BASIC, "--sig-out", again, firmware, tmp_path / "o2.bin").code == 0
    assert len(base64.b64decode(again.read_bytes())) == 64


def test_unsigned_image_warns(zsec, tmp_path: Path, firmware: Path):
    out = tmp_path / "out.bin"
    run = zsec("sign", *BASIC, firmware, out)
    assert run.code == 0 and "only a hash" in run.err
    code, output = imgtool_inprocess("verify", out)
    assert code == 0, output


def test_encrypt_explicit(zsec, tmp_path: Path, keys, firmware: Path):
    out = tmp_path / "enc.bin"
    run = zsec("sign", "-k", keys["ecdsa-p256"], *BASIC, "-E", keys.public("ecdsa-p256"), firmware, out)
    assert run.code == 0, run.err
    assert out.read_bytes()[0x200:0x200 + 64] != firmware.read_bytes()[0x200:0x200 + 64]
    ok = zsec("sign", "verify", "-k", keys["ecdsa-p256"], "--decrypt-key", keys["ecdsa-p256"], out)
    assert ok.code == 0, ok.out


def test_no_infile_and_no_build_says_how_to_sign(zsec, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = zsec("sign", "-k", "key.pem")
    assert run.code == 2 and len(run.err_lines) == 1
    assert "no INFILE given" in run.err and "--build-dir" in run.err and "-d " not in run.err


@pytest.mark.parametrize("mode,flags", [("lzma2", ["COMPRESSED_LZMA2"]),
                                        ("lzma2armthumb", ["COMPRESSED_LZMA2", "COMPRESSED_ARM_THUMB_FLT"])])
def test_compression_on_the_command_line(zsec, tmp_path: Path, keys, mode, flags):
    import json
    code = tmp_path / "code.bin"
    code.write_bytes(bytes(0x200) + bytes(range(256)) * 64)
    out, theirs, manifest = tmp_path / "c.bin", tmp_path / "t.bin", tmp_path / "m.json"
    run = zsec("sign", "-k", keys["ed25519"], *BASIC, "--compression", mode, "--manifest", manifest, code, out)
    assert run.code == 0, run.err
    status, output = imgtool_inprocess("sign", "-k", keys["ed25519"], *BASIC, "--compression", mode, code, theirs)
    assert status == 0, output
    assert out.read_bytes() == theirs.read_bytes()
    assert json.loads(manifest.read_text())["images"][0]["compression"] == mode
    info = json.loads(zsec("sign", "info", out, "--format", "json").out)
    assert info["header"]["flag_names"] == flags and info["header"]["img_size"] < 64 * 256
    doc = json.loads(zsec("sign", "verify", "-k", keys["ed25519"], out, "--format", "json").out)
    assert doc["ok"] and "decompressed" in doc["checks_run"]
    # A signature made elsewhere cannot serve both the compressed and the original image.
    sig = tmp_path / "sig.b64"
    sig.write_bytes(base64.b64encode(bytes(64)))
    run = zsec("sign", *BASIC, "--compression", mode, "--fix-sig", sig, "--fix-sig-pubkey", keys.public("ed25519"),
               code, tmp_path / "f.bin")
    assert run.code == 2 and "--compression" in run.err and "--fix-sig" in run.err
