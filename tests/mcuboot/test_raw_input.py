"""A raw (binary) image input is opened through the input layer (issue 15): a name the OS cannot
take, a FIFO or a file beyond the limit for images is an error naming the file, before signing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.harness import deadline
from zsec_west.errors import InputError
from zsec_west.files import reading
from zsec_west.mcuboot.hexio import RawFile, signing_input


@pytest.mark.parametrize("name,problem", [("fw\x00.bin", "NUL byte"), ("fw\ud800.bin", "not valid in this file")])
def test_names_the_os_cannot_take(tmp_path: Path, name: str, problem: str):
    with pytest.raises(InputError, match=problem):
        signing_input(str(tmp_path / name))


def test_a_fifo_is_refused_not_waited_for(tmp_path: Path):
    fifo = tmp_path / "fw.bin"
    os.mkfifo(fifo)
    with deadline(20), pytest.raises(InputError, match="FIFO") as caught:
        signing_input(fifo)
    assert str(caught.value).startswith(f"{fifo}: ")


def test_a_raw_file_beyond_the_image_limit_is_refused(tmp_path: Path, monkeypatch):
    path = tmp_path / "fw.bin"
    path.write_bytes(bytes(4096))
    payload, base = signing_input(path)
    assert isinstance(payload, RawFile) and payload.size == 4096 and base is None
    view = memoryview(bytearray(4096))
    payload.readinto(view)
    monkeypatch.setitem(reading.LIMITS, "image", 1024)
    with pytest.raises(InputError, match="larger than") as caught:
        signing_input(path)
    assert str(caught.value).startswith(f"{path}: ")
