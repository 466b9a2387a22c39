"""Sysbuild's `domains.yaml`: which images a build has, tolerant of every schema generation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from zsec_west.errors import BuildDirError


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


def load_domains(path: Path) -> DomainsFile:
    """Parse domains.yaml; unknown keys are ignored, stale build_dir paths fall back to <top>/<name>."""
    top = path.parent
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise BuildDirError(f"not valid YAML{where}", path=path) from None
    except UnicodeDecodeError:
        raise BuildDirError("not a text file", path=path) from None
    except OSError as exc:
        raise BuildDirError(f"cannot read: {exc.strerror}", path=path) from None
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
        raise BuildDirError("'domains' must be a non-empty list", path=path)
    entries: list[DomainEntry] = []
    for index, item in enumerate(raw_domains):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise BuildDirError(f"domains[{index}] has no 'name'", path=path)
        name = item["name"]
        recorded = str(item.get("build_dir") or "")
        build_dir = Path(recorded) if recorded else top / name
        if not (build_dir / "CMakeCache.txt").is_file():
            build_dir = top / name
        if not (build_dir / "CMakeCache.txt").is_file():
            raise BuildDirError(
                f"domain '{name}' is listed but its build directory is missing "
                f"(looked in {recorded or '-'} and {top / name})", path=path)
        entries.append(DomainEntry(name, build_dir, recorded))
    names = [entry.name for entry in entries]
    default = data.get("default", names[0])
    if default not in names:
        raise BuildDirError(f"default domain '{default}' is not among the domains {names}", path=path)
    order = data.get("flash_order") or []
    if not isinstance(order, list):
        raise BuildDirError("'flash_order' must be a list", path=path)
    unknown = [name for name in order if name not in names]
    if unknown:
        raise BuildDirError(f"flash_order names unknown domains {unknown}", path=path)
    return DomainsFile(default, tuple(entries), tuple(str(n) for n in order), path)
