"""Output paths at the command line (issue 15, defects 2 and 8): every option that names an output,
aimed at /dev/null, /dev/stdout, /dev/full, an existing directory, a path under a missing
directory, a symlink and a FIFO without reader; each command's exit status and what is left.

Each run is a forked child of this process (tests.hostile.harness) with its stdout in a file, so
`-o /dev/stdout` must put the report into that file and replace nothing.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass

import pytest

from tests.conftest import ROOT
from tests.hostile import catalogue, commandlines
from tests.hostile.harness import Outcome, Run, run_all


@dataclass(frozen=True)
class Output:
    label: str
    argv: tuple[str, ...]  # "{O}" is the output path, "{HELLO}" / "{TFM}" the intact builds
    text_report: bool = True  # the output is the command's report (else a binary or a key)


OUTPUTS = (
    Output("check -o", ("check", "-d", "{HELLO}", "-o", "{O}")),
    Output("check --format json -o", ("check", "-d", "{HELLO}", "--format", "json", "-o", "{O}")),
    Output("sbom -o", ("sbom", "-d", "{HELLO}", "--output-dir", "sbom-out", "-o", "{O}")),
    Output("sbom --vex-out", ("sbom", "-d", "{HELLO}", "--output-dir", "sbom-out", "--vex-out", "{O}")),
    Output("tfm -o", ("tfm", "-d", "{TFM}", "-o", "{O}")),
    Output("tfm boards -o", ("tfm", "boards", "--zephyr-base", "ws/zephyr", "-o", "{O}")),
    Output("sign info -o", ("sign", "info", "signed.bin", "-o", "{O}")),
    Output("sign verify -o", ("sign", "verify", "-k", "good.pem", "signed.bin", "-o", "{O}")),
    Output("sign getpub -o", ("sign", "getpub", "-k", "good.pem", "-o", "{O}")),
    Output("sign OUTFILE", ("sign", "-k", "good.pem", *catalogue.SIGN_ARGS, "in.bin", "{O}"), text_report=False),
    Output("sign --sig-out", ("sign", "-k", "good.pem", *catalogue.SIGN_ARGS, "--sig-out", "{O}", "in.bin",
                              "signed-again.bin"), text_report=False),
)
PLACES = ("dev-null", "dev-stdout", "dev-full", "directory", "missing-parent", "symlink", "fifo")
PLACE_PATHS = {"dev-null": "/dev/null", "dev-stdout": "/dev/stdout", "dev-full": "/dev/full",
               "directory": "dir", "missing-parent": "no/such/dir/out.txt", "symlink": "link",
               "fifo": "fifo"}


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory):
    """Every (output, place) run in its own directory, all run at once."""
    null_before = os.stat("/dev/null")
    if not stat.S_ISCHR(null_before.st_mode):
        pytest.skip("this machine's /dev/null is not a character device")
    root = tmp_path_factory.mktemp("outputs")
    hello, tfm = root / "hello" / "B", root / "tfm" / "B"
    catalogue.copy_build(catalogue.BUILDS_41 / "hello", hello)
    catalogue.copy_build(catalogue.BUILDS_41 / "tfm-ns", tfm)
    template = root / "template"
    commandlines.paths_template(template)
    catalogue._boards_template(template)
    from tests.hostile.conftest import in_process

    in_process(["sign", "-k", "good.pem", *catalogue.SIGN_ARGS, "in.bin", "signed.bin"], template)
    jobs, keys = [], []
    for output in OUTPUTS:
        for place in PLACES:
            directory = root / "runs" / f"{output.label}-{place}".replace(" ", "_")
            import shutil
            shutil.copytree(template, directory, copy_function=os.link, symlinks=True)
            (directory / "target.txt").write_text("the file the link names\n")
            (directory / "link").symlink_to("target.txt")
            names = {"{O}": PLACE_PATHS[place], "{HELLO}": str(hello), "{TFM}": str(tfm)}
            jobs.append(Run(tuple(names.get(w, w) for w in output.argv), directory))
            keys.append((output.label, place))
    outcomes = dict(zip(keys, run_all(jobs, root / "scratch"), strict=True))
    yield outcomes
    null_after = os.stat("/dev/null")
    assert stat.S_ISCHR(null_after.st_mode) and null_after.st_rdev == null_before.st_rdev, \
        "/dev/null was replaced"


def _one_error(outcome: Outcome, *needles: str) -> None:
    errors = [line for line in outcome.err_lines if ": error: " in line]
    assert len(errors) == 1 and outcome.err_lines[-1] == errors[0], outcome.describe()
    assert "internal error" not in outcome.err and "Traceback" not in outcome.err, outcome.describe()
    for needle in needles:
        assert needle in errors[0], outcome.describe()


OK = (0, 1)  # 1: findings (check, sbom --vulns, tfm); the write itself succeeded


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.label)
def test_dev_null_is_written_through(places, output):
    outcome = places[(output.label, "dev-null")]
    assert outcome.code in OK, outcome.describe()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert "error" not in outcome.err, outcome.describe()


@pytest.mark.parametrize("output", [o for o in OUTPUTS if o.text_report], ids=lambda o: o.label)
def test_dev_stdout_puts_the_output_on_stdout(places, output):
    outcome = places[(output.label, "dev-stdout")]
    assert outcome.code in OK, outcome.describe()
    assert outcome.out.strip(), f"nothing reached stdout\n{outcome.describe()}"


def _zsec_process(*args: str, stdout) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    env.pop("ZEPHYR_BASE", None)
    return subprocess.run([sys.executable, "-m", "zsec_west.cli.app", *args], stdout=stdout,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, timeout=120)


def test_dev_stdout_into_a_pipe_reaches_the_reader():
    """A pipe has no file name to rename over: the report goes into the pipe."""
    hello = catalogue.BUILDS_41 / "hello"
    result = _zsec_process("check", "-d", str(hello), "--format", "json", "-o", "/dev/stdout",
                           stdout=subprocess.PIPE)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["tool"]["name"] == "zsec-west"


def test_dev_stdout_into_a_file_writes_that_file_not_a_new_one(tmp_path):
    """`zsec ... -o /dev/stdout > out.json`: the shell's file gets the report (no rename over it)."""
    out = tmp_path / "out.json"
    with open(out, "wb") as handle:
        before = os.fstat(handle.fileno()).st_ino
        result = _zsec_process("check", "-d", str(catalogue.BUILDS_41 / "hello"), "--format", "json",
                               "-o", "/dev/stdout", stdout=handle)
    assert result.returncode == 1, result.stderr
    assert os.stat(out).st_ino == before
    assert json.loads(out.read_text())["tool"]["name"] == "zsec-west"


def test_dev_stdout_takes_binary_output_too(places):
    outcome = places[("sign OUTFILE", "dev-stdout")]
    assert outcome.code == 0, outcome.describe()
    assert outcome.out.startswith("=\\xb8\\xf3\\x96"), outcome.out[:20]  # the MCUboot magic, little-endian


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.label)
def test_dev_full_is_an_environment_error(places, output):
    outcome = places[(output.label, "dev-full")]
    assert outcome.code == 3, outcome.describe()
    _one_error(outcome, "/dev/full", "no space left")


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.label)
def test_an_existing_directory_is_a_usage_error(places, output):
    outcome = places[(output.label, "directory")]
    assert outcome.code == 2, outcome.describe()
    _one_error(outcome, "dir", "is a directory")
    assert sorted(p.name for p in (outcome.run.cwd / "dir").iterdir()) == ["inside"]


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.label)
def test_a_missing_parent_is_not_created(places, output):
    outcome = places[(output.label, "missing-parent")]
    assert outcome.code == 2, outcome.describe()
    _one_error(outcome, "no/such/dir", "does not exist")
    assert not (outcome.run.cwd / "no").exists()


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.label)
def test_a_symlink_is_followed_and_kept(places, output):
    outcome = places[(output.label, "symlink")]
    assert outcome.code in OK, outcome.describe()
    link = outcome.run.cwd / "link"
    assert link.is_symlink() and os.readlink(link) == "target.txt"
    assert (outcome.run.cwd / "target.txt").read_bytes() != b"the file the link names\n"


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.label)
def test_a_fifo_without_reader_is_refused_at_once(places, output):
    outcome = places[(output.label, "fifo")]
    assert outcome.code == 2, outcome.describe()
    _one_error(outcome, "fifo", "no reader")
    assert stat.S_ISFIFO(os.stat(outcome.run.cwd / "fifo").st_mode)


def test_keygen_into_a_missing_directory_creates_nothing(tmp_path):
    [outcome] = run_all([Run(("sign", "keygen", "-t", "ecdsa-p256", "-k", "no/such/key.pem"), tmp_path)],
                        tmp_path / "scratch")
    assert outcome.code == 2, outcome.describe()
    _one_error(outcome, "no/such", "does not exist")
    assert not (tmp_path / "no").exists()


def test_only_output_dir_creates_directories(tmp_path):
    hello = tmp_path / "B"
    catalogue.copy_build(catalogue.BUILDS_41 / "hello", hello)
    [outcome] = run_all([Run(("sbom", "-d", str(hello), "--output-dir", "new/sboms"), tmp_path)],
                        tmp_path / "scratch")
    assert outcome.code == 0, outcome.describe()
    assert [p.name for p in (tmp_path / "new" / "sboms").iterdir()] == ["hello_world.spdx.json"]


def test_written_reports_honour_the_umask(tmp_path):
    hello = tmp_path / "B"
    catalogue.copy_build(catalogue.BUILDS_41 / "hello", hello)
    old = os.umask(0o027)
    try:
        [outcome] = run_all([Run(("check", "-d", str(hello), "-o", "report.txt"), tmp_path)], tmp_path / "scratch")
    finally:
        os.umask(old)
    assert outcome.code in OK, outcome.describe()
    assert stat.S_IMODE(os.stat(tmp_path / "report.txt").st_mode) == 0o640
