"""Sysbuild's `domains.yaml`: which images a build has, tolerant of every schema generation."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zsec_west.errors import BuildDirError, DataFileError
from zsec_west.files.reading import file_problem, is_dir, is_file
from zsec_west.files.yamldoc import YamlSyntaxError, line_of, load_yaml


@dataclass(frozen=True)
class DomainEntry:
    name: str
    build_dir: Path  # <top>/<name> when that is a build directory, else the recorded path
    recorded_dir: str  # what domains.yaml said (absolute paths go stale when a build is copied)
    outside: bool = False  # build_dir is not under the directory the user named

    def note(self, top: Path) -> str | None:
        """What to tell the user when this domain is read from outside the named directory."""
        if not self.outside:
            return None
        return (f"domain '{self.name}' is read from {self.build_dir} (the build_dir domains.yaml "
                f"records), outside the build directory {top}, because {top / self.name} is not a "
                "build directory")


@dataclass(frozen=True)
class DomainsFile:
    default: str
    entries: tuple[DomainEntry, ...]
    flash_order: tuple[str, ...]
    path: Path

    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]

    def notes(self) -> list[str]:
        """One line per domain read from outside the directory holding domains.yaml."""
        return [note for entry in self.entries if (note := entry.note(self.path.parent)) is not None]


def read_yaml(path: Path) -> Any:
    """A YAML file the build wrote, BuildDirError naming the line when it is damaged."""
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


def _is_build(directory: Path) -> bool:
    return is_file(directory / "CMakeCache.txt")  # False, not OSError, for a name too long


def is_inside(path: Path, top: Path) -> bool:
    # os.path.realpath, unlike Path.resolve() before Python 3.13, stops at a symlink loop
    # instead of raising RuntimeError.
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(top))


def _entry(item: Any, index: int, top: Path, path: Path) -> DomainEntry:
    """Where a domain is: <top>/<name> first, so that a copied build directory is read (and, when
    signing, written) in the copy even when the original the absolute paths name still exists."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise _fail(path, item, f"domains[{index}] has no 'name'")
    name = item["name"]
    recorded = str(item.get("build_dir") or "")
    local = top / name
    if _is_build(local):
        return DomainEntry(name, local, recorded)
    damaged = local / "CMakeCache.txt" if is_dir(local) else None
    if recorded:
        elsewhere = Path(recorded) if Path(recorded).is_absolute() else top / recorded
        if _is_build(elsewhere):
            return DomainEntry(name, elsewhere, recorded, outside=not is_inside(elsewhere, top))
        if damaged is None and os.path.lexists(elsewhere / "CMakeCache.txt"):
            damaged = elsewhere / "CMakeCache.txt"
    if damaged is not None:
        # The domain's directory is there, its CMake cache is not a file we can read: name the
        # cache and what is wrong with it, not domains.yaml.
        problem = file_problem(damaged) or "cannot read"
        raise BuildDirError(f"{problem} (the CMake cache of domain '{name}' in domains.yaml)",
                            path=damaged)
    raise _fail(path, item, f"domain '{name}' is listed but its build directory is missing "
                            f"(looked in {local} and {recorded or '-'})")


def load_domains(path: Path) -> DomainsFile:
    """Parse domains.yaml; unknown keys are ignored; <top>/<name> is preferred to the recorded build_dir."""
    top = path.parent
    data = read_yaml(path)
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
