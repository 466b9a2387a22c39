"""Shared fixtures: real build metadata copied to a temporary directory per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
# The bundled example doubles as the sysbuild + MCUboot test fixture.
BUILDS = {
    "hello": DATA / "builds" / "hello",
    "tfm-ns": DATA / "builds" / "tfm-ns",
    "mcuboot-sysbuild": ROOT / "examples" / "nrf52840-mcuboot",
}
# Read-only material beside the project (CI has it too); tests skip when it is absent.
SHARED = ROOT.parent / "shared"
DEVKEYS = SHARED / "fixtures" / "devkeys"
SARIF_SCHEMA = SHARED / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture
def build_copy(tmp_path: Path):
    """copy('hello') -> a writable copy of that build directory."""

    def copy(name: str, dest_name: str | None = None) -> Path:
        dest = tmp_path / (dest_name or name)
        shutil.copytree(BUILDS[name], dest)
        for path in [dest, *dest.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        return dest

    return copy


@pytest.fixture
def devkeys() -> Path:
    if not DEVKEYS.is_dir():
        pytest.skip("the shared development keys are not beside the project")
    return DEVKEYS
