"""The vulnerability tables' YAML (zsec_west.files.yamldoc) and their errors: `file:line`, then
what is wrong with which field."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from zsec_west.errors import DataFileError
from zsec_west.files.yamldoc import LineDict, YamlSyntaxError, parse_yaml


def load(path: Path | str, text: str) -> Any:
    """Parse `text` (read from `path`); YAML errors become DataFileError with the line."""
    try:
        return parse_yaml(text, path)
    except YamlSyntaxError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise DataFileError(f"not valid YAML: {exc.problem}", path=where) from None


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
