"""Finding the build directory the way `west build` does."""

from __future__ import annotations

import os
import re
from pathlib import Path

from zsec_west.builddir.cmakecache import CMakeCache
from zsec_west.errors import BuildDirError
from zsec_west.files.reading import exists, file_problem, is_dir, read_input

DEFAULT_BUILD_DIR = "build"


def is_zephyr_build(path: Path) -> bool:
    """A Zephyr image build (its cache has ZEPHYR_TOOLCHAIN_VARIANT) or a sysbuild top level."""
    try:
        text = read_input(path / "CMakeCache.txt", "build", BuildDirError).decode("utf-8", errors="replace")
    except BuildDirError:  # not a regular file, or beyond the limit: not a build to find
        return False
    if "ZEPHYR_TOOLCHAIN_VARIANT:" in text:
        return True
    # The sysbuild top level records no toolchain; it is recognised by its domains.yaml.
    return (path / "domains.yaml").is_file() and "ZEPHYR_BASE:" in text


def _resolve_fmt(fmt: str, cwd: Path) -> Path | None:
    """Expand build.dir-fmt; unknown placeholders descend while exactly one subdirectory exists."""
    fmt = fmt.replace("{source_dir}", ".").replace("{app}", cwd.name)
    parts = Path(fmt).parts
    current = Path()
    for part in parts:
        if re.search(r"\{[^}]*\}", part):
            base = cwd / current
            try:
                subdirs = [p for p in base.iterdir() if p.is_dir()]
            except OSError:
                return None
            if len(subdirs) != 1:
                return None
            current = current / subdirs[0].name
        else:
            current = current / part
    return cwd / current


def find_build_dir(explicit: str | None, dir_fmt: str | None = None,
                   cwd: Path | None = None) -> Path:
    """-d wins; else build.dir-fmt, else ./build, else the current directory if it is a build."""
    cwd = cwd or Path(os.getcwd())
    if explicit:
        path = Path(explicit).expanduser()
        path = path if path.is_absolute() else cwd / path
        if not is_dir(path):
            # The name may be one the OS cannot look up (too long, a NUL byte): say so, not "missing".
            problem = file_problem(path)
            if problem == "file not found":
                problem = "build directory does not exist"
            elif problem is None or exists(path):
                problem = "not a directory"
            raise BuildDirError(problem, path=explicit)
        cache_path = path / "CMakeCache.txt"
        if not os.path.lexists(cache_path):
            raise BuildDirError("not a build directory (no CMakeCache.txt)", path=explicit)
        # Parse it fully so that a garbled cache is reported as such, with its line.
        CMakeCache.load(cache_path)
        if not is_zephyr_build(path):
            raise BuildDirError(
                "not a Zephyr build: CMakeCache.txt has no ZEPHYR_TOOLCHAIN_VARIANT (truncated, or "
                "not configured by Zephyr) and there is no sysbuild domains.yaml", path=explicit)
        return path.resolve()
    candidates: list[Path] = []
    if dir_fmt:
        resolved = _resolve_fmt(dir_fmt, cwd)
        if resolved:
            candidates.append(resolved)
    candidates.append(cwd / DEFAULT_BUILD_DIR)
    candidates.append(cwd)
    for candidate in candidates:
        if is_dir(candidate) and is_zephyr_build(candidate):
            return candidate.resolve()
    raise BuildDirError(
        "no Zephyr build directory found", path=cwd,
        hint="give one with -d BUILD_DIR, or run where ./build is a Zephyr build")


def find_west_topdir(*starts: Path | None) -> Path | None:
    """The nearest directory holding `.west/` at or above any of `starts`, as west finds its
    workspace (relative key paths and module directories start there)."""
    for start in starts:
        if start is None:
            continue
        for directory in [start, *start.parents]:
            if (directory / ".west").is_dir():
                return directory
    return None
