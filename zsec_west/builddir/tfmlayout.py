"""TF-M's signing layouts: the slot geometry its BL2 image signing used.

TF-M preprocesses `bl2/ext/mcuboot/signing_layout_{s,ns,s_ns}.c` with the platform's flash
layout into `tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_<x>.dir/signing_layout_<x>.o`: plain
text despite the name, an enum whose `RE_*` members are C integer expressions. TF-M's signing
wrapper reads RE_SIGN_BIN_SIZE (the slot size), RE_IMAGE_LOAD_ADDRESS and RE_IMAGE_ROM_FIXED
from it; the offsets and maximum sizes say where the image goes.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.errors import BuildDirError

LAYOUT_DIR = Path("bl2/ext/mcuboot/CMakeFiles")
# role -> (directory, file name) in the sub-build, as Zephyr's TF-M CMakeLists names them.
LAYOUT_FILES = {
    "S": ("signing_layout_s.dir", "signing_layout_s.o"),
    "NS": ("signing_layout_ns.dir", "signing_layout_ns.o"),
    "S_NS": ("signing_layout_s.dir", "signing_layout_s_ns.o"),
}
_MEMBER = re.compile(r"^\s*(RE_[A-Z0-9_]+)\s*=\s*(.+?)\s*,?\s*$")
_SUFFIX = re.compile(r"(?<=[0-9a-fA-F])[uUlL]+\b")
_OPERATORS: dict[type, Callable[[int, int], int]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod, ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_, ast.BitXor: operator.xor,
}


def evaluate(expression: str) -> int:
    """The value of a preprocessed C integer constant expression (literals, + - * / % << >> | & ^,
    unary minus and ~, parentheses, integer casts); ValueError for anything else."""
    text = re.sub(r"\(\s*(?:unsigned|signed|int|long|uint32_t|uint64_t|int32_t|\s)+\)", "", expression)
    text = _SUFFIX.sub("", text).replace("/", "//")
    text = re.sub(r"\b0+(\d)", r"\1", text)  # leading zeros (C octal aside) would be a syntax error
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValueError(f"not an integer expression: {expression}") from None
    return _value(tree.body, expression)


def _value(node: ast.expr, source: str) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_value(node.left, source), _value(node.right, source))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)):
        operand = _value(node.operand, source)
        return -operand if isinstance(node.op, ast.USub) else ~operand if isinstance(node.op, ast.Invert) else operand
    raise ValueError(f"not an integer expression: {source}")


@dataclass(frozen=True)
class SigningLayout:
    """One signing layout file: its RE_* members by name (values that could not be evaluated are
    left out and listed in `unreadable`)."""

    path: Path
    values: dict[str, int] = field(default_factory=dict)
    unreadable: tuple[str, ...] = ()

    @property
    def sign_bin_size(self) -> int | None:
        """The slot size TF-M's signing used (RE_SIGN_BIN_SIZE)."""
        return self.values.get("RE_SIGN_BIN_SIZE")

    @property
    def load_address(self) -> int | None:
        return self.values.get("RE_IMAGE_LOAD_ADDRESS")

    @property
    def rom_fixed(self) -> int | None:
        return self.values.get("RE_IMAGE_ROM_FIXED")


def parse_layout(text: str, path: Path) -> SigningLayout:
    values: dict[str, int] = {}
    unreadable: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        match = _MEMBER.match(line)
        if not match:
            continue
        name, expression = match.groups()
        try:
            values[name] = evaluate(expression)
        except (ValueError, ZeroDivisionError):
            unreadable.append(name)
    return SigningLayout(path, values, tuple(unreadable))


def load_layout(subbuild_dir: Path, role: str) -> SigningLayout | None:
    """The signing layout of `role` ("S", "NS" or "S_NS") in a TF-M sub-build; None when the file
    does not exist, BuildDirError when it cannot be read."""
    directory, name = LAYOUT_FILES[role]
    path = subbuild_dir / LAYOUT_DIR / directory / name
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise BuildDirError(f"cannot read the TF-M signing layout: {exc.strerror}", path=path) from None
    return parse_layout(text, path)
