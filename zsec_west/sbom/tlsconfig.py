"""The mbed TLS configuration a domain compiled with: the macros its config header defines.

Advisories name the feature macros their flaw needs (`macros: [MBEDTLS_SSL_CLI_C]`); whether
they are defined is read from the header the compile commands name (`-DMBEDTLS_CONFIG_FILE=`,
else mbed TLS's default `mbedtls/mbedtls_config.h`), found on that compile's include path,
with its -D macros and -imacros files (Zephyr's autoconf.h) in effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zsec_west.sbom.cconfig import ConfigUnknown, defined_macros
from zsec_west.sbom.sources import CompileUnit

_DEFAULT_HEADERS = ("mbedtls/mbedtls_config.h", "mbedtls/config.h")  # 3.x, 2.x

# recorded path -> where it is on this machine (None: not here)
Localize = Callable[[str], "Path | None"]


@dataclass(frozen=True)
class TlsConfig:
    """The defined macros (None when they could not be read) and where they come from."""

    macros: frozenset[str] | None
    header: str = ""  # the config header's name
    note: str = ""  # why the macros are unknown


def _define(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    return name, value if _ else "1"


def _header_name(defines: dict[str, str]) -> tuple[str, ...]:
    named = defines.get("MBEDTLS_CONFIG_FILE")
    if named:
        return (named.strip().strip('"<>'),)
    return _DEFAULT_HEADERS


def read_tls_config(unit: CompileUnit, localize: Localize) -> TlsConfig:
    """The macros the mbed TLS sources of `unit`'s compile saw."""
    defines = dict(_define(d) for d in unit.defines)
    names = _header_name(defines)
    include_dirs = tuple(p for p in (localize(d) for d in unit.include_dirs) if p is not None)
    header = next((d / name for name in names for d in include_dirs if (d / name).is_file()), None)
    if header is None:
        return TlsConfig(None, names[0], f"the mbed TLS configuration header {names[0]} is not on "
                                         "this machine")
    imacros: list[Path] = []
    for recorded in unit.include_files:
        local = localize(recorded)
        if local is None or not local.is_file():
            return TlsConfig(None, header.name, f"{Path(recorded).name}, which the compile reads "
                                                "first, is not on this machine")
        imacros.append(local)
    try:
        macros, _ = defined_macros(header, defines, include_dirs, tuple(imacros))
    except ConfigUnknown as exc:
        return TlsConfig(None, header.name, f"{header.name}: {exc}")
    return TlsConfig(macros, header.name)

