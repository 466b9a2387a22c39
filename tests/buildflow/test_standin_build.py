"""The Zephyr module in a build: the stand-in project (standin/README.md) configured and built with
CMake and Ninja from PyPI, zsec-west given as -DZEPHYR_EXTRA_MODULES=<this repository>.

What is asserted is what `west build` would show: the commands generated into build.ninja, the
files produced, what `west flash` would use, and the exit status of the build."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.buildflow.standin_build import StandinBuild, standin
from tests.conftest import ROOT
from tests.sign_cli.conftest import (
    export_token_public_key,
    imgtool_inprocess,
    softhsm,  # noqa: F401  (a fixture: a SoftHSM2 token with keys)
)
from zsec_west.sign import keytools

pytestmark = pytest.mark.slow

SYSBUILD_MCUBOOT = ("-DSB_CONFIG_BOOTLOADER_MCUBOOT=y", "-DSB_CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y")
VARIANTS = ("signed", "signed.confirmed", "signed.encrypted")


@dataclass(frozen=True)
class Keys:
    sign: Path  # Ed25519: deterministic signatures, so zsec's and imgtool's images can be compared
    other: Path
    enc: Path  # X25519, MCUboot's encryption key type for Ed25519 images


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Keys:
    directory = tmp_path_factory.mktemp("buildkeys")
    made = Keys(directory / "sign.pem", directory / "other.pem", directory / "enc.pem")
    keytools.keygen(made.sign, "ed25519")
    keytools.keygen(made.other, "ed25519")
    keytools.keygen(made.enc, "x25519")
    return made


def imgtool_verifies(key: Path, image: Path) -> bool:
    code, output = imgtool_inprocess("verify", "-k", key, image)
    return code == 0 and "Image was correctly validated" in output


def add_prj(build: StandinBuild, *lines: str) -> None:
    prj = build.tree / "apps" / build.app / "prj.conf"
    prj.write_text(prj.read_text(encoding="utf-8") + "".join(f"{line}\n" for line in lines), encoding="utf-8")


def all_targets(build_ninja: str, name: str = "all") -> set[str]:
    """What `ninja all` builds: the targets of the phony `all` edges, subdirectories followed."""
    line = next(line for line in build_ninja.splitlines() if line.startswith(f"build {name}: phony"))
    targets: set[str] = set()
    for target in line.split("phony", 1)[1].split():
        targets |= all_targets(build_ninja, target) if target.endswith("/all") else {target}
    return targets


def ok(result) -> None:
    assert result.code == 0, str(result)


def test_the_module_alone_changes_no_build(tmp_path: Path, keys: Keys):
    b = standin(tmp_path)
    configured = b.configure(*SYSBUILD_MCUBOOT, f"-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE={keys.sign}")
    ok(configured)
    sysbuild_config = (b.build / "zephyr" / ".config").read_text(encoding="utf-8")
    assert "SB_CONFIG_ZEPHYR_ZSEC_WEST_MODULE=y" in sysbuild_config
    for option in ("SIGN", "RELEASE", "CHECK", "SBOM"):
        assert f"# SB_CONFIG_ZSEC_{option} is not set" in sysbuild_config
    for image in ("hello", "mcuboot"):
        image_config = (b.image(image) / ".config").read_text(encoding="utf-8")
        assert "CONFIG_ZEPHYR_ZSEC_WEST_MODULE=y" in image_config
        assert "# CONFIG_ZSEC_SIGN is not set" in image_config
        assert "inbuild sign" not in b.ninja_commands(b.build / image)
    # Zephyr's own step signs; the module's targets exist but are not part of `all`.
    assert "Including signing script: " + str(b.tree / "zephyr" / "cmake" / "mcuboot.cmake") in configured.output
    assert all_targets(b.ninja_commands()) == {"hello", "mcuboot"}
    assert "build zsec_check: phony" in b.ninja_commands()
    built = b.compile()
    ok(built)
    assert "zsec" not in built.output
    assert imgtool_verifies(keys.sign, b.image() / "zephyr.signed.bin")
    assert not (b.build / "zsec").exists() and not (b.build / "sbom").exists()


def _outputs(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if ".signed." in p.name}


def _byproducts(image_build: Path) -> dict[str, str]:
    text = (image_build / "CMakeCache.txt").read_text(encoding="utf-8")
    return dict(re.findall(r"^(BYPRODUCT_KERNEL_SIGNED\w*):FILEPATH=(.*)$", text, re.M))


def test_zsec_signs_every_variant_as_zephyrs_own_step_does(tmp_path: Path, keys: Keys):
    """Same build twice, once with Zephyr's imgtool step and once with SB_CONFIG_ZSEC_SIGN: the
    same files, byte for byte where the signature is deterministic, and the same flash files."""
    options = (*SYSBUILD_MCUBOOT, f"-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE={keys.sign}")
    reference = standin(tmp_path, "imgtool")
    add_prj(reference, "CONFIG_MCUBOOT_GENERATE_CONFIRMED_IMAGE=y", f'CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE="{keys.enc}"')
    ok(reference.configure(*options))
    ok(reference.compile())
    ours = standin(tmp_path, "zsec")
    ok(ours.configure(*options, "-DSB_CONFIG_ZSEC_SIGN=y", f"-DSB_CONFIG_ZSEC_SIGN_KEY={keys.sign}"))
    built = ours.compile()
    ok(built)

    # The command generated on the ELF's edge: this interpreter, this checkout, directories only.
    image_dir = ours.build / "hello"
    command = f"PYTHONPATH={ROOT} {sys.executable} -m zsec_west.cli.inbuild sign --image-dir {image_dir}"
    assert command in ours.ninja_commands(image_dir)
    assert "imgtool" not in ours.ninja_commands(image_dir)
    assert "zsec sign: 6 image(s) signed" in built.output

    theirs, mine = _outputs(reference.image()), _outputs(ours.image())
    assert sorted(mine) == sorted(theirs) == sorted(f"zephyr.{v}.{ext}" for v in VARIANTS for ext in ("bin", "hex"))
    for name in ("zephyr.signed.bin", "zephyr.signed.hex", "zephyr.signed.confirmed.bin",
                 "zephyr.signed.confirmed.hex"):
        assert mine[name] == theirs[name], name
        assert imgtool_verifies(keys.sign, ours.image() / name), name
    # Encrypted images differ (a random key per image): same size, same header flags (encrypted).
    mine_enc, theirs_enc = mine["zephyr.signed.encrypted.bin"], theirs["zephyr.signed.encrypted.bin"]
    assert len(mine_enc) == len(theirs_enc)
    assert int.from_bytes(mine_enc[16:20], "little") == int.from_bytes(theirs_enc[16:20], "little") == 0x4

    # What `west flash` uses, and what sysbuild collects, as Zephyr's step declares them.
    runners = (ours.image() / "runners.yaml").read_text(encoding="utf-8")
    assert f"bin_file: {ours.image() / 'zephyr.signed.confirmed.bin'}" in runners  # 4.1.99 rule
    assert runners.replace(str(ours.build), "B") == (reference.image() / "runners.yaml").read_text(
        encoding="utf-8").replace(str(reference.build), "B")
    mine_cache, theirs_cache = _byproducts(image_dir), _byproducts(reference.build / "hello")
    assert {k: v.replace(str(ours.build), "B") for k, v in mine_cache.items()} == {
        k: v.replace(str(reference.build), "B") for k, v in theirs_cache.items()}
    assert len(mine_cache) == 6


def test_release_refuses_a_development_key_on_every_build(tmp_path: Path, devkeys: Path):
    dev_key = devkeys / "mcuboot" / "root-ed25519.pem"
    b = standin(tmp_path)
    options = (*SYSBUILD_MCUBOOT, f"-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE={dev_key}", "-DSB_CONFIG_ZSEC_SIGN=y")
    ok(b.configure(*options))
    test_build = b.compile()  # a test build: accepted, with a warning
    ok(test_build)
    assert "publicly known development key" in test_build.output
    assert (b.image() / "zephyr.signed.bin").is_file()

    ok(b.configure(*options, "-DSB_CONFIG_ZSEC_RELEASE=y"))
    assert "CONFIG_ZSEC_RELEASE=y" in (b.image() / ".config").read_text(encoding="utf-8")
    for _ in range(2):  # the second build must not find the failed step done
        release = b.compile()
        assert release.code != 0, str(release)
        errors = [line for line in release.output.splitlines() if line.startswith("zsec sign: error:")]
        assert len(errors) == 1, release.output
        assert str(dev_key) in errors[0] and "development key" in errors[0]
        assert "SB_CONFIG_ZSEC_RELEASE is set" in errors[0]
        # Nothing signed with the development key is left for `west flash`.
        assert not list(b.image().glob("zephyr.signed.*"))


def test_release_refuses_a_key_the_bootloader_does_not_trust(tmp_path: Path, keys: Keys):
    # MCUboot is built with `sign`'s public key; the image would be signed with `other`.
    b = standin(tmp_path)
    options = (*SYSBUILD_MCUBOOT, f"-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE={keys.sign}", "-DSB_CONFIG_ZSEC_SIGN=y",
               f"-DSB_CONFIG_ZSEC_SIGN_KEY={keys.other}")
    ok(b.configure(*options))
    test_build = b.compile()  # a test build: signed, with a warning that it will not boot
    ok(test_build)
    assert "not a key MCUboot in this build trusts" in test_build.output
    assert imgtool_verifies(keys.other, b.image() / "zephyr.signed.bin")

    ok(b.configure(*options, "-DSB_CONFIG_ZSEC_RELEASE=y"))
    release = b.compile()
    assert release.code != 0, str(release)
    errors = [line for line in release.output.splitlines() if line.startswith("zsec sign: error:")]
    assert len(errors) == 1, release.output
    assert str(keys.other.name) in errors[0] and "not a key MCUboot in this build trusts" in errors[0]
    assert not list(b.image().glob("zephyr.signed.*"))


RULES = """\
rules:
  - id: STANDIN-001
    title: printk is off
    severity: high
    category: debug
    symbol: PRINTK
    value: n
    rationale: The stand-in keeps printk on, so this rule fails in the application and MCUboot.
"""


def test_the_audit_after_the_build_fails_it_and_leaves_the_reports(tmp_path: Path, keys: Keys):
    b = standin(tmp_path)
    (b.tree / "apps" / "hello" / "rules").mkdir()
    (b.tree / "apps" / "hello" / "rules" / "extra.yaml").write_text(RULES, encoding="utf-8")
    options = (*SYSBUILD_MCUBOOT, f"-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE={keys.sign}", "-DSB_CONFIG_ZSEC_CHECK=y",
               "-DSB_CONFIG_ZSEC_CHECK_RULES=rules/extra.yaml", "-DSB_CONFIG_ZSEC_CHECK_FAIL_ON=high")
    ok(b.configure(*options))
    assert f"inbuild check --build-dir {b.build}" in b.ninja_commands()
    assert all_targets(b.ninja_commands()) == {"hello", "mcuboot", "zsec_audit"}

    failed = b.compile()
    assert failed.code != 0, str(failed)
    summary = [line for line in failed.output.splitlines() if line.startswith("zsec check: ")]
    assert summary[0].startswith("zsec check: 1 problem(s) (1 high) from 2 failed result(s)")
    assert "at or above --fail-on high" in summary[0]
    assert summary[1] == f"zsec check: report in {b.build / 'zsec' / 'check.txt'} (SARIF: {b.build / 'zsec' / 'check.sarif'})"
    sarif = json.loads((b.build / "zsec" / "check.sarif").read_text(encoding="utf-8"))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"] if r.get("level") == "error"} == {"STANDIN-001"}
    assert "STANDIN-001" in (b.build / "zsec" / "check.txt").read_text(encoding="utf-8")
    assert b.compile().code != 0  # every build, not only the first

    ok(b.configure(*options, "-DSB_CONFIG_ZSEC_CHECK_WARN_ONLY=y"))
    warned = b.compile()
    ok(warned)
    assert "zsec check: 1 problem(s) (1 high) from 2 failed result(s)" in warned.output

    # On demand, with the audit off: settings from the workspace policy (here the environment).
    ok(b.configure("-USB_CONFIG_ZSEC_CHECK_*", "-DSB_CONFIG_ZSEC_CHECK=n"))
    assert "zsec_audit" not in b.ninja_commands()
    ok(b.compile("zsec_check"))
    b.env["ZSEC_RULES"] = str(b.tree / "apps" / "hello" / "rules" / "extra.yaml")
    assert b.compile("zsec_check").code != 0
    image_level = b.compile("zsec_check", b.build / "hello")  # west build --domain hello -t zsec_check
    assert image_level.code != 0 and "zsec check: 1 problem(s) (1 high) from 1 failed result(s)" in image_level.output
    assert (b.build / "hello" / "zsec" / "check.sarif").is_file()


def test_the_sbom_is_written_with_the_build_and_only_when_an_image_changes(tmp_path: Path, keys: Keys):
    b = standin(tmp_path)
    ok(b.configure(*SYSBUILD_MCUBOOT, f"-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE={keys.sign}", "-DSB_CONFIG_ZSEC_SBOM=y",
                   "-DSB_CONFIG_ZSEC_SBOM_FORMAT=cyclonedx"))
    assert "CONFIG_BUILD_OUTPUT_META=y" in (b.image("mcuboot") / ".config").read_text(encoding="utf-8")
    ok(b.compile())
    documents = sorted(p.name for p in (b.build / "sbom").iterdir())
    assert documents == ["hello.cdx.json", "mcuboot.cdx.json", "system.cdx.json"]
    stamp = (b.build / "zsec" / "sbom.stamp").stat().st_mtime_ns

    again = b.compile()
    ok(again)
    assert "zsec: writing the SBOM" not in again.output
    assert (b.build / "zsec" / "sbom.stamp").stat().st_mtime_ns == stamp

    source = b.tree / "apps" / "hello" / "src" / "main.c"
    source.write_text(source.read_text(encoding="utf-8") + "/* changed */\n", encoding="utf-8")
    changed = b.compile()
    ok(changed)
    assert "zsec: writing the SBOM" in changed.output
    assert (b.build / "zsec" / "sbom.stamp").stat().st_mtime_ns != stamp


@pytest.mark.softhsm
def test_a_pkcs11_key_reaches_zsec_intact(tmp_path: Path, softhsm):  # noqa: F811
    """A pkcs11: URI has a ';': it must survive Kconfig, CMake and Ninja on its way to zsec."""
    public = export_token_public_key(softhsm, "ec", tmp_path / "ec.pub.pem")
    uri = f"pkcs11:token={softhsm.label};object=ec?module-path={softhsm.module}"
    b = standin(tmp_path, ZSEC_TEST_PIN=softhsm.pin)
    ok(b.configure("-DSB_CONFIG_BOOTLOADER_MCUBOOT=y", "-DSB_CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256=y",
                   f"-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE={public}", "-DSB_CONFIG_ZSEC_SIGN=y",
                   f"-DSB_CONFIG_ZSEC_SIGN_KEY={uri}", "-DSB_CONFIG_ZSEC_SIGN_PIN_ENV=ZSEC_TEST_PIN",
                   "-DSB_CONFIG_ZSEC_RELEASE=y"))
    assert softhsm.pin not in (b.build / "zephyr" / ".config").read_text(encoding="utf-8")
    ok(b.compile())
    assert imgtool_verifies(public, b.image() / "zephyr.signed.bin")
    assert imgtool_verifies(public, b.image() / "zephyr.signed.hex")


def test_without_sysbuild_the_image_options_sign(tmp_path: Path, keys: Keys):
    b = standin(tmp_path)
    ok(b.configure("-DCONFIG_BOOTLOADER_MCUBOOT=y", "-DCONFIG_ZSEC_SIGN=y", f"-DCONFIG_ZSEC_SIGN_KEY={keys.other}",
                   "-DCONFIG_MCUBOOT_GENERATE_CONFIRMED_IMAGE=y", sysbuild=False))
    ok(b.compile())
    for name in ("zephyr.signed.bin", "zephyr.signed.confirmed.hex"):
        assert imgtool_verifies(keys.other, b.build / "zephyr" / name)
    assert not imgtool_verifies(keys.sign, b.build / "zephyr" / "zephyr.signed.bin")


@pytest.mark.parametrize(("version", "flashed"), [("3.7.1", "signed"), ("4.1.99", "signed.confirmed")])
def test_west_flash_gets_the_file_the_zephyr_version_would_flash(tmp_path: Path, keys: Keys, version: str,
                                                                 flashed: str):
    b = standin(tmp_path)
    major, minor, patch = version.split(".")
    (b.tree / "zephyr" / "VERSION").write_text(
        f"VERSION_MAJOR = {major}\nVERSION_MINOR = {minor}\nPATCHLEVEL = {patch}\n", encoding="utf-8")
    ok(b.configure("-DCONFIG_BOOTLOADER_MCUBOOT=y", "-DCONFIG_ZSEC_SIGN=y", f"-DCONFIG_ZSEC_SIGN_KEY={keys.sign}",
                   "-DCONFIG_MCUBOOT_GENERATE_CONFIRMED_IMAGE=y", sysbuild=False))
    runners = (b.build / "zephyr" / "runners.yaml").read_text(encoding="utf-8")
    assert f"bin_file: {b.build / 'zephyr' / f'zephyr.{flashed}.bin'}\n" in runners
    assert f"hex_file: {b.build / 'zephyr' / f'zephyr.{flashed}.hex'}\n" in runners


def test_another_signing_script_taking_precedence_fails_the_configuration(tmp_path: Path):
    b = standin(tmp_path)
    other = b.tree / "zephyr" / "cmake" / "mcuboot.cmake"
    result = b.configure("-DCONFIG_BOOTLOADER_MCUBOOT=y", "-DCONFIG_ZSEC_SIGN=y", f"-DSIGNING_SCRIPT={other}",
                         sysbuild=False)
    assert result.code != 0
    assert "zsec-west: CONFIG_ZSEC_SIGN is set, but Zephyr included another" in result.output
