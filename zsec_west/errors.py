"""Typed errors raised by the core; only the front ends turn them into a line and an exit code."""

from __future__ import annotations

import re
from pathlib import Path

# Exit codes shared by every command (see README "Exit codes").
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_ENVIRONMENT = 3


class ZsecError(Exception):
    """Base error: a message, optionally the file it concerns and a hint on what to do."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, *, path: str | Path | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.hint:
            text += f" ({self.hint})"
        return one_line(text)


class InputError(ZsecError):
    """Something the user gave us (a file, an option) is missing or wrong."""


class UsageError(InputError):
    """Options that do not fit together."""


class BuildDirError(InputError):
    """The build directory is missing, not a Zephyr build, or one of its files is broken."""


class KeyFileError(InputError):
    """A key file is missing, unreadable, encrypted without a passphrase, or not a usable key."""


class ImageFormatError(InputError):
    """A file is not a (complete) MCUboot image, or an input image is unusable."""


class DataFileError(InputError):
    """A rule, waiver, advisory or vulnerability data file fails validation."""


class ToolError(ZsecError):
    """The environment failed us: a token, an external command, a dependency, a validator."""

    exit_code = EXIT_ENVIRONMENT


MESSAGE_LIMIT = 4000  # characters of a one-line message, however many files it names
_BREAKS = re.compile(r"\s*[\r\n\t\f\v]\s*| {8,}")
_LONG_WORD = re.compile(r"\S{300,}")


def _elide(match: re.Match[str]) -> str:
    word = match.group(0)
    return f"{word[:120]}[... {len(word) - 180} characters ...]{word[-60:]}"


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text` as one readable line: line breaks and long runs of blanks (a YAML parser's
    two-line context, a line of a damaged file) become one space, a word of hundreds of
    characters (a 5,000-digit number, a line of garbage quoted back) keeps its start and end,
    and the whole is cut in the middle beyond `limit` (the file is named first, the hint last)."""
    flat = _LONG_WORD.sub(_elide, _BREAKS.sub(" ", text))
    if len(flat) <= limit:
        return flat
    keep = limit // 2 - 20
    return f"{flat[:keep]} [... {len(flat) - 2 * keep} characters ...] {flat[-keep:]}"
