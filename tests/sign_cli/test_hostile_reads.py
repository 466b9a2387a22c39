"""The files signing reads besides keys and images (issue 15): a PIN file, the application's
VERSION, the bootloader's compiled-in keys and image, TF-M's hex files. A FIFO, /dev/zero or a
huge file there is an error naming the file (or, for trust evidence, no evidence), never a hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.harness import deadline
from zsec_west.builddir import Build
from zsec_west.errors import BuildDirError, ImageFormatError, KeyFileError
from zsec_west.sign import imageversion, trust
from zsec_west.sign.pkcs11signer import Pkcs11Uri, read_pin
from zsec_west.sign.tfmsign import _hex_ranges


def _fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)  # nobody writes to it: a blocking open would wait forever
    return path


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_pin_file_that_is_a_fifo_or_a_device_is_named(tmp_path: Path, kind: str):
    path = tmp_path / "pin"
    if kind == "fifo":
        _fifo(path)
    else:
        path.symlink_to("/dev/zero")
    uri = Pkcs11Uri.parse(f"pkcs11:token=t;object=o?pin-source=file:{path}")
    with deadline(20), pytest.raises(KeyFileError, match="cannot read the PIN file: is a") as caught:
        read_pin(uri)
    assert str(caught.value).startswith(f"{path}: ")
    (tmp_path / "good").write_text("1234\n")
    assert read_pin(Pkcs11Uri.parse(f"pkcs11:token=t?pin-source=file:{tmp_path / 'good'}")) == "1234"


def _with_app_dir(build_copy, app: Path) -> Build:
    top = build_copy("hello")
    cache = top / "CMakeCache.txt"
    text = cache.read_text(encoding="utf-8")
    cache.write_text(text.replace("APPLICATION_SOURCE_DIR:PATH=/home/dev/zephyrproject/zephyr/samples/hello_world",
                                  f"APPLICATION_SOURCE_DIR:PATH={app}"), encoding="utf-8")
    return Build(top)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_an_application_version_file_that_is_no_file_is_an_error(build_copy, tmp_path: Path, kind: str):
    version = tmp_path / "app" / "VERSION"
    if kind == "fifo":
        _fifo(version)
    elif kind == "dev-zero":
        version.parent.mkdir()
        version.symlink_to("/dev/zero")
    else:
        version.mkdir(parents=True)
    domain = _with_app_dir(build_copy, tmp_path / "app").default
    with deadline(20), pytest.raises(BuildDirError) as caught:
        imageversion.image_version(domain, {})
    assert str(caught.value).startswith(f"{version}: ")


def test_an_application_version_file_still_sets_the_version(build_copy, tmp_path: Path):
    (tmp_path / "app").mkdir()
    domain = _with_app_dir(build_copy, tmp_path / "app").default
    sources: dict[str, str] = {}
    assert imageversion.image_version(domain, sources) == "0.0.0+0"  # no VERSION file: the default
    (tmp_path / "app" / "VERSION").write_text("VERSION_MAJOR = 1\nVERSION_MINOR = 4\nPATCHLEVEL = 2\n"
                                              "VERSION_TWEAK = 7\n")
    assert imageversion.image_version(domain, sources) == "1.4.2+7"
    assert sources["version"] == str(tmp_path / "app" / "VERSION")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_compiled_in_keys_that_are_no_files_are_no_evidence(tmp_path: Path, kind: str):
    source = tmp_path / "zephyr" / "autogen-pubkey.c"
    if kind == "fifo":
        _fifo(source)
    else:
        source.parent.mkdir()
        source.symlink_to("/dev/zero")
    with deadline(20):
        assert trust.compiled_keys(source.parent) == []


def test_tfm_hex_files_of_the_build_are_read_as_inputs(tmp_path: Path):
    with deadline(20), pytest.raises(ImageFormatError, match="FIFO") as caught:
        _hex_ranges(_fifo(tmp_path / "bl2.hex"), None)
    assert str(caught.value).startswith(f"{tmp_path / 'bl2.hex'}: ")
