"""Key files judged by content and by name, and the signed images the build produced."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.check.conftest import check, imgtool_sign, own_key, results, set_config, status
from tests.hostile.harness import deadline
from zsec_west.builddir import load_build
from zsec_west.check.keychecks import expand, inspect
from zsec_west.findings import Severity, Status
from zsec_west.rules.engine import CheckContext


def app_config(nrf: Path) -> Path:
    return nrf / "hello_world" / "zephyr" / ".config"


def mcuboot_config(nrf: Path) -> Path:
    return nrf / "mcuboot" / "zephyr" / ".config"


# -- key files by name and by content ---------------------------------------------------------

def test_stale_demo_key_path_is_recognised_by_name(nrf):
    base = check(nrf)
    for domain, setting in (("sysbuild", "SB_CONFIG_BOOT_SIGNATURE_KEY_FILE"),
                            ("hello_world", "CONFIG_MCUBOOT_SIGNATURE_KEY_FILE"),
                            ("mcuboot", "CONFIG_BOOT_SIGNATURE_KEY_FILE")):
        [finding] = results(base, domain, "ZSEC-KEY-001")
        assert finding.status is Status.FAIL and finding.subject == setting
        assert "root-rsa-2048.pem" in finding.message
        assert "content could not be checked" in finding.message
        assert "not on this machine" in finding.message
        assert finding.severity is Severity.HIGH
        # The missing file is reported once, under the development-key rule.
        assert status(base, domain, "ZSEC-KEY-003") is Status.NOT_APPLICABLE
    production = check(nrf, profile="production")
    assert results(production, "sysbuild", "ZSEC-KEY-001")[0].severity is Severity.CRITICAL


def test_copied_and_renamed_demo_key_is_recognised_by_content(nrf, devkeys, tmp_path):
    copy = tmp_path / "secrets" / "acme-release-signing.pem"
    copy.parent.mkdir()
    shutil.copy(devkeys / "mcuboot" / "root-ec-p256.pem", copy)
    set_config(nrf / "zephyr" / ".config", BOOT_SIGNATURE_KEY_FILE=f'"{copy}"')
    [finding] = results(check(nrf, profile="production"), "sysbuild", "ZSEC-KEY-001")
    assert finding.status is Status.FAIL and finding.severity is Severity.CRITICAL
    assert "root-ec-p256.pem" in finding.message and "identified by its content" in finding.message
    assert finding.location.path == str(nrf / "zephyr" / ".config")


def test_own_key_passes(nrf, tmp_path):
    key = own_key(tmp_path / "acme.pem")
    set_config(app_config(nrf), MCUBOOT_SIGNATURE_KEY_FILE=f'"{key}"')
    run = check(nrf)
    assert status(run, "hello_world", "ZSEC-KEY-001") is Status.PASS
    assert status(run, "hello_world", "ZSEC-KEY-003") is Status.PASS


def test_relative_path_resolves_from_the_west_workspace(nrf, tmp_path):
    workspace = tmp_path / "ws"
    (workspace / ".west").mkdir(parents=True)
    own_key(workspace / "keys" / "acme.pem")
    set_config(app_config(nrf), MCUBOOT_SIGNATURE_KEY_FILE='"keys/acme.pem"')
    assert status(check(nrf, west_topdir=workspace), "hello_world", "ZSEC-KEY-003") is Status.PASS
    [finding] = results(check(nrf), "hello_world", "ZSEC-KEY-003")
    assert finding.status is Status.FAIL and "west workspace is not known" in finding.message


def test_mcuboot_relative_path_resolves_from_the_mcuboot_module(nrf, devkeys):
    modules = nrf / "zephyr_modules.txt"
    modules.write_text(modules.read_text().replace("/home/dev/zephyrproject/bootloader/mcuboot",
                                                   str(devkeys / "mcuboot")))
    set_config(mcuboot_config(nrf), BOOT_SIGNATURE_KEY_FILE='"root-rsa-3072.pem"')
    [finding] = results(check(nrf), "mcuboot", "ZSEC-KEY-001")
    assert finding.status is Status.FAIL and "identified by its content" in finding.message
    assert str(devkeys / "mcuboot" / "root-rsa-3072.pem") in finding.message


def test_variables_are_expanded_like_the_build_does(nrf, tfm, devkeys):
    build = load_build(nrf)
    ctx = CheckContext(build)
    sysbuild = build.domain("sysbuild")
    assert expand("$(ZEPHYR_MCUBOOT_MODULE_DIR)/root-ec-p256.pem", sysbuild, ctx) == \
        "/home/dev/zephyrproject/bootloader/mcuboot/root-ec-p256.pem"
    tfm_build = load_build(tfm)
    tfm_domain = tfm_build.domain("tfm")
    ref = inspect("TFM_KEY_FILE_S", "signing", "topdir", tfm_domain, CheckContext(tfm_build))
    assert ref.path.name == "root-EC-P256.pem" and ref.by_name is not None
    assert "TF-M root-EC-P256.pem" in ref.by_name.name
    # The sysbuild default form, with the module directory on this machine.
    modules = nrf / "zephyr_modules.txt"
    modules.write_text(modules.read_text().replace("/home/dev/zephyrproject/bootloader/mcuboot",
                                                   str(devkeys / "mcuboot")))
    set_config(nrf / "zephyr" / ".config",
               BOOT_SIGNATURE_KEY_FILE='"$(ZEPHYR_MCUBOOT_MODULE_DIR)/root-ed25519.pem"')
    [finding] = results(check(nrf), "sysbuild", "ZSEC-KEY-001")
    assert "identified by its content" in finding.message and "ed25519" in finding.message


@pytest.mark.parametrize("kind, words, severity", [
    ("missing", "not on this machine", Severity.LOW),
    ("encrypted", "encrypted", Severity.LOW),
    ("not-a-key", "not a PEM key file", Severity.MEDIUM),
    ("directory", "is a directory", Severity.LOW),
    ("fifo", "is a FIFO", Severity.LOW),  # used to block forever
])
def test_unusable_key_files_are_findings_not_crashes(nrf, tmp_path, kind, words, severity):
    path = tmp_path / "product-key.pem"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "encrypted":
        own_key(path, password=b"secret")
    elif kind == "not-a-key":
        path.write_text("this is not a key\n")
    elif kind == "directory":
        path.mkdir()
    set_config(app_config(nrf), MCUBOOT_SIGNATURE_KEY_FILE=f'"{path}"')
    with deadline(20):
        run = check(nrf)
    [finding] = results(run, "hello_world", "ZSEC-KEY-003")
    assert finding.status is Status.FAIL and words in finding.message
    assert finding.severity is severity
    assert status(run, "hello_world", "ZSEC-KEY-001") is Status.NOT_APPLICABLE


def test_encryption_key_is_checked_when_set(nrf, devkeys):
    assert status(check(nrf), "hello_world", "ZSEC-KEY-002") is Status.NOT_APPLICABLE  # "" = off
    set_config(app_config(nrf),
               MCUBOOT_ENCRYPTION_KEY_FILE=f'"{devkeys / "mcuboot" / "enc-ec256-pub.pem"}"')
    [finding] = results(check(nrf), "hello_world", "ZSEC-KEY-002")
    assert finding.status is Status.FAIL and "enc-ec256" in finding.message


def test_application_key_must_be_the_one_mcuboot_trusts(nrf, tmp_path):
    app_key, boot_key = own_key(tmp_path / "a.pem"), own_key(tmp_path / "b.pem")
    set_config(app_config(nrf), MCUBOOT_SIGNATURE_KEY_FILE=f'"{app_key}"')
    set_config(mcuboot_config(nrf), BOOT_SIGNATURE_KEY_FILE=f'"{boot_key}"')
    [finding] = results(check(nrf), "hello_world", "ZSEC-KEY-004")
    assert finding.status is Status.FAIL and "MCUboot will refuse" in finding.message
    set_config(mcuboot_config(nrf), BOOT_SIGNATURE_KEY_FILE=f'"{app_key}"')
    assert status(check(nrf), "hello_world", "ZSEC-KEY-004") is Status.PASS


# -- signed images ------------------------------------------------------------------------------------

def test_signed_image_names_the_development_key(nrf, devkeys, tmp_path):
    """The real build's case: an image signed with MCUboot's root-rsa-2048.pem."""
    image = imgtool_sign(devkeys / "mcuboot" / "root-rsa-2048.pem",
                         nrf / "hello_world" / "zephyr" / "zephyr.signed.bin")
    run = check(nrf, profile="production")
    [finding] = results(run, "hello_world", "ZSEC-IMG-001")
    assert finding.status is Status.FAIL and finding.severity is Severity.CRITICAL
    assert "root-rsa-2048.pem" in finding.message and "KEYHASH" in finding.message
    # named relative to the build directory, so reports read the same on every machine
    assert image.relative_to(nrf).as_posix() in finding.message and str(nrf) not in finding.message
    assert status(run, "hello_world", "ZSEC-IMG-003") is Status.PASS
    # MCUboot's key file is a stale path: which key it trusts cannot be known here.
    assert status(run, "hello_world", "ZSEC-IMG-002") is Status.NOT_APPLICABLE


def test_signed_image_against_the_key_mcuboot_trusts(nrf, devkeys, tmp_path):
    imgtool_sign(devkeys / "mcuboot" / "root-rsa-2048.pem",
                 nrf / "hello_world" / "zephyr" / "zephyr.signed.bin")
    set_config(mcuboot_config(nrf), BOOT_SIGNATURE_KEY_FILE=f'"{own_key(tmp_path / "own.pem")}"')
    [finding] = results(check(nrf), "hello_world", "ZSEC-IMG-002")
    assert finding.status is Status.FAIL and "does not trust" in finding.message
    copy = tmp_path / "renamed.pem"
    shutil.copy(devkeys / "mcuboot" / "root-rsa-2048.pem", copy)
    set_config(mcuboot_config(nrf), BOOT_SIGNATURE_KEY_FILE=f'"{copy}"')
    assert status(check(nrf), "hello_world", "ZSEC-IMG-002") is Status.PASS


def test_own_key_image_passes(nrf, tmp_path):
    imgtool_sign(own_key(tmp_path / "own.pem"), nrf / "hello_world" / "zephyr" / "zephyr.signed.bin")
    assert status(check(nrf), "hello_world", "ZSEC-IMG-001") is Status.PASS


@pytest.mark.parametrize("damage, words", [
    (lambda data: data[:600], "truncated"),
    (lambda data: os.urandom(4096), "not a complete MCUboot image"),
    (lambda data: b"", "not a complete MCUboot image"),
])
def test_damaged_images_are_findings_not_crashes(nrf, devkeys, damage, words):
    image = imgtool_sign(devkeys / "mcuboot" / "root-ec-p256.pem",
                         nrf / "hello_world" / "zephyr" / "zephyr.signed.bin")
    image.write_bytes(damage(image.read_bytes()))
    run = check(nrf)
    [finding] = results(run, "hello_world", "ZSEC-IMG-003")
    assert finding.status is Status.FAIL and words in finding.message
    assert status(run, "hello_world", "ZSEC-IMG-001") is Status.NOT_APPLICABLE


def test_no_signed_image_is_not_applicable(nrf):
    run = check(nrf)
    for rule_id in ("ZSEC-IMG-001", "ZSEC-IMG-002", "ZSEC-IMG-003"):
        assert status(run, "hello_world", rule_id) is Status.NOT_APPLICABLE


# -- fix advice for this build ------------------------------------------------------------------

def test_dev_key_advice_names_our_keygen_with_the_type_mcuboot_verifies(nrf):
    """The example's MCUboot verifies RSA-2048: the advice must not send users to an ECDSA key."""
    run = check(nrf, profile="production")
    for domain in ("sysbuild", "hello_world", "mcuboot"):
        [finding] = results(run, domain, "ZSEC-KEY-001")
        assert finding.advice is not None and finding.fix == finding.advice
        assert "zsec sign keygen -t rsa-2048 -k my-key.pem" in finding.advice
        assert "CONFIG_BOOT_SIGNATURE_TYPE_RSA" in finding.advice
        assert "point SB_CONFIG_BOOT_SIGNATURE_KEY_FILE at it" in finding.advice
        assert "imgtool" not in finding.advice and "ecdsa" not in finding.advice


def test_dev_key_advice_follows_the_bootloader_type(nrf):
    set_config(mcuboot_config(nrf), BOOT_SIGNATURE_TYPE_RSA="n", BOOT_SIGNATURE_TYPE_ECDSA_P256="y")
    [finding] = results(check(nrf), "mcuboot", "ZSEC-KEY-001")
    assert "zsec sign keygen -t ecdsa-p256" in finding.advice
    assert "CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256" in finding.advice


def test_tfm_key_findings_advise_the_bl2_type_and_setting(tfm):
    run = check(tfm, profile="production")
    advised = {f.subject: f.advice for f in results(run, "tfm", "TFM-DEV-KEY") if f.status is Status.FAIL}
    assert set(advised) == {"key:S", "key:NS"}
    for role, advice in (("S", advised["key:S"]), ("NS", advised["key:NS"])):
        assert "zsec sign keygen -t ecdsa-p256" in advice and "CONFIG_TFM_MCUBOOT_SIGNATURE_TYPE" in advice
        assert f"point CONFIG_TFM_KEY_FILE_{role} at it" in advice
