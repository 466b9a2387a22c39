"""SBOM identity: Zephyr's supplier and download location come from what the project is, not
from the remote a checkout uses; a fork's remote only for a revision that is not upstream's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA
from zsec_west.builddir import load_build
from zsec_west.sbom.generate import SbomOptions, generate

CANONICAL = "https://github.com/zephyrproject-rtos/zephyr"
FORK = "https://github.com/someone/zephyr-fork"


def _zephyr(build_dir: Path, tmp_path: Path):
    result = generate(load_build(build_dir), SbomOptions(output_dir=tmp_path / "out"))
    plan = result.plans[0]
    return next(p for p in plan.packages if p.name == "zephyr")


def _meta(build_dir: Path, remote: str, tags: str = "") -> str:
    meta = build_dir / "zephyr" / "zephyr.meta"
    text = meta.read_text().replace(f"  remote: {CANONICAL}\n", f"  remote: {remote}\n{tags}")
    meta.write_text(text)
    return text.split("zephyr:\n", 1)[1].split("revision: ", 1)[1].split()[0]


@pytest.mark.parametrize("name", ["builds/hello", "builds-4.1/hello"])
def test_canonical_remote(tmp_path: Path, name: str) -> None:
    build = tmp_path / "build"
    shutil.copytree(DATA / name, build)
    zephyr = _zephyr(build, tmp_path)
    revision = zephyr.version.revision
    assert zephyr.supplier == "Zephyr Project"
    assert zephyr.download_location == f"git+{CANONICAL}@{revision}"


def test_fork_remote_with_a_revision_not_known_upstream(build_copy, tmp_path: Path) -> None:
    build = build_copy("hello")
    revision = _meta(build, FORK)
    zephyr = _zephyr(build, tmp_path)
    # The supplier stays the project (not "github.com/someone"); the fork is only where the
    # revision can be downloaded from.
    assert zephyr.supplier == "Zephyr Project"
    assert zephyr.download_location == f"git+{FORK}@{revision}"
    assert any("not known to be upstream's" in note for note in zephyr.notes)


def test_fork_remote_at_an_upstream_release_tag(build_copy, tmp_path: Path) -> None:
    build = build_copy("hello")
    _meta(build, FORK, "  tags:\n  - v3.7.1\n")
    zephyr = _zephyr(build, tmp_path)
    assert zephyr.supplier == "Zephyr Project"
    assert zephyr.download_location == f"git+{CANONICAL}@v3.7.1"
