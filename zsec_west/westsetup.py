"""Give a pip-installed zsec-west to west: west finds extensions only through its manifest.

`python -m zsec_west.westsetup DIR` writes DIR/west-commands.yml and a one-line Python shim
that imports our command classes, then prints the `west.yml` lines that register them. DIR is
normally inside the manifest repository (registered with `self: west-commands:`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from zsec_west.fsutil import atomic_write

SHIM = "zsec_west_commands.py"
COMMANDS = (
    ("sec-check", "SecCheck", "audit every domain of a build against security rules"),
    ("sec-sign", "SecSign", "sign, verify and inspect MCUboot images (imgtool-compatible)"),
    ("sec-sbom", "SecSbom", "SPDX SBOM of a build and offline vulnerability matching"),
    ("sec-tfm", "SecTfm", "how a build uses TF-M, and where it falls short"),
)


def commands_yaml() -> str:
    lines = ["# Registers the pip-installed zsec-west commands with west.", "west-commands:",
             f"  - file: {SHIM}", "    commands:"]
    for name, cls, text in COMMANDS:
        lines += [f"      - name: {name}", f"        class: {cls}", f"        help: {text}"]
    return "\n".join(lines) + "\n"


def write_shim(directory: Path) -> Path:
    """Write the two files; returns the west-commands.yml path."""
    directory.mkdir(parents=True, exist_ok=True)
    classes = ", ".join(cls for _, cls, _ in COMMANDS)
    atomic_write(directory / SHIM,
                 f'"""west imports this file; the commands live in the zsec-west package."""\n'
                 f"from zsec_west.west_commands import {classes}  # noqa: F401\n")
    return atomic_write(directory / "west-commands.yml", commands_yaml())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zsec_west.westsetup",
        description="Write a west-commands.yml for the pip-installed zsec-west into DIR "
                    "(inside your manifest repository) and print the west.yml lines to add.")
    parser.add_argument("directory", metavar="DIR", type=Path)
    args = parser.parse_args(argv)
    yml = write_shim(args.directory)
    rel = os.path.relpath(yml, Path.cwd())
    sys.stderr.write(f"wrote {yml}\n")
    print("Add to the manifest repository's west.yml (path relative to that repository):\n"
          "manifest:\n  self:\n"
          f"    west-commands: {rel}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
