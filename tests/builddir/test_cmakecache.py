from pathlib import Path

import pytest

from tests.conftest import BUILDS
from zsec_west.builddir.cmakecache import CMakeCache, cmake_truthy
from zsec_west.errors import BuildDirError


def test_every_entry_type_is_kept():
    text = "\n".join([
        "// a comment",
        "# another",
        "A:FILEPATH=/x/y",
        "B:PATH=/p",
        "C:STRING=one;two;;three",
        "D:BOOL=ON",
        "E:INTERNAL=1",
        "F:STATIC=static value",
        "application_EXTRA_CONF_FILE:UNINITIALIZED=ota.conf",
        '"QUOTED:NAME":STRING=q',
        "EMPTY:STRING=",
    ])
    cache = CMakeCache.parse(text)
    assert cache["A"].type == "FILEPATH"
    assert cache["F"].value == "static value"
    assert cache.value("application_EXTRA_CONF_FILE") == "ota.conf"
    assert cache["application_EXTRA_CONF_FILE"].type == "UNINITIALIZED"
    assert cache.list("C") == ["one", "two", "three"]
    assert cache.list("EMPTY") == []
    assert cache.bool("D") is True
    assert cache.value("QUOTED:NAME") == "q"
    assert cache["D"].line == 6


@pytest.mark.parametrize("value,expected", [
    ("ON", True), ("yes", True), ("TRUE", True), ("Y", True), ("1", True), ("2", True),
    ("OFF", False), ("no", False), ("false", False), ("N", False), ("0", False), ("", False),
    ("IGNORE", False), ("NOTFOUND", False), ("FOO-NOTFOUND", False), ("banana", False),
])
def test_cmake_truthiness(value, expected):
    assert cmake_truthy(value) is expected


def test_real_caches_parse():
    hello = CMakeCache.load(BUILDS["hello"] / "CMakeCache.txt")
    assert hello.value("ZEPHYR_TOOLCHAIN_VARIANT") == "gnuarmemb"
    assert hello.value("BOARD") == "qemu_cortex_m3"
    top = CMakeCache.load(BUILDS["mcuboot-sysbuild"] / "CMakeCache.txt")
    assert top.value("APP_DIR").endswith("samples/hello_world")
    assert top["CONFIG_BUILD_OUTPUT_META"].type == "UNINITIALIZED"


def test_garbled_cache_names_file_and_line(tmp_path: Path):
    path = tmp_path / "CMakeCache.txt"
    path.write_text("A:STRING=1\n" + "garbage without type\n" * 5)
    with pytest.raises(BuildDirError) as err:
        CMakeCache.load(path)
    assert str(path) in str(err.value) and "line 5" in str(err.value)


def test_binary_cache_is_rejected(tmp_path: Path):
    path = tmp_path / "CMakeCache.txt"
    path.write_bytes(b"\xff\xfe\x00\x01" * 10)
    with pytest.raises(BuildDirError, match="not a text file"):
        CMakeCache.load(path)


def test_empty_cache_is_rejected(tmp_path: Path):
    path = tmp_path / "CMakeCache.txt"
    path.write_text("// only comments\n")
    with pytest.raises(BuildDirError, match="empty"):
        CMakeCache.load(path)
