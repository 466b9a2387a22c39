from pathlib import Path

import pytest

from zsec_west.builddir.locate import find_build_dir, find_west_topdir, is_zephyr_build
from zsec_west.errors import BuildDirError


def test_explicit_dir_wins(build_copy, tmp_path: Path):
    build = build_copy("hello", "somewhere")
    assert find_build_dir(str(build), cwd=tmp_path) == build.resolve()


def test_sysbuild_top_counts_as_zephyr_build(build_copy):
    top = build_copy("mcuboot-sysbuild")
    assert is_zephyr_build(top) and is_zephyr_build(top / "mcuboot")


def test_default_build_subdir_then_cwd(build_copy, tmp_path: Path):
    build_copy("hello", "build")
    assert find_build_dir(None, cwd=tmp_path) == (tmp_path / "build").resolve()
    assert find_build_dir(None, cwd=tmp_path / "build") == (tmp_path / "build").resolve()


def test_dir_fmt_with_placeholder_descends_single_subdir(build_copy, tmp_path: Path):
    (tmp_path / "out").mkdir()
    build_copy("hello", "out/qemu_cortex_m3")
    found = find_build_dir(None, dir_fmt="out/{board}", cwd=tmp_path)
    assert found == (tmp_path / "out" / "qemu_cortex_m3").resolve()


def test_non_zephyr_dirs_are_refused(tmp_path: Path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "CMakeCache.txt").write_text("FOO:STRING=bar\n")
    with pytest.raises(BuildDirError, match="not a Zephyr build"):
        find_build_dir(str(tmp_path / "plain"), cwd=tmp_path)
    with pytest.raises(BuildDirError, match="does not exist"):
        find_build_dir(str(tmp_path / "missing"), cwd=tmp_path)
    with pytest.raises(BuildDirError, match="no Zephyr build directory found"):
        find_build_dir(None, cwd=tmp_path / "plain")


def test_west_topdir_is_the_nearest_dot_west_above_any_start(tmp_path: Path):
    top = tmp_path / "ws"
    (top / ".west").mkdir(parents=True)
    (top / "app" / "build").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert find_west_topdir(top / "app" / "build") == top
    assert find_west_topdir(top) == top
    # The first start that lies in a workspace decides; None and outside starts are skipped.
    assert find_west_topdir(None, outside, top / "app") == top
    assert find_west_topdir(outside) is None
