"""The data files shipped inside the package (`zsec_west/data/`): the one place that finds,
reads and parses them. Knowledge is data (rules, development keys, TF-M advisories and boards,
identifier mappings, vulnerability tables); each module that validates one asks here for it, so
every shipped YAML file is parsed by zsec_west.files.yamldoc with its line numbers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from zsec_west.errors import DataFileError

if TYPE_CHECKING:
    from importlib.abc import Traversable

_PACKAGE = "zsec_west"
_FOLDER = "data"


def label(name: str) -> str:
    """How errors and reports name a shipped file: `zsec_west/data/<name>`."""
    return f"{_PACKAGE}/{_FOLDER}/{name}"


def resource(name: str) -> Traversable:
    """The shipped file `name` (a path below zsec_west/data, e.g. 'rules/boot.yaml')."""
    from importlib import resources

    return resources.files(_PACKAGE).joinpath(_FOLDER, *name.split("/"))


def read_text(name: str) -> str:
    # A normal install has the files beside this package; reading them directly spares loading
    # importlib's resource readers (a few milliseconds of every signing command's start-up).
    local = Path(__file__).resolve().parents[1] / _FOLDER / Path(*name.split("/"))
    try:
        if local.is_file():
            return local.read_text(encoding="utf-8")
        return resource(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"shipped data file unreadable ({exc}); reinstall zsec-west",
                            path=label(name)) from None


def document(name: str) -> Any:
    """The parsed YAML of a shipped file: LineDict/LineList with line numbers, duplicate keys
    refused; errors name `zsec_west/data/<name>` and the line."""
    # Imported here: a caller that only needs the text (a digest lookup) does not load YAML.
    from zsec_west.files.yamldoc import parse_yaml

    return parse_yaml(read_text(name), label(name))


def names(folder: str, suffix: str = ".yaml") -> list[str]:
    """The shipped files in `folder` ending in `suffix`, as names for `read_text`, sorted."""
    directory = resource(folder)
    return sorted(f"{folder}/{entry.name}" for entry in directory.iterdir()
                  if entry.name.endswith(suffix) and entry.is_file())
