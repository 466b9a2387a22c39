"""Which macros a C configuration header defines, the way the compiler saw it.

mbed TLS is configured by a header (`MBEDTLS_CONFIG_FILE`, else `mbedtls/mbedtls_config.h`)
full of `#define MBEDTLS_...` lines, often inside `#if defined(CONFIG_...)` blocks that follow
Kconfig, and `#include`s of further headers. This reads such a header with the compile's -D
macros and `-imacros` files predefined: #define/#undef, #if/#ifdef/#ifndef/#elif/#else/#endif
with `defined`, integers, ! && || and comparisons, and quoted #includes found beside the header
or on the include path. An expression it cannot evaluate makes the result unknown rather than
a guess (ConfigUnknown).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.errors import InputError
from zsec_west.files.reading import open_input, read_limited

_DIRECTIVE = re.compile(r"^\s*#\s*(\w+)\s*(.*)$")
_DEFINE = re.compile(r"^([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$")
_INCLUDE = re.compile(r'^[<"]([^">]+)[">]')
_TOKEN = re.compile(r"\s*(defined|[A-Za-z_]\w*|0[xX][0-9A-Fa-f]+|\d+|&&|\|\||==|!=|<=|>=|[()!<>+\-*/%])")
_INT_SUFFIX = re.compile(r"[uUlL]+$")
_MAX_DEPTH = 20
_MAX_BYTES = 4 << 20


class ConfigUnknown(Exception):
    """The header cannot be read or evaluated with confidence; the message says why."""


@dataclass
class _State:
    macros: dict[str, str]
    include_dirs: tuple[Path, ...]
    read: list[str] = field(default_factory=list)  # headers read, for the reason text


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return text.replace("\\\n", " ")


class _Expression:
    """A recursive-descent evaluator of #if expressions over the macros defined so far."""

    def __init__(self, text: str, macros: dict[str, str]):
        self.tokens = self._tokens(text)
        self.pos = 0
        self.macros = macros

    @staticmethod
    def _tokens(text: str) -> list[str]:
        tokens, pos = [], 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if not match:
                raise ConfigUnknown(f"cannot evaluate '#if {text}'")
            tokens.append(match.group(1))
            pos = match.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        return tokens

    def value(self) -> int:
        result = self._or()
        if self.pos != len(self.tokens):
            raise ConfigUnknown(f"cannot evaluate '{' '.join(self.tokens)}'")
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise ConfigUnknown(f"incomplete expression '{' '.join(self.tokens)}'")
        self.pos += 1
        return token

    def _binary(self, operators: dict[str, Callable[[int, int], int]],
                operand: Callable[[], int]) -> int:
        left = operand()
        while self._peek() in operators:
            operator = operators[self._take()]
            left = operator(left, operand())
        return left

    def _or(self) -> int:
        return self._binary({"||": lambda a, b: int(bool(a or b))}, self._and)

    def _and(self) -> int:
        return self._binary({"&&": lambda a, b: int(bool(a and b))}, self._compare)

    def _compare(self) -> int:
        return self._binary({"==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
                             "<": lambda a, b: int(a < b), ">": lambda a, b: int(a > b),
                             "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b)},
                            self._sum)

    def _sum(self) -> int:
        return self._binary({"+": lambda a, b: a + b, "-": lambda a, b: a - b}, self._unary)

    def _unary(self) -> int:
        token = self._take()
        if token == "!":
            return int(not self._unary())
        if token == "-":
            return -self._unary()
        if token == "(":
            inner = self._or()
            if self._take() != ")":
                raise ConfigUnknown("unbalanced parentheses")
            return inner
        if token == "defined":
            name = self._take()
            if name == "(":
                name = self._take()
                if self._take() != ")":
                    raise ConfigUnknown("bad defined()")
            return int(name in self.macros)
        return self._atom(token)

    def _atom(self, token: str) -> int:
        if token[0].isdigit():
            return int(_INT_SUFFIX.sub("", token), 0)
        if token in self.macros:
            value = self.macros[token].strip()
            if not value:
                raise ConfigUnknown(f"macro {token} has no value to compare")
            try:
                return int(_INT_SUFFIX.sub("", value), 0)
            except ValueError:
                raise ConfigUnknown(f"macro {token} is not a number ({value!r})") from None
        return 0  # an undefined identifier is 0 in #if


def _find(name: str, here: Path, state: _State) -> Path | None:
    for directory in (here, *state.include_dirs):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def _read(path: Path, state: _State, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise ConfigUnknown(f"#include nesting deeper than {_MAX_DEPTH} at {path.name}")
    try:
        with open_input(path, "build") as handle:
            data = read_limited(handle, _MAX_BYTES, path, "configuration header")
    except InputError as exc:
        raise ConfigUnknown(f"cannot read {path}: {exc.message}") from None
    except OSError as exc:
        raise ConfigUnknown(f"cannot read {path}: {exc.strerror}") from None
    text = data.decode("utf-8", errors="replace")
    state.read.append(path.name)
    _run(_strip_comments(text), path.parent, state, depth)


def _run(text: str, here: Path, state: _State, depth: int) -> None:
    # Each frame: (this branch is live, a branch of this #if was already taken, parent live)
    stack: list[tuple[bool, bool, bool]] = []
    live = True
    for line in text.splitlines():
        match = _DIRECTIVE.match(line)
        if not match:
            continue
        word, rest = match.group(1), match.group(2).strip()
        if word in ("if", "ifdef", "ifndef"):
            taken = live and _condition(word, rest, state.macros)
            stack.append((taken, taken, live))
            live = taken
        elif word in ("elif", "else"):
            if not stack:
                raise ConfigUnknown(f"#{word} without #if")
            _, done, parent = stack[-1]
            taken = parent and not done and (word == "else" or _condition("if", rest, state.macros))
            stack[-1] = (taken, done or taken, parent)
            live = taken
        elif word == "endif":
            if not stack:
                raise ConfigUnknown("#endif without #if")
            live = stack.pop()[2]
        elif live:
            _statement(word, rest, here, state, depth)
    if stack:
        raise ConfigUnknown("#if without #endif")


def _condition(word: str, rest: str, macros: dict[str, str]) -> bool:
    if word == "ifdef":
        return rest.split()[0] in macros if rest else False
    if word == "ifndef":
        return rest.split()[0] not in macros if rest else True
    return bool(_Expression(rest, macros).value())


def _statement(word: str, rest: str, here: Path, state: _State, depth: int) -> None:
    if word == "define":
        match = _DEFINE.match(rest)
        if match:
            state.macros[match.group(1)] = match.group(3).strip()
    elif word == "undef":
        state.macros.pop(rest.split()[0] if rest else "", None)
    elif word == "include":
        match = _INCLUDE.match(rest)
        if not match:
            raise ConfigUnknown(f"#include {rest} names a macro, which is not followed")
        found = _find(match.group(1), here, state)
        if found is None:
            raise ConfigUnknown(f"{match.group(1)} (included from {here.name}) is not here")
        _read(found, state, depth + 1)
    elif word == "error":
        raise ConfigUnknown(f"the header stops with #error {rest}")


def defined_macros(header: Path, predefined: dict[str, str],
                   include_dirs: tuple[Path, ...] = (),
                   imacros: tuple[Path, ...] = ()) -> tuple[frozenset[str], tuple[str, ...]]:
    """Every macro defined after reading `imacros` and then `header`, and the headers read.
    Raises ConfigUnknown when that cannot be told."""
    state = _State(dict(predefined), include_dirs)
    for path in imacros:
        _read(path, state, 0)
    state.read.clear()
    _read(header, state, 0)
    return frozenset(state.macros), tuple(state.read)
