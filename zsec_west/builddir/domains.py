"""Sysbuild's `domains.yaml`: which images a build has, tolerant of every schema generation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zsec_west.errors import BuildDirError, DataFileError
from zsec_west.files.yamldoc import YamlSyntaxError, line_of, load_yaml


@dataclass(frozen=True)
class DomainEntry:
    name: str
    build_dir: Path  # resolved: the recorded path if it still exists, else <top>/<name>
    recorded_dir: str  # what domains.yaml said (absolute paths go stale when a build is copied)


@dataclass(frozen=True)
class DomainsFile:
    default: str
    entries: tuple[DomainEntry, ...]
    flash_order: tuple[str, ...]
    path: Path

    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]


def _read(path: Path) -> Any:
    try:
        return load_yaml(path, strict=False)  # sysbuild writes it; a repeated key is not ours to refuse
    except YamlSyntaxError as exc:
        where = f" at line {exc.line}" if exc.line else ""
        raise BuildDirError(f"not valid YAML{where}: {exc.problem}", path=path) from None
    except DataFileError as exc:
        raise BuildDirError(exc.message, path=path) from None


def _fail(path: Path, node: Any, problem: str, key: str | int | None = None) -> BuildDirError:
    line = line_of(node, key)
    return BuildDirError(f"line {line}: {problem}" if line else problem, path=path)


def _entry(item: Any, index: int, top: Path, path: Path) -> DomainEntry:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise _fail(path, item, f"domains[{index}] has no 'name'")
    name = item["name"]
    recorded = str(item.get("build_dir") or "")
    build_dir = Path(recorded) if recorded else top / name
    if not (build_dir / "CMakeCache.txt").is_file():
        build_dir = top / name
    if not (build_dir / "CMakeCache.txt").is_file():
        raise _fail(path, item, f"domain '{name}' is listed but its build directory is missing "
                                f"(looked in {recorded or '-'} and {top / name})")
    return DomainEntry(name, build_dir, recorded)


def load_domains(path: Path) -> DomainsFile:
    """Parse domains.yaml; unknown keys are ignored, stale build_dir paths fall back to <top>/<name>."""
    top = path.parent
    data = _read(path)
    if not isinstance(data, dict):
        raise BuildDirError("expected a mapping with 'default' and 'domains'", path=path)
    raw_domains = data.get("domains")
    if raw_domains is None:
        # The oldest generation had no list: only the default image, in <top>/<default>.
        default = data.get("default")
        if not isinstance(default, str):
            raise BuildDirError("has neither 'domains' nor 'default'", path=path)
        raw_domains = [{"name": default, "build_dir": str(top / default)}]
    if not isinstance(raw_domains, list) or not raw_domains:
        raise _fail(path, data, "'domains' must be a non-empty list", "domains")
    entries = [_entry(item, index, top, path) for index, item in enumerate(raw_domains)]
    names = [entry.name for entry in entries]
    default = data.get("default", names[0])
    if default not in names:
        raise _fail(path, data, f"default domain '{default}' is not among the domains {names}", "default")
    order = data.get("flash_order") or []
    if not isinstance(order, list):
        raise _fail(path, data, "'flash_order' must be a list", "flash_order")
    unknown = [name for name in order if name not in names]
    if unknown:
        raise _fail(path, data, f"flash_order names unknown domains {unknown}", "flash_order")
    return DomainsFile(default, tuple(entries), tuple(str(n) for n in order), path)
