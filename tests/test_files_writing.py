"""Nothing the user gave is overwritten or left half-written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from zsec_west.errors import InputError
from zsec_west.files.writing import atomic_write


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
    with pytest.raises(OSError):
        atomic_write(target, "x" * 1000)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.sarif"]
