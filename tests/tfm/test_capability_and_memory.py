"""Whether a build without TF-M could use it, and the secure / non-secure memory split."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.tfm.conftest import set_cache, set_kconfig
from zsec_west.builddir import load_build
from zsec_west.builddir.devicetree import Devicetree
from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.tfm.boards import scan_boards
from zsec_west.tfm.capability import assess
from zsec_west.tfm.memory import NON_SECURE, SECURE, memory_map
from zsec_west.tfm.platforms import load_table, shipped_table
from zsec_west.tfm.workspace import resolve_workspace


def capability_of(build_dir: Path, scan=None):
    domain = load_build(build_dir).default
    return assess(domain.kconfig, domain.board, scan, shipped_table())


def secure_only_copy(build_copy) -> Path:
    """The TF-M build turned into a plain secure build of mps2/an521/cpu0 (no TF-M)."""
    build = build_copy("tfm-ns", "an521-secure")
    shutil.rmtree(build / "tfm")
    set_kconfig(build, BUILD_WITH_TFM=None, TRUSTED_EXECUTION_NONSECURE=None,
                BOARD_MPS2_AN521_CPU0_NS=None, BOARD_TARGET='"mps2/an521/cpu0"')
    set_cache(build / "CMakeCache.txt", BOARD="mps2/an521/cpu0", CACHED_BOARD="mps2/an521/cpu0")
    return build


def test_qemu_cortex_m3_cannot_use_tfm(build_copy):
    cap = capability_of(build_copy("hello"))
    assert not cap.secure_capable
    assert cap.cpu == "Cortex-M3" and cap.architecture == "Armv7-M"
    assert cap.ns_targets == ()
    assert "not in use" in cap.summary and "cannot use it" in cap.summary


def test_nrf52840_cannot_use_tfm(build_copy):
    build = load_build(build_copy("mcuboot-sysbuild"))
    app = build.domain("hello_world")
    cap = assess(app.kconfig, app.board, None, shipped_table())
    assert not cap.secure_capable and cap.cpu == "Cortex-M4"


def test_trustzone_board_without_tfm_names_the_ns_variant(build_copy):
    cap = capability_of(secure_only_copy(build_copy))
    assert cap.secure_capable
    assert "CONFIG_ARM_TRUSTZONE_M=y" in cap.evidence
    assert cap.ns_targets == ("mps2/an521/cpu0/ns",)
    assert "naming convention" in cap.ns_source
    assert cap.tfm_platform == "arm/mps2/an521"
    assert "could use it" in cap.summary and "mps2/an521/cpu0/ns" in cap.summary


def test_ns_variant_from_the_board_tree(build_copy, workspace):
    ws = resolve_workspace(explicit=None, env_base=None, west_topdir=str(workspace), cwd=workspace)
    scan = scan_boards(ws.roots, load_table(ws.zephyr_base))
    cap = capability_of(secure_only_copy(build_copy), scan)
    assert cap.ns_targets == ("mps2/an521/cpu0/ns",)
    assert cap.ns_source.startswith("board.yml of mps2")


def test_synthetic_m33_with_trustzone(build_copy):
    # hello_world's .config turned into a Cortex-M33 with TrustZone-M, TF-M not enabled.
    build = build_copy("hello")
    set_kconfig(build, CPU_CORTEX_M3=None, CPU_CORTEX_M33="y", ARM_TRUSTZONE_M="y")
    cap = capability_of(build)
    assert cap.secure_capable and cap.cpu == "Cortex-M33"
    assert cap.ns_targets == ("qemu_cortex_m3/ti_lm3s6965/ns",)
    assert cap.tfm_platform is None


def test_m33_without_security_extension_is_not_capable():
    kconfig = KconfigValues.parse("CONFIG_CPU_CORTEX_M33=y\nCONFIG_ARMV8_M_MAINLINE=y\n"
                                  'CONFIG_BOARD_TARGET="nrf5340dk/nrf5340/cpunet"\n')
    cap = assess(kconfig, None, None, shipped_table())
    assert not cap.secure_capable
    assert "does not declare the Security Extension" in cap.summary


def test_legacy_board_name_gets_the_ns_suffix():
    kconfig = KconfigValues.parse('CONFIG_CPU_CORTEX_M33=y\nCONFIG_ARM_TRUSTZONE_M=y\n'
                                  'CONFIG_BOARD="lpcxpresso55s69_cpu0"\n')
    cap = assess(kconfig, "lpcxpresso55s69_cpu0", None, shipped_table())
    assert cap.ns_targets == ("lpcxpresso55s69_cpu0_ns",)


def test_nonsecure_build_without_tfm():
    kconfig = KconfigValues.parse("CONFIG_CPU_CORTEX_M33=y\nCONFIG_ARM_TRUSTZONE_M=y\n"
                                  "CONFIG_TRUSTED_EXECUTION_NONSECURE=y\n"
                                  'CONFIG_BOARD_TARGET="nrf9160dk/nrf9160/ns"\n')
    cap = assess(kconfig, None, None, shipped_table())
    assert cap.secure_capable and cap.ns_targets == ()
    assert "CONFIG_BUILD_WITH_TFM" in cap.summary


def test_memory_without_partitions_gives_the_ns_view(tfm_build):
    memory = memory_map(load_build(tfm_build).default.devicetree)
    regions = {r.name: r for r in memory.regions}
    flash = regions["zephyr,flash (&code)"]
    assert (flash.world, flash.address, flash.size) == (NON_SECURE, 0x100000, 0x80000)
    ram = regions["zephyr,sram (&ram)"]
    assert (ram.address, ram.size) == (0x28100000, 0x80000)
    assert "flash_layout.h" in memory.note


DTS = """/dts-v1/;

/ {
	chosen {
		zephyr,flash = &flash0;
		zephyr,code-partition = &slot0_ns_partition;
	};
	soc {
		flash0: flash@0 {
			compatible = "soc-nv-flash";
			reg = < 0x0 0x100000 >;
			partitions {
				compatible = "fixed-partitions";
				#address-cells = < 0x1 >;
				#size-cells = < 0x1 >;
				boot_partition: partition@0 {
					label = "mcuboot";
					reg = < 0x0 0x10000 >;
				};
				slot0_partition: partition@10000 {
					label = "image-0";
					reg = < 0x10000 0x40000 >;
				};
				slot0_ns_partition: partition@50000 {
					label = "image-0-nonsecure";
					reg = < 0x50000 0x30000 >;
				};
				tfm_ps_partition: partition@f0000 {
					label = "tfm-ps";
					reg = < 0xf0000 0x4000 >;
				};
				custom_partition: partition@f8000 {
					label = "custom";
					reg = < 0xf8000 0x8000 >;
				};
			};
		};
	};
};
"""


def test_memory_from_partitions():
    memory = memory_map(Devicetree.parse(DTS))
    worlds = {r.name: (r.world, r.address, r.size) for r in memory.regions}
    assert worlds["slot0_partition"] == (SECURE, 0x10000, 0x40000)
    assert worlds["slot0_ns_partition"] == (NON_SECURE, 0x50000, 0x30000)
    assert worlds["boot_partition"][0] == SECURE
    assert worlds["tfm_ps_partition"][0] == SECURE
    assert worlds["custom_partition"][0] == "unknown"
    assert memory.note is None and memory.basis == "devicetree flash partitions"


def test_memory_without_devicetree():
    assert memory_map(None) is None
