"""Colour and progress only for a person at a terminal; never with NO_COLOR or in CI."""

from __future__ import annotations

import io
from pathlib import Path

from zsec_west.cli.console import INF, QUIET, Console, colour_wanted


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_needs_a_terminal_and_no_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert colour_wanted(Tty()) and not colour_wanted(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted(Tty())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert colour_wanted(io.StringIO())


def test_progress_only_on_an_interactive_stderr(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    shown = Console(stderr=Tty())
    with shown.progress("hashing", 3) as bar:
        bar.advance(3)
    assert "hashing [" in shown.stderr.getvalue()
    monkeypatch.setenv("CI", "true")
    in_ci = Console(stderr=Tty())
    with in_ci.progress("hashing", 3) as bar:
        bar.advance(3)
    assert in_ci.stderr.getvalue() == ""
    piped = Console(stderr=io.StringIO())
    monkeypatch.delenv("CI")
    with piped.progress("hashing", 3) as bar:
        bar.advance(3)
    assert piped.stderr.getvalue() == ""


def test_report_to_stdout_everything_else_to_stderr(tmp_path: Path):
    out, err = io.StringIO(), io.StringIO()
    console = Console(verbosity=INF, stdout=out, stderr=err)
    console.wrn("careful")
    console.summary("1 failed")
    console.emit("{}", None)
    assert out.getvalue() == "{}\n"
    assert "warning: careful" in err.getvalue() and "1 failed" in err.getvalue()
    console.emit("report", tmp_path / "r.txt")
    assert (tmp_path / "r.txt").read_text() == "report" and out.getvalue() == "{}\n"
    quiet = Console(verbosity=QUIET, stdout=io.StringIO(), stderr=io.StringIO())
    quiet.wrn("x")
    quiet.err("y")
    assert quiet.stderr.getvalue() == ""
