"""Where a command's words go: the report to stdout or a file, everything else to stderr."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TextIO

# Verbosity levels, the same scale as west's global -v/-q.
QUIET, ERR, WRN, INF, DBG, DBG_MORE = 0, 1, 2, 3, 4, 5


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, never with NO_COLOR; FORCE_COLOR overrides both."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def terminal_width(stream: TextIO, default: int = 100) -> int:
    """The width to wrap text to: the terminal's when `stream` is one, else `default`."""
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return default
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return default
    return columns if columns > 0 else default


def interactive(stream: TextIO) -> bool:
    """Progress bars only for a person at a terminal, never in CI."""
    if os.environ.get("CI"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


class Progress:
    """A progress bar on an interactive stderr, silence elsewhere."""

    def __init__(self, console: Console, label: str, total: int):
        self._console = console
        self._label = label
        self._total = max(total, 1)
        self._done = 0
        self._shown = interactive(console.stderr) and console.verbosity >= WRN
        self._last = 0.0

    def advance(self, amount: int = 1) -> None:
        self._done += amount
        now = time.monotonic()
        if self._shown and (now - self._last > 0.1 or self._done >= self._total):
            self._last = now
            width = 30
            filled = int(width * min(self._done, self._total) / self._total)
            self._console.stderr.write(
                f"\r{self._label} [{'#' * filled}{'.' * (width - filled)}] {self._done}/{self._total}"
            )
            self._console.stderr.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._shown:
            self._console.stderr.write("\r\033[K")
            self._console.stderr.flush()


class Console:
    """Output for one command run. The west adapter subclasses it to use west's methods."""

    def __init__(self, verbosity: int = INF, stdout: TextIO | None = None,
                 stderr: TextIO | None = None, prog: str = "zsec"):
        self.verbosity = verbosity
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.prog = prog

    @property
    def command_name(self) -> str:
        """The command as the user typed it, for messages: "zsec check" (west: "west sec-check")."""
        return self.prog

    @property
    def colour(self) -> bool:
        return colour_wanted(self.stdout)

    def dbg(self, message: str, level: int = DBG) -> None:
        if self.verbosity >= level:
            self.stderr.write(f"{message}\n")

    def inf(self, message: str) -> None:
        """Progress-like information: stderr, so that stdout stays the report."""
        if self.verbosity >= INF:
            self.stderr.write(f"{message}\n")

    def wrn(self, message: str) -> None:
        if self.verbosity >= WRN:
            self.stderr.write(f"{self.prog}: warning: {message}\n")

    def err(self, message: str) -> None:
        if self.verbosity >= ERR:
            self.stderr.write(f"{self.prog}: error: {message}\n")

    def summary(self, message: str) -> None:
        """The one-line result at the end of a run."""
        if self.verbosity >= WRN:
            self.stderr.write(f"{message}\n")

    def progress(self, label: str, total: int) -> Progress:
        return Progress(self, label, total)

    def emit(self, report: str | bytes, output: str | Path | None) -> None:
        """The report: to `output` (atomically) or to stdout."""
        if output and str(output) != "-":
            from zsec_west.files.writing import atomic_write  # only reports written to a file need it

            atomic_write(output, report)
            self.dbg(f"wrote {output}")
            return
        if isinstance(report, bytes):
            self.stdout.flush()
            self.stdout.buffer.write(report)
        else:
            self.stdout.write(report)
            if report and not report.endswith("\n"):
                self.stdout.write("\n")
        self.stdout.flush()
