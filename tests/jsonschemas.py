"""Validate a zsec-west JSON document against the schema shipped for its `command`."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from referencing import Registry, Resource

from zsec_west.report.schemas import all_schemas, schema_for


def _registry() -> Registry:
    resources = [(schema_id, Resource.from_contents(schema)) for schema_id, schema in all_schemas().items()]
    return Registry().with_resources(resources)


_REGISTRY = _registry()


def validate(document: dict[str, Any] | str) -> dict[str, Any]:
    """`document` (or its JSON text) checked against its schema; the parsed document back."""
    parsed = json.loads(document) if isinstance(document, str) else document
    schema = schema_for(parsed)
    validator = jsonschema.Draft202012Validator(schema, registry=_REGISTRY)
    errors = sorted(validator.iter_errors(parsed), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(map(str, first.absolute_path)) or "(top)"
        raise AssertionError(f"{parsed.get('command')} JSON does not match its schema at {where}: "
                             f"{first.message} ({len(errors)} error(s))")
    return parsed


def is_ours(text: str | bytes) -> dict[str, Any] | None:
    """The parsed document when `text` is one of our JSON documents (it has the envelope)."""
    if isinstance(text, bytes) or not text.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if isinstance(parsed, dict) and "schema_version" in parsed and "command" in parsed and "tool" in parsed:
        return parsed
    return None
