"""The final devicetree of a domain (`zephyr/zephyr.dts`): chosen nodes, flash and partitions.

zephyr.dts is written by Zephyr's dtlib in a regular form (one statement per line), so a small
statement parser is enough; we do not need the whole DTS grammar or the bindings.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.errors import BuildDirError

_NODE_OPEN = re.compile(r"^(?P<labels>(?:[A-Za-z_][\w-]*:\s*)*)(?P<name>[/\w,.+@-]+)\s*\{$")
_PROP = re.compile(r"^(?P<name>[#\w,.+?-]+)\s*(?:=\s*(?P<value>.*))?;$")


@dataclass
class DtNode:
    """One node: name, labels, raw property values, children."""

    name: str
    path: str
    labels: tuple[str, ...] = ()
    props: dict[str, str] = field(default_factory=dict)
    children: list[DtNode] = field(default_factory=list)
    parent: DtNode | None = None

    def cells(self, prop: str) -> list[int]:
        """Integer cells of `prop = < ... >`, phandle references skipped."""
        raw = self.props.get(prop)
        if raw is None:
            return []
        values: list[int] = []
        for group in re.findall(r"<([^>]*)>", raw):
            for token in group.split():
                if token.startswith("&"):
                    continue
                try:
                    values.append(int(token, 0))
                except ValueError:
                    continue
        return values

    def string(self, prop: str) -> str | None:
        raw = self.props.get(prop)
        if raw is None:
            return None
        match = re.match(r'^"((?:[^"\\]|\\.)*)"', raw)
        return match.group(1) if match else None

    def strings(self, prop: str) -> list[str]:
        raw = self.props.get(prop)
        return re.findall(r'"((?:[^"\\]|\\.)*)"', raw) if raw else []

    def int(self, prop: str) -> int | None:
        cells = self.cells(prop)
        return cells[0] if cells else None

    @property
    def reg(self) -> tuple[builtins.int, builtins.int] | None:  # `int` here is the method above
        cells = self.cells("reg")
        return (cells[0], cells[1]) if len(cells) >= 2 else None


@dataclass(frozen=True)
class Partition:
    """A fixed flash partition."""

    label: str  # devicetree node label, e.g. "slot0_partition"
    name: str  # its `label` property, e.g. "image-0"
    offset: int  # offset within the flash device
    size: int
    flash_base: int  # address of the flash device the partition is on

    @property
    def address(self) -> int:
        return self.flash_base + self.offset


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
    def parse(cls, text: str, path: Path | None = None) -> Devicetree:
        root = DtNode("/", "/")
        stack: list[DtNode] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith(("/dts-v1/", "//", "/*", "*")):
                continue
            if line == "};":
                if not stack:
                    raise BuildDirError(f"line {number}: unbalanced '}}'", path=path)
                stack.pop()
                continue
            opened = _NODE_OPEN.match(line)
            if opened:
                name = opened.group("name")
                labels = tuple(line.strip().rstrip(":").strip() for line in
                               opened.group("labels").split(":") if line.strip())
                if name == "/" and not stack:
                    stack.append(root)
                    continue
                if not stack:
                    raise BuildDirError(f"line {number}: node outside the root node", path=path)
                parent = stack[-1]
                node_path = f"{parent.path.rstrip('/')}/{name}"
                node = DtNode(name, node_path, labels, parent=parent)
                parent.children.append(node)
                stack.append(node)
                continue
            prop = _PROP.match(line)
            if prop and stack:
                stack[-1].props[prop.group("name")] = (prop.group("value") or "").strip()
                continue
            raise BuildDirError(f"line {number} is not devicetree syntax: {line[:60]!r}", path=path)
        if stack:
            raise BuildDirError("truncated devicetree (unclosed node)", path=path)
        return cls(root, path)

    @classmethod
    def load(cls, path: Path) -> Devicetree:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BuildDirError(f"cannot read devicetree: {exc.strerror}", path=path) from None
        except UnicodeDecodeError:
            raise BuildDirError("not a text file", path=path) from None
        return cls.parse(text, path)

    def walk(self, node: DtNode | None = None) -> Iterator[DtNode]:
        node = node or self.root
        yield node
        for child in node.children:
            yield from self.walk(child)

    def label(self, label: str) -> DtNode | None:
        return self._by_label.get(label)

    def node(self, path: str) -> DtNode | None:
        return self._by_path.get(path)

    def chosen(self, name: str) -> DtNode | None:
        chosen = self._by_path.get("/chosen")
        if not chosen or name not in chosen.props:
            return None
        ref = chosen.props[name].strip()
        if ref.startswith("&{") and ref.endswith("}"):
            return self._by_path.get(ref[2:-1])
        if ref.startswith("&"):
            return self._by_label.get(ref[1:])
        if ref.startswith('"'):
            return self._by_path.get(ref.strip('"'))
        return None

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
        found: list[Partition] = []
        for node in self.walk():
            if "fixed-partitions" not in node.strings("compatible"):
                continue
            device = node.parent
            base = device.reg[0] if device and device.reg else 0
            for child in node.children:
                reg = child.reg
                if reg is None:
                    continue
                label = child.labels[0] if child.labels else child.name
                found.append(Partition(label, child.string("label") or label, reg[0], reg[1], base))
        return found

    def partition(self, label: str) -> Partition | None:
        for partition in self.partitions():
            if partition.label == label:
                return partition
        return None

    @property
    def code_partition(self) -> Partition | None:
        node = self.chosen("zephyr,code-partition")
        if node is None or not node.labels:
            return None
        return self.partition(node.labels[0])
