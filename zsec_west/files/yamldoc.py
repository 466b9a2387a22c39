"""YAML data files loaded with their line numbers, so that errors can name file, line and field.

Mappings load as `LineDict` (a dict that knows the line of each key) and sequences as `LineList`
(a list that knows the line of each item). Duplicate keys are an error, not a silent overwrite:
in a rule or advisory file a duplicate usually means two entries where the author meant one.
Every YAML file the package reads goes through here: the shipped data (via
zsec_west.files.shipped), the user's rule, waiver and table files, Zephyr's hardening database,
and build files (domains.yaml, zephyr.meta, module.yml, board.yml, west.yml). Third-party build
files are read with `strict=False`, which lets a repeated key win as the tools that wrote them do.

Errors come in two spellings, both naming file and line: `Where` (path, then "line N, field 'f':
problem"), used by rule, waiver and Zephyr database files, and `Checker` / `parse_located` (path
"file:line", then "what: field 'f': problem"), used by the other tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from zsec_west.errors import DataFileError
from zsec_west.files.reading import read_input_text


class LineDict(dict):
    """A mapping loaded from YAML: `line` is where it starts, `key_lines[k]` where key k is."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LineList(list):
    """A sequence loaded from YAML: `line` is where it starts, `item_lines[i]` where item i is."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[index] if index < len(lines) else self.line


class YamlSyntaxError(DataFileError):
    """The text is not valid YAML (or repeats a key). `line` and `problem` are kept apart so a
    caller whose errors say `file:line` can put the line there."""

    def __init__(self, problem: str, line: int | None, source: str | Path):
        super().__init__(f"line {line}: {problem}" if line else problem, path=source)
        self.problem = problem
        self.line = line


YAML_MAX_DEPTH = 100  # our formats nest fewer than 10 levels; Zephyr's build files fewer than 20


# libyaml's parser when PyYAML has it (about ten times faster; it stops at 1,000 levels of nesting
# by itself), else PyYAML's own. Either way the values are built by the constructors below.
_SAFE_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_graph(root: yaml.Node) -> None:
    """Refuse aliases (none of the formats we read uses them, and a few bytes of nested aliases
    expand to gigabytes) and nesting deeper than YAML_MAX_DEPTH, before any value is built."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:  # the composer hands out the anchored node again for each alias
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not accepted in this file", node.start_mark)
        seen.add(id(node))
        if depth > YAML_MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {YAML_MAX_DEPTH} levels", node.start_mark)
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((part, depth + 1) for pair in node.value for part in pair)


class _Loader(_SAFE_BASE):
    """A safe loader building LineDict/LineList and refusing duplicate keys, aliases and deep
    nesting (`_check_graph`)."""

    allow_duplicates = False

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_graph(node)
        return self.construct_document(node)


class _LenientLoader(_Loader):
    """The same, letting a repeated key win (how PyYAML, west and Zephyr's scripts read them)."""

    allow_duplicates = True


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark)
        if key in result and not loader.allow_duplicates:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {result.key_lines[str(key)]})",
                key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


YAML_MAX_INT = 1 << 64  # Kconfig values are 64-bit at most; nothing we read needs more


def _checked(construct: Callable[[Any, Any], Any], what: str) -> Callable[[Any, Any], Any]:
    """A scalar constructor whose ValueError (a date like 2026-02-30, an integer beyond Python's
    4,300-digit limit) becomes a YAML error with the line of the value; integers beyond 64 bits
    are refused too (printing one of 5,000 digits fails later, far from its file)."""
    def checked(loader: Any, node: Any) -> Any:
        value = str(node.value)
        try:
            result = construct(loader, node)
        except ValueError as exc:
            problem = (f"an integer of {len(value)} characters is too large" if len(value) > 40
                       else f"{what} {value!r} cannot be read ({exc})")
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None
        if isinstance(result, int) and abs(result) >= YAML_MAX_INT:
            shown = value if len(value) <= 40 else f"of {len(value)} characters"
            raise yaml.constructor.ConstructorError(None, None, f"integer {shown} is larger than 64 bits",
                                                    node.start_mark)
        return result
    return checked


_Loader.add_constructor("tag:yaml.org,2002:int", _checked(yaml.SafeLoader.construct_yaml_int, "integer"))
_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        _checked(yaml.SafeLoader.construct_yaml_timestamp, "date"))
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_yaml(text: str, source: str | Path, *, strict: bool = True) -> Any:
    """The document in `text`; syntax errors (and, if `strict`, duplicate keys) raise
    YamlSyntaxError."""
    try:
        return yaml.load(text, Loader=_Loader if strict else _LenientLoader)  # noqa: S506 - SafeLoaders
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(problem, mark.line + 1 if mark is not None else None,
                              source) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, controls)
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        raise YamlSyntaxError(f"character U+{code:04X} is not allowed in YAML", line, source) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML ({exc})", None, source) from None
    except RecursionError:
        raise YamlSyntaxError(f"nested deeper than {YAML_MAX_DEPTH} levels", None, source) from None
    except ValueError as exc:  # an integer beyond Python's digit limit, a date out of range ...
        raise YamlSyntaxError(f"a value cannot be read: {exc}", None, source) from None


def read_text(path: Path, kind: str = "data") -> str:
    """The text of the file at `path` (a regular file within the size limit of `kind`);
    DataFileError naming it when it cannot be read."""
    return read_input_text(path, kind, DataFileError)


def load_yaml(path: Path, *, strict: bool = True, kind: str = "yaml") -> Any:
    """The YAML document in the file at `path`, with line numbers kept."""
    return parse_yaml(read_text(path, kind), path, strict=strict)


class Where:
    """Builds DataFileError messages that name the file, the line and the field at fault."""

    def __init__(self, source: str | Path):
        self.source = str(source)

    def error(self, line: int | None, field: str | None, problem: str) -> DataFileError:
        parts = []
        if line:
            parts.append(f"line {line}")
        if field:
            parts.append(f"field '{field}'")
        prefix = ", ".join(parts)
        return DataFileError(f"{prefix}: {problem}" if prefix else problem, path=self.source)


def parse_located(text: str, source: str | Path) -> Any:
    """`parse_yaml` for tables whose errors put the line into the path (`file:line`)."""
    try:
        return parse_yaml(text, source)
    except YamlSyntaxError as exc:
        where = f"{source}:{exc.line}" if exc.line else str(source)
        raise DataFileError(f"not valid YAML: {exc.problem}", path=where) from None


def load_located(path: Path) -> Any:
    """`load_yaml` for tables whose errors put the line into the path (`file:line`)."""
    return parse_located(read_text(path, "yaml"), path)


def line_of(node: Any, key: str | int | None = None) -> int | None:
    """The line of `node` (or of its key / item `key`) when it was loaded here, else None."""
    if key is not None and isinstance(node, (LineDict, LineList)):
        return node.line_of(key)  # type: ignore[arg-type]
    return getattr(node, "line", None) or None


def located(source: str | Path, node: Any, key: str | int | None = None) -> str:
    """`file:line` of `node` (or its `key`), or just the file when the line is not known."""
    line = line_of(node, key)
    return f"{source}:{line}" if line else str(source)


class Checker:
    """Field validation for one mapping of a data file; every error names file, line and field."""

    def __init__(self, path: Path | str, node: Any, what: str, line: int = 0):
        self.path = str(path)
        self.what = what
        if not isinstance(node, LineDict):
            raise DataFileError(f"{what}: must be a mapping", path=f"{self.path}:{line}")
        self.node = node

    def fail(self, field: str | None, problem: str) -> DataFileError:
        line = self.node.line_of(field) if field else self.node.line
        label = f"{self.what}: field '{field}'" if field else self.what
        return DataFileError(f"{label}: {problem}", path=f"{self.path}:{line}")

    def only(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in self.node:
            if key not in allowed:
                raise self.fail(str(key), f"unknown field (expected one of {', '.join(sorted(allowed))})")

    def string(self, field: str, required: bool = False, default: str = "",
               check: Callable[[str], str | None] | None = None) -> str:
        value = self.node.get(field)
        if value is None:
            if required:
                raise DataFileError(f"{self.what}: field '{field}' is required",
                                    path=f"{self.path}:{self.node.line}")
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # versions written without quotes (3.7 -> "3.7")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(field, "must be a non-empty string")
        if check:
            problem = check(value)
            if problem:
                raise self.fail(field, problem)
        return value

    def strings(self, field: str, check: Callable[[str], str | None] | None = None) -> tuple[str, ...]:
        value = self.node.get(field)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(field, "must be a list")
        result = []
        for item in value:
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                raise self.fail(field, f"item {item!r} must be a non-empty string")
            if check:
                problem = check(item)
                if problem:
                    raise self.fail(field, f"item {item!r}: {problem}")
            result.append(item)
        return tuple(result)
