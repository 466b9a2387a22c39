"""The JSON Schemas of the suite's JSON documents, shipped in zsec_west/data/schemas.

Every document starts with the envelope (envelope.schema.json); its `command` names the schema
that describes the rest. Schemas refer to each other by `$id` (urn:zsec-west:schema:<name>).
"""

from __future__ import annotations

import json
from typing import Any

from zsec_west.files import shipped

FOLDER = "schemas"
ID_PREFIX = "urn:zsec-west:schema:"
# `command` of a document -> its schema
BY_COMMAND = {
    "check": "check",
    "tfm": "tfm",
    "sbom": "sbom",
    "check rules": "check-rules",
    "tfm boards": "tfm-boards",
    "sign verify": "sign-verify",
    "sign info": "sign-info",
    "sign manifest": "sign-manifest",
}


def load(name: str) -> dict[str, Any]:
    """The schema `name` ("check", "envelope", ...) as shipped."""
    return json.loads(shipped.read_text(f"{FOLDER}/{name}.schema.json"))


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every shipped schema by its `$id`."""
    found = {}
    for path in shipped.names(FOLDER, ".schema.json"):
        schema = json.loads(shipped.read_text(path))
        found[schema["$id"]] = schema
    return found


def schema_for(document: dict[str, Any]) -> dict[str, Any]:
    """The schema of a document, chosen by its `command` (KeyError for one we do not write)."""
    return load(BY_COMMAND[document["command"]])
