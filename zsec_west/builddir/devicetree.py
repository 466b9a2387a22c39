"""The final devicetree of a domain (`zephyr/zephyr.dts`): chosen nodes, flash and partitions.

Parsed with dtlib, the devicetree parser Zephyr itself uses (PyPI package `devicetree`), so the
whole DTS grammar is understood: the location comments Zephyr 4.x writes after every node and
property, labels, references, `/delete-node/`, values split over lines, byte strings and 64-bit
cells. A generated zephyr.dts includes nothing, so `/include/` and `/incbin/` are refused rather
than followed: a build directory from elsewhere must not make us read other files.
"""

from __future__ import annotations

import builtins
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from devicetree import dtlib

from zsec_west.errors import BuildDirError, one_line
from zsec_west.files.reading import read_input_text

FIXED_PARTITIONS = "fixed-partitions"
FIXED_SUBPARTITIONS = "fixed-subpartitions"
MAPPED_PARTITION = "zephyr,mapped-partition"  # Zephyr 4.4 and later
_NV_MEMORY = "soc-nv-flash"
_LOCATION = re.compile(r"^(?P<file>.*?):(?P<line>\d+)(?: \(column \d+\))?: (?P<what>.*)$", re.DOTALL)


class _GeneratedDts(dtlib.DT):
    """dtlib that refuses to open any file but the one it was given."""

    def _open(self, filename, mode="r", **kwargs):
        self._parse_error(f"refusing to read {filename!r}: a generated zephyr.dts has no "
                          "/include/ or /incbin/")


class DtNode:
    """One node of the devicetree: name, path, labels, children and typed property values."""

    def __init__(self, node: dtlib.Node, parent: DtNode | None):
        self._node = node
        self.parent = parent
        self.name: str = node.name
        self.path: str = node.path
        self.labels: tuple[str, ...] = tuple(node.labels)
        self.children: list[DtNode] = []
        if parent is not None:
            parent.children.append(self)

    @classmethod
    def tree(cls, root: dtlib.Node) -> DtNode:
        """The DtNode tree of dtlib's `root`, built level by level: a devicetree may nest as
        deep as dtlib parses, far deeper than one Python frame per level allows."""
        top = cls(root, None)
        stack = [(top, root)]
        while stack:
            parent, node = stack.pop()
            for child in node.nodes.values():
                stack.append((cls(child, parent), child))
        return top

    def __repr__(self) -> str:
        return f"DtNode({self.path!r})"

    def has(self, prop: str) -> bool:
        return prop in self._node.props

    def value(self, prop: str) -> bytes | None:
        """The raw bytes of a property (phandle references already resolved to numbers)."""
        found = self._node.props.get(prop)
        return None if found is None else bytes(found.value)

    def cells(self, prop: str) -> list[int]:
        """The 32-bit cells of a property; [] when it is absent or not made of whole cells."""
        raw = self.value(prop)
        if not raw or len(raw) % 4:
            return []
        return [int.from_bytes(raw[i:i + 4], "big") for i in range(0, len(raw), 4)]

    def string(self, prop: str) -> str | None:
        strings = self.strings(prop)
        return strings[0] if strings else None

    def strings(self, prop: str) -> list[str]:
        found = self._node.props.get(prop)
        if found is None or found.type not in (dtlib.Type.STRING, dtlib.Type.STRINGS):
            return []
        try:
            return list(found.to_strings())
        except dtlib.DTError:
            return []

    def cells_of(self, name: str, default: int) -> int:
        """`#address-cells`/`#size-cells` of this node, as its children's `reg` is read."""
        value = self.int(name)
        return default if value is None else value

    @property
    def regs(self) -> list[tuple[int, int]]:
        """Every (address, size) of `reg`, addresses translated to the CPU's address space through
        the parents' `ranges` (as Zephyr's DT_REG_ADDR gives them); cells as wide as the parent says."""
        cells = self.cells("reg")
        if self.parent is None or not cells:
            return []
        acells = self.parent.cells_of("#address-cells", 2)
        scells = self.parent.cells_of("#size-cells", 1)
        width = acells + scells
        if width == 0 or len(cells) % width:
            return []
        result = []
        for start in range(0, len(cells), width):
            address = _join(cells[start:start + acells])
            size = _join(cells[start + acells:start + width])
            result.append((self.parent.translate(address), size))
        return result

    @property
    def reg(self) -> tuple[int, int] | None:
        regs = self.regs
        return regs[0] if regs else None

    def translate(self, address: int) -> int:
        """An address in this node's child bus space, mapped through `ranges` up to the root.

        A node without `ranges` ends the translation (its children are not memory-mapped)."""
        node: DtNode | None = self
        while node is not None and node.parent is not None:
            raw = node.value("ranges")
            if raw is None:
                return address
            if raw:
                address = node._map_range(address)
            node = node.parent
        return address

    def _map_range(self, address: int) -> int:
        assert self.parent is not None
        child_cells = self.cells_of("#address-cells", 2)
        parent_cells = self.parent.cells_of("#address-cells", 2)
        size_cells = self.cells_of("#size-cells", 1)
        cells = self.cells("ranges")
        width = child_cells + parent_cells + size_cells
        for start in range(0, len(cells) - width + 1, width if width else 1):
            child = _join(cells[start:start + child_cells])
            parent = _join(cells[start + child_cells:start + child_cells + parent_cells])
            size = _join(cells[start + child_cells + parent_cells:start + width])
            if child <= address < child + size:
                return parent + (address - child)
        return address

    def compatible(self, value: str) -> bool:
        return value in self.strings("compatible")

    def int(self, prop: str) -> builtins.int | None:  # last: `int` below this names the method
        cells = self.cells(prop)
        return cells[0] if cells else None

    def target(self, prop: str) -> dtlib.Node | None:
        """The node a path-valued property (`&label`, `&{/path}` or "/path") names."""
        found = self._node.props.get(prop)
        if found is None:
            return None
        try:
            return found.to_path()
        except dtlib.DTError:
            return None


def _join(cells: list[int]) -> int:
    value = 0
    for cell in cells:
        value = (value << 32) | cell
    return value


@dataclass(frozen=True)
class Partition:
    """A flash partition."""

    label: str  # devicetree node label, e.g. "slot0_partition"
    name: str  # its `label` property, e.g. "image-0"
    offset: int  # offset within the flash device
    size: int
    flash_base: int  # address of the flash device the partition is on
    labels: tuple[str, ...] = ()  # every label of the node (`label` is the first)

    @property
    def address(self) -> int:
        return self.flash_base + self.offset


def _error(exc: dtlib.DTError, path: Path | None, shown: str | None) -> BuildDirError:
    """dtlib's `file:line (column c): message` as our one-line error naming the real file."""
    text = " ".join(str(exc).split())
    match = _LOCATION.match(text)
    if match and (shown is None or match.group("file") == shown):
        text = f"line {match.group('line')}: {match.group('what')}"
    elif shown:
        text = text.replace(shown, str(path) if path else "devicetree")
    return BuildDirError(f"not a devicetree dtlib can read: {text}", path=path)


class Devicetree:
    """Lookups a security review needs from zephyr.dts."""

    def __init__(self, root: DtNode, path: Path | None = None):
        self.root = root
        self.path = path
        self._by_label: dict[str, DtNode] = {}
        self._by_path: dict[str, DtNode] = {}
        for node in self.walk():
            self._by_path[node.path] = node
            for label in node.labels:
                self._by_label[label] = node

    @classmethod
    def _from_file(cls, filename: str, path: Path | None) -> Devicetree:  # a private temporary file
        try:
            tree = _GeneratedDts(filename)
        except dtlib.DTError as exc:
            raise _error(exc, path, filename) from None
        except RecursionError:
            raise BuildDirError("devicetree nested too deeply", path=path) from None
        except ValueError as exc:  # a number beyond Python's digit limit for int()
            problem = one_line(str(exc)).split(";")[0]  # not Python's advice on raising the limit
            raise BuildDirError(f"not a devicetree dtlib can read: {problem}", path=path) from None
        return cls(DtNode.tree(tree.root), path)

    @classmethod
    def parse(cls, text: str, path: Path | None = None) -> Devicetree:
        """Parse DTS text (dtlib reads files, so it goes through a private temporary file)."""
        handle, name = tempfile.mkstemp(prefix="zsec-", suffix=".dts")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            return cls._from_file(name, path)
        finally:
            os.unlink(name)

    @classmethod
    def load(cls, path: Path) -> Devicetree:
        """Read through the input layer (a regular file, size-capped: never a FIFO dtlib would block
        on), then parse the text."""
        return cls.parse(read_input_text(path, "build", BuildDirError), path)

    def walk(self, node: DtNode | None = None) -> Iterator[DtNode]:
        stack = [node or self.root]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(current.children))

    def label(self, label: str) -> DtNode | None:
        return self._by_label.get(label)

    def node(self, path: str) -> DtNode | None:
        return self._by_path.get(path)

    def chosen(self, name: str) -> DtNode | None:
        chosen = self._by_path.get("/chosen")
        target = chosen.target(name) if chosen else None
        return self._by_path.get(target.path) if target is not None else None

    @property
    def flash(self) -> DtNode | None:
        return self.chosen("zephyr,flash")

    @property
    def write_block_size(self) -> int | None:
        flash = self.flash
        return flash.int("write-block-size") if flash else None

    @property
    def erase_block_size(self) -> int | None:
        flash = self.flash
        return flash.int("erase-block-size") if flash else None

    @property
    def sram(self) -> tuple[int, int] | None:
        node = self.chosen("zephyr,sram")
        return node.reg if node else None

    def partitions(self) -> list[Partition]:
        """Fixed partitions (with their fixed subpartitions) and Zephyr 4.4's mapped partitions."""
        found: list[Partition] = []
        for node in self.walk():
            if node.compatible(FIXED_PARTITIONS):
                device = node.parent
                base = device.reg[0] if device is not None and device.reg else 0
                found += _fixed(node.children, base)
            elif node.compatible(MAPPED_PARTITION):
                found += _mapped(node)
        return found

    def partition(self, label: str) -> Partition | None:
        for partition in self.partitions():
            if partition.label == label or label in partition.labels:
                return partition
        return None

    @property
    def code_partition(self) -> Partition | None:
        node = self.chosen("zephyr,code-partition")
        if node is None or not node.labels:
            return None
        return self.partition(node.labels[0])


def _partition(node: DtNode, offset: int, size: int, base: int) -> Partition:
    label = node.labels[0] if node.labels else node.name
    return Partition(label, node.string("label") or label, offset, size, base, node.labels)


def _fixed(nodes: list[DtNode], base: int) -> list[Partition]:
    """Fixed partitions (offsets within the device) and their subpartitions within them, in
    document order, without one frame per level (they may nest as deep as dtlib parses).

    Offsets are read from the raw cells: partitions are not memory-mapped buses."""
    found: list[Partition] = []
    stack = [(node, 0) for node in reversed(nodes)]
    while stack:
        node, outer = stack.pop()
        cells = node.cells("reg")
        parent = node.parent
        if parent is None or not cells:
            continue
        acells = parent.cells_of("#address-cells", 2)
        scells = parent.cells_of("#size-cells", 1)
        if len(cells) < acells + scells:
            continue
        offset = outer + _join(cells[:acells])
        found.append(_partition(node, offset, _join(cells[acells:acells + scells]), base))
        if node.compatible(FIXED_SUBPARTITIONS):
            stack.extend((child, offset) for child in reversed(node.children))
    return found


def _mapped(node: DtNode) -> list[Partition]:
    """A `zephyr,mapped-partition`: its address is translated through `ranges`; its offset is from
    the non-volatile memory node (soc-nv-flash) it lies in, as DT_MAPPED_PARTITION_OFFSET says."""
    reg = node.reg
    if reg is None:
        return []
    memory = node.parent
    while memory is not None and not memory.compatible(_NV_MEMORY):
        memory = memory.parent
    base = memory.reg[0] if memory is not None and memory.reg else 0
    return [_partition(node, reg[0] - base, reg[1], base)]
