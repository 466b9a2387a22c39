"""Signing with keys that never leave a PKCS#11 token (SoftHSM2), named by RFC 7512 URIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sign_cli.conftest import export_token_public_key, imgtool_verifies, mcuboot_built_with, snapshot
from tests.sign_cli.test_bad_input import assert_refused
from zsec_west.errors import UsageError
from zsec_west.sign.pkcs11signer import Pkcs11Uri, read_pin

BASIC = ("-H", "0x200", "-S", "0x20000", "-v", "1.0.0")


@pytest.mark.parametrize("label,key_type", [("rsa", "rsa-2048"), ("ec", "ecdsa-p256")])
def test_token_keys_sign_images_imgtool_verifies(zsec, softhsm, tmp_path: Path, firmware: Path, label, key_type):
    out = tmp_path / "out.bin"
    run = zsec("sign", "-k", softhsm.uri(label), *BASIC, "--confirm", firmware, out)
    assert run.code == 0, run.err
    assert key_type in run.err
    public = export_token_public_key(softhsm, label, tmp_path / f"{label}.pub.pem")
    assert imgtool_verifies(public, out)
    # getpub reads the same public key from the token
    ours = tmp_path / "ours.pem"
    assert zsec("sign", "getpub", "-e", "pem", "-k", softhsm.uri(label), "-o", ours).code == 0
    assert ours.read_bytes() == public.read_bytes()


def test_ed25519_on_the_token(zsec, softhsm, tmp_path: Path, firmware: Path):
    out = tmp_path / "out.bin"
    run = zsec("sign", "-k", softhsm.uri("ed"), *BASIC, firmware, out)
    if run.code == 2 and "no private key" in run.err:
        pytest.skip("this SoftHSM build cannot make Ed25519 keys")
    assert run.code == 0, run.err
    pub = tmp_path / "ed.pub.pem"
    assert zsec("sign", "getpub", "-e", "pem", "-k", softhsm.uri("ed"), "-o", pub).code == 0
    assert imgtool_verifies(pub, out)


def test_pin_from_a_file_or_the_environment_and_module_from_env(zsec, softhsm, tmp_path, firmware, monkeypatch):
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(softhsm.pin + "\n")
    monkeypatch.setenv("ZSEC_PKCS11_MODULE", str(softhsm.module))
    uri = f"pkcs11:token={softhsm.label};id=%02?pin-source=file:{pin_file}"
    assert zsec("sign", "-k", uri, *BASIC, firmware, tmp_path / "a.bin").code == 0
    monkeypatch.setenv("TOKEN_PIN", softhsm.pin)
    uri = f"pkcs11:token={softhsm.label};object=ec"
    assert zsec("sign", "-k", uri, "--key-password-env", "TOKEN_PIN", *BASIC, firmware, tmp_path / "b.bin").code == 0


def test_sysbuild_with_a_token_key(zsec, softhsm, build_copy, tmp_path, tmp_path_factory):
    import os
    build = build_copy("mcuboot-sysbuild")
    token_key = export_token_public_key(softhsm, "rsa", tmp_path / "rsa.pem")
    mcuboot_built_with(build, token_key)  # MCUboot needs only the public half
    zdir = build / "hello_world" / "zephyr"
    (zdir / "zephyr.bin").write_bytes(bytes(0x200) + os.urandom(5000))
    manifest = tmp_path / "m.json"
    run = zsec("sign", "--build-dir", build, "-k", softhsm.uri("rsa"), "--manifest", manifest)
    assert run.code == 0, run.err
    assert imgtool_verifies(token_key, zdir / "zephyr.signed.bin")
    text = manifest.read_text()
    assert "pkcs11:token=zsec-test;object=rsa" in text and softhsm.pin not in text  # the PIN is never recorded
    # The build's MCUboot verifies RSA-2048: the EC key on the token is refused before anything is written.
    (zdir / "zephyr.signed.bin").unlink()
    run = zsec("sign", "--build-dir", build, "-k", softhsm.uri("ec"))
    assert run.code == 2 and "rsa-2048" in run.err and "CONFIG_BOOT_SIGNATURE_TYPE_RSA" in run.err
    assert not (zdir / "zephyr.signed.bin").exists()


@pytest.mark.parametrize("case,needles,code", [
    ("wrong-pin", ("wrong PIN", "zsec-test"), 2),
    ("no-token", ("no PKCS#11 token matches", "tokens present: 'zsec-test'"), 3),
    ("no-object", ("no private key object=nokey",), 2),
    ("no-module", ("cannot load PKCS#11 module",), 3),
    ("no-pin", ("needs a PIN", "pin-source"), 2),
])
def test_token_errors(zsec, softhsm, tmp_path, firmware, case, needles, code):
    outdir = tmp_path / "out"
    outdir.mkdir()
    uri = {
        "wrong-pin": softhsm.uri("rsa", **{"pin-value": "0000"}),
        "no-token": softhsm.uri("rsa").replace("token=zsec-test", "token=elsewhere"),
        "no-object": softhsm.uri("nokey"),
        "no-module": softhsm.uri("rsa", **{"module-path": str(tmp_path / "missing.so")}),
        "no-pin": softhsm.uri("rsa", **{"pin-value": ""}),
    }[case]
    before = snapshot(firmware)
    run = zsec("sign", "-k", uri, *BASIC, firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, *needles, code=code)
    assert "4711" not in run.err  # the PIN never shows in messages


def test_uri_parsing():
    uri = Pkcs11Uri.parse("pkcs11:token=My%20Token;id=%01%ff;object=fw;type=private;x-vendor=1"
                          "?pin-value=12%2634&module-path=/lib/p11.so")
    assert uri.text("token") == "My Token" and uri.path["id"] == b"\x01\xff" and uri.text("object") == "fw"
    assert uri.query["pin-value"] == b"12&34" and uri.text("module-path") == "/lib/p11.so"
    assert "***" in uri.redacted() and "12" not in uri.redacted().split("?")[1].split("&")[0].split("=")[1]
    assert read_pin(uri) == "12&34"
    for bad in ("pkcs11:token=a;colour=blue", "pkcs11:type=cert", "pkcs11:object=a?pin-value=1&pin-source=f",
                "pkcs11:object", "file:key.pem", "pkcs11:object=a;object=b"):
        with pytest.raises(UsageError):
            Pkcs11Uri.parse(bad)
