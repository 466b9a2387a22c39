"""Argument definitions shared by both front ends, so `west sec-X ARGS` == `zsec X ARGS`."""

from __future__ import annotations

import argparse
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from zsec_west.cli.console import Console
from zsec_west.errors import EXIT_INPUT, one_line
from zsec_west.files.reading import is_dir
from zsec_west.findings import Severity

REPORT_FORMATS = ("text", "json", "sarif", "junit", "markdown")


class OneLineErrorParser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error (argparse prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        one_line_error(self, message)


def one_line_error(parser: argparse.ArgumentParser, message: str, prog: str | None = None) -> NoReturn:
    prog = prog or parser.prog
    parser.exit(EXIT_INPUT, f"{prog}: error: {one_line(message)}; see '{prog} --help'\n")


@dataclass
class RunContext:
    """What a front end hands to a command besides its parsed arguments."""

    console: Console
    build_dir_fmt: str | None = None  # west's build.dir-fmt, when run under west
    west_topdir: str | None = None


@dataclass(frozen=True)
class CommandSpec:
    """One command: its names, help, arguments and what it runs. Shared by zsec and west.

    A command with `default_action` is made of actions (`zsec sign verify ...`) whose first word
    may be left out; its `add_arguments` adds them with `add_actions`.
    """

    name: str  # zsec subcommand, e.g. "check"
    west_name: str  # west command, e.g. "sec-check"
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, RunContext], int]
    default_action: str | None = None


# -- commands and their actions -----------------------------------------------------------------

# argparse cannot default a subcommand, and a parser that knows options would take `-k` in
# `zsec sign -k K IN OUT` before any action could see it. So the parser of a command made of
# actions knows no options at all (its one prefix character starts no argument anyone types):
# every word after the command name reaches the action dispatcher, which picks the action.
_NO_OPTIONS = "\x00"

if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    _SubParsers = argparse._SubParsersAction


class _Actions(_SubParsers):
    """The actions of a command: the first word names one, else `default` runs with every word."""

    def __init__(self, *args: Any, default_action: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.nargs = argparse.REMAINDER  # also called with no words at all: the default action
        self.default_action = default_action

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        words = list(values)
        if words[:1] in (["-h"], ["--help"]):
            parser.print_help()
            parser.exit()
        if not words or words[0] not in self.choices:
            words.insert(0, self.default_action)
        super().__call__(parser, namespace, words, option_string)


def add_command_parser(adder: Any, spec: CommandSpec, name: str) -> argparse.ArgumentParser:
    """`spec`'s parser among `adder`'s subcommands (zsec's or west's), the same for both."""
    options: dict[str, Any] = {"help": spec.help, "description": spec.description,
                               "formatter_class": argparse.RawDescriptionHelpFormatter}
    if spec.default_action is not None:
        options.update(prefix_chars=_NO_OPTIONS, add_help=False)
    parser: argparse.ArgumentParser = adder.add_parser(name, **options)
    if not isinstance(parser, OneLineErrorParser):  # west's parser class: errors made one line here
        parser.error = types.MethodType(one_line_error, parser)  # type: ignore[method-assign]
    spec.add_arguments(parser)
    return parser


def add_actions(parser: argparse.ArgumentParser, default: str, dest: str) -> _SubParsers:
    """The action subcommands of a parser made by `add_command_parser`; `default` runs when the
    first word names none. Add each with `.add_parser(name, help=...)`."""
    if parser.prefix_chars != _NO_OPTIONS:
        raise TypeError("a command with actions needs the parser add_command_parser makes")
    # default_action is for _Actions, beyond what typeshed knows
    options: dict[str, Any] = {"default_action": default, "parser_class": OneLineErrorParser}
    actions = parser.add_subparsers(dest=dest, metavar="ACTION", title=f"actions (default: {default})",
                                    prog=parser.prog, action=_Actions, **options)
    parser.usage = "%(prog)s [ACTION] ..."
    parser.epilog = f"`%(prog)s ACTION --help` lists an action's options; without ACTION, {default} runs."
    return actions


def add_action(actions: _SubParsers, name: str, help: str, add: Callable[[argparse.ArgumentParser], None],
               epilog: str | None = None) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=help, description=help, epilog=epilog,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add(parser)
    return parser


# -- options every command shares --------------------------------------------------------------

BUILD_DIR_HELP = ("build directory (default: west's build.dir-fmt, else ./build, else the current directory "
                  "if it is a Zephyr build)")


def add_build_dir_args(parser: argparse._ActionsContainer, *, domains: bool = True, short: bool = True,
                       help: str = BUILD_DIR_HELP) -> None:
    """-d/--build-dir (only --build-dir where -d means something else) and --domain, found the
    way `west build` finds them. `parser` may be an argument group."""
    names = ["-d", "--build-dir"] if short else ["--build-dir"]
    parser.add_argument(*names, metavar="DIR", dest="build_dir", help=help)
    if domains:
        parser.add_argument("--domain", action="append", metavar="NAME", default=None,
                            help="only this sysbuild domain (repeatable; default: all)")


ZEPHYR_BASE_ORDER = "default: the build's ZEPHYR_BASE if present, else $ZEPHYR_BASE"


def add_zephyr_base_arg(parser: argparse.ArgumentParser, purpose: str, default: str = ZEPHYR_BASE_ORDER) -> None:
    """--zephyr-base DIR: a Zephyr tree to use `purpose`."""
    parser.add_argument("--zephyr-base", metavar="DIR", help=f"Zephyr tree {purpose} ({default})")


def zephyr_base_fallback(args: argparse.Namespace, recorded: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The tree a command uses when the build's own ZEPHYR_BASE (`recorded`) is not on this machine:
    --zephyr-base, else $ZEPHYR_BASE when it is a directory (west sets it to its workspace's tree).
    None: use the build's."""
    if args.zephyr_base:
        return Path(args.zephyr_base)
    if recorded is not None and is_dir(recorded):
        return None
    env = environ.get("ZEPHYR_BASE")
    return Path(env) if env and is_dir(env) else None


def add_format_arg(parser: argparse.ArgumentParser, formats: Sequence[str], help: str = "report format") -> None:
    parser.add_argument("--format", choices=formats, default=formats[0],
                        help=f"{help}: {', '.join(formats)} (default: {formats[0]})")


def add_output_arg(parser: argparse.ArgumentParser, *, short: bool = True,
                   help: str = "write the report to FILE instead of standard output") -> None:
    names = ["-o", "--output"] if short else ["--output"]
    parser.add_argument(*names, metavar="FILE", dest="output", help=help)


def add_report_args(parser: argparse.ArgumentParser, *, short_output: bool = True,
                    formats: Sequence[str] = REPORT_FORMATS, fail_on_default: str = "low") -> None:
    """--format, --output, --fail-on and --exit-zero."""
    add_format_arg(parser, formats)
    add_output_arg(parser, short=short_output)
    parser.add_argument(
        "--fail-on", choices=[s.label for s in Severity], default=fail_on_default,
        metavar="SEVERITY",
        help=f"exit 1 when a finding is at or above SEVERITY (critical, high, medium, low, info; "
             f"default: {fail_on_default})",
    )
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when findings reach --fail-on (errors still exit 2/3)")
