"""One way to read a JSON input of the SBOM side (VEX documents, SBOMs to check): every
problem a one-line DataFileError naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zsec_west.errors import DataFileError
from zsec_west.files.reading import loads_json, read_input


def read_json(path: Path, what: str, hint: str | None = None) -> Any:
    """The parsed JSON of `path`; `what` names the document in messages ("VEX document").
    Regular files only, size-capped ("data"), nesting and integer sizes bounded."""
    try:
        raw = read_input(path, "data", DataFileError)
    except DataFileError as exc:
        if exc.message == "file not found":
            raise DataFileError(f"{what} not found", path=path) from None
        raise
    try:
        return loads_json(raw, path, DataFileError)
    except DataFileError as exc:
        if hint is None or not exc.message.startswith("not valid JSON"):
            raise
        raise DataFileError(exc.message, path=path, hint=hint) from None
