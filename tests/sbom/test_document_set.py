"""Issue 15, defect 6: the documents of one `zsec sbom` run (one per image domain, the system
document, and with --vulns the VEX document) are written as one set: when one of them cannot be
written, the others are left as they were, never a mix of new and old documents."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import BUILDS
from zsec_west.cli.app import main

NAMES = ("hello_world.spdx.json", "mcuboot.spdx.json", "system.spdx.json")


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.iterdir()) if p.is_file()}


def sbom(out: Path, *extra: str) -> int:
    return main(["sbom", "-d", str(BUILDS["mcuboot-sysbuild"]), "--output-dir", str(out), *extra])


@pytest.fixture
def written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    """A first run's documents; later runs make different ones (another creation time)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "sbom"
    assert sbom(out) == 0, capsys.readouterr().err
    assert sorted(digests(out)) == sorted(NAMES)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    return out


def test_one_document_that_cannot_be_written_leaves_the_others_old(written: Path, capsys) -> None:
    before = digests(written)
    (written / "system.spdx.json").unlink()
    (written / "system.spdx.json").mkdir()  # the last document of the set cannot be written
    assert sbom(written) == 2
    err = capsys.readouterr().err
    assert "system.spdx.json" in err and "internal error" not in err
    after = digests(written)
    assert after == {name: before[name] for name in NAMES[:2]}, "new and old documents mixed"
    assert not [p.name for p in written.iterdir() if p.name.endswith(".tmp")]


def test_a_vex_document_that_cannot_be_written_leaves_the_documents_old(written: Path, tmp_path: Path,
                                                                        capsys) -> None:
    before = digests(written)
    vex_out = tmp_path / "out.vex.json"
    vex_out.mkdir()
    code = sbom(written, "--db", str(tmp_path / "vulns.sqlite"), "--vex-out", str(vex_out))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "out.vex.json" in err and "internal error" not in err
    assert digests(written) == before, "the SBOM documents changed although the set failed"


def test_the_set_is_written_when_nothing_fails(written: Path, tmp_path: Path, capsys) -> None:
    before = digests(written)
    vex_out = tmp_path / "out.vex.json"
    code = sbom(written, "--db", str(tmp_path / "vulns.sqlite"), "--vex-out", str(vex_out))
    assert code in (0, 1), capsys.readouterr().err
    after = digests(written)
    assert sorted(after) == sorted(NAMES) and all(after[n] != before[n] for n in NAMES)
    assert vex_out.is_file()
