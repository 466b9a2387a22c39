"""Malformed variants of a file: what a careless or hostile build directory, key or feed holds.

`variants(path)` names the mutations that fit a file (by its format, guessed from its name) and
`apply(mutation, original, target)` puts the variant at `target`. Content mutations are
deterministic (seeded by the mutation name), so a failing case is the same on every run.

Content: empty, truncated, garbage, invalid UTF-8, NUL bytes, a huge line, a long run of
whitespace (a classic of backtracking regular expressions), huge integers; per format: deep
nesting (JSON, YAML, devicetree), wrong types (JSON, YAML), YAML aliases and tags.
The file itself: a FIFO, a symlink to /dev/zero, a symlink loop, a directory, missing, and a
sparse file larger than every size limit.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

MIB = 1 << 20
HUGE_DIGITS = 5000  # beyond Python's 4,300-digit int/str conversion limit
DEEP = 50_000  # nesting levels: far beyond any recursion limit
# Sparse files: no disk, and above the size limits of files/reading.py (image 1 GiB, build
# 512 MiB; feeds 4 GiB). A reader that ignores the limit still gets through 1.5 GiB in seconds.
SPARSE_SIZE = 1536 * MIB
SPARSE_FEED_SIZE = 5 * 1024 * MIB
# Images: a reader that streams through one without a limit (hashing it, say) must take longer
# than any time limit on any machine, or the outcome would depend on the machine's speed.
SPARSE_IMAGE_SIZE = 64 * 1024 * MIB

SPECIAL = ("fifo", "dev-zero", "symlink-loop", "directory", "missing", "sparse-huge")
CONTENT = ("empty", "truncated", "garbage", "invalid-utf8", "nul-bytes", "huge-line", "whitespace-run",
           "huge-int")
BY_FORMAT = {
    "json": ("deep-nesting", "wrong-types", "scalars-null", "top-level-list"),
    "yaml": ("deep-nesting", "wrong-types", "scalars-null", "top-level-list", "alias-bomb", "python-tag",
             "fullwidth-digits"),
    "dts": ("deep-nesting", "huge-cells"),
    "text": ("fullwidth-digits",),
}


def file_format(path: str | Path) -> str:
    name = Path(path).name
    if name.endswith(".json") or name.endswith(".json.gz"):
        return "json"
    if name.endswith((".yaml", ".yml")) or name == "zephyr.meta":
        return "yaml"
    if name.endswith(".dts"):
        return "dts"
    if name.endswith(".bin"):
        return "binary"
    if name.endswith(".pem"):
        return "pem"
    return "text"


def variants(path: str | Path) -> tuple[str, ...]:
    fmt = file_format(path)
    content = CONTENT
    if fmt in ("binary",):
        content = ("empty", "truncated", "garbage")
    return SPECIAL + content + BY_FORMAT.get(fmt, ())


# -- applying a mutation -------------------------------------------------------------------------

def apply(mutation: str, original: bytes, target: Path, *, sparse_size: int | None = None) -> None:
    """Put the `mutation` variant of `original` at `target` (which must not exist)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if mutation == "sparse-huge":
        _sparse(target, sparse_size or SPARSE_SIZE)
        return
    special = _SPECIAL_MAKERS.get(mutation)
    if special is not None:
        special(target)
        return
    target.write_bytes(mutate(mutation, original, target.name))


def _fifo(target: Path) -> None:
    os.mkfifo(target)


def _dev_zero(target: Path) -> None:
    target.symlink_to("/dev/zero")


def _loop(target: Path) -> None:
    target.symlink_to(target.name)


def _directory(target: Path) -> None:
    target.mkdir()
    (target / "inside").write_text("a directory where a file belongs\n")


def _missing(target: Path) -> None:
    pass


def _sparse(target: Path, size: int = SPARSE_SIZE) -> None:
    with open(target, "wb") as handle:
        handle.truncate(size)


_SPECIAL_MAKERS: dict[str, Callable[[Path], None]] = {
    "fifo": _fifo, "dev-zero": _dev_zero, "symlink-loop": _loop, "directory": _directory,
    "missing": _missing, "sparse-huge": _sparse,
}


def mutate(mutation: str, data: bytes, name: str = "") -> bytes:
    """The bytes of a content mutation of `data`."""
    rng = random.Random(f"{mutation}:{name}:{len(data)}")
    return content_maker(mutation, file_format(name))(data, rng)


def _cut(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return data[:0]
    return data[: max(1, len(data) // 2 + rng.randrange(-7, 8))]


def _garbage(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(max(64, min(len(data), 4096)))


def _positions(data: bytes, rng: random.Random, count: int) -> list[int]:
    return sorted(rng.randrange(len(data) + 1) for _ in range(count))


def _insert(data: bytes, rng: random.Random, pieces: list[bytes]) -> bytes:
    out, last = [], 0
    for pos, piece in zip(_positions(data, rng, len(pieces)), pieces, strict=True):
        out += [data[last:pos], piece]
        last = pos
    return b"".join([*out, data[last:]])


def _invalid_utf8(data: bytes, rng: random.Random) -> bytes:
    # A lone continuation byte, an overlong encoding, an encoded surrogate, a truncated sequence.
    pieces = [b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xff\xfe", b"\xe2\x82"] * 4
    return _insert(data, rng, pieces)


def _nul_bytes(data: bytes, rng: random.Random) -> bytes:
    return _insert(data, rng, [b"\x00"] * 16)


def _huge_line(data: bytes, rng: random.Random) -> bytes:
    lines = data.splitlines(keepends=True) or [b""]
    index = rng.randrange(len(lines))
    line = lines[index].rstrip(b"\r\n")
    lines[index] = line + b"A" * (8 * MIB) + b"\n"
    return b"".join(lines)


def _whitespace_run(data: bytes, rng: random.Random) -> bytes:
    lines = data.splitlines(keepends=True) or [b""]
    index = rng.randrange(len(lines))
    head = lines[index].rstrip(b"\r\n")
    split = len(head) // 2
    lines[index] = head[:split] + b" \t" * (MIB // 2) + head[split:] + b"x\n"
    return b"".join(lines)


_NUMBER = re.compile(rb"(?<![\w.])(0x[0-9a-fA-F]+|\d+)(?![\w.])")


def _huge_int(data: bytes, rng: random.Random) -> bytes:
    digits = b"9" * HUGE_DIGITS
    replaced, count = _NUMBER.subn(lambda m: b"0x" + b"f" * HUGE_DIGITS if m.group(1).startswith(b"0x")
                                   else digits, data, count=200)
    return replaced if count else data + b"\n" + digits + b"\n"


def _deep(data: bytes, rng: random.Random) -> bytes:
    return b"[" * DEEP + b"]" * DEEP + b"\n"


def _deep_yaml(data: bytes, rng: random.Random) -> bytes:
    return b"key: " + b"[" * DEEP + b"]" * DEEP + b"\n"


def _deep_dts(data: bytes, rng: random.Random) -> bytes:
    opening = b"".join(b"n%d {\n" % i for i in range(DEEP // 10))
    return b"/dts-v1/;\n\n/ {\n" + opening + b"};\n" * (DEEP // 10) + b"};\n"


_REG = re.compile(rb"reg = <(.*?)>;")


def _huge_cells(data: bytes, rng: random.Random) -> bytes:
    """Every reg at the top of the 32-bit space: a 4 GiB slot, an address near the end."""
    return _REG.sub(lambda m: b"reg = <" + b" ".join([b"0xfff00000"] * len(m.group(1).split())) + b">;",
                    data)


def _load_structured(data: bytes) -> tuple[str, Any] | None:
    text = data.decode("utf-8", "replace")
    try:
        return "json", json.loads(text)
    except ValueError:
        pass
    try:
        return "yaml", yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _dump(kind: str, value: Any) -> bytes:
    if kind == "json":
        return json.dumps(value).encode()
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=False).encode()


def _transform(value: Any, leaf: Callable[[Any], Any], container: Callable[[Any], Any] | None = None) -> Any:
    if isinstance(value, dict):
        result: Any = {k: _transform(v, leaf, container) for k, v in value.items()}
    elif isinstance(value, list):
        result = [_transform(v, leaf, container) for v in value]
    else:
        return leaf(value)
    return container(result) if container else result


def _swap(value: Any) -> Any:
    """Each scalar becomes a value of another type: str -> list, int -> str, bool -> dict ..."""
    if isinstance(value, bool):
        return {"unexpected": value}
    if isinstance(value, (int, float)):
        return f"not a number: {value}"
    if isinstance(value, str):
        return [value, 12345]
    return 3.25


def _wrong_types(data: bytes, rng: random.Random) -> bytes:
    loaded = _load_structured(data)
    if loaded is None:
        return b"- just\n- a list\n"
    kind, value = loaded
    # Containers turn into scalars one level down, scalars into containers.
    swapped = _transform(value, _swap, lambda c: "a string instead" if rng.random() < 0.2 else c)
    return _dump(kind, swapped)


def _scalars_null(data: bytes, rng: random.Random) -> bytes:
    loaded = _load_structured(data)
    if loaded is None:
        return b"null\n"
    kind, value = loaded
    return _dump(kind, _transform(value, lambda _v: None))


def _top_level_list(data: bytes, rng: random.Random) -> bytes:
    loaded = _load_structured(data)
    kind, value = loaded if loaded is not None else ("yaml", data.decode("utf-8", "replace"))
    return _dump(kind, [value, value])


def _fullwidth_digits(data: bytes, rng: random.Random) -> bytes:
    """Every ASCII digit as its fullwidth form (U+FF10..): int() reads them, no tool writes them."""
    text = data.decode("utf-8", "surrogateescape")
    return text.translate({ord("0") + i: 0xFF10 + i for i in range(10)}).encode("utf-8", "surrogateescape")


def _alias_bomb(data: bytes, rng: random.Random) -> bytes:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return data + b"\n" + "\n".join(lines).encode() + b"\n"


def _python_tag(data: bytes, rng: random.Random) -> bytes:
    return (b"evil: !!python/object/apply:os.system ['echo pwned > /tmp/zsec-hostile-pwned']\n"
            b"other: !!binary aGVsbG8=\n" + data)


_CONTENT_MAKERS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "empty": lambda data, rng: b"",
    "truncated": _cut,
    "garbage": _garbage,
    "invalid-utf8": _invalid_utf8,
    "nul-bytes": _nul_bytes,
    "huge-line": _huge_line,
    "whitespace-run": _whitespace_run,
    "huge-int": _huge_int,
    "deep-nesting": _deep,
    "wrong-types": _wrong_types,
    "scalars-null": _scalars_null,
    "top-level-list": _top_level_list,
    "alias-bomb": _alias_bomb,
    "python-tag": _python_tag,
    "huge-cells": _huge_cells,
    "fullwidth-digits": _fullwidth_digits,
}


def content_maker(mutation: str, fmt: str) -> Callable[[bytes, random.Random], bytes]:
    if mutation == "deep-nesting" and fmt == "yaml":
        return _deep_yaml
    if mutation == "deep-nesting" and fmt == "dts":
        return _deep_dts
    return _CONTENT_MAKERS[mutation]
