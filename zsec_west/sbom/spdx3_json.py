"""SPDX 3.0.1 JSON-LD text of a document built with spdx-python-model, one element per line.

The model checks each value as it is set and every required property as it serialises; a
failure is a ToolError (our bug or the library's, never the user's). A domain's files are put
into the model once per shape (spdx3_writer._files); the others are written from their shape's
template (jsontemplate.py) and sorted into @graph where the serialiser would have put them
(it orders elements by id), and the lists that name every element or every file of a package
are completed with their ids.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from spdx_python_model import v3_0_1 as spdx

from zsec_west.errors import ToolError
from zsec_west.sbom.jsontemplate import TemplateError, compile_template

# Where the strings of a templated element sit in the serialiser's JSON for it, in the order
# Bulk holds them: a file (id, name, SHA-1, SHA-256), a "generates" relationship (id, from).
_PATHS: dict[str, tuple[tuple[str | int, ...], ...]] = {
    "file": (("spdxId",), ("name",), ("verifiedUsing", 0, "hashValue"),
             ("verifiedUsing", 1, "hashValue")),
    "generates": (("spdxId",), ("from",)),
}
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


@dataclass
class Bulk:
    """The elements of a document outside the model, and the lists that must name them.

    A shape is a tuple whose first item names its kind in _PATHS; `shapes` holds the id and
    strings of the shape's element in the model, `templated` the strings of the others."""

    members: list[Any] = field(default_factory=list)  # every element in order: object or id
    shapes: dict[Hashable, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    templated: list[tuple[Hashable, tuple[str, ...]]] = field(default_factory=list)
    # element id -> (property, the full list: objects, or ids of templated elements)
    lists: dict[str, tuple[str, list[Any]]] = field(default_factory=dict)

    def add(self, shape: Hashable, strings: tuple[str, ...]) -> None:
        """An element written from `shape`'s template; strings[0] is its id."""
        self.templated.append((shape, strings))
        self.members.append(strings[0])


def _key(item: dict[str, Any]) -> str:
    """The serialiser's order of @graph: by id, blank nodes (no id of their own) first."""
    return str(item.get("spdxId") or "")


def _complete_lists(graph: dict[str, dict[str, Any]], bulk: Bulk) -> None:
    """Put every element back into the lists the model held only its modelled ones in."""
    for element_id, (prop, full) in bulk.lists.items():
        item = graph[element_id]
        ids = [m if isinstance(m, str) else m._id for m in full]
        modelled = [m._id for m in full if not isinstance(m, str)]
        if item.get(prop) != modelled:
            raise TemplateError(f"{element_id} lists {item.get(prop)!r} as {prop}, "
                                "not its modelled members")
        item[prop] = ids


def _templated_lines(graph: dict[str, dict[str, Any]], bulk: Bulk) -> list[tuple[str, str]]:
    templates = {}
    for shape, (element_id, strings) in bulk.shapes.items():
        kind = str(shape[0])  # type: ignore[index]
        slots = list(zip(_PATHS[kind], strings, strict=True))
        templates[shape] = compile_template(graph[element_id], slots, _ENCODER.encode)
    return [(strings[0], templates[shape].fill(strings)) for shape, strings in bulk.templated]


def serialise(objects: list[Any], name: str, bulk: Bulk | None = None) -> str:
    """JSON-LD text; the model raises on a missing required property or a wrong type."""
    objset = spdx.SHACLObjectSet()
    for item in objects:
        objset.add(item)
    try:
        data = spdx.JSONLDSerializer().serialize_data(objset)
    except (ValueError, TypeError) as exc:
        raise ToolError(f"SPDX 3 document '{name}' failed validation: {exc}",
                        hint="this is a bug in zsec-west; please report it") from None
    graph = data.get("@graph", [])
    lines: list[tuple[str, str]] = []
    if bulk is not None and bulk.templated:
        by_id = {str(item["spdxId"]): item for item in graph if "spdxId" in item}
        try:
            _complete_lists(by_id, bulk)
            lines = _templated_lines(by_id, bulk)
        except TemplateError as exc:
            raise ToolError(f"SPDX 3 document '{name}': {exc}",
                            hint="this is a bug in zsec-west; please report it") from None
    lines += [(_key(item), _ENCODER.encode(item)) for item in graph]
    lines.sort(key=lambda line: line[0])
    return json_lines(data.get("@context"), [text for _, text in lines])


def json_lines(context: Any, items: list[str]) -> str:
    """One element of @graph per line: readable, diffs line by line, and fast to write."""
    body = ",\n    ".join(items)
    return f'{{\n  "@context": {json.dumps(context)},\n  "@graph": [\n    {body}\n  ]\n}}\n'
