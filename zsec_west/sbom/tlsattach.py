"""Each mbed TLS package of an image gets the configuration it was compiled with."""

from __future__ import annotations

from pathlib import Path

from zsec_west.files.reading import exists
from zsec_west.sbom.identifiers import IdentifierTable
from zsec_west.sbom.inventory import Inventory
from zsec_west.sbom.packages import MODULE, Mapper, PackageData
from zsec_west.sbom.tlsconfig import read_tls_config


def attach_tls_config(packages: list[PackageData], inv: Inventory, roots: list[PackageData],
                      table: IdentifierTable) -> None:
    """Give each mbed TLS package of an image the configuration it was compiled with."""
    mapper = Mapper(roots)

    def localize(recorded: str) -> Path | None:
        here = Path(recorded)
        if exists(here):
            return here
        owner = mapper.owner(recorded)
        local = owner.local_path(recorded) if owner is not None else None
        return Path(local) if local and exists(local) else None

    for package in packages:
        entry = table.lookup(package.name) if package.kind == MODULE else None
        if entry is None or entry.name != "mbedtls":
            continue
        unit = next((inv.units[p] for p in package.compiled if p in inv.units), None)
        if unit is None:
            continue
        config = read_tls_config(unit, localize)
        package.tls = config
        if config.macros is None:
            package.notes.append(f"mbed TLS feature macros unknown: {config.note}")
