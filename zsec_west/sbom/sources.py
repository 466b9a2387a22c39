"""What a build compiled: compile_commands.json, else the compile edges of build.ninja, plus
the CMake file API codemodel when a reply happens to exist.

Paths are kept as the build recorded them (absolute, possibly from another machine);
mapping them to packages and to readable local files is packages.py's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from zsec_west.errors import BuildDirError
from zsec_west.files.reading import exists, load_json_file, loads_json, read_if_present, read_input

_QUOTED_PIECE = re.compile(r"""'([^']*)'|"((?:[^"\\]|\\.)*)"|\\(.)|([^\s'"\\]+)|(\s+)""", re.S)
_ESCAPE_IN_DQ = re.compile(r"\\([\\\"$`\n])")
# Include directories: -I with the directory attached or following; the others following only.
_SEPARATE_DIR_FLAGS = ("-isystem", "-iquote", "-idirafter")
_INCLUDE_FILE_FLAGS = ("-include", "-imacros")


def split_command(command: str) -> list[str]:
    """POSIX shell words of a compile command; fast path when nothing is quoted."""
    if not any(ch in command for ch in "'\"\\"):
        return command.split()
    words: list[str] = []
    current: list[str] = []
    started = False
    for single, double, escaped, plain, space in _QUOTED_PIECE.findall(command):
        if space:
            if started:
                words.append("".join(current))
                current, started = [], False
            continue
        started = True
        if plain:
            current.append(plain)
        elif escaped:
            current.append(escaped)
        elif double:
            current.append(_ESCAPE_IN_DQ.sub(r"\1", double))
        else:
            current.append(single)
    if started:
        words.append("".join(current))
    return words


@dataclass(frozen=True)
class CompileUnit:
    """One compiled source file, as the build recorded it."""

    source: str  # absolute path as recorded
    directory: str  # the compiler's working directory as recorded
    output: str | None = None  # the object file (relative to `directory` as a rule)
    compiler: str | None = None
    include_dirs: tuple[str, ...] = ()
    include_files: tuple[str, ...] = ()  # -include / -imacros files (autoconf.h ...)
    defines: tuple[str, ...] = ()  # -D flags as given ("NAME=value" or "NAME")


_WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]")


def _absolute(path: str, directory: str) -> str:
    if path.startswith("/") or _WINDOWS_ABSOLUTE.match(path):
        return path
    return str(Path(directory) / path) if directory else path


def _unit(source: str, directory: str, argv: list[str]) -> CompileUnit:
    output = None
    dirs: list[str] = []
    files: list[str] = []
    defines: list[str] = []
    index, count = 1, len(argv)
    while index < count:  # a few dozen flags per source, thousands of sources per build
        arg = argv[index]
        index += 1
        head = arg[:2]
        if head == "-D":
            if len(arg) > 2:
                defines.append(arg[2:])
            elif index < count:
                defines.append(argv[index])
                index += 1
        elif head == "-I":
            if len(arg) > 2:
                dirs.append(_absolute(arg[2:], directory))
            elif index < count:
                dirs.append(_absolute(argv[index], directory))
                index += 1
        elif index >= count:
            continue
        elif arg == "-o":
            output = argv[index]
            index += 1
        elif arg in _SEPARATE_DIR_FLAGS:
            dirs.append(_absolute(argv[index], directory))
            index += 1
        elif arg in _INCLUDE_FILE_FLAGS:
            files.append(_absolute(argv[index], directory))
            index += 1
    return CompileUnit(_absolute(source, directory), directory, output,
                       argv[0] if argv else None, tuple(dict.fromkeys(dirs)), tuple(files),
                       tuple(defines))


def load_compile_commands(path: Path) -> list[CompileUnit]:
    """Every entry of compile_commands.json; raises BuildDirError naming the file if broken."""
    data = load_json_file(path, "build", BuildDirError)
    if not isinstance(data, list):
        raise BuildDirError("not a compilation database (expected a JSON list)", path=path)
    units: list[CompileUnit] = []
    for number, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise BuildDirError(f"entry {number} has no 'file'", path=path)
        raw_directory = entry.get("directory")
        directory = raw_directory if isinstance(raw_directory, str) else ""
        if isinstance(entry.get("arguments"), list):
            argv = [str(a) for a in entry["arguments"]]
        elif isinstance(entry.get("command"), str):
            argv = split_command(entry["command"])
        else:
            argv = []
        unit = _unit(entry["file"], directory, argv)
        if isinstance(entry.get("output"), str):
            unit = replace(unit, output=entry["output"])
        units.append(unit)
    return units


# --- build.ninja ---------------------------------------------------------------------------

_NINJA_ESCAPE = re.compile(r"\$([ :$\n])")
_COMPILE_EDGE = re.compile(
    r"^build ((?:[^:$\n]|\$.)+?): ((?:C|CXX|ASM)_COMPILER__\S*) ((?:[^ $\n|]|\$.)+)", re.M)


def ninja_unescape(text: str) -> str:
    return _NINJA_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)


def read_build_ninja(path: Path) -> str | None:
    """The text of build.ninja; None when there is none. One that is there but is not a
    regular file or is beyond the limit for build files is a BuildDirError naming it."""
    if not exists(path):
        return None
    return read_input(path, "build", BuildDirError).decode("utf-8", errors="replace")


def ninja_compile_units(text: str, directory: str) -> list[CompileUnit]:
    """Compile edges of a CMake-generated build.ninja: object -> source (no flags)."""
    units = []
    for match in _COMPILE_EDGE.finditer(text):
        output = ninja_unescape(match.group(1)).split(" | ")[0].strip()
        source = ninja_unescape(match.group(3))
        units.append(CompileUnit(_absolute(source, directory), directory, output))
    return units


# --- CMake file API --------------------------------------------------------------------------

@dataclass(frozen=True)
class CodeModel:
    """What a CMake file API codemodel-v2 reply says about sources and link inputs."""

    sources: tuple[str, ...]
    link_fragments: tuple[str, ...]  # command fragments of executables' link steps
    source_dir: str


def _reply_json(path: Path) -> Any:
    """A file of the file API reply as JSON; None when it is absent or not JSON (the reply is
    optional). One that is there but is no regular file within the limit is a BuildDirError."""
    data = read_if_present(path, "build", BuildDirError)
    try:
        return loads_json(data, path, BuildDirError) if data is not None else None
    except BuildDirError:
        return None


def load_codemodel(build_dir: Path) -> CodeModel | None:
    """The newest codemodel-v2 reply under .cmake/api/v1/reply, or None (it is optional)."""
    reply = build_dir / ".cmake" / "api" / "v1" / "reply"
    try:
        indexes = sorted(reply.glob("index-*.json"))
        if not indexes:
            return None
        index = _reply_json(indexes[-1])
        codemodel_file = next(
            (r.get("jsonFile") for r in index.get("objects", [])
             if r.get("kind") == "codemodel" and r.get("jsonFile")), None)
        if not codemodel_file:
            return None
        codemodel = _reply_json(reply / codemodel_file)
        source_dir = codemodel.get("paths", {}).get("source", "")
        sources: list[str] = []
        fragments: list[str] = []
        configurations = codemodel.get("configurations") or [{}]
        for target_ref in configurations[0].get("targets", []):
            target_file = target_ref.get("jsonFile")
            if not target_file:
                continue
            target = _reply_json(reply / target_file)
            compiled = {i for group in target.get("compileGroups", [])
                        for i in group.get("sourceIndexes", [])}
            for number, source in enumerate(target.get("sources", [])):
                if number in compiled and isinstance(source.get("path"), str):
                    sources.append(_absolute(source["path"], source_dir))
            if target.get("type") == "EXECUTABLE":
                for fragment in (target.get("link") or {}).get("commandFragments", []):
                    if isinstance(fragment.get("fragment"), str):
                        fragments.append(fragment["fragment"])
    except (AttributeError, TypeError):  # not the shape of a codemodel-v2 reply
        return None
    return CodeModel(tuple(dict.fromkeys(sources)), tuple(fragments), source_dir)
