"""The one YAML loader of our data files: line numbers, duplicate keys, both error styles."""

from __future__ import annotations

import pytest

from zsec_west.errors import DataFileError
from zsec_west.files.yamldoc import LineDict, LineList, YamlSyntaxError, parse_located, parse_yaml


def test_mappings_and_sequences_know_their_lines():
    doc = parse_yaml("a: 1\nitems:\n- x\n- {b: 2}\n", "t.yaml")
    assert isinstance(doc, LineDict) and doc.line_of("items") == 2
    items = doc["items"]
    assert isinstance(items, LineList) and items.line_of(1) == 4
    assert isinstance(items[1], LineDict) and items[1].line == 4


def test_duplicate_and_non_plain_keys_are_errors_with_their_line():
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml("a: 1\nb: 2\na: 3\n", "t.yaml")
    assert (caught.value.line, caught.value.problem) == (3, "duplicate key 'a' (first at line 1)")
    assert str(caught.value) == "t.yaml: line 3: duplicate key 'a' (first at line 1)"
    with pytest.raises(YamlSyntaxError, match="a mapping key must be a plain value"):
        parse_yaml("? [a, b]\n: 1\n", "t.yaml")


def test_vulnerability_tables_put_the_line_into_the_path():
    with pytest.raises(DataFileError) as caught:
        parse_located("a: 1\nb: [1\n", "adv.yaml")
    assert caught.value.path.startswith("adv.yaml:")
    assert caught.value.message.startswith("not valid YAML: ")
    with pytest.raises(DataFileError) as caught:
        parse_located("? [a]\n: 1\n", "adv.yaml")  # once a TypeError, now a clear error
    assert caught.value.path == "adv.yaml:1" and "plain value" in caught.value.message
