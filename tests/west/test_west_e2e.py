"""The real `west` executable in a temporary workspace runs our extension commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUILDS, ROOT
from zsec_west.westsetup import write_shim

WEST = shutil.which("west") or str(Path(sys.executable).with_name("west"))


def _west(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    env.pop("ZEPHYR_BASE", None)
    return subprocess.run([WEST, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def _git_repo(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """west init -l on a manifest repo whose west.yml lists this checkout as a project."""
    if not Path(WEST).exists():
        pytest.skip("the west executable is not installed")
    top = tmp_path / "ws"
    manifest = top / "manifest"
    manifest.mkdir(parents=True)
    _git_repo(manifest)
    (manifest / "west.yml").write_text(
        "manifest:\n"
        "  projects:\n"
        "    - name: zsec-west\n"
        f"      url: {ROOT.as_uri()}\n"
        "      path: zsec-west\n"
        "      west-commands: west-commands.yml\n"
        "  self:\n"
        "    path: manifest\n")
    result = _west(["init", "-l", str(manifest)], cwd=top)
    assert result.returncode == 0, result.stderr
    # Stands in for `west update`: the project checkout is this repository.
    (top / "zsec-west").symlink_to(ROOT, target_is_directory=True)
    return top


def test_help_lists_and_describes_the_commands(workspace: Path):
    listing = _west(["help"], cwd=workspace)
    assert listing.returncode == 0, listing.stderr
    for name in ("sec-check", "sec-sign", "sec-sbom", "sec-tfm"):
        assert name in listing.stdout
    result = _west(["sec-check", "--help"], cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "--fail-on" in result.stdout and "--build-dir" in result.stdout


def test_sec_check_on_a_fixture_matches_zsec(workspace: Path):
    build = BUILDS["mcuboot-sysbuild"]
    west = _west(["sec-check", "-d", str(build), "--format", "json"], cwd=workspace)
    zsec = subprocess.run([sys.executable, "-m", "zsec_west.cli.app", "check", "-d", str(build),
                           "--format", "json"], cwd=workspace, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert west.returncode == zsec.returncode == 1, west.stderr + zsec.stderr

    from tests.jsonschemas import validate
    a, b = validate(west.stdout), validate(zsec.stdout)
    key = lambda f: (f["domain"], f["rule_id"], f["status"])  # noqa: E731
    assert sorted(map(key, a["findings"])) == sorted(map(key, b["findings"]))
    assert {d["name"] for d in a["domains"]} == {"sysbuild", "hello_world", "mcuboot"}


def test_bad_build_dir_is_one_line_with_exit_2(workspace: Path):
    result = _west(["sec-check", "-d", str(workspace / "no such dir")], cwd=workspace)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no such dir" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_pip_only_route_through_a_shim(tmp_path: Path):
    """A user who pip-installed zsec-west registers it from their own manifest repository."""
    if not Path(WEST).exists():
        pytest.skip("the west executable is not installed")
    top = tmp_path / "ws2"
    manifest = top / "app"
    manifest.mkdir(parents=True)
    _git_repo(manifest)
    write_shim(manifest / "zsec")
    (manifest / "west.yml").write_text(
        "manifest:\n  projects: []\n  self:\n    west-commands: zsec/west-commands.yml\n")
    assert _west(["init", "-l", str(manifest)], cwd=top).returncode == 0
    env_py = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([WEST, "sec-tfm", "--help"], cwd=top, env=env_py,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "usage: west sec-tfm" in result.stdout


def test_verbosity_before_or_after_the_command_and_west_names(workspace: Path):
    build = str(BUILDS["mcuboot-sysbuild"])
    default = _west(["sec-check", "-d", build, "--profile", "production"], cwd=workspace)
    assert default.returncode == 1, default.stderr
    assert "critical  ZSEC-KEY-001" in default.stdout and "why:" not in default.stdout
    # Messages name the command as west users type it.
    assert "west sec-check: " in default.stderr and "zsec check" not in default.stderr
    for args in (["-q", "sec-check", "-d", build], ["sec-check", "-q", "-d", build]):
        quiet = _west(args + ["--profile", "production"], cwd=workspace)
        assert quiet.returncode == 1, quiet.stderr
        assert quiet.stdout.splitlines()[-1].startswith("total ") and "ZSEC-KEY-001" not in quiet.stdout
    for args in (["-v", "sec-check", "-d", build], ["sec-check", "-d", build, "-v"]):
        verbose = _west(args + ["--profile", "production"], cwd=workspace)
        assert "why: " in verbose.stdout and "not applicable:" in verbose.stdout


@pytest.mark.parametrize("args, words", [
    (["sec-check", "--bogus"], "unexpected arguments"),
    (["sec-sbom", "--jobs", "x"], "argument --jobs: invalid int value: 'x'"),
    (["sec-sign", "sign", "--align", "3", "a", "b"], "argument --align: invalid choice: 3"),
])
def test_usage_errors_under_west_are_one_line(workspace: Path, args, words):
    result = _west(args, cwd=workspace)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("name, words", [
    ("a-file", "exists and is not a directory"),
    ("n" * 300, "the file name is too long"),
])
def test_westsetup_refuses_a_directory_it_cannot_make_in_one_line(tmp_path: Path, capsys, name, words):
    from zsec_west.westsetup import main as westsetup

    (tmp_path / "a-file").write_text("not a directory\n")
    assert westsetup([str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err
