"""The headers each object used and the files the linker loaded.

Headers: ninja keeps the compiler's dependency output in `.ninja_deps` (the `.d` files are
deleted once read, `deps = gcc`). We read that log directly (its format is small and stable,
versions 3 and 4), fall back to `ninja -t deps` for a log version we do not know, and to `.d`
files left in the build tree when there is no log at all.

Link inputs: the `LOAD` lines of the GNU ld map file name every file the linker loaded
(toolchain libraries such as libgcc.a and libc_nano.a included); without a map file, the
link edge of the final executable in build.ninja.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.errors import BuildDirError
from zsec_west.files.reading import read_if_present, read_input
from zsec_west.sbom.linkmap import read_link_map
from zsec_west.sbom.sources import ninja_unescape, split_command

_SIGNATURE = b"# ninjadeps\n"
_KNOWN_VERSIONS = (3, 4)
_NINJA_TIMEOUT = 60


@dataclass
class DepsResult:
    """object (as recorded by ninja, often build-relative) -> the files it was built from."""

    deps: dict[str, list[str]] = field(default_factory=dict)
    source: str | None = None  # ".ninja_deps", "ninja -t deps", ".d files"
    problem: str | None = None  # why nothing (or only part) could be read


class UnknownDepsLog(Exception):
    """A .ninja_deps this reader does not understand (another version, damaged)."""


_U32, _I32 = struct.Struct("<I"), struct.Struct("<i")


def parse_ninja_deps(data: bytes) -> dict[str, list[str]]:
    """The dependency records of a .ninja_deps log; later records replace earlier ones."""
    if not data.startswith(_SIGNATURE) or len(data) < len(_SIGNATURE) + 4:
        raise UnknownDepsLog("not a ninja deps log")
    (version,) = struct.unpack_from("<i", data, len(_SIGNATURE))
    if version not in _KNOWN_VERSIONS:
        raise UnknownDepsLog(f"deps log version {version}")
    mtime_size = 8 if version >= 4 else 4
    offset = len(_SIGNATURE) + 4
    nodes: list[str] = []
    records: dict[int, tuple[int, ...]] = {}
    end = len(data)
    u32, i32 = _U32.unpack_from, _I32.unpack_from  # tens of thousands of records per build
    while offset + 4 <= end:
        (size,) = u32(data, offset)
        is_deps = size >> 31
        size &= 0x7FFFFFFF
        offset += 4
        if offset + size > end or size % 4:
            break  # a torn last record (ninja was interrupted); ninja ignores it too
        if is_deps:
            count = (size - 4 - mtime_size) // 4
            if count < 0:
                break
            (out_id,) = i32(data, offset)
            records[out_id] = struct.unpack_from(f"<{count}i", data, offset + 4 + mtime_size)
        else:
            (checksum,) = u32(data, offset + size - 4)
            if checksum != (~len(nodes)) & 0xFFFFFFFF:
                break  # ids out of step: the rest cannot be trusted
            nodes.append(data[offset:offset + size - 4].rstrip(b"\0").decode(
                "utf-8", "surrogateescape"))
        offset += size
    result: dict[str, list[str]] = {}
    for out_id, ids in records.items():
        if 0 <= out_id < len(nodes):
            result[nodes[out_id]] = [nodes[i] for i in ids if 0 <= i < len(nodes)]
    return result


def encode_ninja_deps(records: dict[str, list[str]], version: int = 4) -> bytes:
    """A .ninja_deps log holding `records` (the inverse of parse_ninja_deps; for tests and the
    benchmark, which need a log without running a build)."""
    out = bytearray(_SIGNATURE + struct.pack("<i", version))
    ids: dict[str, int] = {}

    def node(name: str) -> int:
        if name not in ids:
            raw = name.encode("utf-8")
            raw += b"\0" * (-len(raw) % 4)
            out.extend(struct.pack("<I", len(raw) + 4) + raw)
            out.extend(struct.pack("<I", (~len(ids)) & 0xFFFFFFFF))
            ids[name] = len(ids)
        return ids[name]

    for target, inputs in records.items():
        numbers = [node(target)] + [node(name) for name in inputs]
        mtime = struct.pack("<q", 1) if version >= 4 else struct.pack("<i", 1)
        body = struct.pack("<i", numbers[0]) + mtime + struct.pack(f"<{len(inputs)}i", *numbers[1:])
        out.extend(struct.pack("<I", len(body) | 0x80000000) + body)
    return bytes(out)


def ninja_tool_deps(build_dir: Path) -> dict[str, list[str]] | None:
    """`ninja -t deps` output parsed; None when ninja is not installed or fails."""
    ninja = shutil.which("ninja")
    if not ninja:
        return None
    try:
        result = subprocess.run([ninja, "-C", str(build_dir), "-t", "deps"], capture_output=True,
                                text=True, timeout=_NINJA_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    deps: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in result.stdout.splitlines():
        if not line.strip():
            current = None
        elif line.startswith((" ", "\t")):
            if current is not None:
                current.append(line.strip())
        else:
            target = line.split(": #deps", 1)[0].strip()
            current = deps.setdefault(target, [])
    return deps


_DEPFILE_SPLIT = re.compile(r"(?<!\\)\s+")


def parse_depfile(text: str) -> dict[str, list[str]]:
    """A Makefile-syntax dependency file (`target: dep dep \\` continuation lines)."""
    result: dict[str, list[str]] = {}
    joined = text.replace("\\\r\n", " ").replace("\\\n", " ")
    for line in joined.splitlines():
        if ":" not in line or line.lstrip().startswith("#"):
            continue
        match = re.match(r"^((?:[^:\\]|\\.|:(?!\s))+):(?:\s|$)(.*)$", line)
        if not match:
            continue
        targets = [t.replace("\\ ", " ") for t in _DEPFILE_SPLIT.split(match.group(1).strip()) if t]
        deps = [d.replace("\\ ", " ").replace("$$", "$")
                for d in _DEPFILE_SPLIT.split(match.group(2).strip()) if d]
        for target in targets:
            result.setdefault(target, []).extend(deps)
    return result


def read_depfiles(build_dir: Path, limit: int = 20000) -> tuple[dict[str, list[str]], list[str]]:
    """Every `.d` file under the build directory (bounded, in case of a huge tree), and why the
    ones that are no readable file (a FIFO, /dev/zero, a huge file) were left out."""
    result: dict[str, list[str]] = {}
    unread: list[str] = []
    seen = 0
    for root, dirs, files in os.walk(build_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.endswith(".d"):
                continue
            seen += 1
            if seen > limit:
                return result, unread
            try:
                text = read_input(Path(root) / name, "build", BuildDirError).decode("utf-8", errors="replace")
            except BuildDirError as exc:
                unread.append(str(exc))
                continue
            for target, deps in parse_depfile(text).items():
                result.setdefault(target, []).extend(deps)
    return result, unread


def collect_deps(build_dir: Path) -> DepsResult:
    """The best dependency information the build directory offers."""
    log = build_dir / ".ninja_deps"
    problem = None
    try:
        data = read_if_present(log, "build", BuildDirError)
    except BuildDirError as exc:  # no log ninja could read either: the .d files are next
        data, problem = None, f"{log.name}: {exc.message}"
    if data is not None:
        try:
            return DepsResult(parse_ninja_deps(data), ".ninja_deps")
        except UnknownDepsLog as exc:
            problem = f"{log.name}: {exc}"
        tool = ninja_tool_deps(build_dir)
        if tool is not None:
            return DepsResult(tool, "ninja -t deps", problem)
    depfiles, unread = read_depfiles(build_dir)
    if unread:
        more = f" (and {len(unread) - 1} more)" if len(unread) > 1 else ""
        problem = "; ".join(filter(None, (problem, f"a .d file was left out: {unread[0]}{more}")))
    if depfiles:
        return DepsResult(depfiles, ".d files", problem)
    return DepsResult({}, None, problem or "no .ninja_deps and no .d files")


# --- link inputs -----------------------------------------------------------------------------

def map_file_inputs(path: Path) -> list[str] | None:
    """Files a GNU ld map file says were loaded; None when there is no readable map."""
    parsed = read_link_map(path)
    return None if parsed is None else parsed.loads


_LINK_EDGE = re.compile(r"^build ((?:[^:$\n]|\$.)+?): (C|CXX)_EXECUTABLE_LINKER__(\S+) ([^\n]*)\n"
                        r"((?:[ \t]+[^\n]*\n)*)", re.M)


def ninja_link_inputs(text: str, executable: str = "zephyr/zephyr.elf") -> list[str] | None:
    """Inputs of the link edge that produces `executable` (objects, archives, -l libraries)."""
    for match in _LINK_EDGE.finditer(text):
        outputs = ninja_unescape(match.group(1)).split(" | ")
        if not any(o.strip().endswith(executable) for o in outputs):
            continue
        explicit = ninja_unescape(match.group(4)).split(" | ")[0].split(" || ")[0]
        inputs = [p for p in explicit.split() if p]
        for line in match.group(5).splitlines():
            key, _, value = line.strip().partition(" = ")
            if key == "LINK_LIBRARIES":
                inputs += [w for w in split_command(ninja_unescape(value))
                           if w.endswith(".a") or w.startswith("-l")]
        return inputs
    return None
