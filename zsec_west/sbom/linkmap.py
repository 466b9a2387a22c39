"""What the final link put into an image, from the GNU ld map file.

Compiled is not present: a file can be compiled to nothing (its feature macros are off), or
its object can stay in an archive the linker never needed, or garbage collection can drop all
of its sections. The map's memory map part lists every input section the linker placed and its
size; an object "contributes" when a section that is loaded into the image (code, read-only
data, data, bss) has a non-zero size. Debug sections, comments and attributes do not count.

The map names objects as the build recorded them: `dir/libT.a(member.c.obj)` for archive
members, `dir/CMakeFiles/T.dir/.../x.c.obj` for objects linked directly.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from zsec_west.errors import BuildDirError
from zsec_west.files.reading import MIB, exists, limit_of, open_input, os_problem

_START = "Linker script and memory map"
# No lazy group before a trailing `\s*$`: on a line with a long run of blanks that backtracks
# quadratically; the groups take the rest of the line and are stripped instead.
_LOAD = re.compile(r"^LOAD (.+)$")
# An input section: optional name, address, size, then the file that provided it.
_INPUT = re.compile(r"^ (\S+)?\s+0x[0-9A-Fa-f]+\s+0x([0-9A-Fa-f]+)\s+(\S.*)$")
_CONTINUED = re.compile(r"^ (\S+)\s*$")  # a long input section name, its numbers on the next line
_OUTPUT = re.compile(r"^([^\s*][^\s]*)")
_MEMBER = re.compile(r"^(.+?)\((.+)\)$")
# Output sections that are not loaded into the image.
_NOT_LOADED = (".debug", ".stab", ".comment", ".ARM.attributes", ".gnu.build.attributes",
               ".line", ".note.GNU-stack", ".gnu.attributes", ".riscv.attributes", ".symtab",
               ".strtab", ".shstrtab", ".xt.", "/DISCARD/", ".gnu_debuglink")
_STATEMENTS = {"LONG", "SHORT", "BYTE", "QUAD", "SQUAD", "FILL", "ASSERT"}
_TARGET_OBJECT = re.compile(r"^(?:(.*)/)?CMakeFiles/([^/]+)\.dir/(.+)$")


@dataclass
class LinkMap:
    """The inputs a link loaded, and how many loaded bytes each object gave the image."""

    name: str  # the map's file name, for messages ("zephyr.map")
    loads: list[str] = field(default_factory=list)  # LOAD lines: objects and archives
    # object as the map names it ("dir/libT.a(x.c.obj)" or "dir/x.c.obj") -> loaded bytes
    sizes: dict[str, int] = field(default_factory=dict)
    archives: set[str] = field(default_factory=set)  # archives with at least one member linked

    @property
    def decides(self) -> bool:
        """Whether the map lists placed input sections at all (else it says nothing of sizes)."""
        return bool(self.sizes)

    def contribution(self, output: str) -> int | None:
        """Loaded bytes the object a compile step wrote (`output`, relative to the build
        directory) gave the image: 0 when it was not linked or only empty; None when the map
        cannot tell (an object of no CMake target, an archive it cannot find)."""
        output = _clean(output)
        if output in self.sizes:
            return self.sizes[output]
        expected = _archive_of(output)
        if expected is None:
            return None
        known = self.archives | {_clean(load) for load in self.loads}
        archive = expected if expected in known else None
        if archive is None:
            # ARCHIVE_OUTPUT_DIRECTORY may put the archive elsewhere (app/libapp.a).
            named = [a for a in known if PurePosixPath(a).name == PurePosixPath(expected).name]
            archive = named[0] if len(named) == 1 else None
            if len(named) > 1:
                return None
        if archive is None:
            return 0  # the target's archive was never loaded: nothing of it is in the image
        return self.sizes.get(f"{archive}({PurePosixPath(output).name})", 0)


def _clean(path: str) -> str:
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts)


def _archive_of(output: str) -> str | None:
    """The archive CMake makes of target T's objects: <target dir>/libT.a."""
    match = _TARGET_OBJECT.match(output)
    if not match:
        return None
    directory, target = match.group(1), match.group(2)
    return f"{directory}/lib{target}.a" if directory else f"lib{target}.a"


def _loaded_section(name: str) -> bool:
    return not name.startswith(_NOT_LOADED)


def parse_link_map(lines: Iterable[str], name: str) -> LinkMap:
    """A map file's LOAD lines and per-object loaded sizes."""
    result = LinkMap(name)
    started = False
    loaded = True  # whether the current output section is loaded into the image
    pending = False  # a long input section name was seen; its numbers follow
    for line in lines:
        if line.startswith("LOAD "):
            match = _LOAD.match(line)
            if match and not match.group(1).startswith("linker stubs"):
                result.loads.append(match.group(1).rstrip())
            continue
        if not started:
            started = line.startswith(_START)
            continue
        if not line.startswith(" "):
            match = _OUTPUT.match(line)
            if match and not line.startswith(("OUTPUT(", "LOAD ")):
                loaded = _loaded_section(match.group(1))
            pending = False
            continue
        match = _INPUT.match(line)
        if match is None:
            pending = bool(_CONTINUED.match(line)) and not line.lstrip().startswith("*")
            continue
        section, size, source = match.group(1), int(match.group(2), 16), match.group(3).rstrip()
        if section is None and not pending:
            continue  # a symbol or a fill
        pending = False
        if section == "*fill*" or source.split()[0] in _STATEMENTS:
            continue
        _add(result, _clean(source), size if loaded else 0)
    return result


def _add(result: LinkMap, source: str, size: int) -> None:
    result.sizes[source] = result.sizes.get(source, 0) + size
    member = _MEMBER.match(source)
    if member:
        result.archives.add(member.group(1))


def read_link_map(path: Path) -> LinkMap | None:
    """The parsed map at `path`, or None when there is none. A map without a memory map part
    (an lld map has another layout) has no `sizes`: check `decides` before concluding anything
    from it. A map that is there but is not a regular file, is over the size limit for build
    files or cannot be read is a BuildDirError naming it (it would block, or fill memory)."""
    if not exists(path):
        return None
    try:
        with open_input(path, "build", BuildDirError) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit_of("build"):
                raise BuildDirError(f"is larger than {limit_of('build') // MIB} MiB, the limit "
                                    "for build files", path=path)
            text = io.TextIOWrapper(handle, encoding="utf-8", errors="replace")
            return parse_link_map(text, path.name)
    except OSError as exc:
        raise BuildDirError(os_problem(exc), path=path) from None
