"""Each command imports only what it uses: start-up cost is paid per format, not for all of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "nrf52840-mcuboot"

_PROBE = """
import json, sys
from zsec_west.cli.app import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
tops = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"code": code, "tops": tops, "modules": sorted(sys.modules)}), file=sys.__stderr__)
"""


def imported(*argv: str) -> tuple[int, set[str], set[str]]:
    """(exit code, top-level packages, all modules) of `zsec ARGV` run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", _PROBE, *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    record = json.loads(done.stderr.strip().splitlines()[-1])
    return record["code"], set(record["tops"]), set(record["modules"])


@pytest.mark.parametrize("argv", [("--help",), ("check", "--help"), ("sign", "--help"),
                                  ("sbom", "--help"), ("tfm", "--help")])
def test_help_imports_no_cryptography_and_no_sbom_library(argv):
    code, tops, _ = imported(*argv)
    assert code == 0
    assert not {"cryptography", "cyclonedx", "spdx_tools", "intelhex"} & tops


@pytest.mark.parametrize(("fmt", "wanted", "unwanted"), [
    ("spdx-json", "spdx_tools", "cyclonedx"),
    ("spdx-tv", "spdx_tools", "cyclonedx"),
    ("cyclonedx", "cyclonedx", "spdx_tools"),
])
def test_sbom_imports_only_the_writer_of_its_format(tmp_path, fmt, wanted, unwanted):
    code, tops, _ = imported("-q", "sbom", "-d", str(EXAMPLE), "--output-dir", str(tmp_path),
                             "--sbom-format", fmt)
    assert code == 0
    assert wanted in tops and unwanted not in tops
