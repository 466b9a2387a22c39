"""Licences and copyright notices of source files, from the tags in their first lines.

A file's licence is its `SPDX-License-Identifier:` tag within the first 20 lines (the
convention Zephyr and its modules follow); copyright text is the `Copyright ...` /
`SPDX-FileCopyrightText:` lines of the same header. Identifiers that are not on the SPDX
licence list become `LicenseRef-` references, which the document then declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from license_expression import ExpressionError, LicenseExpression, get_spdx_licensing

# The SPDX licence list as license-expression bundles it (what spdx-tools itself uses), built
# here so that a CycloneDX run does not import spdx-tools.
spdx_licensing = get_spdx_licensing()

HEAD_LINES = 20
# A header longer than this is not a header (minified or generated data); stop looking.
HEAD_BYTES = 8192
_SPDX_TAG = re.compile(rb"SPDX-License-Identifier:[ \t]*([^\r\n]*)")
# The first HEAD_LINES lines: up to HEAD_LINES - 1 newlines, the last one excluded.
_HEAD = re.compile(rb"[^\n]*(?:\n[^\n]*){0,%d}" % (HEAD_LINES - 1))
# A notice line: comment leaders, then the notice. Only lines holding one of the words can
# match; they are found with bytes.find (a regular expression tried at every offset of the
# header is several times slower), and the leaders stop at the word, so a match stays on its line.
_COPYRIGHT = re.compile(
    rb"[\s/*#;!%'\"-]*((?:SPDX-FileCopyrightText:|copyright\b|\(c\)|\xc2\xa9)[^\r\n]*)", re.I)
_NOTICE_WORDS = (b"copyright", b"(c)", b"\xc2\xa9")
# Words that follow "copyright" in licence *text* (BSD, MIT ...), not in a notice.
_NOT_A_NOTICE = re.compile(r"^copyright\s+(notice|notices|holder|holders|owner|owners|and|law|"
                           r"laws|statement|license|licence|to|of|is|in|for)\b", re.I)
_COMMENT_END = re.compile(r"\s*(\*/|-->|\*\)|\*+|#+)\s*$")
_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_OPERATORS = {"AND", "OR", "WITH"}


def head(data: bytes, lines: int = HEAD_LINES, limit: int = HEAD_BYTES) -> bytes:
    """The first `lines` lines of `data` (at most `limit` bytes), without decoding the rest."""
    if lines == HEAD_LINES:
        found = _HEAD.match(data, 0, limit)  # one C call; it matches every input
        assert found is not None
        return found.group()
    data = data[:limit]
    end = -1
    for _ in range(lines):
        end = data.find(b"\n", end + 1)
        if end < 0:
            return data
    return data[:end]


def scan_header(data: bytes) -> tuple[str | None, tuple[str, ...]]:
    """(licence expression text as written, copyright lines) from the start of a file.

    Called once per file of a build (thousands): the header is searched with a few regular
    expressions over its bytes, and what a tag or notice says is decoded once per distinct text.
    """
    top = head(data)
    match = _SPDX_TAG.search(top)
    license_text = _license_tag(match.group(1)) if match else None
    notices: list[str] = []
    for start in _candidate_lines(top):
        found = _COPYRIGHT.match(top, start)
        line = _notice(found.group(1)) if found else None
        if line is not None and line not in notices:
            notices.append(line)
    return license_text, tuple(notices)


def _candidate_lines(top: bytes) -> list[int]:
    """Start offsets of the lines that hold a notice word, in order."""
    lowered = top.lower()
    starts: set[int] = set()
    for word in _NOTICE_WORDS:
        at = lowered.find(word)
        while at >= 0:
            starts.add(top.rfind(b"\n", 0, at) + 1)
            at = lowered.find(word, at + len(word))
    return sorted(starts)


@lru_cache(maxsize=4096)
def _license_tag(raw: bytes) -> str | None:
    return _COMMENT_END.sub("", raw.decode("utf-8", "replace")).strip() or None


@lru_cache(maxsize=4096)
def _notice(raw: bytes) -> str | None:
    """A copyright line as the SBOM states it; None for licence text that mentions copyright."""
    line = _COMMENT_END.sub("", raw.decode("utf-8", "replace")).strip()
    if line.startswith("SPDX-FileCopyrightText:"):
        line = line.split(":", 1)[1].strip()
        line = line if line.lower().startswith(("copyright", "(c)", "©")) else \
            f"Copyright {line}"
    if not line or _NOT_A_NOTICE.match(line):
        return None
    return line


def license_ref_id(text: str) -> str:
    """A valid `LicenseRef-` id for an identifier that is not on the SPDX list."""
    if text.startswith("LicenseRef-"):
        text = text[len("LicenseRef-"):]
    cleaned = re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-.") or "unknown"
    return f"LicenseRef-{cleaned}"


@dataclass(frozen=True)
class License:
    """A parsed licence expression and the non-SPDX references it uses (to be declared)."""

    expression: LicenseExpression
    text: str  # rendered, canonical ids
    refs: tuple[tuple[str, str], ...]  # (LicenseRef id, what the file said)


@lru_cache(maxsize=4096)
def _canonical_symbol(token: str) -> str | None:
    """'GPL-2.0' -> 'GPL-2.0-only', 'apache-2.0' -> 'Apache-2.0'; None if not on the list."""
    symbol = spdx_licensing.known_symbols_lowercase.get(token.lower())
    if symbol is not None and not str(symbol.key).startswith("LicenseRef-"):
        return str(symbol.key)
    try:
        info = spdx_licensing.validate(token)
    except Exception:  # the library raises odd errors on odd input; treat as unknown
        return None
    if info.errors or info.invalid_symbols or not info.normalized_expression:
        return None
    return str(info.normalized_expression)


@lru_cache(maxsize=4096)
def parse_license(text: str) -> License | None:
    """An SPDX licence expression as written in a file -> License; None if empty.

    Unknown identifiers are replaced by LicenseRef- ids; an expression that does not parse
    becomes one LicenseRef- for the whole text, so nothing a file says is lost.
    """
    text = text.strip()
    if not text:
        return None
    refs: list[tuple[str, str]] = []
    parts: list[str] = []
    for token in _TOKEN.findall(text):
        if token in "()" or token.upper() in _OPERATORS:
            parts.append(token if token in "()" else token.upper())
            continue
        if token.startswith(("LicenseRef-", "DocumentRef-")):
            ref = license_ref_id(token) if token.startswith("LicenseRef-") else token
            parts.append(ref)
            if ref.startswith("LicenseRef-"):
                refs.append((ref, token))
            continue
        canonical = _canonical_symbol(token)
        if canonical is None:
            ref = license_ref_id(token)
            refs.append((ref, token))
            parts.append(ref)
        else:
            parts.append(canonical)
    try:
        expression = spdx_licensing.parse(" ".join(parts), validate=False)
    except ExpressionError:
        expression = None
    if expression is None:
        ref = license_ref_id(text)
        return License(spdx_licensing.parse(ref), ref, ((ref, text),))
    return License(expression, expression.render(), tuple(dict.fromkeys(refs)))


def combine(licenses: Iterable[License]) -> License | None:
    """The AND of distinct file licences: the package's concluded licence."""
    distinct: dict[str, License] = {}
    for item in licenses:
        distinct.setdefault(item.text, item)
    if not distinct:
        return None
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    ordered = [distinct[key] for key in sorted(distinct)]
    parts = [f"({item.text})" if " " in item.text else item.text for item in ordered]
    expression = spdx_licensing.parse(" AND ".join(parts), validate=False)
    refs = tuple(dict.fromkeys(ref for item in ordered for ref in item.refs))
    return License(expression, expression.render(), refs)


def symbols(item: License) -> list[LicenseExpression]:
    """The individual licences of an expression (for LicenseInfoInFile / FromFiles)."""
    return list(_symbols(item.text, item.expression))


@lru_cache(maxsize=4096)
def _symbols(text: str, expression: LicenseExpression) -> tuple[LicenseExpression, ...]:
    found: dict[str, LicenseExpression] = {}
    # A "X WITH exception" stays one item: an exception on its own is not a licence.
    for symbol in spdx_licensing.license_symbols(expression, unique=True, decompose=False):
        text_of = symbol.render("{symbol.key}") if hasattr(symbol, "render") else str(symbol)
        found.setdefault(text_of, spdx_licensing.parse(text_of))
    return tuple(found[key] for key in sorted(found))
