"""The Zephyr 4.x build-directory files: build_info.yml, TF-M signing layouts, MCUboot modes,
and domain directories that prefer the directory the user named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BUILDS
from zsec_west.builddir import load_build
from zsec_west.builddir.buildinfo import load_build_info
from zsec_west.builddir.domains import load_domains
from zsec_west.builddir.mcubootmode import application_mode, bootloader_mode, sysbuild_mode
from zsec_west.builddir.tfmlayout import constant, load_layouts
from zsec_west.errors import BuildDirError


def test_build_info_fields():
    info = load_build_info(BUILDS["mcuboot-sysbuild-4.1"] / "hello_world")
    assert info.board == "nrf52840dk/nrf52840" and info.board_revision is None
    assert info.application_dir == "/home/dev/zephyrproject/zephyr/samples/hello_world"
    assert info.kconfig_user_files == ("/home/dev/zephyrproject/zephyr/samples/hello_world/prj.conf",)
    assert info.toolchain == "gnuarmemb" and info.west_command is None  # west: only at the top
    top = load_build_info(BUILDS["mcuboot-sysbuild-4.1"])
    assert top.sysbuild and top.west_topdir == "/home/dev/zephyrproject" and top.west_version == "1.5.0"


def test_build_info_with_revision_and_damaged(tmp_path: Path):
    (tmp_path / "build_info.yml").write_text("cmake:\n  board:\n    name: 'b'\n    revision: '1.2.0'\n"
                                             "    qualifiers: 'soc/cpu'\n")
    assert load_build_info(tmp_path).board == "b@1.2.0/soc/cpu"
    (tmp_path / "build_info.yml").write_text("cmake: [unclosed\n")
    with pytest.raises(BuildDirError, match="build_info.yml.*not valid YAML"):
        load_build_info(tmp_path)
    (tmp_path / "build_info.yml").write_text("- a list\n")
    with pytest.raises(BuildDirError, match="expected a mapping"):
        load_build_info(tmp_path)
    assert load_build_info(tmp_path / "nowhere").board is None


@pytest.mark.parametrize("text,value", [("(0x0)", 0), ("((0x0) + (0x80000))", 0x80000), ("(0x10000UL * 2)", 0x20000),
                                        ("(1 << 12) | 0x3", 0x1003), ("-(4)", -4)])
def test_layout_constants(text, value):
    assert constant(text) == value


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "FLASH_BASE + 1", "1 ** 99999999", "1 << 99999999999",
                                  "(" * 400 + "1" + ")" * 400, "'text'", "1/0"])
def test_layout_expressions_are_evaluated_never_executed(text):
    assert constant(text) is None


def test_signing_layouts_of_both_tfm_builds():
    for name in ("tfm-ns", "tfm-ns-4.1"):
        layouts = {layout.kind: layout for layout in load_layouts(BUILDS[name] / "tfm")}
        assert set(layouts) == {"s", "ns"}
        assert layouts["ns"].get("RE_NON_SECURE_IMAGE_OFFSET") == 0x80000
        assert layouts["s"].get("RE_SIGN_BIN_SIZE") == 0x80000


def test_mcuboot_modes_of_each_side():
    build = load_build(BUILDS["mcuboot-sysbuild-4.1"])
    assert sysbuild_mode(build.sysbuild.kconfig).setting == "SB_CONFIG_MCUBOOT_MODE_SWAP_USING_MOVE"
    assert application_mode(build.domain("hello_world").kconfig).name == "SWAP_USING_MOVE"
    assert bootloader_mode(build.domain("mcuboot").kconfig).setting == "CONFIG_BOOT_SWAP_USING_MOVE"
    old = load_build(BUILDS["mcuboot-sysbuild"])
    assert sysbuild_mode(old.sysbuild.kconfig) is None  # 3.7.1 has no sysbuild choice
    app = application_mode(old.domain("hello_world").kconfig)
    assert app.name == "SWAP_WITHOUT_SCRATCH" and app.canonical == "SWAP_USING_MOVE"


def test_named_directory_wins_over_the_recorded_one(build_copy, tmp_path: Path):
    original = build_copy("mcuboot-sysbuild-4.1", "original")
    copy = build_copy("mcuboot-sysbuild-4.1", "copy")
    domains = copy / "domains.yaml"
    domains.write_text(domains.read_text().replace("/home/dev/zephyrproject/builds/mcuboot-sysbuild", str(original)))
    entries = {e.name: e for e in load_domains(domains).entries}
    assert entries["hello_world"].build_dir == copy / "hello_world" and not entries["hello_world"].outside
    assert load_build(copy).notes == []
    # Only when the copy lacks the domain is the recorded path used, and then it is said.
    import shutil
    shutil.rmtree(copy / "mcuboot")
    build = load_build(copy)
    assert build.domain("mcuboot").build_dir == original / "mcuboot"
    assert build.notes == [f"domain 'mcuboot' is read from {original / 'mcuboot'} (the build_dir domains.yaml "
                           f"records), outside the build directory {copy}, because {copy / 'mcuboot'} is not a "
                           "build directory"]
