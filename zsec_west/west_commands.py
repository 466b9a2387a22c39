"""west extension commands (west-commands.yml points here): thin adapters over zsec_west.cli.

Each class parses with the same argument definitions as `zsec`, runs the same core and reports
through west: warnings and errors with west's wrn()/err(), verbosity from west's global -v/-q.
stdout stays reserved for the report (west's inf() would mix with JSON or SARIF on stdout).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

try:
    import zsec_west  # noqa: F401  (installed with pip)
except ImportError:  # used straight from a west project checkout: the package sits beside us
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from west.commands import CommandError, Verbosity, WestCommand  # noqa: E402

from zsec_west.cli.args import CommandSpec, RunContext, add_command_parser, verbosity_change  # noqa: E402
from zsec_west.cli.console import Console  # noqa: E402
from zsec_west.cli.policy import apply_policy, load_policy, prepare_parser  # noqa: E402
from zsec_west.cli.registry import spec_for_west  # noqa: E402
from zsec_west.errors import EXIT_ENVIRONMENT, ZsecError, one_line  # noqa: E402

_ZSEC_COMMAND = re.compile(r"\bzsec (check|sign|sbom|tfm)\b")


def west_words(text: str) -> str:
    """A message as west users type the commands: `west sec-check`, not `zsec check`."""
    return _ZSEC_COMMAND.sub(lambda m: f"west sec-{m.group(1)}", text)


class WestConsole(Console):
    """Console that speaks through a WestCommand, naming commands as west does."""

    def __init__(self, command: WestCommand, prog: str, verbosity: int | None = None):
        super().__init__(verbosity=int(command.verbosity) if verbosity is None else verbosity, prog=prog)
        self._command = command

    @property
    def colour(self) -> bool:
        return self._command.color_ui and super().colour

    @property
    def command_name(self) -> str:
        return f"west {self.prog}"

    def dbg(self, message: str, level: int = 4) -> None:
        super().dbg(west_words(message), level)

    def inf(self, message: str) -> None:
        super().inf(west_words(message))

    def summary(self, message: str) -> None:
        super().summary(west_words(message))

    def wrn(self, message: str) -> None:
        if self.verbosity >= 2:
            self._command.wrn(west_words(message))

    def err(self, message: str) -> None:
        if self.verbosity >= 1:
            self._command.err(west_words(message))


class _ZsecCommand(WestCommand):
    """One zsec command under west."""

    WEST_NAME = ""

    def __init__(self) -> None:
        self.spec: CommandSpec = spec_for_west(self.WEST_NAME)
        super().__init__(self.spec.west_name, "", self.spec.description,
                         requires_workspace=False)

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:  # argparse's subparsers action
        parser = add_command_parser(parser_adder, self.spec, self.name)
        prepare_parser(parser, self.spec.name)
        return parser

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> None:
        console = WestConsole(self, prog=self.name,
                              verbosity=int(self.verbosity) + verbosity_change(args))
        dir_fmt = None
        if self.has_config:
            dir_fmt = self.config.get("build.dir-fmt")
        ctx = RunContext(console=console, build_dir_fmt=dir_fmt, west_topdir=self.topdir)
        try:
            config_get = self.config.get if self.has_config else None
            topdir = Path(self.topdir) if self.topdir else None
            for note in apply_policy(args, load_policy(os.environ, config_get, topdir)):
                console.dbg(f"policy: {note}")
            code = self.spec.run(args, ctx)
        except ZsecError as exc:
            if self.verbosity >= Verbosity.DBG_EXTREME:
                raise
            self.err(west_words(str(exc)))
            raise CommandError(returncode=exc.exit_code) from None
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            if self.verbosity >= Verbosity.DBG_EXTREME:
                raise
            self.err(one_line(f"internal error: {type(exc).__name__}: {exc} (run west -vvv for a traceback)"))
            raise CommandError(returncode=EXIT_ENVIRONMENT) from None
        if code:
            raise CommandError(returncode=code)


class SecCheck(_ZsecCommand):
    WEST_NAME = "sec-check"


class SecSign(_ZsecCommand):
    WEST_NAME = "sec-sign"


class SecSbom(_ZsecCommand):
    WEST_NAME = "sec-sbom"


class SecTfm(_ZsecCommand):
    WEST_NAME = "sec-tfm"


__all__ = ["SecCheck", "SecSign", "SecSbom", "SecTfm"]
