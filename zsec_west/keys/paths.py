"""Key files named by a build's configuration: their file names, and where they are here.

A build records key paths as they were on the machine that built it, which may be Windows;
a relative path is relative to the west workspace (mcuboot.cmake and TF-M's Kconfig say so),
or to MCUboot's own directory for MCUboot's setting.
"""

from __future__ import annotations

from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath


def file_name(path_text: str) -> str:
    """The last component of a recorded path, Windows or POSIX ('C:\\keys\\a.pem' -> 'a.pem')."""
    pure: PurePath = PureWindowsPath(path_text) if "\\" in path_text else PurePosixPath(path_text)
    return pure.name


def resolve_key_path(text: str, root: Path | None) -> Path | None:
    """The file a key setting names (variables already expanded): absolute paths (after `~`)
    as they are, relative ones under `root`; None when relative and `root` is not known."""
    path = Path(text).expanduser()
    if path.is_absolute():
        return path
    return root / path if root is not None else None
