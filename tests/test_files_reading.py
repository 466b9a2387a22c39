"""Inputs: regular files only, a size limit per kind, safe JSON and YAML; one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zsec_west.errors import DataFileError, InputError
from zsec_west.files import reading
from zsec_west.files.reading import loads_json, read_input, read_input_text
from zsec_west.files.yamldoc import YamlSyntaxError, load_yaml, parse_yaml


def test_a_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "CMakeCache.txt"
    os.mkfifo(fifo)  # nobody writes to it: an open that blocked would hang the test
    with pytest.raises(InputError, match="FIFO"):
        read_input(fifo, "build")


def test_a_device_behind_a_symlink_is_refused(tmp_path: Path):
    link = tmp_path / "key.pem"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="is a device") as exc:
        read_input(link, "key")
    assert str(link) in str(exc.value)


def test_a_directory_and_a_missing_file_name_the_path(tmp_path: Path):
    with pytest.raises(InputError, match="directory"):
        read_input(tmp_path, "data")
    with pytest.raises(InputError, match="file not found"):
        read_input(tmp_path / "nope", "data")
    with pytest.raises(InputError, match="NUL"):
        read_input(str(tmp_path / "a\x00b"), "data")


def test_the_size_limit_of_a_kind_is_enforced(tmp_path: Path, monkeypatch):
    monkeypatch.setitem(reading.LIMITS, "key", 1024)
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * 1025)
    with pytest.raises(InputError, match="larger than"):
        read_input(big, "key")
    big.write_bytes(b"x" * 1024)
    assert len(read_input(big, "key")) == 1024


def test_a_small_file_costs_its_size_not_the_limit(tmp_path: Path, monkeypatch):
    """read(limit + 1) asked for the whole limit at once: with a 1 TiB limit that is a MemoryError
    for a 10-byte file (and with the real limits, up to 1 GiB of address space per read)."""
    monkeypatch.setitem(reading.LIMITS, "image", 1 << 40)
    small = tmp_path / "zephyr.bin"
    small.write_bytes(b"0123456789")
    assert read_input(small, "image") == b"0123456789"


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path):
    huge = tmp_path / "CMakeCache.txt"
    with open(huge, "wb") as handle:
        handle.truncate(600 << 20)  # sparse: no disk, but 600 MiB to read
    with pytest.raises(InputError, match="larger than 512 MiB, the limit for build files"):
        read_input(huge, "build")
    with open(huge, "rb") as handle:  # the size check happens before a byte is read
        with pytest.raises(InputError, match="larger than"):
            reading.read_limited(_NoRead(handle), reading.LIMITS["build"], huge, "build")


class _NoRead:
    def __init__(self, handle):
        self._handle = handle

    def fileno(self) -> int:
        return self._handle.fileno()

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("read before the size was checked")


@pytest.mark.parametrize("name", ["n" * 300, "/".join(["d" * 250] * 20), "bad\x00name", "bad\ud800name"])
def test_file_tests_answer_false_for_names_the_os_cannot_take(name):
    # Path.exists() raises OSError (ENAMETOOLONG) or ValueError for these on Python 3.11.
    assert (reading.exists(name), reading.is_file(name), reading.is_dir(name)) == (False, False, False)


def test_text_that_is_not_utf8_is_an_input_error(tmp_path: Path):
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(DataFileError, match="UTF-8"):
        read_input_text(path, "data", DataFileError)


@pytest.mark.parametrize("text,problem", [
    ("[" * 100_000 + "]" * 100_000, "nested"),
    ('{"n": ' + "9" * 5000 + "}", "not valid JSON"),
    ('{"a": 1', "not valid JSON"),
])
def test_json_errors_are_data_errors(text, problem):
    with pytest.raises(DataFileError, match=problem):
        loads_json(text, "feed.json")


def test_json_depth_within_the_limit_loads():
    depth = reading.JSON_MAX_DEPTH - 1
    assert loads_json("[" * depth + "]" * depth, "x.json") is not None


def test_a_yaml_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9))
    with pytest.raises(YamlSyntaxError, match="aliases"):
        parse_yaml(bomb, "domains.yaml")


def test_yaml_nesting_and_huge_integers_are_data_errors(tmp_path: Path):
    with pytest.raises(YamlSyntaxError, match="nest"):
        parse_yaml("[" * 5000 + "]" * 5000, "deep.yaml")
    with pytest.raises(YamlSyntaxError, match="nested deeper than 100"):
        parse_yaml("[" * 150 + "]" * 150, "deep.yaml")
    assert parse_yaml("[" * 50 + "]" * 50, "ok.yaml") is not None
    with pytest.raises(YamlSyntaxError, match="line 1: an integer of 5000 characters is too large"):
        parse_yaml("n: " + "9" * 5000, "big.yaml")
    with pytest.raises(YamlSyntaxError, match="line 2: integer of 5002 characters is larger than 64 bits"):
        parse_yaml("a: 1\nn: 0x" + "f" * 5000, "big.yaml")  # hex converts; printing it would fail
    with pytest.raises(YamlSyntaxError, match="line 2: date '2026-02-30' cannot be read"):
        parse_yaml("a: 1\nexpires: 2026-02-30\n", "waivers.yaml")
    with pytest.raises(YamlSyntaxError, match="line 2: character U\\+0000 is not allowed"):
        parse_yaml("a: 1\nb: x\x00y\n", "nul.yaml")
    path = tmp_path / "ok.yaml"
    path.write_text("a: [1, 2]\n")
    assert load_yaml(path) == {"a": [1, 2]}


def test_a_yaml_file_beyond_8_mib_is_refused_before_parsing(tmp_path: Path):
    """The YAML parser needs about a second per MiB: a 64 MiB "data" file took a minute."""
    big = tmp_path / "domains.yaml"
    big.write_bytes(b"key: " + b"a" * (9 << 20) + b"\n")
    with pytest.raises(DataFileError, match="larger than 8 MiB, the limit for yaml files"):
        load_yaml(big)
