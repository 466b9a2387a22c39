"""A software component of a build: the seam between the SBOM inventory and vulnerability matching."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    """One package of one domain's SBOM, with what vulnerability matching needs to know."""

    name: str  # "zephyr", a module name ("mbedtls", "mcuboot", ...), the application, "toolchain"
    version: str | None  # "3.7.1", "3.6.2", a git describe, or None when unknown
    domain: str  # the sysbuild domain (or application) whose image contains it
    spdx_id: str = ""  # SPDXRef of the package in that domain's document
    supplier: str | None = None
    cpes: tuple[str, ...] = ()  # CPE 2.3 names, version filled in
    purls: tuple[str, ...] = ()
    revision: str | None = None  # git commit when known
    # Paths of the sources compiled into the image, relative to the component's root directory
    # (e.g. "subsys/bluetooth/host/att.c"); decides whether a vulnerable part was built at all.
    compiled_files: tuple[str, ...] = ()
    # Of those, the ones the final link map shows giving the image code or data; None when no
    # map tells. A file compiled to empty sections, or never pulled from its archive, is not here.
    linked_files: tuple[str, ...] | None = None
    link_map: str = ""  # the map file that says so ("zephyr.map")
    # mbed TLS configuration macros defined for this component's compile (None: not known).
    macros: frozenset[str] | None = None
    macros_from: str = ""  # the config header they were read from
