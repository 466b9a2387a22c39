"""A module's CPE or package URL in zephyr.meta that is not ASCII (fullwidth digits) is refused
with the file named, not passed on to an SBOM that then fails validation as our bug."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import BUILDS
from zsec_west.cli.app import main


def test_fullwidth_digits_in_a_cpe_of_zephyr_meta(tmp_path: Path, capsys) -> None:
    build = tmp_path / "build"
    shutil.copytree(BUILDS["mcuboot-sysbuild"], build)
    meta = build / "hello_world" / "zephyr" / "zephyr.meta"
    meta.write_text(meta.read_text().replace("mbed_tls:3.6.2", "mbed_tls:\uff13.\uff16.\uff12"))
    code = main(["sbom", "-d", str(build), "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and f"{meta}: module 'mbedtls': external reference" in err[0], err
    assert "bug in zsec-west" not in err[0]
    assert not (tmp_path / "out").exists()
