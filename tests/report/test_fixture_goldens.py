"""Golden files of the human formats (text, Markdown, HTML) of `check` and `tfm` on every fixture
build, as the CLI writes them. ZSEC_UPDATE_GOLDEN=1 rewrites them; review the diff like code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.test_html import strict_parse
from zsec_west.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = {
    "3.7-hello": "tests/data/builds/hello",
    "3.7-tfm-ns": "tests/data/builds/tfm-ns",
    "4.1-hello": "tests/data/builds-4.1/hello",
    "4.1-mcuboot-sysbuild": "tests/data/builds-4.1/mcuboot-sysbuild",
    "4.1-tfm-ns": "tests/data/builds-4.1/tfm-ns",
    "example-nrf52840-mcuboot": "examples/nrf52840-mcuboot",
}
EXTENSIONS = {"text": "txt", "markdown": "md", "html": "html"}


@pytest.fixture(autouse=True)
def _from_the_repository(monkeypatch):
    # Paths in the reports are shown relative to where the command runs; no tree from the machine.
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ZEPHYR_BASE", raising=False)


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
@pytest.mark.parametrize("command", ["check", "tfm"])
@pytest.mark.parametrize("fixture", list(FIXTURES))
def test_human_formats_of_every_fixture(fixture, command, fmt, golden, tmp_path, capsys):
    out = tmp_path / f"report.{EXTENSIONS[fmt]}"
    code = main([command, "-d", FIXTURES[fixture], "--profile", "production", "--format", fmt, "-o", str(out)])
    capsys.readouterr()
    assert code in (0, 1)
    text = out.read_text(encoding="utf-8")
    if fmt == "html":
        strict_parse(text)
    assert str(ROOT) not in text and str(tmp_path) not in text  # the same report on every machine
    golden(f"builds/{fixture}/{command}.{EXTENSIONS[fmt]}", text)


def test_the_example_production_report_fits_a_screen(capsys):
    """The README's first command: at most 30 lines in all, each distinct problem once."""
    code = main(["check", "-d", "examples/nrf52840-mcuboot", "--profile", "production"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.splitlines() + err.splitlines()
    assert len(lines) <= 30, "\n".join(lines)
    problems = [line for line in out.splitlines() if line.split(" ", 1)[0] in ("critical", "high", "medium", "low")]
    ids = [line.split()[1] for line in problems]
    assert len(ids) == len(set(ids)) == 13
    assert out.count("published development key") == 2  # in the configuration, and in the signed image
    assert max(len(line) for line in out.splitlines()) <= 100
