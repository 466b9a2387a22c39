"""Build files that are not what a build writes (issue 15): a FIFO, /dev/zero, a directory, a
symlink loop, wrong types, absurd nesting. Each is an error naming the file, never a hang, a
memory blow-up or an internal error; a file a build may not have written may still be absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.harness import deadline
from zsec_west.builddir.cmakecache import CMakeCache
from zsec_west.builddir.devicetree import Devicetree
from zsec_west.builddir.domains import is_inside, load_domains
from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.builddir.locate import find_build_dir
from zsec_west.builddir.model import Build, read_zephyr_version
from zsec_west.builddir.modules import load_meta, load_modules
from zsec_west.builddir.tfmbuild import header_version
from zsec_west.builddir.tfmlayout import LAYOUT_DIR, load_layouts
from zsec_west.errors import BuildDirError
from zsec_west.files import reading
from zsec_west.findings import Location


def _hostile(path: Path, kind: str) -> None:
    """Put a `kind` of non-file at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    else:  # a symlink loop
        path.symlink_to(path.name)


KINDS = {"fifo": "FIFO", "dev-zero": "device", "directory": "directory", "symlink-loop": "symbolic links"}


@pytest.mark.parametrize("kind", KINDS)
def test_readers_of_build_files_name_the_file(tmp_path: Path, kind: str):
    readers = {
        "CMakeCache.txt": lambda p: CMakeCache.load(p),
        ".config": lambda p: KconfigValues.load(p),
        "zephyr_modules.txt": lambda p: load_modules(p, None),
        "tfm_version.h": header_version,
    }
    for name, read in readers.items():
        path = tmp_path / kind / name
        _hostile(path, kind)
        with pytest.raises(BuildDirError, match=KINDS[kind]) as caught:
            read(path)
        assert str(caught.value).startswith(f"{path}: "), name


def test_optional_build_files_may_be_absent(tmp_path: Path):
    assert load_modules(tmp_path / "zephyr_modules.txt", None) == []
    assert header_version(tmp_path / "tfm_version.h") == (None, None)
    assert load_layouts(tmp_path) == []


def test_signing_layout_fifo_and_build_ninja_fifo(tmp_path: Path, build_copy):
    layout = tmp_path / LAYOUT_DIR / "signing_layout_s.dir" / "signing_layout_s.o"
    _hostile(layout, "fifo")
    with pytest.raises(BuildDirError, match="FIFO") as caught:
        load_layouts(tmp_path)
    assert str(layout) in str(caught.value)
    top = build_copy("hello")
    (top / "build.ninja").unlink()
    _hostile(top / "build.ninja", "fifo")
    with pytest.raises(BuildDirError, match="FIFO"):
        Build(top).default.kconfig_env  # noqa: B018 - the property reads the file


def test_empty_dot_config_is_not_a_build_with_nothing_enabled(tmp_path: Path):
    path = tmp_path / ".config"
    path.write_text("# comments only\n")
    with pytest.raises(BuildDirError, match="no Kconfig symbols"):
        KconfigValues.load(path)


@pytest.mark.parametrize("kind", KINDS)
def test_a_domain_with_an_unreadable_cache_is_named_not_called_missing(tmp_path: Path, kind: str):
    (tmp_path / "app").mkdir()
    _hostile(tmp_path / "app" / "CMakeCache.txt", kind)
    (tmp_path / "domains.yaml").write_text("default: app\ndomains:\n  - name: app\n    build_dir: /gone/app\n")
    with pytest.raises(BuildDirError) as caught:
        load_domains(tmp_path / "domains.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'app' / 'CMakeCache.txt'}: ")
    assert KINDS[kind] in str(caught.value) and "domain 'app'" in str(caught.value)


def test_missing_domain_directories_and_names_too_long(tmp_path: Path):
    (tmp_path / "app").mkdir()  # a directory without a cache: its cache is missing
    (tmp_path / "domains.yaml").write_text(
        "default: app\ndomains:\n  - name: app\n    build_dir: /gone/app\n")
    with pytest.raises(BuildDirError, match="CMakeCache.txt: file not found"):
        load_domains(tmp_path / "domains.yaml")
    for name in ("gone", "h" * 300):
        (tmp_path / "domains.yaml").write_text(f"default: {name}\ndomains:\n  - name: {name}\n    build_dir: /b/x\n")
        with pytest.raises(BuildDirError, match="is listed but its build directory is missing") as caught:
            load_domains(tmp_path / "domains.yaml")
        assert str(caught.value).startswith(f"{tmp_path / 'domains.yaml'}: line ")


def test_is_inside_survives_a_symlink_loop(tmp_path: Path):
    (tmp_path / "loop").symlink_to("loop")
    assert is_inside(tmp_path / "loop", tmp_path)
    assert not is_inside(Path("/"), tmp_path)


@pytest.mark.parametrize("value,problem", [
    ("n" * 300, "the file name is too long"),
    ("bad\x00name", "NUL byte"),
    ("missing", "build directory does not exist"),
])
def test_build_dir_names_the_os_cannot_take(tmp_path: Path, value: str, problem: str):
    with pytest.raises(BuildDirError, match=problem):
        find_build_dir(value, cwd=tmp_path)


def test_devicetree_deeper_than_one_frame_a_level_and_huge_cells():
    deep = "/dts-v1/;\n/ {\n" + "n {\n" * 900 + "};\n" * 901
    assert len(list(Devicetree.parse(deep).walk())) == 901
    nested = ("/dts-v1/;\n/ {\n#address-cells = <1>;\n#size-cells = <1>;\nflash@0 {\nreg = <0 0x100000>;\n"
              "p {\ncompatible = \"fixed-partitions\";\n#address-cells = <1>;\n#size-cells = <1>;\n"
              + "sub@10 {\ncompatible = \"fixed-subpartitions\";\nreg = <0x10 0x1000>;\n"
              "#address-cells = <1>;\n#size-cells = <1>;\n" * 800 + "};\n" * 800 + "};\n};\n};\n")
    partitions = Devicetree.parse(nested).partitions()
    assert len(partitions) == 800 and partitions[-1].offset == 0x10 * 800
    with pytest.raises(BuildDirError, match="4300 digits") as caught:
        Devicetree.parse("/dts-v1/;\n/ {\n\tx = < " + "1" * 5000 + " >;\n};\n", Path("zephyr.dts"))
    assert str(caught.value).startswith("zephyr.dts: ") and "set_int_max_str_digits" not in str(caught.value)


@pytest.mark.parametrize("text,problem", [
    ("zephyr: a string where a mapping belongs\n", "'zephyr' must be a mapping, not text"),
    ("modules:\n  - name: [a, list]\n", "'modules[0].name' must be text, not a list"),
    ("zephyr:\n  revision: {a: b}\n", "'zephyr.revision' must be text, not a mapping"),
])
def test_zephyr_meta_of_the_wrong_types(tmp_path: Path, text: str, problem: str):
    path = tmp_path / "zephyr.meta"
    path.write_text(text)
    with pytest.raises(BuildDirError) as caught:
        load_meta(path)
    assert str(caught.value) == f"{path}: {problem}"


def test_zephyr_version_file_that_is_no_file_is_named(tmp_path: Path):
    path = tmp_path / "VERSION"
    _hostile(path, "fifo")
    with deadline(20), pytest.raises(BuildDirError, match="FIFO") as caught:
        read_zephyr_version(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert read_zephyr_version(tmp_path / "none") is None
    path.unlink()
    path.write_bytes(b"VERSION_MAJOR = \xff\n")  # not text: unknown, as before
    assert read_zephyr_version(path) is None
    path.write_text("VERSION_MAJOR = 3\nVERSION_MINOR = 7\nPATCHLEVEL = 1\n")
    assert read_zephyr_version(path) == "3.7.1"


def test_a_kconfig_fragment_beyond_the_limit_is_named_when_locating_a_symbol(build_copy, tmp_path: Path,
                                                                            monkeypatch):
    fragment = tmp_path / "prj.conf"
    fragment.write_text("CONFIG_STACK_CANARIES=y\n" + "# padding\n" * 200)
    top = build_copy("hello")
    cache = top / "CMakeCache.txt"
    cache.write_text(cache.read_text().replace(
        "CONF_FILE:STRING=/home/dev/zephyrproject/zephyr/samples/hello_world/prj.conf",
        f"CONF_FILE:STRING={fragment}"))
    domain = Build(top).default
    assert domain.location("STACK_CANARIES") == Location(str(fragment), 1)
    monkeypatch.setitem(reading.LIMITS, "build", 1024)  # the fragment is now "huge" (the rest is read)
    with pytest.raises(BuildDirError, match="larger than") as caught:
        domain.location("STACK_CANARIES")
    assert str(caught.value).startswith(f"{fragment}: ")
