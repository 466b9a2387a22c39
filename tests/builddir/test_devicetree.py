import pytest

from tests.conftest import BUILDS
from zsec_west.builddir.devicetree import Devicetree
from zsec_west.errors import BuildDirError


def test_nrf52840_partitions_and_flash():
    dt = Devicetree.load(BUILDS["mcuboot-sysbuild"] / "hello_world" / "zephyr" / "zephyr.dts")
    parts = {p.label: p for p in dt.partitions()}
    assert set(parts) == {"boot_partition", "slot0_partition", "slot1_partition", "storage_partition"}
    assert (parts["slot0_partition"].offset, parts["slot0_partition"].size) == (0xC000, 0x76000)
    assert parts["slot1_partition"].name == "image-1"
    assert dt.write_block_size == 4 and dt.erase_block_size == 0x1000
    assert dt.code_partition.label == "slot0_partition"
    assert dt.sram == (0x20000000, 0x40000)
    mcuboot = Devicetree.load(BUILDS["mcuboot-sysbuild"] / "mcuboot" / "zephyr" / "zephyr.dts")
    assert mcuboot.code_partition.label == "boot_partition"


def test_tfm_ns_chosen_regions():
    dt = Devicetree.load(BUILDS["tfm-ns"] / "zephyr" / "zephyr.dts")
    assert dt.flash.reg == (0x100000, 0x80000)
    assert dt.sram == (0x28100000, 0x80000)
    assert dt.partitions() == []


def test_partition_address_adds_flash_base():
    dt = Devicetree.parse("""/dts-v1/;
/ {
	chosen {
		zephyr,flash = &flash0;
	};
	flash0: flash@8000000 {
		reg = < 0x8000000 0x100000 >;
		write-block-size = < 0x10 >;
		partitions {
			compatible = "fixed-partitions";
			slot0_partition: partition@20000 {
				label = "image-0";
				reg = < 0x20000 0x60000 >;
			};
		};
	};
};
""")
    part = dt.partition("slot0_partition")
    assert part.address == 0x8020000 and part.size == 0x60000
    assert dt.write_block_size == 16


@pytest.mark.parametrize("text,needle", [
    ("/ {\n\tnode {\n", "truncated"),
    ("/ {\n};\n};\n", "unbalanced"),
    ("/ {\n\t%%% nonsense\n};\n", "line 2"),
])
def test_broken_devicetree(text, needle):
    with pytest.raises(BuildDirError, match=needle):
        Devicetree.parse(text)
