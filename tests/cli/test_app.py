"""The `zsec` front end: bad input is one line on stderr with a distinct exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUILDS, ROOT
from zsec_west.cli.app import main
from zsec_west.errors import ZsecError


def run_zsec(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "zsec_west.cli.app", *args], cwd=cwd or ROOT,
                          env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_version_and_help():
    assert run_zsec("--version").stdout.startswith("zsec-west ")
    listing = run_zsec("--help").stdout
    for name in ("check", "sign", "sbom", "tfm"):
        assert name in listing


def test_no_command_is_a_usage_error():
    assert run_zsec().returncode == 2


def test_missing_build_dir(tmp_path: Path):
    assert_one_line_error(run_zsec("check", "-d", str(tmp_path / "nope")), 2, "nope",
                          "does not exist")


def test_not_a_zephyr_build(tmp_path: Path):
    (tmp_path / "CMakeCache.txt").write_text("FOO:STRING=1\n")
    assert_one_line_error(run_zsec("check", "-d", str(tmp_path)), 2, "not a Zephyr build")


def test_garbled_cmakecache(build_copy):
    build = build_copy("hello")
    cache = build / "CMakeCache.txt"
    cache.write_text(cache.read_text()[:2000] + "\n" + "$%^ garbage\n" * 10)
    assert_one_line_error(run_zsec("check", "-d", str(build)), 2, "CMakeCache.txt", "line")


def test_truncated_cmakecache(build_copy):
    build = build_copy("hello")
    cache = build / "CMakeCache.txt"
    cache.write_bytes(cache.read_bytes()[:3000])
    assert_one_line_error(run_zsec("check", "-d", str(build)), 2, "ZEPHYR_TOOLCHAIN_VARIANT",
                          "truncated")


def test_junk_in_config(build_copy):
    build = build_copy("hello")
    config = build / "zephyr" / ".config"
    config.write_text(config.read_text() + "\nthis line is junk\n")
    assert_one_line_error(run_zsec("check", "-d", str(build)), 2, ".config", "line")


def test_domains_yaml_not_yaml(build_copy):
    build = build_copy("mcuboot-sysbuild")
    (build / "domains.yaml").write_text("default: [oops\n")
    assert_one_line_error(run_zsec("check", "-d", str(build)), 2, "domains.yaml", "YAML")


def test_domains_yaml_names_missing_domain(build_copy):
    build = build_copy("mcuboot-sysbuild")
    text = (build / "domains.yaml").read_text()
    (build / "domains.yaml").write_text(text.replace("flash_order:", "  - name: netcore\n"
                                                     "    build_dir: /gone/netcore\nflash_order:"))
    assert_one_line_error(run_zsec("check", "-d", str(build)), 2, "netcore")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_config(build_copy):
    build = build_copy("hello")
    (build / "zephyr" / ".config").chmod(0)
    assert_one_line_error(run_zsec("check", "-d", str(build)), 2, ".config")


def test_paths_with_spaces_and_non_ascii(build_copy):
    build = build_copy("mcuboot-sysbuild", "bûild — dir")
    result = run_zsec("check", "-d", str(build), "--format", "json", "--exit-zero")
    assert result.returncode == 0, result.stderr


def test_build_dir_found_like_west_build(build_copy, tmp_path: Path):
    build_copy("hello", "build")
    result = run_zsec("check", "--format", "json", "--exit-zero", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_vvv_shows_the_traceback(tmp_path: Path):
    with pytest.raises(ZsecError):
        main(["-vvv", "check", "-d", str(tmp_path / "nope")])


def test_report_file_is_written_atomically(tmp_path: Path):
    out = tmp_path / "report.json"
    result = run_zsec("check", "-d", str(BUILDS["hello"]), "--format", "json", "--output",
                      str(out), "--exit-zero")
    assert result.returncode == 0 and result.stdout == ""
    assert out.read_text().lstrip().startswith("{")
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_config_that_cannot_be_read(build_copy):
    """Runs as root too (unlike a chmod test): a directory where .config should be cannot be read."""
    build = build_copy("hello")
    config = build / "zephyr" / ".config"
    config.unlink()
    config.mkdir()
    assert_one_line_error(run_zsec("check", "-d", str(build)), 2, ".config", "cannot read")


# -- usage errors and messages: one line each (issue 15) --------------------------------------------

@pytest.mark.parametrize("argv, words", [
    (["check", "--bogus"], "zsec check: error: unrecognized arguments: --bogus; see 'zsec check --help'"),
    (["sbom", "--jobs", "x"], "zsec sbom: error: argument --jobs: invalid int value: 'x'"),
    (["sign", "verify"], "zsec sign verify: error: the following arguments are required: IMAGE"),
    (["sign", "sign", "--align", "3", "a", "b"], "zsec sign sign: error: argument --align: invalid choice: 3"),
    (["tfm", "boards", "--nope"], "zsec tfm: error: unrecognized arguments: --nope"),
    ([], "zsec: error: the following arguments are required: COMMAND"),
])
def test_usage_errors_are_one_line(capsys, argv, words):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.count("\n") == 1 and err.startswith(words), err  # argparse printed the usage first


def test_absurd_verbosity_counts_are_the_extreme_levels(capsys, tmp_path: Path):
    missing = str(tmp_path / "nope")
    with pytest.raises(ZsecError):  # as -vvv: the traceback
        main(["-" + "v" * 1000, "check", "-d", missing])
    assert main(["-" + "q" * 1000, "check", "-d", missing]) == 2
    assert capsys.readouterr().err == ""  # as -qq: not even the error


def test_an_error_quoting_huge_or_multi_line_input_is_one_short_line(build_copy, tmp_path: Path):
    build = build_copy("hello")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: ZSEC-MEM-010\n    reason: r\n    expires: " + "9" * 5000 + "-01-01\n")
    result = run_zsec("check", "-d", str(build), "--waivers", str(waivers))
    assert_one_line_error(result, 2, str(waivers), "line 4", "expires")
    assert len(result.stderr) < 1000
    waivers.write_bytes(b"waivers:\n  - rule: ZSEC-MEM-010\x00\n")  # PyYAML's message has two lines
    assert_one_line_error(run_zsec("check", "-d", str(build), "--waivers", str(waivers)), 2,
                          str(waivers), "line 2", "U+0000")


def test_one_line_keeps_the_start_and_the_end():
    from zsec_west.errors import one_line

    text = one_line("f.yaml: line 3: value '" + "9" * 10_000 + "' is wrong (see the docs)")
    assert text.startswith("f.yaml: line 3: value '999") and text.endswith("9' is wrong (see the docs)")
    assert len(text) < 300 and "[... 9822 characters ...]" in text
    assert one_line("a\n  b\r\nc") == "a b c"
    assert one_line("keys a.pem  and  b.pem") == "keys a.pem  and  b.pem"  # ordinary text untouched
    many = one_line("x " * 5000)
    assert len(many) <= 4000 and many.startswith("x x") and "characters ...]" in many
