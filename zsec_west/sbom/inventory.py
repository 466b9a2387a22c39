"""What went into one domain's image, from what every Zephyr build leaves behind.

No pre-build step is needed: compile_commands.json (sources, include paths, flags), ninja's
dependency log (every header each object used), the linker map (every library the linker
loaded) and, when they happen to exist, build.ninja and the CMake file API reply. Whatever is
missing is recorded, and the SBOM says so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.builddir import TFM, Domain
from zsec_west.errors import BuildDirError
from zsec_west.files.reading import read_input
from zsec_west.sbom import deps as depsmod
from zsec_west.sbom.linkmap import LinkMap, read_link_map
from zsec_west.sbom.sources import (
    CompileUnit,
    load_codemodel,
    load_compile_commands,
    ninja_compile_units,
    read_build_ninja,
)

_OBJECT = re.compile(r"\.(obj|o)$")
_GCC_VERSION_DIR = re.compile(r"/lib/gcc/[^/]+/(\d+(?:\.\d+)+)/")


@dataclass
class Inventory:
    """The recorded (absolute, possibly stale) paths of everything one image was built from."""

    domain: str
    build_dir: Path  # here, on this machine
    recorded_build_dir: str  # where the build ran
    sources: list[str] = field(default_factory=list)  # compiled source files
    headers: list[str] = field(default_factory=list)  # headers and other inputs of objects
    link_inputs: list[str] = field(default_factory=list)  # libraries from outside the build dir
    link_names: list[str] = field(default_factory=list)  # -lgcc, -lc ... (no path recorded)
    include_dirs: list[str] = field(default_factory=list)
    compiler: str | None = None
    compiler_version: str | None = None
    objects: dict[str, str] = field(default_factory=dict)  # source -> its object (build-relative)
    units: dict[str, CompileUnit] = field(default_factory=dict)  # source -> how it was compiled
    # source -> bytes it gave the image, per the linker map (absent: the map cannot tell)
    contributions: dict[str, int] = field(default_factory=dict)
    link_map: str | None = None  # the map that decided `contributions` ("zephyr.map")
    used: list[str] = field(default_factory=list)  # inputs that were read, for the document
    gaps: list[str] = field(default_factory=list)  # inputs that were missing or broken

    @property
    def has_compile_info(self) -> bool:
        return bool(self.sources)


_DRIVE = re.compile(r"^[A-Za-z]:")


def _abs(path: str, base: str) -> str:
    if path.startswith("/") or _DRIVE.match(path):
        return _normal(path)
    return _normal(f"{base.rstrip('/')}/{path}")


def _normal(path: str) -> str:
    """Collapse '.' and '..' without touching the file system (the paths may not exist here)."""
    if path.startswith("/") and "/." not in path and "//" not in path and not path.endswith("/"):
        return path  # already normal: the common case, thousands of times per build
    path = path.replace("\\", "/") if _DRIVE.match(path) else path
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    prefix = "" if re.match(r"^[A-Za-z]:", path) else "/"
    return prefix + "/".join(parts)


def recorded_build_dir(domain: Domain) -> str:
    """Where the build ran (CMAKE_CACHEFILE_DIR), which prefixes the paths it recorded."""
    try:
        value = domain.cache.value("CMAKE_CACHEFILE_DIR")
    except BuildDirError:
        value = None
    return _normal(value) if value else _normal(str(domain.build_dir.resolve()))


def _compile_units(domain: Domain, recorded: str, inv: Inventory) -> list[CompileUnit]:
    path = domain.build_dir / "compile_commands.json"
    if path.is_file():
        try:
            units = load_compile_commands(path)
            inv.used.append(f"compile_commands.json ({len(units)} entries)")
            return units
        except BuildDirError as exc:
            inv.gaps.append(str(exc))
    else:
        inv.gaps.append(f"{domain.name}: compile_commands.json not found (configure with "
                        "CMAKE_EXPORT_COMPILE_COMMANDS=ON, Zephyr's default)")
    text = read_build_ninja(domain.build_dir / "build.ninja")
    units = ninja_compile_units(text, recorded) if text else []
    if units:
        inv.used.append(f"build.ninja compile edges ({len(units)} objects)")
    return units


def _compiler_version(domain: Domain, inv: Inventory) -> str | None:
    """The C compiler's version: CMake's compiler record, else the GCC include path."""
    for candidate in sorted(domain.build_dir.glob("CMakeFiles/*/CMakeCCompiler.cmake")):
        try:
            text = read_input(candidate, "build", BuildDirError).decode("utf-8", errors="replace")
        except BuildDirError as exc:
            inv.gaps.append(str(exc))
            continue
        match = re.search(r'set\(CMAKE_C_COMPILER_VERSION "([^"]+)"\)', text)
        if match:
            return match.group(1)
    for path in [*inv.include_dirs, *inv.headers]:
        match = _GCC_VERSION_DIR.search(path + "/")
        if match:
            return match.group(1)
    return None


def collect(domain: Domain) -> Inventory:
    """Everything the build directory of `domain` says went into its image."""
    recorded = recorded_build_dir(domain)
    inv = Inventory(domain.name, domain.build_dir, recorded)
    units = _compile_units(domain, recorded, inv)
    try:
        codemodel = load_codemodel(domain.build_dir)
    except BuildDirError as exc:  # a reply file that is no regular file: said, as for compile_commands.json
        inv.gaps.append(str(exc))
        codemodel = None
    sources = [u.source for u in units]
    if codemodel is not None:
        inv.used.append(f"CMake file API codemodel ({len(codemodel.sources)} sources)")
        sources += [_normal(s) for s in codemodel.sources]
    include_dirs: list[str] = []
    include_files: list[str] = []
    compilers: Counter[str] = Counter()
    build_prefix = recorded.rstrip("/") + "/"
    for unit in units:
        inv.units.setdefault(_normal(unit.source), unit)
        if unit.output:
            output = _abs(unit.output, unit.directory or recorded)
            if output.startswith(build_prefix):
                inv.objects[_normal(unit.source)] = output[len(build_prefix):]
        include_dirs.extend(unit.include_dirs)
        include_files.extend(unit.include_files)
        if unit.compiler:
            compilers[unit.compiler] += 1

    found = depsmod.collect_deps(domain.build_dir)
    if found.source:
        inv.used.append(f"{found.source} ({len(found.deps)} targets)")
    if found.problem:
        inv.gaps.append(f"{domain.name}: header dependencies: {found.problem}"
                        + ("" if found.source else "; headers are not listed"))
    dep_files: dict[str, None] = {}
    no_database = not sources
    for target, files in found.deps.items():
        if no_database and files and _OBJECT.search(target):
            # No compile database: the compiler lists the source first in an object's deps.
            sources.append(_abs(files[0], recorded))
        for name in files:
            dep_files.setdefault(name, None)
    dep_paths = [_abs(name, recorded) for name in dep_files]

    inv.sources = list(dict.fromkeys(_normal(s) for s in sources))
    known = set(inv.sources)
    inv.headers = [f for f in dict.fromkeys([*dep_paths, *(_normal(f) for f in include_files)])
                   if f not in known]
    inv.include_dirs = list(dict.fromkeys(_normal(d) for d in include_dirs))
    if not inv.sources:
        inv.gaps.append(f"{domain.name}: no record of the compiled sources (no compile_commands."
                        "json, build.ninja or dependency log); packages come from metadata only")

    _link_inputs(domain, inv, codemodel.link_fragments if codemodel else ())
    try:
        cache_compiler = domain.cache.value("CMAKE_C_COMPILER")
    except BuildDirError:
        cache_compiler = None
    inv.compiler = compilers.most_common(1)[0][0] if compilers else cache_compiler
    inv.compiler_version = _compiler_version(domain, inv)
    return inv


def _contributions(inv: Inventory, parsed: LinkMap) -> None:
    """What each compiled source gave the image, where the map can tell."""
    if not parsed.decides:
        return
    for source, output in inv.objects.items():
        size = parsed.contribution(output)
        if size is not None:
            inv.contributions[source] = size
    if inv.contributions:
        inv.link_map = parsed.name


def _link_inputs(domain: Domain, inv: Inventory, fragments: tuple[str, ...]) -> None:
    """Libraries from outside the build directory that the linker loaded (toolchain, blobs)."""
    kernel = "zephyr"
    if domain.kind != TFM:
        try:
            kernel = domain.kernel_name
        except BuildDirError:
            pass
    inputs: list[str] | None = None
    map_path = domain.build_dir / "zephyr" / f"{kernel}.map"
    if domain.kind == TFM:
        map_path = domain.build_dir / "bin" / "tfm_s.map"
    parsed = read_link_map(map_path)
    if parsed is not None:
        inputs = parsed.loads
        inv.used.append(f"linker map {map_path.name} ({len(parsed.loads)} inputs)")
        _contributions(inv, parsed)
    else:
        text = read_build_ninja(domain.build_dir / "build.ninja")
        inputs = depsmod.ninja_link_inputs(text, f"zephyr/{kernel}.elf") if text else None
        if inputs is not None:
            inv.used.append("build.ninja link edge")
        elif fragments:
            inputs = [w for fragment in fragments for w in fragment.split()
                      if w.endswith(".a") or w.startswith("-l")]
            inv.used.append("CMake file API link fragments")
        else:
            inv.gaps.append(f"{domain.name}: no linker map ({map_path.name}) or link command; "
                            "toolchain libraries linked into the image are not listed")
            return
    build_prefix = inv.recorded_build_dir.rstrip("/") + "/"
    for item in inputs:
        if item.startswith("-l"):
            inv.link_names.append(item)
            continue
        path = _abs(item, inv.recorded_build_dir)
        # Archives built here are made of the sources already listed; keep outside inputs.
        if not path.startswith(build_prefix):
            inv.link_inputs.append(path)
    inv.link_inputs = list(dict.fromkeys(inv.link_inputs))
    inv.link_names = list(dict.fromkeys(inv.link_names))
