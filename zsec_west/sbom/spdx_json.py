"""SPDX 2.3 documents validated by spdx-tools, then serialised as JSON or tag-value text.

Nothing is written unless spdx-tools' full validation returns no message; a failure is a
ToolError naming the messages (our bug or the library's, never the user's). A document built
with one file per shape in the model (spdx_writer.FileLayout) is validated as built, and its
JSON lists every file: the library's text for the modelled ones, their shape's template
(jsontemplate.py) for the others.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import threading
from collections.abc import Hashable, Iterator
from typing import Any

from spdx_tools.spdx import casing_tools
from spdx_tools.spdx.jsonschema import converter as json_converter
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.model import Document
from spdx_tools.spdx.validation import license_expression_validator, spdx_id_validators
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
from spdx_tools.spdx.writer import write_utils
from spdx_tools.spdx.writer.tagvalue import tagvalue_writer

from zsec_west.errors import ToolError
from zsec_west.sbom.jsontemplate import Template, TemplateError, compile_template
from zsec_west.sbom.licenses import spdx_licensing
from zsec_west.sbom.spdx_writer import FileLayout

_LOCK = threading.Lock()
# spdx-tools' own JSON writer encodes with ensure_ascii=False; so does json_lines.
_ENCODER = json.JSONEncoder(ensure_ascii=False)
_dumps = _ENCODER.encode
# Where a file's strings sit in spdx-tools' JSON for it, in FileLayout's order.
_FILE_PATHS: tuple[tuple[str | int, ...], ...] = (
    ("SPDXID",), ("fileName",), ("checksums", 0, "checksumValue"),
    ("checksums", 1, "checksumValue"), ("copyrightText",))
_CONTAINS_PATHS: tuple[tuple[str | int, ...], ...] = (("spdxElementId",), ("relatedSpdxElement",))


class _MemoLicensing:
    """spdx-tools' licensing object with `validate` and `parse` memoised by expression text: the
    validator parses every file's licence twice more (48,000 parses for 11,000 files) though a
    build has a few dozen distinct expressions. Results (and errors) are the library's own."""

    def __init__(self, licensing: Any):
        self._licensing = licensing
        self._seen: dict[str, Any] = {}
        self._parsed: dict[str, tuple[Any, Exception | None]] = {}

    def validate(self, expression: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return self._licensing.validate(expression, *args, **kwargs)
        key = str(expression)
        if key not in self._seen:
            self._seen[key] = self._licensing.validate(expression)
        return self._seen[key]

    def parse(self, expression: Any, *args: Any, **kwargs: Any) -> Any:
        if args or not isinstance(expression, str):
            return self._licensing.parse(expression, *args, **kwargs)
        key = f"{sorted(kwargs.items())}|{expression}"
        if key not in self._parsed:
            try:
                self._parsed[key] = (self._licensing.parse(expression, **kwargs), None)
            except Exception as exc:  # remembered and raised again, exactly as the library did
                self._parsed[key] = (None, exc)
        result, error = self._parsed[key]
        if error is not None:
            raise error
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._licensing, name)


@contextlib.contextmanager
def _patched(module: Any, name: str, value: Any) -> Iterator[None]:
    """Swap one module attribute for the duration; a no-op if the library moved it."""
    if not hasattr(module, name):
        yield
        return
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


@contextlib.contextmanager
def _fast_paths(document: Document) -> Iterator[None]:
    """Make spdx-tools fast on documents with thousands of files, without changing results.

    * Relationship validation checks each end against a fresh list of every id in the
      document (quadratic: ~90 s for 11,000 files); answer from a set built once.
    * Licence validation re-parses each file's expression; memoise per expression text, with
      licenses.py's licensing object: the same get_spdx_licensing() spdx-tools makes for
      itself, whose tokenizer (a 5,000-symbol automaton, built on first use) the run has built.
    * JSON conversion turns property names into camelCase with a regex per property per
      element; memoise per name.
    Everything is restored on exit; a lock keeps concurrent callers from seeing the swap.
    """
    original = spdx_id_validators.is_spdx_id_present_in_document
    known = set(spdx_id_validators.get_list_of_all_spdx_ids(document))

    def present(element_id: str, doc: Document) -> bool:
        if doc is document:
            return element_id in known
        return original(element_id, doc)

    camel = functools.lru_cache(maxsize=512)(casing_tools.snake_case_to_camel_case)
    with _LOCK, contextlib.ExitStack() as stack:
        stack.enter_context(_patched(spdx_id_validators, "is_spdx_id_present_in_document",
                                     present))
        stack.enter_context(_patched(license_expression_validator, "spdx_licensing",
                                     _MemoLicensing(spdx_licensing)))
        stack.enter_context(_patched(json_converter, "snake_case_to_camel_case", camel))
        yield


def _validate(document: Document) -> None:
    messages = validate_full_spdx_document(document)
    if messages:
        shown = "; ".join(m.validation_message for m in messages[:5])
        more = f" (and {len(messages) - 5} more)" if len(messages) > 5 else ""
        raise ToolError(f"SPDX document '{document.creation_info.name}' failed validation: "
                        f"{shown}{more}", hint="this is a bug in zsec-west; please report it")


def json_lines(data: dict[str, Any], lines: dict[str, list[str]] | None = None) -> str:
    """JSON with one package, file or relationship per line.

    spdx-tools' writer pretty-prints with json.dump(indent=4), which cannot use the C encoder
    (five times slower on a big document); encoding each element separately can, and the
    result stays readable and diffs line by line. `lines` gives the encoded elements of a list
    ready made.
    """
    parts = []
    for key, value in data.items():
        name = json.dumps(key)
        items = (lines or {}).get(key)
        if items is None and isinstance(value, list) and value:
            items = [_dumps(item) for item in value]
        if items:
            parts.append(f"  {name}: [\n    " + ",\n    ".join(items) + "\n  ]")
        else:
            parts.append(f"  {name}: {_dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _templated_lines(data: dict[str, Any], layout: FileLayout) -> dict[str, list[str]]:
    """Every file's and relationship's line, in document order: spdx-tools' text for the ones
    in the model, their shape's template for the others."""
    files, relationships = data.get("files", []), data.get("relationships", [])
    templates: dict[Hashable, Template] = {}
    for shape, index in layout.shapes.items():
        values = layout.values[index]  # four strings, five with a copyright text
        slots = list(zip(_FILE_PATHS[:len(values)], values, strict=True))
        templates[shape] = compile_template(files[index], slots, _dumps)
    contains_template = None
    if layout.contains is not None:
        index, strings = layout.contains
        contains_template = compile_template(
            relationships[index], list(zip(_CONTAINS_PATHS, strings, strict=True)), _dumps)
    file_lines = [_dumps(files[entry]) if isinstance(entry, int)
                  else templates[entry[0]].fill(entry[1]) for entry in layout.files]
    relationship_lines = []
    for rel in layout.relationships:
        if isinstance(rel, int):
            relationship_lines.append(_dumps(relationships[rel]))
        else:
            assert contains_template is not None  # a templated file has a modelled sibling
            relationship_lines.append(contains_template.fill(rel))
    return {"files": file_lines, "relationships": relationship_lines}


def serialise(document: Document, fmt: str, layout: FileLayout | None = None) -> str:
    """The document, validated by spdx-tools, as SPDX JSON or tag-value text. With a layout
    that leaves files out of the model, JSON only."""
    with _fast_paths(document):
        _validate(document)
        if fmt == "spdx-json":
            data = write_utils.convert(document, DocumentConverter())
            try:
                lines = _templated_lines(data, layout) if layout and layout.templated else None
            except TemplateError as exc:
                raise ToolError(f"SPDX document '{document.creation_info.name}': {exc}",
                                hint="this is a bug in zsec-west; please report it") from None
            text = json_lines(data, lines)
        elif fmt == "spdx-tv":
            if layout is not None and layout.templated:
                raise ValueError("tag-value needs every file in the model")
            stream = io.StringIO()
            # Validated above and ids are unique by construction: skip the writer's deep copy.
            tagvalue_writer.write_document_to_stream(document, stream, validate=False,
                                                     drop_duplicates=False)
            text = stream.getvalue()
        else:
            raise ValueError(f"unknown SPDX format {fmt!r}")
    return text if text.endswith("\n") else text + "\n"
