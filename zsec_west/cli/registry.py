"""The commands of the suite, in the order `zsec --help` lists them."""

from __future__ import annotations

import importlib

from zsec_west.cli.args import CommandSpec

COMMAND_MODULES = (
    "zsec_west.cli.check",
    "zsec_west.cli.sign",
    "zsec_west.cli.sbom",
    "zsec_west.cli.tfm",
)


def command_specs(only: str | None = None) -> list[CommandSpec]:
    """Each command module exposes SPEC; its heavy imports happen only when it runs. With `only`
    (a command name), just that command's, so that `zsec sign ...` loads nothing of the others."""
    modules = [name for name in COMMAND_MODULES if only is None or name.rsplit(".", 1)[1] == only]
    return [importlib.import_module(name).SPEC for name in modules or COMMAND_MODULES]


def spec_for_west(west_name: str) -> CommandSpec:
    for spec in command_specs():
        if spec.west_name == west_name:
            return spec
    raise KeyError(west_name)
