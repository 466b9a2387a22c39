"""`build_info.yml` (Zephyr 4.x, schema `scripts/schemas/build-schema.yml`): what CMake and west
recorded about a build, in every image directory and at the sysbuild root.

The image level has `cmake.{application, board, devicetree, kconfig, toolchain, zephyr}`; the
sysbuild root has `cmake.{application, board, kconfig, images, sysbuild}`; only the top level has
`west` (the `west build` command line and the workspace). Every scalar is a quoted string. Zephyr
3.x builds have no such file; every field is then None.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zsec_west.builddir.domains import read_yaml
from zsec_west.errors import BuildDirError

FILE_NAME = "build_info.yml"


@dataclass(frozen=True)
class BuildImage:
    """One image the sysbuild root lists: `type` is MAIN, BOOTLOADER, FIRMWARE_LOADER, ..."""

    name: str
    source_dir: str | None
    type: str | None


@dataclass(frozen=True)
class BuildInfo:
    path: Path | None = None
    schema_version: str | None = None
    board_name: str | None = None
    board_qualifiers: str | None = None
    board_revision: str | None = None
    application_dir: str | None = None
    application_config_dir: str | None = None
    zephyr_version: str | None = None
    zephyr_base: str | None = None
    toolchain: str | None = None
    kconfig_user_files: tuple[str, ...] = ()
    devicetree_user_files: tuple[str, ...] = ()
    images: tuple[BuildImage, ...] = ()
    sysbuild: bool = False
    west_command: str | None = None
    west_topdir: str | None = None
    west_version: str | None = None

    @property
    def board(self) -> str | None:
        """The full board target, as HWMv2 spells it: name[@revision][/qualifiers]."""
        if not self.board_name:
            return None
        revision = f"@{self.board_revision}" if self.board_revision else ""
        qualifiers = f"/{self.board_qualifiers}" if self.board_qualifiers else ""
        return f"{self.board_name}{revision}{qualifiers}"

    @property
    def west_arguments(self) -> tuple[str, ...]:
        """The `west build` command split into words (empty when it was not recorded)."""
        if not self.west_command:
            return ()
        try:
            return tuple(shlex.split(self.west_command))
        except ValueError:
            return (self.west_command,)


def _section(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _text(data: Any, *keys: str) -> str | None:
    value = _section(data, *keys)
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value)
    return text if text else None


def _texts(data: Any, *keys: str) -> tuple[str, ...]:
    value = _section(data, *keys)
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if item is not None and not isinstance(item, (dict, list)))


def _images(data: Any) -> tuple[BuildImage, ...]:
    value = _section(data, "cmake", "images")
    if not isinstance(value, list):
        return ()
    return tuple(BuildImage(str(item["name"]), _text(item, "source-dir"), _text(item, "type"))
                 for item in value if isinstance(item, dict) and item.get("name"))


def parse_build_info(data: Any, path: Path | None = None) -> BuildInfo:
    """The fields we use; anything unknown or missing is left out rather than refused."""
    if not isinstance(data, dict):
        raise BuildDirError("expected a mapping with 'cmake' (and at the top level 'west')", path=path)
    return BuildInfo(
        path=path,
        schema_version=_text(data, "version"),
        board_name=_text(data, "cmake", "board", "name"),
        board_qualifiers=_text(data, "cmake", "board", "qualifiers"),
        board_revision=_text(data, "cmake", "board", "revision"),
        application_dir=_text(data, "cmake", "application", "source-dir"),
        application_config_dir=_text(data, "cmake", "application", "configuration-dir"),
        zephyr_version=_text(data, "cmake", "zephyr", "version"),
        zephyr_base=_text(data, "cmake", "zephyr", "zephyr-base"),
        toolchain=_text(data, "cmake", "toolchain", "name"),
        kconfig_user_files=_texts(data, "cmake", "kconfig", "user-files"),
        devicetree_user_files=_texts(data, "cmake", "devicetree", "user-files"),
        images=_images(data),
        sysbuild=_text(data, "cmake", "sysbuild") == "true",
        west_command=_text(data, "west", "command"),
        west_topdir=_text(data, "west", "topdir"),
        west_version=_text(data, "west", "version"),
    )


def load_build_info(build_dir: Path) -> BuildInfo:
    """`<build_dir>/build_info.yml`, or an empty BuildInfo when the build has none (Zephyr 3.x)."""
    path = build_dir / FILE_NAME
    if not path.is_file():
        return BuildInfo()
    return parse_build_info(read_yaml(path), path)
