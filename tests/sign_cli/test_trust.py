"""Signing from a build refuses a key its MCUboot does not trust (exit 2, one line naming both keys
and the setting), unless --allow-untrusted-key.

The bundled example's MCUboot was built with MCUboot's RSA-2048 development key. What MCUboot
trusts is read, strongest first, from the public keys compiled into it (autogen-pubkey.c, made
here by the real `imgtool getpub` exactly as MCUboot's CMake does), its own image, and its key
setting (the file, or its published file name when the file is not on this machine).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.sign_cli.conftest import imgtool, imgtool_verifies
from zsec_west.keys.encoding import Fingerprint, public_bytes
from zsec_west.keys.pem import load_public_key

APP, HEADER = "hello_world", 0x200
DEV_SHA = "fc5701dc6135e1323847bdc40f04d2e5bee5833b23c29f93593d00018cfa9994"  # MCUboot root-rsa-2048.pem


@pytest.fixture
def example(build_copy) -> Path:
    build = build_copy("mcuboot-sysbuild")
    zdir = build / APP / "zephyr"
    (zdir / "zephyr.bin").write_bytes(bytes(HEADER) + os.urandom(6000))
    (zdir / "zephyr.signed.bin").unlink()
    return build


def autogen(build: Path, key: Path, suffix: str = "", index: int | None = None) -> Path:
    """autogen-pubkey[-N].c as MCUboot's build generates it (`imgtool getpub [--name-suffix _N]`)."""
    name = "autogen-pubkey.c" if index is None else f"autogen-pubkey-{index}.c"
    out = build / "mcuboot" / "zephyr" / name
    args = ["getpub", "-k", key, "-o", out] + (["--name-suffix", suffix] if suffix else [])
    done = imgtool(*args)
    assert done.returncode == 0, done.stderr
    return out


def public_pem(key: Path, dest: Path) -> Path:
    dest.write_bytes(load_public_key(key).public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    return dest


def test_untrusted_key_is_refused_by_file_name_of_the_dev_key(zsec, example: Path, keys):
    """The key files are not on this machine, but their name is the published development key's."""
    key = keys["rsa-2048"]
    run = zsec("sign", "--build-dir", example, "-k", key)
    assert run.code == 2 and len(run.err_lines) == 1
    line = run.err_lines[0]
    mine = Fingerprint.of(load_public_key(key)).sha256
    assert str(key) in line and mine[:16] in line  # the signing key
    assert "root-rsa-2048.pem" in line and DEV_SHA[:16] in line and "file name of" in line  # the trusted key
    assert "SB_CONFIG_BOOT_SIGNATURE_KEY_FILE" in line and "--allow-untrusted-key" in line  # what to change
    assert not (example / APP / "zephyr" / "zephyr.signed.bin").exists()
    run = zsec("sign", "--build-dir", example, "-k", key, "--allow-untrusted-key")
    assert run.code == 0, run.err
    assert "will not boot" in run.err and "--allow-untrusted-key" in run.err
    assert imgtool_verifies(key, example / APP / "zephyr" / "zephyr.signed.bin")


def test_compiled_in_key_decides(zsec, example: Path, keys, devkeys):
    dev = devkeys / "mcuboot" / "root-rsa-2048.pem"
    source = autogen(example, dev)
    run = zsec("sign", "--build-dir", example, "-k", keys["rsa-2048"])
    assert run.code == 2 and str(source) in run.err and "compiled into MCUboot" in run.err
    assert zsec("sign", "--build-dir", example, "-k", dev, "--allow-dev-key").code == 0
    # MCUboot rebuilt with the release key: the compiled-in key wins over the stale key setting.
    autogen(example, keys["rsa-2048"])
    run = zsec("sign", "--build-dir", example, "-k", keys["rsa-2048"])
    assert run.code == 0, run.err


def test_key_set_of_a_rotating_bootloader(zsec, example: Path, keys, devkeys, tmp_path: Path):
    """MCUboot built with two keys (CONFIG_BOOT_SIGNATURE_KEY_FILE="dev.pem,release-pub.pem") accepts
    images signed with either; the second entry is public only."""
    dev = devkeys / "mcuboot" / "root-rsa-2048.pem"
    release_pub = public_pem(keys["rsa-2048"], tmp_path / "release-pub.pem")
    autogen(example, dev)
    autogen(example, release_pub, "_1", index=1)
    run = zsec("sign", "--build-dir", example, "-k", keys["rsa-2048"])
    assert run.code == 0, run.err
    other = tmp_path / "other.pem"
    from zsec_west.sign import keytools
    keytools.keygen(other, "rsa-2048")
    run = zsec("sign", "--build-dir", example, "-k", other)
    assert run.code == 2 and "autogen-pubkey-1.c" in run.err and "autogen-pubkey.c" in run.err


def test_key_set_setting_read_from_the_files(zsec, example: Path, keys, devkeys, tmp_path: Path):
    dev = devkeys / "mcuboot" / "root-rsa-2048.pem"
    release_pub = public_pem(keys["rsa-2048"], tmp_path / "release-pub.pem")
    config = example / "mcuboot" / "zephyr" / ".config"
    config.write_text(re.sub(r'^CONFIG_BOOT_SIGNATURE_KEY_FILE=.*$', f'CONFIG_BOOT_SIGNATURE_KEY_FILE="{dev},{release_pub}"',
                             config.read_text(), flags=re.M))
    assert zsec("sign", "--build-dir", example, "-k", keys["rsa-2048"]).code == 0
    # -k may name the set itself: its first entry signs, the others must be public keys of the same type.
    run = zsec("sign", "--build-dir", example, "-k", f"{keys['rsa-2048']},{release_pub}")
    assert run.code == 0, run.err
    run = zsec("sign", "--build-dir", example, "-k", f"{keys['rsa-2048']},{dev}", "--allow-dev-key")
    assert run.code == 2 and "entry 2" in run.err and "private key" in run.err


def test_keys_in_mcuboots_image_decide(zsec, example: Path, keys, devkeys):
    """MCUboot embeds its keys verbatim: with its image in the build, the keys found in it decide,
    whatever the (possibly stale) key setting says."""
    zdir = example / "mcuboot" / "zephyr"
    release = load_public_key(keys["rsa-2048"])
    (zdir / "zephyr.bin").write_bytes(os.urandom(4000) + public_bytes(release) + os.urandom(4000))
    assert zsec("sign", "--build-dir", example, "-k", keys["rsa-2048"]).code == 0
    dev = devkeys / "mcuboot" / "root-rsa-2048.pem"
    run = zsec("sign", "--build-dir", example, "-k", dev, "--allow-dev-key")
    assert run.code == 2 and f"embedded in MCUboot's image {zdir / 'zephyr.bin'}" in run.err
    assert f"{zdir / 'zephyr.bin'} at 0xfa0" in run.err  # where in the image the trusted key is


def test_an_image_without_keys_says_nothing(zsec, example: Path, keys, devkeys):
    """A stand-in image, or an MCUboot that takes its key from a key store, holds no key: the key
    setting decides (here the dev key's file name)."""
    (example / "mcuboot" / "zephyr" / "zephyr.bin").write_bytes(os.urandom(20000))
    dev = devkeys / "mcuboot" / "root-rsa-2048.pem"
    assert zsec("sign", "--build-dir", example, "-k", dev, "--allow-dev-key").code == 0
    assert zsec("sign", "--build-dir", example, "-k", keys["rsa-2048"]).code == 2


def test_unknown_bootloader_key_is_a_warning_not_a_pass(zsec, example: Path, keys):
    for config, name in ((example / "zephyr" / ".config", "SB_CONFIG_BOOT_SIGNATURE_KEY_FILE"),
                         (example / "mcuboot" / "zephyr" / ".config", "CONFIG_BOOT_SIGNATURE_KEY_FILE")):
        config.write_text(re.sub(rf"^{name}=.*$", f'{name}="/nowhere/custom-release.pem"', config.read_text(),
                                 flags=re.M))
    run = zsec("sign", "--build-dir", example, "-k", keys["rsa-2048"])
    assert run.code == 0, run.err
    assert "could not check that MCUboot trusts the signing key" in run.err and "custom-release.pem" in run.err
