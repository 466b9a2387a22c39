"""The standalone `zsec` console script: the same commands as `west sec-*`, without a workspace."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from zsec_west import __version__
from zsec_west.cli.args import OneLineErrorParser, RunContext, add_command_parser, one_line_error, verbosity_change
from zsec_west.cli.console import DBG_MORE, INF, QUIET, Console
from zsec_west.cli.policy import apply_policy, load_policy, prepare_parser
from zsec_west.cli.registry import command_specs
from zsec_west.errors import EXIT_ENVIRONMENT, ZsecError, one_line

TRACEBACK_LEVEL = INF + 3  # -vvv, as in west


def _command_word(argv: Sequence[str] | None) -> str | None:
    """The command a command line names (its first word that is not a global option), if any."""
    for word in sys.argv[1:] if argv is None else argv:
        if not word.startswith("-"):
            return word
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="zsec",
        description="Security work for Zephyr builds: audit Kconfig (check), sign MCUboot images "
                    "(sign), write SBOMs and match vulnerabilities (sbom), report TF-M use (tfm). "
                    "The same commands run inside a west workspace as `west sec-check`, "
                    "`west sec-sign`, `west sec-sbom` and `west sec-tfm`.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more output; -vvv shows tracebacks")
    parser.add_argument("-q", "--quiet", action="count", default=0, help="less output")
    parser.add_argument("-V", "--version", action="version", version=f"zsec-west {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # Only the command asked for is set up (every one for --help or an unknown word).
    for spec in command_specs(only=_command_word(argv)):
        cmd = add_command_parser(sub, spec, spec.name)
        prepare_parser(cmd, spec.name)
        cmd.set_defaults(_spec=spec)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args, extra = parser.parse_known_args(argv)
    if extra:  # named after the command they were given to, not after `zsec`
        one_line_error(parser, f"unrecognized arguments: {' '.join(extra)}", f"zsec {args.command}")
    # As west does: any number of -v or -q is one of the levels (-vvv and more: tracebacks).
    verbosity = min(max(INF + args.verbose - args.quiet + verbosity_change(args), QUIET), TRACEBACK_LEVEL)
    console = Console(verbosity=verbosity, prog=f"zsec {args.command}")
    ctx = RunContext(console=console)
    try:
        for note in apply_policy(args, load_policy(os.environ)):
            console.dbg(f"policy: {note}")
        return args._spec.run(args, ctx)
    except ZsecError as exc:
        if verbosity >= TRACEBACK_LEVEL:
            raise
        console.err(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing left to tell anyone.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # last resort: one line, never a traceback unless asked for
        if verbosity >= TRACEBACK_LEVEL:
            raise
        if verbosity >= DBG_MORE:
            import traceback  # noqa: PLC0415

            traceback.print_exc()
        console.err(one_line(f"internal error: {type(exc).__name__}: {exc} (run with -vvv for a "
                             "traceback and report it)"))
        return EXIT_ENVIRONMENT


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
