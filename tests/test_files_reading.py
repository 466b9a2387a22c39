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
    with pytest.raises(YamlSyntaxError, match="cannot be read"):
        parse_yaml("n: " + "9" * 5000, "big.yaml")
    path = tmp_path / "ok.yaml"
    path.write_text("a: [1, 2]\n")
    assert load_yaml(path) == {"a": [1, 2]}
