from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import BUILDS, DATA, ROOT
from zsec_west.builddir.devicetree import Devicetree
from zsec_west.errors import BuildDirError

BUILDS_41 = DATA / "builds-4.1"
EVERY_DTS = sorted([*DATA.rglob("zephyr.dts"), *(ROOT / "examples").rglob("zephyr.dts")])


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


def test_zephyr_41_dts_with_location_comments():
    """4.x writes `/* in file:line */` after every property; the values are the same as 3.7.1's."""
    path = BUILDS_41 / "mcuboot-sysbuild" / "hello_world" / "zephyr" / "zephyr.dts"
    assert "/* in zephyr/" in path.read_text(encoding="utf-8")
    dt = Devicetree.load(path)
    parts = {p.label: (p.offset, p.size, p.name) for p in dt.partitions()}
    assert parts == {"boot_partition": (0, 0xC000, "mcuboot"),
                     "slot0_partition": (0xC000, 0x76000, "image-0"),
                     "slot1_partition": (0x82000, 0x76000, "image-1"),
                     "storage_partition": (0xF8000, 0x8000, "storage")}
    assert dt.write_block_size == 4 and dt.erase_block_size == 0x1000
    assert dt.code_partition.label == "slot0_partition"
    assert dt.sram == (0x20000000, 0x40000)
    assert dt.chosen("zephyr,console").labels == ("uart0",)
    mcuboot = Devicetree.load(BUILDS_41 / "mcuboot-sysbuild" / "mcuboot" / "zephyr" / "zephyr.dts")
    assert mcuboot.code_partition.label == "boot_partition"


@pytest.mark.parametrize("path", EVERY_DTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_fixture_dts_parses(path):
    dt = Devicetree.load(path)
    assert dt.flash is not None and dt.flash.reg is not None
    assert dt.sram is not None


def test_tfm_ns_chosen_regions():
    for base in (BUILDS["tfm-ns"], BUILDS_41 / "tfm-ns"):
        dt = Devicetree.load(base / "zephyr" / "zephyr.dts")
        assert dt.flash.reg == (0x100000, 0x80000)
        assert dt.sram == (0x28100000, 0x80000)
        assert dt.partitions() == []


def test_partition_address_adds_flash_base():
    dt = Devicetree.parse("""/dts-v1/;
/ {
	#address-cells = < 1 >;
	#size-cells = < 1 >;
	chosen {
		zephyr,flash = &flash0;
	};
	flash0: flash@8000000 {
		reg = < 0x8000000 0x100000 >;
		write-block-size = < 0x10 >;
		partitions {
			compatible = "fixed-partitions";
			#address-cells = < 1 >;
			#size-cells = < 1 >;
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


def test_64_bit_cells_and_ranges():
    dt = Devicetree.parse("""/dts-v1/;
/ {
	#address-cells = <2>; #size-cells = <2>;
	chosen { zephyr,sram = &ram; zephyr,flash = "/soc/flash@10000000"; };
	ram: memory@100000000 { reg = <0x1 0x0 0x0 0x80000000>; };
	soc {
		#address-cells = <1>; #size-cells = <1>;
		ranges = <0x0 0x0 0x80000000 0x40000000>;
		flash@10000000 {
			reg = <0x10000000 0x100000>;
			partitions {
				compatible = "fixed-partitions";
				#address-cells = <2>; #size-cells = <2>;
				big: partition@0 { reg = <0x0 0x0 0x0 0x20000>; };
			};
		};
	};
};
""")
    assert dt.sram == (0x100000000, 0x80000000)
    assert dt.flash.reg == (0x90000000, 0x100000)  # translated through the soc's ranges
    assert dt.partition("big").address == 0x90000000 and dt.partition("big").size == 0x20000


def test_fixed_subpartitions():
    dt = Devicetree.parse("""/dts-v1/;
/ {
	#address-cells = <1>; #size-cells = <1>;
	flash0: flash@0 {
		reg = <0x0 0x100000>;
		partitions {
			compatible = "fixed-partitions";
			#address-cells = <1>; #size-cells = <1>;
			slot0_partition: partition@10000 {
				compatible = "fixed-subpartitions";
				label = "image-0";
				reg = <0x00010000 0x70000>;
				ranges = <0x0 0x10000 0x70000>;
				#address-cells = <1>; #size-cells = <1>;
				slot0_s_partition: partition@0 { label = "image-0-secure"; reg = <0x0 0x40000>; };
				slot0_ns_partition: partition@40000 { label = "image-0-nonsecure"; reg = <0x40000 0x30000>; };
			};
		};
	};
};
""")
    parts = {p.label: (p.offset, p.size) for p in dt.partitions()}
    assert parts == {"slot0_partition": (0x10000, 0x70000), "slot0_s_partition": (0x10000, 0x40000),
                     "slot0_ns_partition": (0x50000, 0x30000)}


def test_mapped_partitions_of_zephyr_4_4():
    """`zephyr,mapped-partition` (Zephyr 4.4): addresses through `ranges`, offsets from the memory."""
    dt = Devicetree.parse("""/dts-v1/;
/ {
	#address-cells = <1>; #size-cells = <1>;
	soc {
		#address-cells = <1>; #size-cells = <1>; ranges;
		flash-controller@4001e000 {
			reg = <0x4001e000 0x1000>;
			ranges;
			#address-cells = <1>; #size-cells = <1>;
			flash0: flash@8000000 {
				compatible = "soc-nv-flash";
				reg = <0x8000000 0x100000>;
				ranges = <0x0 0x8000000 0x100000>;
				#address-cells = <1>; #size-cells = <1>;
				boot_partition: partition@0 { compatible = "zephyr,mapped-partition"; reg = <0x0 0x10000>; };
				slot0_partition: partition@10000 {
					compatible = "zephyr,mapped-partition";
					label = "image-0";
					reg = <0x10000 0x70000>;
				};
			};
		};
	};
};
""")
    slot0 = dt.partition("slot0_partition")
    assert (slot0.offset, slot0.size, slot0.address, slot0.name) == (0x10000, 0x70000, 0x8010000, "image-0")
    assert dt.partition("boot_partition").address == 0x8000000


@pytest.mark.parametrize("text,needle", [
    ("/dts-v1/;\n/ {\n\tnode {\n", "line 4"),
    ("/dts-v1/;\n/ {\n};\n};\n", "line 4"),
    ("/dts-v1/;\n/ {\n\t%%% nonsense\n};\n", "line 3"),
    ("/ {\n};\n", "/dts-v1/"),
    ("/dts-v1/;\n/ { chosen { zephyr,flash = &nowhere; }; };\n", "undefined node label 'nowhere'"),
])
def test_broken_devicetree(text, needle):
    with pytest.raises(BuildDirError, match=needle):
        Devicetree.parse(text)


@pytest.mark.parametrize("statement", ['/include/ "{target}"', 'x = /incbin/("{target}");'])
def test_includes_are_refused_not_followed(tmp_path, statement):
    secret = tmp_path / "secret.dtsi"
    secret.write_text("/ { leaked = <1>; };\n", encoding="utf-8")
    line = statement.format(target=secret)
    text = f"/dts-v1/;\n{line}\n/ {{ }};\n" if line.startswith("/include/") else f"/dts-v1/;\n/ {{ {line} }};\n"
    dts = tmp_path / "zephyr.dts"
    dts.write_text(text, encoding="utf-8")
    with pytest.raises(BuildDirError, match="line 2: .*refusing to read") as raised:
        Devicetree.load(dts)
    assert str(dts) in str(raised.value)


def test_unreadable_binary_and_special_files(tmp_path):
    with pytest.raises(BuildDirError, match="missing.dts"):
        Devicetree.load(tmp_path / "missing.dts")
    binary = tmp_path / "zephyr.dts"
    binary.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(BuildDirError, match="not a UTF-8 text file"):
        Devicetree.load(binary)
    fifo = tmp_path / "fifo.dts"
    os.mkfifo(fifo)
    with pytest.raises(BuildDirError, match="fifo.dts"):  # refused, not waited on
        Devicetree.load(fifo)


# --- A generated corpus of zephyr.dts variations -------------------------------------------------
# Each example is a flash layout (the truth) written out as DTS in one of many legal spellings:
# comments anywhere, 4.x location comments, labels, phandle references, overrides through `&label`,
# /delete-node/, values split over lines, byte strings, 64-bit cells and nested partitions.


@dataclass(frozen=True)
class _Part:
    label: str
    name: str
    offset: int
    size: int
    subparts: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class _Layout:
    flash_base: int
    write_block: int
    part_cells: int  # #address-cells = #size-cells in the partitions node (1 or 2)
    parts: tuple[_Part, ...]
    sram: tuple[int, int]


@st.composite
def _layouts(draw) -> _Layout:
    count = draw(st.integers(1, 5))
    sizes = draw(st.lists(st.integers(1, 64).map(lambda n: n * 0x1000), min_size=count, max_size=count))
    gaps = draw(st.lists(st.integers(0, 4).map(lambda n: n * 0x1000), min_size=count, max_size=count))
    parts, offset = [], 0
    for index, (size, gap) in enumerate(zip(sizes, gaps, strict=True)):
        offset += gap
        label = "slot0_partition" if index == 0 else f"p{index}_partition"
        subparts: tuple[tuple[int, int], ...] = ()
        if size >= 0x2000 and draw(st.booleans()):
            half = (size // 0x2000) * 0x1000
            subparts = ((0, half), (half, size - half))
        parts.append(_Part(label, f"image-{index}", offset, size, subparts))
        offset += size
    return _Layout(draw(st.sampled_from([0, 0x8000000, 0x10000000])), draw(st.sampled_from([1, 4, 8, 16])),
                   draw(st.sampled_from([1, 2])), tuple(parts),
                   (draw(st.sampled_from([0x20000000, 0x100000000])), draw(st.integers(1, 256)) * 0x400))


class _Writer:
    """Writes one statement per call, decorated as `draw` decides."""

    def __init__(self, draw):
        self.draw = draw
        self.lines: list[str] = []

    def flip(self) -> bool:
        return self.draw(st.booleans())

    def comment(self) -> str:
        return self.draw(st.sampled_from(["/* c */", "/* node '/x' defined in zephyr/dts/a.dtsi:3 */",
                                          "/* multi\n   line */", "// line comment\n"]))

    def statement(self, text: str) -> None:
        if self.flip():
            self.lines.append(self.comment())
        tail = self.draw(st.sampled_from(["", " /* in zephyr/dts/vendor/x.dtsi:12 */", " // trailing"]))
        self.lines.append(text + tail)

    def cells(self, values: list[int], width: int = 1) -> str:
        words: list[str] = []
        for value in values:
            parts = [(value >> (32 * shift)) & 0xFFFFFFFF for shift in reversed(range(width))]
            words += [self.draw(st.sampled_from([hex(p), str(p)])) for p in parts]
        glue = self.draw(st.sampled_from([" ", "\n\t\t", " /* mid */ "]))
        return "< " + glue.join(words) + " >"


def _write(draw, layout: _Layout) -> str:
    w = _Writer(draw)
    w.lines.append("/dts-v1/;")
    w.statement("/ {")
    w.statement("#address-cells = < 2 >;")
    w.statement("#size-cells = < 2 >;")
    w.statement('model = "generated",\n\t"board";')
    w.statement("chosen {")
    w.statement("zephyr,flash = &flash0;")
    w.statement("zephyr,code-partition = " + draw(st.sampled_from(["&slot0_partition", "&alias_label"])) + ";")
    w.statement(draw(st.sampled_from(["zephyr,sram = &sram0;", f'zephyr,sram = "/memory@{layout.sram[0]:x}";',
                                      f"zephyr,sram = &{{/memory@{layout.sram[0]:x}}};"])))
    w.statement("};")
    w.statement(f"sram0: memory@{layout.sram[0]:x} {{")
    w.statement(f"reg = {w.cells(list(layout.sram), 2)};")
    w.statement("mac = [de ad be ef];" if w.flip() else "mac = [deadbeef];")
    w.statement("};")
    w.statement("soc {")
    w.statement("#address-cells = < 1 >;")
    w.statement("#size-cells = < 1 >;")
    w.statement("ranges;")
    w.statement("flash-controller@4001e000 {")
    w.statement("#address-cells = < 1 >;")
    w.statement("#size-cells = < 1 >;")
    w.statement(f"{'extra_flash: ' if w.flip() else ''}flash0: flash@{layout.flash_base:x} {{")
    w.statement(f"reg = {w.cells([layout.flash_base, 0x200000])};")
    w.statement(f"write-block-size = {w.cells([layout.write_block])};")
    w.statement("stamp = /bits/ 64 < 0x123456789abcdef0 >;")
    w.statement("};")
    w.statement("};")
    w.statement("};")
    w.statement("};")
    # The partitions come through a reference, as in a board's .dts, with a doomed extra node.
    w.statement("&flash0 {")
    w.statement("partitions {")
    w.statement('compatible = "fixed-partitions";')
    cells = layout.part_cells
    w.statement(f"#address-cells = < {cells} >;")
    w.statement(f"#size-cells = < {cells} >;")
    for index, part in enumerate(layout.parts):
        extra = "alias_label: " if index == 0 else ""
        w.statement(f"{part.label}: {extra}partition@{part.offset:x} {{")
        w.statement(f'label = "{part.name}";')
        w.statement(f"reg = {w.cells([part.offset, part.size], cells)};")
        if part.subparts:
            w.statement('compatible = "fixed-subpartitions";')
            w.statement(f"#address-cells = < {cells} >;")
            w.statement(f"#size-cells = < {cells} >;")
            for sub_index, (sub_offset, sub_size) in enumerate(part.subparts):
                w.statement(f"{part.label}_{sub_index}: partition@{sub_offset:x} {{")
                w.statement(f"reg = {w.cells([sub_offset, sub_size], cells)};")
                w.statement("};")
        w.statement("};")
    w.statement("doomed: partition@fffff000 {")
    w.statement(f"reg = {w.cells([0xFFFFF000, 0x1000], cells)};")
    w.statement("};")
    w.statement("};")
    w.statement("};")
    partitions = f"/soc/flash-controller@4001e000/flash@{layout.flash_base:x}/partitions"
    w.statement("/delete-node/ &doomed;" if w.flip()
                else "&{" + partitions + "} { /delete-node/ partition@fffff000; };")
    return "\n".join(w.lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_corpus(data):
    layout = data.draw(_layouts())
    text = _write(data.draw, layout)
    dt = Devicetree.parse(text)
    expected = []
    for part in layout.parts:
        expected.append((part.label, part.name, part.offset, part.size, layout.flash_base))
        for index, (offset, size) in enumerate(part.subparts):
            label = f"{part.label}_{index}"
            expected.append((label, label, part.offset + offset, size, layout.flash_base))
    assert [(p.label, p.name, p.offset, p.size, p.flash_base) for p in dt.partitions()] == expected, text
    assert dt.write_block_size == layout.write_block
    assert dt.code_partition.label == "slot0_partition"
    assert dt.partition("alias_label") == dt.partition("slot0_partition")
    assert dt.sram == layout.sram
    assert dt.flash.int("stamp") == 0x12345678 and dt.flash.cells("stamp") == [0x12345678, 0x9ABCDEF0]
