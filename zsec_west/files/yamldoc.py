"""YAML data files loaded with their line numbers, so that errors can name file, line and field.

Mappings load as `LineDict` (a dict that knows the line of each key) and sequences as `LineList`
(a list that knows the line of each item). Duplicate keys are an error, not a silent overwrite:
in a rule or advisory file a duplicate usually means two entries where the author meant one.
Every data file we validate (rule files, waivers, Zephyr's hardening database, the advisory and
keyword tables) is read through here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from zsec_west.errors import DataFileError


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


class _Loader(yaml.SafeLoader):
    """SafeLoader building LineDict/LineList and refusing duplicate keys."""


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
        if key in result:
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


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_yaml(text: str, source: str | Path) -> Any:
    """The document in `text`; syntax errors and duplicate keys raise YamlSyntaxError."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(problem, mark.line + 1 if mark is not None else None,
                              source) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML ({exc})", None, source) from None


def load_yaml(path: Path) -> Any:
    """The YAML document in the file at `path`, with line numbers kept."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError("file not found", path=path) from None
    except IsADirectoryError:
        raise DataFileError("is a directory, not a YAML file", path=path) from None
    except UnicodeDecodeError:
        raise DataFileError("not a UTF-8 text file", path=path) from None
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror}", path=path) from None
    return parse_yaml(text, path)


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
