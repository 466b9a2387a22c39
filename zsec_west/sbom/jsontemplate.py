"""JSON text of many elements of one shape, written at the speed of string joins.

An SBOM lists thousands of files that differ only in a few strings (id, name, digests). The
writers put one file of each shape through their model library, which checks it and turns it
into JSON; every other file of that shape reuses the library's text with its own strings in
place of the representative's. `compile_template` proves, once per shape, that the text it
makes for the representative is exactly what the serialiser writes for it; a JSON encoder
writes each string value on its own, independently of the others, so every other element of
the shape comes out as the serialiser would have written it.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

# A slot's placeholder value. The nonce is new in each process: no input can know it, so the
# placeholder cannot occur in real data (and compile_template checks that each occurs once).
_NONCE = secrets.token_hex(8)
_PLACEHOLDER = "\x00zsec-{nonce}-{number}\x00"

Path = tuple[str | int, ...]  # keys and list indexes from the element to one string value


class TemplateError(ValueError):
    """The serialiser's text for an element is not what its template makes of it."""


def placeholder(number: int) -> str:
    return _PLACEHOLDER.format(nonce=_NONCE, number=number)


class Template:
    """An element's JSON text cut at its slots; `fill` puts JSON-encoded strings in them."""

    def __init__(self, parts: list[str], order: list[int], ascii_only: bool):
        self.parts = parts  # len(order) + 1 pieces of constant text
        self.order = order  # the slot written after each piece
        self._encode = encode_basestring_ascii if ascii_only else encode_basestring
        self._ascii_only = ascii_only

    @classmethod
    def parse(cls, text: str, slots: int, *, ascii_only: bool = False) -> Template:
        """Cut `text` at the encoded placeholders 0..slots-1, each of which must occur once."""
        encode = encode_basestring_ascii if ascii_only else encode_basestring
        marks = {encode(placeholder(number)): number for number in range(slots)}
        if any(text.count(mark) != 1 for mark in marks):
            raise TemplateError("a slot is missing from the element's text or occurs twice")
        pieces = re.split("(" + "|".join(re.escape(mark) for mark in marks) + ")", text)
        return cls(pieces[0::2], [marks[mark] for mark in pieces[1::2]], ascii_only)

    def fill(self, values: Sequence[str]) -> str:
        """The element's text with `values[i]` in slot i (strings only, as JSON encodes them)."""
        parts, encode = self.parts, self._encode
        out = [parts[0]]
        for piece, number in zip(parts[1:], self.order, strict=True):
            out.append(encode(values[number]))
            out.append(piece)
        return "".join(out)

    def indented(self, prefix: str) -> Template:
        """The same element nested in an indented document: every line after the first starts
        with `prefix` (an encoded string never holds a raw newline, so only the constant text
        has line breaks)."""
        return Template([part.replace("\n", "\n" + prefix) for part in self.parts], self.order,
                        self._ascii_only)


def _set(element: Any, path: Path, value: str, expected: str) -> None:
    container = element
    for key in path[:-1]:
        container = container[key]
    if container[path[-1]] != expected:
        raise TemplateError(f"the element has {container[path[-1]]!r} at {path}, not {expected!r}")
    container[path[-1]] = value


def compile_template(element: Any, slots: Sequence[tuple[Path, str]],
                     dumps: Callable[[Any], str], *, ascii_only: bool = False) -> Template:
    """The template of `element` as `dumps` writes it, with the string at each slot's path made
    a slot. Each path must hold the string given with it (the element's own value), and the
    template filled with those strings must give `dumps(element)` exactly."""
    marked = copy.deepcopy(element)
    for number, (path, expected) in enumerate(slots):
        _set(marked, path, placeholder(number), expected)
    template = Template.parse(dumps(marked), len(slots), ascii_only=ascii_only)
    if template.fill([expected for _, expected in slots]) != dumps(element):
        raise TemplateError("the template does not reproduce the element's text")
    return template
