"""The SBOM formats zsec writes, and the writer module of each, imported when first used."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # the CLI reads SBOM_FORMATS; it must not pay for the writers' imports
    from zsec_west.sbom.document import DocumentWriter

# format -> (writer module, file extension)
_FORMATS: dict[str, tuple[str, str]] = {
    "spdx-json": ("zsec_west.sbom.spdx2", ".spdx.json"),
    "spdx-tv": ("zsec_west.sbom.spdx2", ".spdx"),
    "cyclonedx": ("zsec_west.sbom.cyclonedx_writer", ".cdx.json"),
    "spdx3-json": ("zsec_west.sbom.spdx3_writer", ".spdx3.json"),
}

SBOM_FORMATS = tuple(_FORMATS)


def extension(fmt: str) -> str:
    return _FORMATS[fmt][1]


def writer(fmt: str) -> DocumentWriter:
    """The module that writes `fmt` (a module satisfies the protocol with its functions)."""
    return cast("DocumentWriter", importlib.import_module(_FORMATS[fmt][0]))
