"""The Zephyr modules a build used: `zephyr_modules.txt`, enriched by `zephyr.meta` when present."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zsec_west.errors import DataFileError
from zsec_west.files.yamldoc import load_yaml

_LINE = re.compile(r'^"(?P<name>[^"]*)":"(?P<path>[^"]*)":"(?P<cmake>[^"]*)"')


@dataclass(frozen=True)
class Module:
    name: str
    path: str  # as recorded by the build (may be stale on a copied build)
    revision: str | None = None
    remote: str | None = None
    external_references: tuple[str, ...] = ()  # CPE / PURL from module.yml `security:`


@dataclass(frozen=True)
class BuildMeta:
    """What `zephyr.meta` (CONFIG_BUILD_OUTPUT_META) recorded."""

    zephyr_revision: str | None = None
    zephyr_remote: str | None = None
    zephyr_tags: tuple[str, ...] = ()
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    workspace_dirty: bool | None = None


def module_variable(name: str, suffix: str) -> str:
    """The variable Zephyr's build defines for module `name`, e.g. ('trusted-firmware-m',
    'MODULE_DIR') -> ZEPHYR_TRUSTED_FIRMWARE_M_MODULE_DIR."""
    return f"ZEPHYR_{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}_{suffix}"


def parse_modules_txt(text: str) -> list[tuple[str, str]]:
    found = []
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            found.append((match.group("name"), match.group("path")))
    return found


def read_module_yml(module_dir: Path) -> dict[str, Any] | None:
    """A module's own zephyr/module.yml (or module.yaml, which Zephyr also accepts) as a
    mapping; None when it has neither or it cannot be read: callers then do without."""
    for name in ("module.yml", "module.yaml"):
        try:
            data = load_yaml(module_dir / "zephyr" / name, strict=False)
        except DataFileError:
            continue
        if isinstance(data, dict):
            return data
    return None


def load_meta(path: Path) -> BuildMeta | None:
    try:
        data = load_yaml(path, strict=False)
    except DataFileError:
        return None
    if not isinstance(data, dict):
        return None
    zephyr = data.get("zephyr") or {}
    modules = {m["name"]: m for m in data.get("modules") or [] if isinstance(m, dict) and "name" in m}
    workspace = data.get("workspace") or {}
    return BuildMeta(
        zephyr_revision=zephyr.get("revision"),
        zephyr_remote=zephyr.get("remote"),
        zephyr_tags=tuple(zephyr.get("tags") or ()),
        modules=modules,
        workspace_dirty=workspace.get("dirty") if isinstance(workspace, dict) else None,
    )


def load_modules(modules_txt: Path, meta: BuildMeta | None) -> list[Module]:
    try:
        pairs = parse_modules_txt(modules_txt.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        pairs = []
    meta_modules = meta.modules if meta else {}
    if not pairs and meta_modules:
        pairs = [(name, str(m.get("path", ""))) for name, m in meta_modules.items()]
    result = []
    for name, path in pairs:
        info = meta_modules.get(name, {})
        security = info.get("security") or {}
        refs = tuple(security.get("external-references") or ()) if isinstance(security, dict) else ()
        result.append(Module(name, path, info.get("revision"), info.get("remote") or info.get("url"),
                             refs))
    return result
