"""`zsec check` through the real entry point: exit codes, formats, options, bad input."""

from __future__ import annotations

import json

import pytest

from tests.check.conftest import ZEPHYR_37, set_config
from tests.conftest import SARIF_SCHEMA
from zsec_west.cli.app import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_codes_follow_fail_on(capsys, hello):
    code, out, err = run(capsys, "-d", str(hello))
    assert code == 1  # the stack sentinel rule fails (medium) at the default --fail-on low
    assert out.startswith(f"Security check of {hello}, profile base (base)")
    assert "[hello_world]" in out and "ZSEC-MEM-010" in out
    assert err.splitlines()[-1].startswith("zsec check: ") and "worst: medium" in err
    code, _, _ = run(capsys, "-d", str(hello), "--fail-on", "high")
    assert code == 0
    code, _, _ = run(capsys, "-d", str(hello), "--exit-zero")
    assert code == 0
    set_config(hello / "zephyr" / ".config", GDBSTUB="y")
    code, _, _ = run(capsys, "-d", str(hello), "--fail-on", "high")
    assert code == 1


def test_bad_build_dir_is_exit_2_with_one_line(capsys, tmp_path):
    missing = tmp_path / "no-such-build"
    code, out, err = run(capsys, "-d", str(missing))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(missing) in err and "Traceback" not in err
    not_a_build = tmp_path / "empty"
    not_a_build.mkdir()
    code, _, err = run(capsys, "-d", str(not_a_build))
    assert code == 2 and "build directory" in err and str(not_a_build) in err


def test_bad_rule_and_waiver_files_are_exit_2_naming_file_line_field(capsys, hello, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: ACME-1\n    title: t\n    severity: severe\n"
                     "    symbol: X\n    value: y\n    rationale: r\n")
    code, _, err = run(capsys, "-d", str(hello), "--rules", str(rules))
    assert code == 2 and err.count("\n") == 1
    assert f"{rules}: line 4, field 'severity'" in err
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: ZSEC-MEM-010\n    reason: r\n")
    code, _, err = run(capsys, "-d", str(hello), "--waivers", str(waivers))
    assert code == 2 and f"{waivers}: line 2, field 'expires'" in err
    code, _, err = run(capsys, "-d", str(hello), "--profile", "paranoid")
    assert code == 2 and "unknown profile 'paranoid'" in err
    code, _, err = run(capsys, "-d", str(hello), "--zephyr-base", str(tmp_path / "nope"))
    assert code == 2 and "--zephyr-base" in err


def test_user_rules_file_adds_rules(capsys, hello, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: ACME-APP-001\n    title: No boot delay\n    severity: high\n"
                     "    symbol: BOOT_DELAY\n    value: 5\n    rationale: Our boards need it.\n")
    code, out, _ = run(capsys, "-d", str(hello), "--rules", str(rules), "--format", "json")
    document = json.loads(out)
    [finding] = [f for f in document["findings"] if f["rule_id"] == "ACME-APP-001"]
    assert finding["status"] == "fail" and finding["source"] == "user"
    assert any(str(rules) in s for s in document["inputs"]["rule_sources"])


def test_json_report_inputs_and_domains(capsys, nrf, tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text("waivers:\n  - rule: ZSEC-KEY-001\n    domain: mcuboot\n"
                       "    reason: lab bootloader\n    expires: 2099-01-01\n")
    code, out, _ = run(capsys, "-d", str(nrf), "--format", "json", "--waivers", str(waivers),
                       "--zephyr-base", str(ZEPHYR_37), "--profile", "strict")
    document = json.loads(out)
    assert code == 1 and document["command"] == "check"
    assert [d["name"] for d in document["domains"]] == ["sysbuild", "hello_world", "mcuboot"]
    inputs = document["inputs"]
    assert inputs["profile"] == "strict" and inputs["build_dir"] == str(nrf)
    assert inputs["waivers"] == str(waivers)
    assert inputs["zephyr_db"].endswith("scripts/kconfig/hardened.csv")
    waived = [f for f in document["findings"] if f["status"] == "waived"]
    assert [(f["rule_id"], f["domain"], f["waiver"]) for f in waived] == [
        ("ZSEC-KEY-001", "mcuboot", "lab bootloader")]
    sources = {f["source"] for f in document["findings"]}
    assert {"zsec", "zephyr-hardened-csv"} <= sources


def test_domain_option(capsys, nrf):
    _, out, _ = run(capsys, "-d", str(nrf), "--domain", "mcuboot", "--format", "json")
    assert [d["name"] for d in json.loads(out)["domains"]] == ["mcuboot"]
    code, _, err = run(capsys, "-d", str(nrf), "--domain", "netcore")
    assert code == 2 and "no domain 'netcore'" in err


def test_sarif_validates_against_the_2_1_0_schema(capsys, nrf, tmp_path):
    if not SARIF_SCHEMA.is_file():
        pytest.skip("the SARIF 2.1.0 schema is not beside the project")
    jsonschema = pytest.importorskip("jsonschema")
    output = tmp_path / "check.sarif"
    code, out, _ = run(capsys, "-d", str(nrf), "--format", "sarif", "-o", str(output),
                       "--profile", "production")
    assert code == 1 and out == ""
    document = json.loads(output.read_text())
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validate(document, schema)
    results = document["runs"][0]["results"]
    assert any(r["ruleId"] == "ZSEC-KEY-001" and r["level"] == "error" for r in results)


@pytest.mark.parametrize("fmt", ["junit", "markdown"])
def test_other_formats_render(capsys, hello, fmt):
    code, out, _ = run(capsys, "-d", str(hello), "--format", fmt)
    assert code == 1 and "ZSEC-MEM-010" in out


def test_fix_writes_fragments(capsys, nrf, tmp_path):
    out_dir = tmp_path / "fix"
    code, _, err = run(capsys, "-d", str(nrf), "--fix", str(out_dir), "--profile", "strict")
    assert code == 1
    assert sorted(p.name for p in out_dir.iterdir()) == ["hello_world.conf", "mcuboot.conf",
                                                        "sysbuild.conf"]
    assert f"wrote {out_dir / 'hello_world.conf'}" in err


def test_explain_and_list_rules_need_no_build(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--explain", "zsec-key-001")
    assert code == 0
    assert out.startswith("ZSEC-KEY-001: Images are not signed with a published development key")
    assert "severity:   high (critical in production)" in out
    assert "references: CWE-321" in out and "fix:" in out
    code, out, _ = run(capsys, "--explain", "TFM-DUMMY-PROVISIONING")
    assert code == 0 and "TF-M" in out
    code, out, err = run(capsys, "--explain", "ZSEC-KEY-01")
    assert code == 2 and "did you mean" in err
    code, out, _ = run(capsys, "--list-rules")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["id", "severity", "profiles", "title"]
    assert any(line.startswith("ZSEC-BOOT-001 ") and "production" in line for line in lines)
    code, out, _ = run(capsys, "--list-rules", "--zephyr-base", str(ZEPHYR_37))
    assert "ZEPHYR-BUILD_OUTPUT_STRIPPED" in out


def test_zephyr_base_from_the_environment(capsys, hello, monkeypatch, tmp_path):
    """$ZEPHYR_BASE stands in for a build's ZEPHYR_BASE that is not on this machine (as in `tfm`);
    --zephyr-base still wins over it."""
    monkeypatch.setenv("ZEPHYR_BASE", str(ZEPHYR_37))
    _, out, _ = run(capsys, "--list-rules")
    assert "ZEPHYR-BUILD_OUTPUT_STRIPPED" in out
    _, out, _ = run(capsys, "-d", str(hello), "--format", "json")
    assert json.loads(out)["inputs"]["zephyr_base"] == str(ZEPHYR_37.resolve())
    monkeypatch.setenv("ZEPHYR_BASE", str(tmp_path / "not-there"))
    _, out, _ = run(capsys, "-d", str(hello), "--format", "json")
    assert json.loads(out)["inputs"]["zephyr_base"] is None
