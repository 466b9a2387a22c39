"""Nothing the user gave is overwritten or left half-written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from zsec_west.errors import EXIT_ENVIRONMENT, EXIT_INPUT, InputError, ToolError, UsageError
from zsec_west.files.writing import Output, atomic_write, output_mode, remove_stale_temporaries, write_set


def test_writes_through_a_rename_and_leaves_no_temporary(tmp_path: Path):
    target = tmp_path / "out.json"
    target.write_text("old")
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_exclusive_never_replaces_and_mode_is_set_before_writing(tmp_path: Path):
    key = tmp_path / "key.pem"
    atomic_write(key, b"secret", mode=0o600, exclusive=True)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with pytest.raises(InputError, match="refusing to overwrite"):
        atomic_write(key, b"other", exclusive=True)
    assert key.read_bytes() == b"secret"
    assert [p.name for p in tmp_path.iterdir()] == ["key.pem"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch):
    target = tmp_path / "report.sarif"
    target.write_text("previous")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ToolError, match="no space left"):  # an environment error: exit 3
        atomic_write(target, "x" * 1000)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.sarif"]


def test_output_honours_the_umask_and_only_private_keys_are_0600(tmp_path: Path):
    old = os.umask(0o027)
    try:
        report = atomic_write(tmp_path / "report.txt", "r")
        key = atomic_write(tmp_path / "k.pem", b"k", mode=0o600, exclusive=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert output_mode() == 0o666 & ~old


def test_a_directory_or_a_missing_parent_is_a_usage_error(tmp_path: Path):
    with pytest.raises(UsageError, match="is a directory") as exc:
        atomic_write(tmp_path, "x")
    assert exc.value.exit_code == EXIT_INPUT
    with pytest.raises(UsageError, match="does not exist"):
        atomic_write(tmp_path / "missing" / "out.txt", "x")
    assert not (tmp_path / "missing").exists()
    written = atomic_write(tmp_path / "made" / "out.txt", "x", create_dirs=True)
    assert written.read_text() == "x"


def test_a_symlink_is_followed_and_kept(tmp_path: Path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_character_devices_are_written_through_never_replaced():
    before = os.stat("/dev/null")
    if not stat.S_ISCHR(before.st_mode):
        pytest.skip("this machine's /dev/null is not a character device")
    atomic_write("/dev/null", "discarded")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_a_full_device_is_an_environment_error():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with pytest.raises(ToolError, match="no space left") as exc:
        atomic_write("/dev/full", "x" * 10)
    assert exc.value.exit_code == EXIT_ENVIRONMENT


def test_a_fifo_without_reader_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="no reader"):
        atomic_write(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path: Path):
    dead = 2 ** 22 + 12345  # above Linux's default pid_max, so no process has it
    stale = tmp_path / f".out.txt.zsec-{dead}-abc.tmp"
    stale.write_bytes(b"x" * 100)
    mine = tmp_path / f".out.txt.zsec-{os.getpid()}-abc.tmp"  # a live writer's: kept
    mine.write_bytes(b"y")
    atomic_write(tmp_path / "out.txt", "new")
    assert not stale.exists() and mine.exists()
    assert remove_stale_temporaries(tmp_path, "out.txt") == 0


def test_a_set_is_all_new_or_all_old(tmp_path: Path, monkeypatch):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text("old a")
    b.write_text("old b")
    write_set([Output(a, "new a"), Output(b, "new b")])
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    real_replace = os.replace
    calls = []

    def fail_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    with pytest.raises(ToolError):
        write_set([Output(a, "newer a"), Output(b, "newer b")])
    monkeypatch.undo()
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]
