"""Give a pip-installed zsec-west to west: west finds extensions only through its manifest.

`python -m zsec_west.westsetup DIR` writes DIR/west-commands.yml and a one-line Python shim
that imports our command classes, then prints the `west.yml` lines that register them. DIR is
normally inside the manifest repository (registered with `self: west-commands:`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from zsec_west.cli.args import OneLineErrorParser
from zsec_west.errors import InputError, ZsecError
from zsec_west.files.writing import atomic_write, write_error

SHIM = "zsec_west_commands.py"
COMMANDS = (
    ("sec-check", "SecCheck", "audit every domain of a build against security rules"),
    ("sec-sign", "SecSign", "sign, verify and inspect MCUboot images (imgtool-compatible)"),
    ("sec-sbom", "SecSbom", "SPDX SBOM of a build and offline vulnerability matching"),
    ("sec-tfm", "SecTfm", "how a build uses TF-M, and where it falls short"),
)


def commands_yaml(shim: str) -> str:
    """`shim` is the Python file's path relative to the project root (west resolves it so)."""
    lines = ["# Registers the pip-installed zsec-west commands with west.", "west-commands:",
             f"  - file: {shim}", "    commands:"]
    for name, cls, text in COMMANDS:
        lines += [f"      - name: {name}", f"        class: {cls}", f"        help: {text}"]
    return "\n".join(lines) + "\n"


def project_root(directory: Path) -> Path:
    """The west project DIR belongs to: the nearest directory with a west.yml or .git."""
    for candidate in [directory, *directory.parents]:
        if (candidate / "west.yml").is_file() or (candidate / ".git").exists():
            return candidate
    return directory


def write_shim(directory: Path, root: Path | None = None) -> Path:
    """Write the two files; returns the west-commands.yml path."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    root = (root or project_root(directory)).resolve()
    shim = (directory / SHIM).relative_to(root).as_posix()
    classes = ", ".join(cls for _, cls, _ in COMMANDS)
    atomic_write(directory / SHIM,
                 f'"""west imports this file; the commands live in the zsec-west package."""\n'
                 f"from zsec_west.west_commands import {classes}  # noqa: F401\n", create_dirs=True)
    return atomic_write(directory / "west-commands.yml", commands_yaml(shim), create_dirs=True)


def _setup(directory: Path, project: Path | None) -> tuple[Path, Path]:
    """The shim written into `directory` (made if missing): (west-commands.yml, project root)."""
    try:  # DIR names a directory to make, as --output-dir does
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError("exists and is not a directory", path=directory) from None
    except OSError as exc:
        raise write_error(exc, directory) from None
    root = (project or project_root(directory.resolve())).resolve()
    return write_shim(directory, root), root


def main(argv: list[str] | None = None) -> int:
    parser = OneLineErrorParser(
        prog="python -m zsec_west.westsetup",
        description="Write a west-commands.yml for the pip-installed zsec-west into DIR "
                    "(inside your manifest repository) and print the west.yml lines to add.")
    parser.add_argument("directory", metavar="DIR", type=Path)
    parser.add_argument("--project-root", type=Path, default=None,
                        help="the manifest repository (default: nearest parent with west.yml or .git)")
    args = parser.parse_args(argv)
    try:
        yml, root = _setup(args.directory, args.project_root)
    except ZsecError as exc:
        sys.stderr.write(f"{parser.prog}: error: {exc}\n")
        return exc.exit_code
    rel = os.path.relpath(yml, root)
    sys.stderr.write(f"wrote {yml}\n")
    print("Add to the manifest repository's west.yml (path relative to that repository):\n"
          "manifest:\n  self:\n"
          f"    west-commands: {rel}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
