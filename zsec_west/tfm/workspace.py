"""Which Zephyr tree and modules to scan for boards: --zephyr-base, ZEPHYR_BASE, the workspace."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zsec_west.builddir.locate import find_west_topdir
from zsec_west.builddir.model import Build
from zsec_west.errors import InputError
from zsec_west.files.reading import is_dir, is_file
from zsec_west.tfm.boards import BoardRoot, board_roots, workspace_modules


@dataclass(frozen=True)
class Workspace:
    zephyr_base: Path | None
    module_dirs: tuple[Path, ...]
    source: str  # how the Zephyr tree was found, for the report

    @property
    def roots(self) -> list[BoardRoot]:
        return board_roots(self.zephyr_base, self.module_dirs)


def _is_zephyr(path: Path) -> bool:
    return is_dir(path / "boards") and (is_file(path / "VERSION") or is_file(path / "Kconfig.zephyr"))


def resolve_workspace(*, explicit: str | None, env_base: str | None, west_topdir: str | None,
                      cwd: Path, build: Build | None = None, required: bool = True) -> Workspace | None:
    """The Zephyr tree: --zephyr-base, else the build's ZEPHYR_BASE if it exists here, else
    $ZEPHYR_BASE, else <west topdir>/zephyr (west's, or the nearest .west/ above `cwd`).

    Modules: those the build lists (zephyr_modules.txt) that exist here, else every project of
    the workspace holding a zephyr/module.yml. With `required`, no tree is an InputError.
    """
    candidates: list[tuple[str, Path]] = []
    if explicit:
        path = Path(explicit).expanduser()
        if not is_dir(path):
            raise InputError("Zephyr tree not found", path=explicit,
                             hint="--zephyr-base must name a Zephyr checkout (with boards/)")
        candidates.append(("--zephyr-base", path))
    if build is not None and build.zephyr_base is not None:
        candidates.append(("the build's ZEPHYR_BASE", build.zephyr_base))
    if env_base:
        candidates.append(("ZEPHYR_BASE", Path(env_base).expanduser()))
    topdir = Path(west_topdir) if west_topdir else find_west_topdir(cwd)
    if topdir is not None:
        candidates.append((f"west workspace {topdir}", topdir / "zephyr"))
    base = None
    source = ""
    for label, path in candidates:
        if _is_zephyr(path):
            base, source = path.resolve(), label
            break
        if label == "--zephyr-base":
            raise InputError("not a Zephyr tree (no boards/ and VERSION)", path=explicit)
    if base is None:
        if required:
            raise InputError(
                "no Zephyr tree to scan for boards",
                hint="give --zephyr-base DIR, set ZEPHYR_BASE, or run inside a west workspace")
        return None
    modules: list[Path] = []
    if build is not None:
        modules = [Path(m.path) for m in build.modules if m.path and is_dir(m.path)]
    if not modules:
        workspace_top = topdir if topdir is not None else find_west_topdir(base)
        if workspace_top is not None:
            modules = workspace_modules(workspace_top, skip=[base])
    return Workspace(base, tuple(modules), source)
