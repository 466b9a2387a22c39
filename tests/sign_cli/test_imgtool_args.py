"""imgtool's option table: one list of options, read by argparse (the CLI) and by the core (a build's
CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS) with the same result."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from zsec_west.cli import sign as sign_cli
from zsec_west.cli.args import add_command_parser
from zsec_west.cli.sign_images import overrides_from
from zsec_west.sign.imgtoolargs import SIGN_OPTIONS, ArgsError, parse_args
from zsec_west.sign.overrides import ImageOverrides


def cli_namespace(words: list[str]) -> argparse.Namespace:
    top = argparse.ArgumentParser(prog="zsec")
    add_command_parser(top.add_subparsers(dest="command"), sign_cli.SPEC, "sign")
    return top.parse_args(["sign", "sign", *words, "in.bin", "out.bin"])


WORDS = [
    ["-H", "0x200", "-S", "0x76000", "-v", "1.2.3+4"],
    ["--header-size=512", "--slot-size", "4096", "--pad", "--confirm", "--align", "8", "--max-align", "16"],
    ["-M", "64", "--overwrite-only", "-R", "0", "-x", "0x10000", "-e", "big", "--non-bootable"],
    ["-L", "0x20000000", "-s", "auto", "-d", "(1,2.0.0),(2,1.1.1+5)", "--boot-record", "APP"],
    ["--custom-tlv", "0xa0", "0x0102", "--custom-tlv", "0xa1", "text", "--vid", "example.com", "--cid", "board"],
    ["--public-key-format", "full", "--sha", "384", "--pure", "--pad-sig", "--encrypt-keylen", "256"],
    ["--hmac-sha", "512", "-c", "--save-enctlv", "--test", "-F", "0x8000", "--pad-header"],
    ["-H0x200", "-S0x1000", "-v1.0.0"],
]


@pytest.mark.parametrize("words", WORDS)
def test_the_core_reads_what_the_cli_reads(words):
    values, unknown = parse_args(words)
    assert unknown == []
    assert ImageOverrides.from_values(values) == overrides_from(cli_namespace(words))


def test_every_table_entry_is_an_override_or_a_key():
    fields = {f.name for f in dataclasses.fields(ImageOverrides)}
    for option in SIGN_OPTIONS:
        assert option.field in fields | {"key", "encrypt", "custom_tlv", "custom_tlv_file", "erased_val",
                                         "dependencies"}, option
    # custom_tlvs (and where each came from) gather --custom-tlv and --custom-tlv-file
    assert {f for f in fields if f not in {"custom_tlvs", "custom_tlv_sources"}} <= {o.field for o in SIGN_OPTIONS}


def test_keys_and_unknown_words():
    values, unknown = parse_args(["-k", "root.pem", "--encrypt", "enc.pem", "--frobnicate", "x", "-Q"])
    assert values == {"key": "root.pem", "encrypt": "enc.pem"} and unknown == ["--frobnicate", "x", "-Q"]


@pytest.mark.parametrize("words, message", [
    (["--align", "3"], "--align: '3' is not one of 1, 2, 4, 8, 16, 32"),
    (["-H", "zero"], "-H/--header-size: 'zero' is not an integer"),
    (["-H"], "-H/--header-size needs a value"),
    (["-S", "--pad"], "-S/--slot-size needs a value"),
    (["--custom-tlv", "0xa0"], "--custom-tlv needs two values"),
    (["--pad=yes"], "--pad takes no value"),
    (["-R", "0x00"], "-R/--erased-val: '0x00' is not one of 0, 0xff"),
])
def test_bad_values_are_one_message(words, message):
    with pytest.raises(ArgsError) as caught:
        parse_args(words)
    assert str(caught.value) == message


def test_negative_numbers_are_values_not_options():
    # imgtool would refuse a negative slot, and so does ImageOptions; the parser must hand it over.
    values, _ = parse_args(["-S", "-1"])
    assert values["slot_size"] == -1
