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
from zsec_west.files.reading import exists, is_dir

REPORT_FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")


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


def add_verbosity_args(parser: argparse.ArgumentParser) -> None:
    """-v/--verbose and -q/--quiet after the command name too (`zsec check -q`, `west sec-check
    -v`), adding to the ones before it. Where a command uses -v for something else (`sign -v
    VERSION`, as imgtool), only --verbose is added. Absent unless given, so that a subcommand's
    defaults never overwrite the global counts."""
    taken = parser._option_string_actions
    for short, long, dest, help in (("-v", "--verbose", "cmd_verbose", "more output (-v: details)"),
                                    ("-q", "--quiet", "cmd_quiet", "less output (-q: summary only)")):
        names = [name for name in (short, long) if name not in taken]
        if long in names:
            parser.add_argument(*names, action="count", dest=dest, default=argparse.SUPPRESS, help=help)


def verbosity_change(args: argparse.Namespace) -> int:
    """What -v/-q after the command name add to the verbosity."""
    return int(getattr(args, "cmd_verbose", 0)) - int(getattr(args, "cmd_quiet", 0))


def west_description(spec: CommandSpec, name: str) -> str:
    """The description as the front end names the command: `west sec-check` under west."""
    if name == spec.name:
        return spec.description
    return spec.description.replace(f"zsec {spec.name}", f"west {spec.west_name}")


def add_command_parser(adder: Any, spec: CommandSpec, name: str) -> argparse.ArgumentParser:
    """`spec`'s parser among `adder`'s subcommands (zsec's or west's), the same for both."""
    options: dict[str, Any] = {"help": spec.help, "description": west_description(spec, name),
                               "formatter_class": argparse.RawDescriptionHelpFormatter}
    if spec.default_action is not None:
        options.update(prefix_chars=_NO_OPTIONS, add_help=False)
    parser: argparse.ArgumentParser = adder.add_parser(name, **options)
    if not isinstance(parser, OneLineErrorParser):  # west's parser class: errors made one line here
        parser.error = types.MethodType(one_line_error, parser)  # type: ignore[method-assign]
    spec.add_arguments(parser)
    if spec.default_action is None:
        add_verbosity_args(parser)
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
    add_verbosity_args(parser)
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


ZEPHYR_BASE_ORDER = ("default: the build's ZEPHYR_BASE if it is on this machine, else $ZEPHYR_BASE, else the "
                     "zephyr/ project of the west workspace")


def add_zephyr_base_arg(parser: argparse._ActionsContainer, purpose: str, default: str = ZEPHYR_BASE_ORDER) -> None:
    """--zephyr-base DIR: a Zephyr tree to use `purpose`."""
    parser.add_argument("--zephyr-base", metavar="DIR", help=f"Zephyr tree {purpose} ({default})")


def zephyr_base_fallback(args: argparse.Namespace, recorded: Path | None, environ: Mapping[str, str],
                         west_topdir: str | Path | None = None) -> Path | None:
    """The tree a command uses instead of the build's own ZEPHYR_BASE (`recorded`), in the order
    every command follows: --zephyr-base; None when the build's tree is on this machine (use it);
    else $ZEPHYR_BASE when it is a directory (west sets it to its workspace's tree); else the
    zephyr/ project of the west workspace (`west_topdir`, west's when run under west)."""
    if getattr(args, "zephyr_base", None):
        return Path(args.zephyr_base)
    if recorded is not None and is_dir(recorded):
        return None
    env = environ.get("ZEPHYR_BASE")
    if env and is_dir(Path(env).expanduser()):
        return Path(env).expanduser()
    from zsec_west.builddir.locate import find_west_topdir

    topdir = Path(west_topdir) if west_topdir is not None else find_west_topdir(Path.cwd())
    if topdir is not None and is_dir(topdir / "zephyr"):
        return topdir / "zephyr"
    return None


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
    from zsec_west.findings import Severity  # only the commands that report findings load them

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


def output_directory(value: str | Path | None, option: str) -> Path | None:
    """A directory option (--fix, --output-dir) that names an existing file is a usage error
    naming it, before anything is written."""
    if value is None:
        return None
    path = Path(value)
    if exists(path) and not is_dir(path):
        from zsec_west.errors import UsageError

        raise UsageError(f"{option} names a file, not a directory", path=path)
    return path
