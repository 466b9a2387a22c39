"""The envelope every JSON output of the suite shares: schema version, tool, command and inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import zsec_west
from zsec_west.report.common import jsonable

# Bump when a field changes meaning or disappears; adding fields keeps the version.
SCHEMA_VERSION = "1"


def envelope(command: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The leading fields of a JSON document: `schema_version` (a string), `tool` {name, version},
    the command that wrote it and what it read (paths relative where possible)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": zsec_west.TOOL_NAME, "version": zsec_west.__version__},
        "command": command,
        "inputs": jsonable(dict(inputs)),
    }
