"""A module's own CPEs and package URLs (`security: external-references`), as the build
recorded them in zephyr.meta or the module's zephyr/module.yml says."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zsec_west.builddir.modules import Module, read_module_yml
from zsec_west.errors import BuildDirError
from zsec_west.files.reading import is_file

if TYPE_CHECKING:
    from zsec_west.builddir import Build


def module_references(build: Build, module: Module, local: Path | None) -> tuple[str, ...]:
    """The references zephyr.meta recorded for `module`, else its module.yml's (when the
    module is here). Refused with the file named when one is not printable ASCII."""
    if module.external_references:
        return _checked(module.name, module.external_references, meta_path(build))
    return _checked(module.name, _module_yml_refs(local),
                    local / "zephyr" / "module.yml" if local is not None else None)


def meta_path(build: Build) -> Path | None:
    """The zephyr.meta that `build.meta` came from (Build.meta reads the first there is)."""
    for domain in [build.default, *build.images]:
        path = domain.build_dir / "zephyr" / "zephyr.meta"
        if is_file(path):
            return path
    return None


def _module_yml_refs(local: Path | None) -> tuple[str, ...]:
    data = read_module_yml(local) if local is not None else None
    security = data.get("security") if data is not None else None
    refs = security.get("external-references") if isinstance(security, dict) else None
    if isinstance(refs, list):
        return tuple(str(r) for r in refs if isinstance(r, str))
    return ()


def _checked(module: str, refs: tuple[str, ...], source: Path | None) -> tuple[str, ...]:
    """CPE 2.3 names and package URLs are ASCII by their specifications; anything else
    (fullwidth digits ...) would end up in an SBOM that fails validation, so it is refused
    here, naming the file it came from."""
    for ref in refs:
        if not ref.isascii() or not ref.isprintable():
            raise BuildDirError(f"module {module!r}: external reference {ref!r} is not a CPE 2.3 "
                                "name or package URL (they are printable ASCII)",
                                path=source or "zephyr.meta")
    return refs
