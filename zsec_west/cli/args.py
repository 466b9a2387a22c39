"""Argument definitions shared by both front ends, so `west sec-X ARGS` == `zsec X ARGS`."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zsec_west.cli.console import Console
from zsec_west.findings import Severity

REPORT_FORMATS = ("text", "json", "sarif", "junit", "markdown")


@dataclass
class RunContext:
    """What a front end hands to a command besides its parsed arguments."""

    console: Console
    build_dir_fmt: str | None = None  # west's build.dir-fmt, when run under west
    west_topdir: str | None = None


@dataclass(frozen=True)
class CommandSpec:
    """One command: its names, help, arguments and what it runs. Shared by zsec and west."""

    name: str  # zsec subcommand, e.g. "check"
    west_name: str  # west command, e.g. "sec-check"
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, RunContext], int]


def add_build_dir_args(parser: argparse.ArgumentParser, *, domains: bool = True) -> None:
    """-d/--build-dir and --domain, found the way `west build` finds them."""
    parser.add_argument(
        "-d", "--build-dir", metavar="DIR",
        help="build directory (default: west's build.dir-fmt, else ./build, else the current "
             "directory if it is a Zephyr build)",
    )
    if domains:
        parser.add_argument(
            "--domain", action="append", metavar="NAME", default=None,
            help="only this sysbuild domain (repeatable; default: all)",
        )


def add_report_args(parser: argparse.ArgumentParser, *, short_output: bool = True,
                    formats: Sequence[str] = REPORT_FORMATS, fail_on_default: str = "low") -> None:
    """--format, --output, --fail-on and --exit-zero."""
    parser.add_argument("--format", choices=formats, default="text",
                        help="report format (default: text)")
    names = ["-o", "--output"] if short_output else ["--output"]
    parser.add_argument(*names, metavar="FILE", dest="output",
                        help="write the report to FILE instead of standard output")
    parser.add_argument(
        "--fail-on", choices=[s.label for s in Severity], default=fail_on_default,
        metavar="SEVERITY",
        help=f"exit 1 when a finding is at or above SEVERITY (critical, high, medium, low, info; "
             f"default: {fail_on_default})",
    )
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when findings reach --fail-on (errors still exit 2/3)")
