"""TF-M's signing layouts: the preprocessed `signing_layout_{s,ns,s_ns}.o` the TF-M sub-build
keeps under `tfm/bl2/ext/mcuboot/CMakeFiles/`. Their `enum image_attributes` has the image sizes
and offsets TF-M's own signing used (RE_SECURE_IMAGE_OFFSET/_MAX_SIZE, RE_NON_SECURE_IMAGE_...,
RE_SIGN_BIN_SIZE, sometimes RE_IMAGE_LOAD_ADDRESS), as constant expressions of the platform's
flash_layout.h, e.g. `((0x0) + (0x80000))`. Only these expressions are evaluated, never executed.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from pathlib import Path

from zsec_west.errors import BuildDirError
from zsec_west.files.reading import read_if_present

LAYOUT_DIR = Path("bl2") / "ext" / "mcuboot" / "CMakeFiles"
KINDS = ("s", "ns", "s_ns")
_ENTRY = re.compile(r"^\s*(RE_[A-Z0-9_]+)\s*=\s*(.+?),?\s*$", re.M)
_SUFFIX = re.compile(r"(?<=[0-9a-fA-F])[uUlL]+\b")
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
        ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.BitOr: operator.or_,
        ast.BitAnd: operator.and_}


@dataclass(frozen=True)
class SigningLayout:
    kind: str  # "s", "ns" or "s_ns"
    path: Path
    values: dict[str, int]

    def get(self, name: str) -> int | None:
        return self.values.get(name)


def _evaluate(node: ast.AST) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, (ast.LShift, ast.RShift)) and not 0 <= right <= 64:
            raise ValueError("shift out of range")  # and no 1 << 10**12 exhausting memory
        return int(_OPS[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    raise ValueError("not a constant integer expression")


def constant(text: str) -> int | None:
    """The value of a C constant expression of integers (+ - * / << >> | &), else None."""
    source = _SUFFIX.sub("", text.strip()).replace("/", "//")
    if len(source) > 500:
        return None
    try:
        return _evaluate(ast.parse(source, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, RecursionError):
        return None


def parse_layout(text: str, kind: str, path: Path) -> SigningLayout:
    values = {}
    for name, expression in _ENTRY.findall(text):
        value = constant(expression)
        if value is not None:
            values[name] = value
    return SigningLayout(kind, path, values)


def load_layouts(tfm_build_dir: Path) -> list[SigningLayout]:
    """The layouts the TF-M sub-build at `tfm_build_dir` kept (none for an older or trimmed build)."""
    found = []
    for kind in KINDS:
        path = tfm_build_dir / LAYOUT_DIR / f"signing_layout_{kind}.dir" / f"signing_layout_{kind}.o"
        data = read_if_present(path, "build", BuildDirError)
        if data is None:
            continue
        layout = parse_layout(data.decode("utf-8", errors="replace"), kind, path)
        if layout.values:
            found.append(layout)
    return found
