"""Options shared by the commands: -v/-q on either side of the command, --list-rules with
--format json and --profile, options that exclude each other, --explain with a build."""

from __future__ import annotations

import json

import pytest

from tests.conftest import BUILDS
from zsec_west.cli.app import main

EXAMPLE = str(BUILDS["mcuboot-sysbuild"])


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", [["-q", "check"], ["check", "-q"], ["check", "--quiet"]])
def test_quiet_before_or_after_the_command_prints_the_counts_only(capsys, argv):
    code, out, err = run(capsys, *argv, "-d", EXAMPLE, "--profile", "production")
    assert code == 1
    assert out.splitlines()[0].startswith("sysbuild ") and out.splitlines()[-1].startswith("total ")
    assert len(out.splitlines()) == 4 and "zsec check:" not in err


@pytest.mark.parametrize("argv", [["-v", "check"], ["check", "-v"], ["check", "--verbose"]])
def test_verbose_before_or_after_the_command_shows_details(capsys, argv):
    code, out, _ = run(capsys, *argv, "-d", EXAMPLE, "--profile", "production")
    assert code == 1
    assert "why: " in out and "fix: Set CONFIG_BOOT_FIH_PROFILE_MEDIUM=y" in out
    assert "not applicable:" in out and "rules: zsec_west/data/rules" in out


def test_sign_keeps_v_for_the_version_and_takes_verbose(capsys, tmp_path):
    """`zsec sign -v 1.2.3` is imgtool's version option; --verbose still works after it."""
    code, _, err = run(capsys, "sign", "--verbose", "-v", "1.2.3", "-H", "0x200", "-S", "0x1000",
                       "-k", str(tmp_path / "missing.pem"), str(tmp_path / "in.bin"), str(tmp_path / "out.bin"))
    assert code == 2 and ("missing.pem" in err or "in.bin" in err) and "1.2.3" not in err


def test_list_rules_honours_format_and_profile(capsys):
    code, out, _ = run(capsys, "check", "--list-rules", "--format", "json")
    everything = json.loads(out)
    assert code == 0 and everything["command"] == "check rules" and everything["schema_version"] == "1"
    code, out, _ = run(capsys, "check", "--list-rules", "--format", "json", "--profile", "base")
    base = json.loads(out)
    assert {r["id"] for r in base["rules"]} < {r["id"] for r in everything["rules"]}
    assert "ZSEC-DBG-001" not in {r["id"] for r in base["rules"]}  # a strict rule
    _, out, _ = run(capsys, "check", "--list-rules", "--format", "json", "--profile", "production")
    production = {r["id"]: r for r in json.loads(out)["rules"]}
    assert production["ZSEC-KEY-001"]["severity"] == "critical"
    assert production["ZSEC-KEY-001"]["default_severity"] == "high"
    assert production["TFM-DEV-KEY"]["severity"] == "critical"
    assert production["ZSEC-MEM-015"]["problem"] == "Null pointer dereferences are not caught"
    _, text, _ = run(capsys, "check", "--list-rules", "--profile", "production")
    assert "rules in profile production from:" in text


@pytest.mark.parametrize("argv, words", [
    (["--explain", "ZSEC-MEM-015", "--list-rules"], "--explain and --list-rules"),
    (["--explain", "ZSEC-MEM-015", "--fix", "out"], "--explain and --fix"),
    (["--list-rules", "--fix", "out"], "--list-rules and --fix"),
    (["--list-rules", "--format", "sarif"], "--list-rules writes text or json"),
    (["--explain", "ZSEC-MEM-015", "--format", "json"], "--explain writes text"),
])
def test_conflicting_options_are_usage_errors(capsys, argv, words):
    code, out, err = run(capsys, "check", *argv)
    assert code == 2 and out == "" and words in err and len(err.splitlines()) == 1


def test_confirm_and_test_exclude_each_other(capsys, tmp_path):
    payload = tmp_path / "in.bin"
    payload.write_bytes(b"\0" * 64)
    code, _, err = run(capsys, "sign", "--confirm", "--test", "-v", "1.0.0", "-H", "0x200", "-S", "0x1000",
                       "--pad-header",
                       "-k", str(tmp_path / "k.pem"), str(payload), str(tmp_path / "out.bin"))
    assert code == 2 and "--confirm and --test exclude each other" in err


def test_explain_with_a_build_shows_what_it_found(capsys):
    code, out, _ = run(capsys, "check", "--explain", "zsec-boot-014", "-d", EXAMPLE, "--profile", "production")
    assert code == 0
    assert out.startswith("ZSEC-BOOT-014: MCUboot is built with fault-injection hardening\n"
                          "  when it fails: MCUboot is built without fault-injection hardening")
    assert "mcuboot: fail (low) MCUboot is built without fault-injection hardening" in out
    assert "fix: Set CONFIG_BOOT_FIH_PROFILE_MEDIUM=y" in " ".join(out.split())


def test_errors_name_the_file(capsys, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not an image\n")
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    for image in (text, empty):
        code, _, err = run(capsys, "sign", "info", str(image))
        assert code == 2 and err.startswith(f"zsec sign: error: {image}: ") and len(err.splitlines()) == 1
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    code, _, err = run(capsys, "check", "-d", EXAMPLE, "--fix", str(a_file))
    assert code == 2 and f"{a_file}: --fix names a file, not a directory" in err
    code, _, err = run(capsys, "sbom", "-d", EXAMPLE, "--output-dir", str(a_file))
    assert code == 2 and f"{a_file}: --output-dir names a file, not a directory" in err
