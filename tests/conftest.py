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
    # The same samples built with a Zephyr 4.1.99 tree (4.2 development).
    "hello-4.1": DATA / "builds-4.1" / "hello",
    "tfm-ns-4.1": DATA / "builds-4.1" / "tfm-ns",
    "mcuboot-sysbuild-4.1": DATA / "builds-4.1" / "mcuboot-sysbuild",
}
# Read-only material beside the project (CI has it too); tests skip when it is absent.
SHARED = ROOT.parent / "shared"
DEVKEYS = SHARED / "fixtures" / "devkeys"
SARIF_SCHEMA = SHARED / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(autouse=True)
def _no_zephyr_base(monkeypatch):
    """A developer's ZEPHYR_BASE must not change what a test sees; tests that want one set it."""
    monkeypatch.delenv("ZEPHYR_BASE", raising=False)


@pytest.fixture(autouse=True)
def _json_outputs_match_their_schemas(monkeypatch):
    """Every JSON document a test makes the CLI write (reports, listings, sign verify/info, the
    signing manifest) is validated against the schema shipped for it, whatever the test checks."""
    from tests.jsonschemas import is_ours, validate
    from zsec_west.cli.console import Console
    from zsec_west.sign import manifest

    emit = Console.emit

    def checked_emit(self, report, output):
        document = is_ours(report)
        if document is not None:
            validate(document)
        return emit(self, report, output)

    make_manifest = manifest.manifest_document

    def checked_manifest(*args, **kwargs):
        return validate(make_manifest(*args, **kwargs))

    monkeypatch.setattr(Console, "emit", checked_emit)
    monkeypatch.setattr(manifest, "manifest_document", checked_manifest)


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


# --- Every test file on disk must be collected --------------------------------------------------
# pytest silently skips directories it considers output (`build`, `dist`, dot-directories ...), so
# a test file can exist and never run. When the whole suite runs, compare what was collected with
# the test_*.py files on disk and fail the session if one was left out.

_collected_files: set[Path] = set()


def pytest_collectreport(report: pytest.CollectReport) -> None:
    path = Path(str(report.fspath)) if report.fspath else None
    if path is not None and path.name.startswith("test_") and path.suffix == ".py":
        _collected_files.add(path.resolve())


def pytest_collection_finish(session: pytest.Session) -> None:
    tests_dir = (ROOT / "tests").resolve()
    whole_suite = [Path(arg.split("::")[0]).resolve() for arg in session.config.args] in (
        [tests_dir], [ROOT.resolve()])
    if not whole_suite:
        return
    on_disk = {p.resolve() for p in tests_dir.rglob("test_*.py") if "__pycache__" not in p.parts}
    missing = sorted(str(p.relative_to(ROOT)) for p in on_disk - _collected_files)
    if missing:
        raise pytest.UsageError(
            "test files on disk that pytest did not collect (rename their directory?): "
            + ", ".join(missing))
