"""A CycloneDX document's file components: thousands of one shape, written as plain JSON.

cyclonedx-python-lib keeps every component in sorted sets compared field by field, which costs
seconds per thousand files, and json.dumps(indent=2) of a big BOM cannot use the C encoder.
A package's files are `file` components of a few shapes (with or without a licence, with or
without copyright text); the schema check sees one file of each shape per package, and every
file is written from its shape's template (jsontemplate.py), proven on that file to give what
json.dumps(indent=2) gives.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from zsec_west.sbom.jsontemplate import Template, TemplateError, compile_template, placeholder
from zsec_west.sbom.packages import PackageData

Shape = tuple[bool, bool]  # (names a licence, names copyright holders)
Entry = tuple[Shape, tuple[str, ...]]  # its shape and its strings, in _slots(shape) order
_BASE: tuple[tuple[str | int, ...], ...] = (
    ("bom-ref",), ("name",), ("hashes", 0, "content"), ("hashes", 1, "content"))


def _slots(shape: Shape) -> tuple[tuple[str | int, ...], ...]:
    return _BASE + ((("licenses", 0, "expression"),) if shape[0] else ()) + \
        ((("copyright",),) if shape[1] else ())


def file_entries(package: PackageData, domain: str) -> list[Entry]:
    """The package's files, sorted by name (as the library sorts components)."""
    found = []
    for name, facts in package.files:
        strings: tuple[str, ...] = (f"{domain}:{package.key}:{name}", name, facts.sha1,
                                    facts.sha256)
        if facts.license:
            strings += (facts.license,)
        if facts.copyrights:
            strings += ("\n".join(facts.copyrights),)
        found.append(((bool(facts.license), bool(facts.copyrights)), strings))
    return sorted(found, key=lambda entry: entry[1][1])


def file_component(shape: Shape, strings: tuple[str, ...]) -> dict[str, Any]:
    """One file as a nested `file` component."""
    item: dict[str, Any] = {
        "bom-ref": strings[0], "type": "file", "name": strings[1],
        "hashes": [{"alg": "SHA-1", "content": strings[2]},
                   {"alg": "SHA-256", "content": strings[3]}]}
    rest = iter(strings[4:])
    if shape[0]:
        item["licenses"] = [{"expression": next(rest)}]
    if shape[1]:
        item["copyright"] = next(rest)
    return item


def representatives(entries: list[Entry]) -> list[dict[str, Any]]:
    """The first file of each shape: what the schema check sees of a package's files."""
    first: dict[Shape, tuple[str, ...]] = {}
    for shape, strings in entries:
        first.setdefault(shape, strings)
    return [file_component(shape, strings) for shape, strings in first.items()]


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def render(data: dict[str, Any], files: dict[str, list[Entry]]) -> str:
    """`data` as json.dumps(indent=2, ensure_ascii=False) writes it, with each component's
    files (by bom-ref) as its nested `components`."""
    marked: dict[str, list[Entry]] = {}
    for number, component in enumerate(data.get("components", [])):
        entries = files.get(component.get("bom-ref"))
        if entries:
            mark = placeholder(number)
            component["components"] = [mark]
            marked[mark] = entries
    text = _dumps(data)  # small: the files are placeholders yet
    templates: dict[tuple[Shape, str], Template] = {}
    places = []
    for mark in marked:
        token = encode_basestring(mark)
        if text.count(token) != 1:
            raise TemplateError("a component's files placeholder is not in the text once")
        places.append((text.index(token), token, marked[mark]))
    pieces, done = [], 0
    for at, token, entries in sorted(places, key=lambda place: place[0]):
        indent = text[text.rindex("\n", 0, at) + 1:at]
        items = []
        for shape, strings in entries:
            template = templates.get((shape, indent))
            if template is None:
                template = compile_template(
                    file_component(shape, strings), list(zip(_slots(shape), strings, strict=True)),
                    _dumps).indented(indent)
                templates[shape, indent] = template
            items.append(template.fill(strings))
        pieces += [text[done:at], (",\n" + indent).join(items)]
        done = at + len(token)
    pieces.append(text[done:])
    return "".join(pieces)
