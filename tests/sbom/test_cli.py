"""`zsec sbom`: documents to --output-dir, the report to stdout/--output, errors on one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.sbom.helpers import parse_valid
from zsec_west.cli.app import main


def run_zsec(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "zsec_west.cli.app", *args], cwd=ROOT,
                          env=environment, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_text_report_of_a_sysbuild(build_copy, tmp_path, capsys):
    build = build_copy("mcuboot-sysbuild")
    out = tmp_path / "sbom"
    code = main(["sbom", "-d", str(build), "--output-dir", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.out.splitlines()
    assert lines[0] == f"SBOM (spdx-json) in {out}:"
    assert any(line.split()[:3] == ["hello_world.spdx.json", "8", "packages,"] for line in lines)
    assert any(line.split()[:1] == ["system.spdx.json"] for line in lines)
    assert any(line.split()[:3] == ["zephyr", "3.7.1", "Zephyr"] for line in lines)
    assert any(line.split()[:2] == ["mbedtls", "3.6.2"] for line in lines)
    assert "note: mcuboot: no image file found" in captured.out
    assert f"zsec sbom: wrote 3 document(s) to {out}" in captured.err
    for name in ("hello_world.spdx.json", "mcuboot.spdx.json", "system.spdx.json"):
        parse_valid(out / name)


def test_json_report_and_cyclonedx(build_copy, tmp_path, capsys):
    build = build_copy("hello")
    report = tmp_path / "report.json"
    code = main(["sbom", "-d", str(build), "--sbom-format", "cyclonedx", "--format", "json",
                 "-o", str(report), "--supplier", "Acme Corp"])
    assert code == 0
    data = json.loads(report.read_text())
    assert data["command"] == "sbom"
    facts = data["facts"]["sbom"]
    assert facts["format"] == "cyclonedx"
    assert [d["path"] for d in facts["documents"]] == [str(build / "sbom" / "hello_world.cdx.json")]
    zephyr = next(p for p in facts["packages"] if p["name"] == "zephyr")
    assert zephyr["cpes"] == ["cpe:2.3:o:zephyrproject:zephyr:3.7.1:*:*:*:*:*:*:*"]
    assert any("could not be read here" in note for note in data["notes"])
    bom = json.loads((build / "sbom" / "hello_world.cdx.json").read_text())
    assert bom["specVersion"] == "1.6"
    assert bom["metadata"]["component"]["supplier"]["name"] == "Acme Corp"
    assert capsys.readouterr().out == ""


def test_source_date_epoch_fixes_the_creation_time(build_copy, tmp_path):
    build = build_copy("hello")
    result = run_zsec("sbom", "-d", str(build), "--output-dir", str(tmp_path),
                      env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "hello_world.spdx.json").read_text())
    assert document["creationInfo"]["created"] == "2023-11-14T22:13:20Z"
    bad = run_zsec("sbom", "-d", str(build), "--output-dir", str(tmp_path),
                   env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.returncode == 2 and "SOURCE_DATE_EPOCH" in bad.stderr


@pytest.mark.parametrize("args,code,needle", [
    (["--supplier", "Acme (Europe)"], 2, "--supplier 'Acme (Europe)' must not contain parentheses"),
    (["--jobs", "0"], 2, "--jobs must be at least 1"),
    (["--domain", "sysbuild"], 2, "no image of its own"),
])
def test_bad_options_are_one_line(build_copy, args, code, needle):
    build = build_copy("mcuboot-sysbuild")
    result = run_zsec("sbom", "-d", str(build), *args)
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], result.stderr


def test_not_a_build_directory(tmp_path):
    result = run_zsec("sbom", "-d", str(tmp_path))
    assert result.returncode == 2
    assert "not a build directory" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_vulnerability_options_reach_the_matcher(build_copy, tmp_path):
    build = build_copy("hello")
    report = tmp_path / "report.json"
    result = run_zsec("sbom", "-d", str(build), "--output-dir", str(tmp_path / "sbom"),
                      "--db", str(tmp_path / "vulns.sqlite"), "--format", "json",
                      "-o", str(report), "--fail-on", "critical")
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(report.read_text())
    assert data["domains"] == [{"name": "hello_world", "counts": data["counts"]}]
    assert data["findings"], "the shipped advisory table has entries for Zephyr 3.7.1"
    assert {f["domain"] for f in data["findings"]} == {"hello_world"}
    assert all(f["subject"] for f in data["findings"])
    assert (tmp_path / "sbom" / "hello_world.spdx.json").is_file()
    assert (tmp_path / "vulns.sqlite").exists()


@pytest.mark.parametrize("prefix", ["not a uri", "https://example.com/spdx#part", "example.com/spdx",
                                    "https://example.com/sp\u00e4ce", "https://example.com/%zz"])
def test_a_namespace_prefix_that_is_no_uri_is_a_usage_error(build_copy, tmp_path, capsys, prefix):
    # Before, spdx-tools refused the document and the error called it a bug in zsec-west (exit 3).
    build = build_copy("hello")
    code = main(["sbom", "-d", str(build), "--output-dir", str(tmp_path / "sbom"), "--namespace-prefix", prefix])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith(f"zsec sbom: error: --namespace-prefix {prefix!r} ") and "\n" not in err
    assert "bug" not in err
    assert not (tmp_path / "sbom").exists()


def test_a_namespace_prefix_with_percent_escapes_gives_valid_documents(build_copy, tmp_path, capsys):
    build = build_copy("hello")
    prefix = "urn:example:spdx%20docs"
    code = main(["sbom", "-d", str(build), "--output-dir", str(tmp_path), "--namespace-prefix", prefix])
    assert code == 0, capsys.readouterr().err
    document = parse_valid(tmp_path / "hello_world.spdx.json")
    assert document.creation_info.document_namespace.startswith(prefix + "/")
