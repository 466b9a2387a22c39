"""Versions from the module's own source when neither zephyr.meta nor git tags give one; and a
package without a comparable version makes the vulnerability result incomplete (a finding)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sbom.workspace import make_workspace
from zsec_west.builddir import load_build
from zsec_west.cli.app import main
from zsec_west.sbom.generate import SbomOptions, generate

BUILD_INFO = ('#define MBEDTLS_VERSION_MAJOR  3\n#define MBEDTLS_VERSION_NUMBER 0x03060200\n'
              '#define MBEDTLS_VERSION_STRING "3.6.2"\n')


def _plain_mbedtls(tmp_path: Path):
    ws = make_workspace(tmp_path / "ws")
    mbedtls = ws.modules["mbedtls"]
    # No security block: nothing but the source states the version; no zephyr.meta either.
    (mbedtls / "zephyr" / "module.yml").write_text("name: mbedtls\nbuild:\n  cmake: zephyr\n")
    assert not (ws.build / "zephyr" / "zephyr.meta").exists()
    return ws, mbedtls


def test_mbedtls_version_from_its_build_info_header(tmp_path: Path) -> None:
    ws, mbedtls = _plain_mbedtls(tmp_path)
    ws.write(mbedtls / "include" / "mbedtls" / "build_info.h", BUILD_INFO)
    result = generate(load_build(ws.build), SbomOptions(output_dir=tmp_path / "out"))
    component = next(c for c in result.components if c.name == "mbedtls")
    assert component.version == "3.6.2"
    assert component.cpes == ("cpe:2.3:a:arm:mbed_tls:3.6.2:*:*:*:*:*:*:*",
                              "cpe:2.3:a:trustedfirmware:mbed_tls:3.6.2:*:*:*:*:*:*:*")
    document = json.loads(next(d.path for d in result.documents).read_text())
    package = next(p for p in document["packages"] if p["name"] == "mbedtls")
    # The SBOM says where the version came from.
    assert "Version from include/mbedtls/build_info.h." in package["comment"]


def test_unknown_version_fails_the_run_at_the_default_threshold(tmp_path: Path, capsys) -> None:
    ws, _ = _plain_mbedtls(tmp_path)
    args = ["sbom", "-d", str(ws.build), "--output-dir", str(tmp_path / "out"), "--vulns",
            "--db", str(tmp_path / "db.sqlite"), "--format", "json"]
    code = main(args)
    report = json.loads(capsys.readouterr().out)
    incomplete = [f for f in report["findings"] if f["rule_id"] == "ZSEC-VULN-INCOMPLETE"]
    assert code == 1
    assert [(f["subject"], f["status"], f["severity"]) for f in incomplete] == [
        ("mbedtls", "fail", "medium")]
    # With the version header in place the same run is complete.
    ws.write(ws.modules["mbedtls"] / "include" / "mbedtls" / "build_info.h", BUILD_INFO)
    main(args)
    report = json.loads(capsys.readouterr().out)
    assert not [f for f in report["findings"] if f["rule_id"] == "ZSEC-VULN-INCOMPLETE"]
