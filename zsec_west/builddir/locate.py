"""Finding the build directory the way `west build` does."""

from __future__ import annotations

import os
import re
from pathlib import Path

from zsec_west.builddir.cmakecache import CMakeCache
from zsec_west.errors import BuildDirError

DEFAULT_BUILD_DIR = "build"


def is_zephyr_build(path: Path) -> bool:
    """A Zephyr image build (its cache has ZEPHYR_TOOLCHAIN_VARIANT) or a sysbuild top level."""
    cache = path / "CMakeCache.txt"
    try:
        text = cache.read_text(encoding="utf-8", errors="replace")
    except OSError:
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
        if not path.exists():
            raise BuildDirError("build directory does not exist", path=explicit)
        if not path.is_dir():
            raise BuildDirError("not a directory", path=explicit)
        cache_path = path / "CMakeCache.txt"
        if not cache_path.is_file():
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
        if candidate.is_dir() and is_zephyr_build(candidate):
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
