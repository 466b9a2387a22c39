"""Every command on each real build of both Zephyr versions (3.7.1 and 4.1.99): the values they
must produce, not only that they run."""

from __future__ import annotations

import pytest

from tests.conftest import BUILDS
from zsec_west.builddir import load_build
from zsec_west.check.audit import CheckOptions, run_check
from zsec_west.sign.plan import plan_build
from zsec_west.tfm.analysis import analyse
from zsec_west.tfm.memory import NON_SECURE, SECURE

PAIRS = [("3.7.1", ""), ("4.1.99", "-4.1")]


def _failures(name: str) -> dict[str, list[str]]:
    report = run_check(load_build(BUILDS[name]), CheckOptions()).report
    found: dict[str, list[str]] = {}
    for finding in report.findings:
        if finding.failed:
            found.setdefault(finding.domain, []).append(finding.rule.id)
    return {domain: sorted(ids) for domain, ids in found.items()}


@pytest.mark.parametrize("version,suffix", PAIRS)
def test_versions_are_recognised(version, suffix):
    for name in ("hello", "mcuboot-sysbuild", "tfm-ns"):
        assert load_build(BUILDS[name + suffix]).zephyr_version == version


def test_build_info_of_zephyr_4():
    hello = load_build(BUILDS["hello-4.1"])
    assert hello.default.board == "qemu_cortex_m3"  # as asked for with -b
    assert hello.default.board_target == "qemu_cortex_m3/ti_lm3s6965"  # as build_info.yml resolved it
    assert hello.west_command.endswith("west build -b qemu_cortex_m3 zephyr/samples/hello_world -d builds/hello "
                                       "-- -DCONFIG_BUILD_OUTPUT_META=y")
    sysbuild = load_build(BUILDS["mcuboot-sysbuild-4.1"])
    assert [(i.name, i.type) for i in sysbuild.build_info.images] == [("hello_world", "MAIN"),
                                                                      ("mcuboot", "BOOTLOADER")]
    assert "--sysbuild" in sysbuild.build_info.west_arguments
    assert sysbuild.domain("hello_world").build_info.zephyr_version == "4.1.99"
    assert load_build(BUILDS["hello"]).build_info.west_command is None  # 3.7.1 has no build_info.yml


def test_cmsis_6_module_beside_cmsis_5():
    modules = {m.name: m for m in load_build(BUILDS["hello-4.1"]).default.modules()}
    assert str(modules["cmsis_6"].path).endswith("modules/hal/cmsis_6")
    assert "cmsis" in modules
    assert load_build(BUILDS["hello-4.1"]).default.kconfig.enabled("ZEPHYR_CMSIS_6_MODULE")
    assert "cmsis_6" not in {m.name for m in load_build(BUILDS["hello"]).default.modules()}


@pytest.mark.parametrize("version,suffix", PAIRS)
def test_check_finds_the_same_problems_on_both_versions(version, suffix):
    assert _failures("hello" + suffix) == {"hello_world": ["ZSEC-MEM-010"]}
    sysbuild = _failures("mcuboot-sysbuild" + suffix)
    assert sysbuild["sysbuild"] == ["ZSEC-KEY-001"]  # MCUboot's RSA-2048 development key
    assert sysbuild["mcuboot"] == ["ZSEC-KEY-001", "ZSEC-MEM-016"]
    assert "ZSEC-KEY-001" in sysbuild["hello_world"]
    tfm = _failures("tfm-ns" + suffix)
    assert tfm["tfm"] == sorted(["TFM-DEV-KEY", "TFM-DEV-KEY", "TFM-DUMMY-PROVISIONING", "TFM-ISOLATION-LEVEL",
                                 "TFM-EXCEPTION-INFO-DUMP"])


@pytest.mark.parametrize("version,suffix,step", [("3.7.1", "", "west sign"), ("4.1.99", "-4.1", "imgtool")])
def test_signing_parameters_on_both_versions(build_copy, version, suffix, step):
    build = build_copy("mcuboot-sysbuild" + suffix)
    (build / "hello_world" / "zephyr" / "zephyr.bin").write_bytes(bytes(0x200) + bytes(1024))
    [plan] = plan_build(load_build(build))
    assert (plan.header_size, plan.slot_size, plan.align) == (0x200, 483328, 4)
    assert plan.signing_step == step
    assert plan.mode == ("SWAP_WITHOUT_SCRATCH" if version == "3.7.1" else "SWAP_USING_MOVE")
    assert not plan.warnings  # the 3.7.1 application's old mode name signs like its MCUboot's swap-move
    assert plan.key_file is not None and plan.key_file.name == "root-rsa-2048.pem"


@pytest.mark.parametrize("version,suffix", PAIRS)
def test_tfm_memory_split_on_both_versions(version, suffix):
    build = load_build(BUILDS["tfm-ns" + suffix])
    analysis = analyse(build, build.domain("tfm"))
    memory = analysis.memory
    regions = {(r.world, r.address, r.size) for r in memory.regions}
    assert (NON_SECURE, 0x00100000, 0x80000) in regions  # zephyr,flash: the non-secure code
    assert (NON_SECURE, 0x28100000, 0x80000) in regions  # zephyr,sram
    areas = [(a.world, a.offset, a.size) for a in memory.image_areas]
    assert areas == [(SECURE, 0x0, 0x80000), (NON_SECURE, 0x80000, 0x80000)]  # TF-M's signing layouts
