"""ZEPHYR_BASE from the environment is used the same way by every command that can use a Zephyr
tree: --zephyr-base first, then the build's own tree when it is on this machine, then
$ZEPHYR_BASE, then the zephyr/ project of the west workspace around the current directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import BUILDS
from zsec_west.cli.app import main

HARDENED = Path(__file__).resolve().parents[1] / "check" / "data" / "zephyr-3.7"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A Zephyr tree with a hardening database and a west.yml naming mbedtls."""
    zephyr = tmp_path / "ws" / "zephyr"
    shutil.copytree(HARDENED, zephyr)
    (zephyr / "west.yml").write_text("manifest:\n  projects:\n    - name: mbedtls\n      revision: v3.5.2\n")
    return zephyr


def _check_tree(capsys) -> str | None:
    main(["check", "-d", str(BUILDS["hello"]), "--format", "json"])
    return json.loads(capsys.readouterr().out)["inputs"]["zephyr_base"]


def test_check_takes_the_environment_then_the_workspace(tree, capsys, monkeypatch, tmp_path):
    assert _check_tree(capsys) is None  # the build's tree is not on this machine, nothing else given
    monkeypatch.setenv("ZEPHYR_BASE", str(tree))
    assert _check_tree(capsys) == str(tree)
    monkeypatch.delenv("ZEPHYR_BASE")
    (tree.parent / ".west").mkdir()
    monkeypatch.chdir(tree.parent)
    assert _check_tree(capsys) == str(tree)
    other = tmp_path / "other"
    shutil.copytree(tree, other)
    main(["check", "-d", str(BUILDS["hello"]), "--format", "json", "--zephyr-base", str(other)])
    assert json.loads(capsys.readouterr().out)["inputs"]["zephyr_base"] == str(other)


def test_sbom_findings_point_at_the_west_yml_of_that_tree(tree, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ZEPHYR_BASE", str(tree))
    main(["sbom", "-d", str(BUILDS["mcuboot-sysbuild"]), "--output-dir", str(tmp_path / "sbom"), "--vulns",
          "--format", "json", "--exit-zero"])
    document = json.loads(capsys.readouterr().out)
    located = {f["location"]["path"] for f in document["findings"] if f["location"]}
    assert located and all(path.endswith("zephyr/west.yml") for path in located), located
