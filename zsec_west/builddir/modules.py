"""The Zephyr modules a build used: `zephyr_modules.txt`, enriched by `zephyr.meta` when present."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zsec_west.errors import BuildDirError, DataFileError
from zsec_west.files.reading import read_if_present
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


def _kind(value: Any) -> str:
    """A YAML value's kind as a message says it (the loader's own classes are no one's business)."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return "a number" if isinstance(value, (int, float)) else "text"


def _mapping(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise BuildDirError(f"'{key}' must be a mapping, not {_kind(value)}", path=path)
    return value


def _text(data: dict[str, Any], key: str, where: str, path: Path) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BuildDirError(f"'{where}{key}' must be text, not {_kind(value)}", path=path)
    return str(value)


def _modules(data: dict[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    """The module records by name; a record of the wrong shape is an error naming zephyr.meta
    (a name that is a list or mapping cannot key anything)."""
    listed = data.get("modules") or []
    if not isinstance(listed, list):
        raise BuildDirError(f"'modules' must be a list, not {_kind(listed)}", path=path)
    modules: dict[str, dict[str, Any]] = {}
    for index, module in enumerate(listed):
        if not isinstance(module, dict) or "name" not in module:
            continue
        name = _text(module, "name", f"modules[{index}].", path)
        if name is None:
            continue
        for key in ("path", "revision", "remote", "url"):
            _text(module, key, f"modules[{index}].", path)
        modules[name] = module
    return modules


def load_meta(path: Path) -> BuildMeta | None:
    """What zephyr.meta records; None when it is not YAML of the expected shape at the top (an
    optional file the build may have written differently), BuildDirError naming it when one of
    the values we use has the wrong type."""
    try:
        data = load_yaml(path, strict=False)
    except DataFileError:
        return None
    if not isinstance(data, dict):
        return None
    zephyr = _mapping(data, "zephyr", path)
    tags = zephyr.get("tags") or ()
    if not isinstance(tags, (list, tuple)):
        raise BuildDirError(f"'zephyr.tags' must be a list, not {_kind(tags)}", path=path)
    workspace = data.get("workspace") or {}
    dirty = workspace.get("dirty") if isinstance(workspace, dict) else None
    return BuildMeta(
        zephyr_revision=_text(zephyr, "revision", "zephyr.", path),
        zephyr_remote=_text(zephyr, "remote", "zephyr.", path),
        zephyr_tags=tuple(str(tag) for tag in tags if isinstance(tag, (str, int, float))),
        modules=_modules(data, path),
        workspace_dirty=dirty if isinstance(dirty, bool) else None,
    )


def load_modules(modules_txt: Path, meta: BuildMeta | None) -> list[Module]:
    data = read_if_present(modules_txt, "build", BuildDirError)
    try:
        pairs = parse_modules_txt(data.decode("utf-8")) if data is not None else []
    except UnicodeDecodeError:
        pairs = []
    meta_modules = meta.modules if meta else {}
    if not pairs and meta_modules:
        pairs = [(name, str(m.get("path", ""))) for name, m in meta_modules.items()]
    result = []
    for name, path in pairs:
        info = meta_modules.get(name, {})
        security = info.get("security") or {}
        listed = security.get("external-references") if isinstance(security, dict) else None
        refs = tuple(ref for ref in listed if isinstance(ref, str)) if isinstance(listed, list) else ()
        result.append(Module(name, path, _as_text(info.get("revision")),
                             _as_text(info.get("remote") or info.get("url")), refs))
    return result


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)
