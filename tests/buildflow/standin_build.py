"""Configure and build the stand-in Zephyr project (standin/, see its README) with CMake and Ninja
from PyPI, in a temporary copy, with zsec-west given as a Zephyr module."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

STANDIN = Path(__file__).resolve().parent / "standin"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """The PyPI build of a tool (installed beside this interpreter), else the one on PATH."""
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install cmake ninja)")
    return str(found)


def build_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a build: no zsec policy or west configuration from this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZSEC_", "WEST_CONFIG"))}
    for name in ("WEST_CONFIG_SYSTEM", "WEST_CONFIG_GLOBAL"):
        env[name] = str(tmp / f"{name.lower()}.ini")
    env.update(NO_COLOR="1", PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", **extra)
    env.pop("ZEPHYR_BASE", None)
    return env


def copy_standin(dest: Path) -> Path:
    """A private copy of the stand-in tree (its sources may be edited and touched)."""
    shutil.copytree(STANDIN, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@dataclass
class Result:
    code: int
    output: str  # stdout and stderr together, as a terminal shows a build

    def __str__(self) -> str:
        return f"exit {self.code}\n{self.output}"


@dataclass
class StandinBuild:
    """One build directory of the stand-in: sysbuild (`app` is the main image) or a single image."""

    tree: Path
    build: Path
    env: dict[str, str]
    app: str = "hello"

    def _run(self, args: list[str], cwd: Path | None = None) -> Result:
        done = subprocess.run(args, cwd=cwd or self.build.parent, env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300, stdin=subprocess.DEVNULL)
        return Result(done.returncode, done.stdout)

    def configure(self, *options: str, sysbuild: bool = True, module: bool = True) -> Result:
        """`west build` runs this: CMake on sysbuild (or on the application) with -D options."""
        source = self.tree / "zephyr" / "share" / "sysbuild" if sysbuild else self.tree / "apps" / self.app
        args = [tool("cmake"), "-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={tool('ninja')}", "-S", str(source),
                "-B", str(self.build), f"-DWEST_PYTHON={sys.executable}"]
        if sysbuild:
            args.append(f"-DAPP_DIR={self.tree / 'apps' / self.app}")
        if module:
            args.append(f"-DZEPHYR_EXTRA_MODULES={ROOT}")
        return self._run(args + list(options))

    def compile(self, target: str | None = None, directory: Path | None = None) -> Result:
        args = [tool("cmake"), "--build", str(directory or self.build)]
        return self._run(args + (["--target", target] if target else []))

    def image(self, name: str | None = None) -> Path:
        return self.build / (name or self.app) / "zephyr"

    def ninja_commands(self, directory: Path | None = None) -> str:
        return (directory or self.build).joinpath("build.ninja").read_text(encoding="utf-8")


def standin(tmp_path: Path, name: str = "build", **env: str) -> StandinBuild:
    tree = tmp_path / "standin"
    if not tree.exists():
        copy_standin(tree)
    return StandinBuild(tree, tmp_path / name, build_env(tmp_path, **env))
