"""Signing parameters from a build: the values Zephyr's cmake/mcuboot.cmake passes to imgtool."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zsec_west.builddir import find_west_topdir, load_build
from zsec_west.errors import BuildDirError, UsageError
from zsec_west.sign.plan import plan_build

APP = "hello_world"


def set_config(config: Path, **values: str) -> None:
    """Set CONFIG_<name>=<value> lines (value as written in .config: y, "text", 0x200)."""
    text = config.read_text()
    for name, value in values.items():
        line = f"CONFIG_{name}={value}" if value != "n" else f"# CONFIG_{name} is not set"
        pattern = re.compile(rf"^(# )?CONFIG_{name}(=.*| is not set)$", re.M)
        text, count = pattern.subn(line, text)
        if not count:
            text += line + "\n"
    config.write_text(text)


def app_config(build: Path) -> Path:
    return build / APP / "zephyr" / ".config"


def stand_in(build: Path) -> None:
    """The 4.1 copies have no binaries: a stand-in zephyr.bin for the build's own outputs."""
    (build / APP / "zephyr" / "zephyr.bin").write_bytes(bytes(range(256)) * 8)


def shrink_slot1(build: Path) -> None:
    """Make slot1 (0x40000) smaller than slot0 (0x76000), so that the slot a plan takes shows."""
    dts = build / APP / "zephyr" / "zephyr.dts"
    dts.write_text(dts.read_text().replace("reg = < 0x82000 0x76000 >;", "reg = < 0x82000 0x40000 >;"))


def only_plan(build: Path, **kwargs):
    plans = plan_build(load_build(build), **kwargs)
    assert len(plans) == 1
    return plans[0]


def test_sysbuild_fixture_plan_matches_the_real_build(build_copy):
    build = build_copy("mcuboot-sysbuild")
    plan = only_plan(build)
    assert plan.domain == APP  # mcuboot itself is not signed
    assert (plan.header_size, plan.slot_size, plan.align) == (0x200, 0x76000, 4)
    assert plan.version == "0.0.0+0"
    assert not plan.overwrite_only and plan.load_addr is None and plan.hex_addr is None
    assert plan.expect_key_type == "rsa-2048"  # MCUboot's CONFIG_BOOT_SIGNATURE_TYPE_RSA, RSA_LEN 2048
    assert plan.key_file == Path("/home/dev/zephyrproject/bootloader/mcuboot/root-rsa-2048.pem")
    assert [(o.variant, o.input.name, o.output.name) for o in plan.outputs] == [
        ("signed", "zephyr.bin", "zephyr.signed.bin")]  # zephyr.hex is not in the copy
    assert any("zephyr.hex not found" in note for note in plan.notes)
    assert "CONFIG_ROM_START_OFFSET" in plan.sources["header_size"]
    assert "slot1_partition" in plan.sources["slot_size"]
    error = plan.key_error()
    assert error is not None and "does not exist on this machine" in str(error) and "-k" in str(error)


def test_confirmed_and_encrypted_variants(build_copy, keys):
    build = build_copy("mcuboot-sysbuild")
    (build / APP / "zephyr" / "zephyr.hex").write_text(":00000001FF\n")
    set_config(app_config(build), MCUBOOT_GENERATE_CONFIRMED_IMAGE="y",
               MCUBOOT_ENCRYPTION_KEY_FILE=f'"{keys["rsa-2048"]}"')
    plan = only_plan(build)
    assert [o.output.name for o in plan.outputs] == [
        "zephyr.signed.bin", "zephyr.signed.confirmed.bin", "zephyr.signed.encrypted.bin",
        "zephyr.signed.hex", "zephyr.signed.confirmed.hex", "zephyr.signed.encrypted.hex"]
    assert [o.confirm for o in plan.outputs[:3]] == [False, True, False]
    assert [o.encrypt for o in plan.outputs[:3]] == [False, False, True]
    assert plan.encryption_key_file == keys["rsa-2048"]


def test_missing_write_block_size_assumes_4_with_a_warning(build_copy):
    build = build_copy("mcuboot-sysbuild")
    dts = build / APP / "zephyr" / "zephyr.dts"
    dts.write_text(dts.read_text().replace("write-block-size = < 0x4 >;", ""))
    plan = only_plan(build)
    assert plan.align == 4
    assert any("write-block-size" in w for w in plan.warnings)


def test_write_block_size_is_the_alignment(build_copy):
    build = build_copy("mcuboot-sysbuild")
    dts = build / APP / "zephyr" / "zephyr.dts"
    dts.write_text(dts.read_text().replace("write-block-size = < 0x4 >;", "write-block-size = < 0x10 >;"))
    assert only_plan(build).align == 16


def test_overwrite_only_aligns_to_1(build_copy):
    build = build_copy("mcuboot-sysbuild")
    set_config(app_config(build), MCUBOOT_IMGTOOL_OVERWRITE_ONLY="y")
    plan = only_plan(build)
    assert plan.overwrite_only and plan.align == 1


def test_ram_load_sets_load_and_hex_addresses_and_slot1_variants(build_copy):
    build = build_copy("mcuboot-sysbuild-4.1")
    stand_in(build)
    set_config(app_config(build), MCUBOOT_BOOTLOADER_MODE_SWAP_USING_MOVE="n", MCUBOOT_BOOTLOADER_MODE_RAM_LOAD="y")
    plan = only_plan(build)
    assert plan.align == 1 and plan.mode == "RAM_LOAD"
    assert plan.load_addr == 0x20000000  # chosen zephyr,sram
    assert plan.hex_addr == 0xC000  # slot0_partition address
    assert [(o.output.name, o.hex_addr) for o in plan.outputs] == [
        ("zephyr.signed.bin", 0xC000), ("zephyr.slot1.signed.bin", 0x82000)]
    # Sysbuild still says swap-using-move: MCUboot would not RAM-load this image.
    assert any("SB_CONFIG_MCUBOOT_MODE_SWAP_USING_MOVE" in w and "RAM load" in w for w in plan.warnings)


def test_single_app_ram_load_loads_at_the_ram_load_device(build_copy):
    build = build_copy("mcuboot-sysbuild-4.1")
    stand_in(build)
    set_config(app_config(build), MCUBOOT_BOOTLOADER_MODE_SWAP_USING_MOVE="n",
               MCUBOOT_BOOTLOADER_MODE_SINGLE_APP_RAM_LOAD="y")
    plan = only_plan(build)
    assert (plan.align, plan.load_addr, plan.hex_addr, plan.slot_size) == (1, 0x20000000, None, 0x76000)
    assert [o.output.name for o in plan.outputs] == ["zephyr.signed.bin"]  # no slot1 set
    dts = build / APP / "zephyr" / "zephyr.dts"
    dts.write_text(dts.read_text().replace("zephyr,sram = &sram0;", "zephyr,sram = &sram0;\n\t\tmcuboot,ram-load-dev = &uart0;"))
    assert only_plan(build).load_addr == 0x40002000  # uart0's address stands in for a RAM device


def test_ram_load_is_not_known_to_zephyr_3_west_sign(build_copy):
    build = build_copy("mcuboot-sysbuild")
    set_config(app_config(build), MCUBOOT_BOOTLOADER_MODE_SWAP_WITHOUT_SCRATCH="n", MCUBOOT_BOOTLOADER_MODE_RAM_LOAD="y")
    plan = only_plan(build)
    assert plan.signing_step == "west sign"
    assert (plan.align, plan.load_addr, plan.hex_addr) == (4, None, None)


@pytest.mark.parametrize("mode", ["MCUBOOT_BOOTLOADER_MODE_SINGLE_APP", "MCUBOOT_BOOTLOADER_MODE_FIRMWARE_UPDATER"])
def test_single_slot_modes_use_slot0_size(build_copy, mode):
    build = build_copy("mcuboot-sysbuild-4.1")
    shrink_slot1(build)
    set_config(app_config(build), MCUBOOT_BOOTLOADER_MODE_SWAP_USING_MOVE="n", **{mode: "y"})
    plan = only_plan(build)
    assert plan.slot_size == 0x76000 and "slot0_partition" in plan.sources["slot_size"]


def test_zephyr_3_west_sign_takes_slot1_whatever_the_mode(build_copy):
    build = build_copy("mcuboot-sysbuild")
    shrink_slot1(build)
    set_config(app_config(build), MCUBOOT_BOOTLOADER_MODE_SWAP_WITHOUT_SCRATCH="n",
               MCUBOOT_BOOTLOADER_MODE_SINGLE_APP="y")
    plan = only_plan(build)
    assert plan.slot_size == 0x40000 and "west sign" in plan.sources["slot_size"]


def test_firmware_updater_application_uses_slot1(build_copy):
    build = build_copy("mcuboot-sysbuild-4.1")
    shrink_slot1(build)
    set_config(app_config(build), MCUBOOT_BOOTLOADER_MODE_SWAP_USING_MOVE="n",
               MCUBOOT_BOOTLOADER_MODE_FIRMWARE_UPDATER="y", MCUBOOT_APPLICATION_FIRMWARE_UPDATER="y")
    assert only_plan(build).slot_size == 0x40000


def test_version_from_kconfig_or_the_version_file(build_copy, tmp_path: Path):
    build = build_copy("mcuboot-sysbuild")
    set_config(app_config(build), MCUBOOT_IMGTOOL_SIGN_VERSION='"1.2.3+4"')
    assert only_plan(build).version == "1.2.3+4"
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "VERSION").write_text("VERSION_MAJOR = 2\nVERSION_MINOR = 5\nPATCHLEVEL = 7\nVERSION_TWEAK = 9\n"
                                     "EXTRAVERSION =\n")
    cache = build / APP / "CMakeCache.txt"
    cache.write_text(re.sub(r"^APPLICATION_SOURCE_DIR:PATH=.*$", f"APPLICATION_SOURCE_DIR:PATH={app_dir}",
                            cache.read_text(), flags=re.M))
    set_config(app_config(build), MCUBOOT_IMGTOOL_SIGN_VERSION="n")
    plan = only_plan(build)
    assert plan.version == "2.5.7+9" and "VERSION" in plan.sources["version"]


def test_relative_key_path_is_from_the_west_topdir(build_copy, tmp_path: Path, keys):
    build = build_copy("mcuboot-sysbuild")
    top = tmp_path / "ws"
    (top / ".west").mkdir(parents=True)
    (top / "keys").mkdir()
    (top / "keys" / "fw.pem").write_bytes(keys["rsa-2048"].read_bytes())
    set_config(app_config(build), MCUBOOT_SIGNATURE_KEY_FILE='"keys/fw.pem"')
    assert find_west_topdir(top / "keys") == top
    plan = only_plan(build, west_topdir=top)
    assert plan.key_file == top / "keys" / "fw.pem" and plan.key_error() is None


def test_sysbuild_key_when_the_image_names_none(build_copy):
    build = build_copy("mcuboot-sysbuild")
    set_config(app_config(build), MCUBOOT_SIGNATURE_KEY_FILE='""')
    plan = only_plan(build)
    assert "SB_CONFIG_BOOT_SIGNATURE_KEY_FILE" in plan.sources["key"]
    assert plan.key_file.name == "root-rsa-2048.pem"


def test_every_image_mcuboot_loads_is_planned(build_copy):
    build = build_copy("mcuboot-sysbuild")
    # A second application image: a copy of hello_world registered in domains.yaml.
    import shutil
    shutil.copytree(build / APP, build / "second")
    domains = build / "domains.yaml"
    domains.write_text(domains.read_text().replace(
        "flash_order:", "  - name: second\n    build_dir: /nowhere/second\nflash_order:"))
    plans = plan_build(load_build(build))
    assert [p.domain for p in plans] == [APP, "second"]
    assert [p.domain for p in plan_build(load_build(build), ["second"])] == ["second"]
    with pytest.raises(UsageError, match="mcuboot"):
        plan_build(load_build(build), ["mcuboot"])


def test_a_build_without_mcuboot_has_nothing_to_sign(build_copy):
    with pytest.raises(BuildDirError, match="CONFIG_BOOTLOADER_MCUBOOT"):
        plan_build(load_build(build_copy("hello")))


def test_missing_slot1_is_a_clear_error(build_copy):
    build = build_copy("mcuboot-sysbuild-4.1")
    dts = build / APP / "zephyr" / "zephyr.dts"
    dts.write_text(dts.read_text().replace("slot1_partition: partition@82000", "other_partition: partition@82000"))
    with pytest.raises(BuildDirError, match="slot1_partition"):
        plan_build(load_build(build))
    # Zephyr 3.x's west sign falls back to slot0.
    build = build_copy("mcuboot-sysbuild")
    dts = build / APP / "zephyr" / "zephyr.dts"
    dts.write_text(dts.read_text().replace("slot1_partition: partition@82000", "other_partition: partition@82000"))
    assert only_plan(build).slot_size == 0x76000


def test_extra_imgtool_args_are_kept(build_copy):
    build = build_copy("mcuboot-sysbuild")
    set_config(app_config(build), MCUBOOT_EXTRA_IMGTOOL_ARGS='"--security-counter 7 --pad"')
    assert only_plan(build).extra_args == ("--security-counter", "7", "--pad")


def test_a_key_list_signs_with_its_first_entry(build_copy, tmp_path: Path, keys):
    """Zephyr main (2026): a comma-separated key list; entries after the first are public keys."""
    build = build_copy("mcuboot-sysbuild-4.1")
    set_config(app_config(build), MCUBOOT_SIGNATURE_KEY_FILE=f'"{keys["rsa-2048"]}, {tmp_path / "prod.pub.pem"}"')
    plan = only_plan(build)
    assert plan.key_file == keys["rsa-2048"] and plan.key_error() is None
    assert plan.public_key_files == (tmp_path / "prod.pub.pem",)
