"""One way to read a JSON input of the SBOM side (VEX documents, SBOMs to check): every
problem a one-line DataFileError naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zsec_west.errors import DataFileError


def read_json(path: Path, what: str, hint: str | None = None) -> Any:
    """The parsed JSON of `path`; `what` names the document in messages ("VEX document")."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(f"{what} not found", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read the {what}: {exc}", path=path) from None
    except json.JSONDecodeError as exc:
        raise DataFileError(f"not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})",
                            path=path, hint=hint) from None
