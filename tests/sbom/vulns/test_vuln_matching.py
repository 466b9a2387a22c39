"""How a match words the version to upgrade to."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from zsec_west.sbom.vulns.index import Row
from zsec_west.sbom.vulns.matching import _fixed_text
from zsec_west.sbom.vulns.model import SOURCE_NVD, SOURCE_OSV, Vulnerability
from zsec_west.sbom.vulns.rows import KIND_RANGE
from zsec_west.versions import key

ROOT = Path(__file__).resolve().parents[3]


def _below(*bounds: str) -> list[Row]:
    return [Row(1, KIND_RANGE, None, "0", True, hi, False, ()) for hi in bounds]


def test_fixed_text_is_the_smallest_bound_above_the_version() -> None:
    nvd = Vulnerability("CVE-2024-0001", SOURCE_NVD, "nvd.json")
    osv = Vulnerability("CVE-2024-0001", SOURCE_OSV, "osv.json")
    records = [(nvd, _below("4.0.0", "3.5.0"), ""), (osv, _below("3.7.0"), "")]
    assert _fixed_text(records, key("3.6.0")) == "3.7.0"
    assert _fixed_text(records, key("4.1.0")) == ""


def test_fixed_text_does_not_depend_on_string_hashing() -> None:
    # Equal bounds spelled differently ('3.7.0', 'v3.7.0'): the first one listed is the answer,
    # in every process; a set's order would change with PYTHONHASHSEED.
    program = (
        "from tests.sbom.vulns.test_vuln_matching import spelled_three_ways\n"
        "print(spelled_three_ways())\n")
    seen = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True)
        seen.add(done.stdout.strip())
    assert seen == {"v3.7.0"}


def spelled_three_ways() -> str:
    vuln = Vulnerability("CVE-2024-0002", SOURCE_NVD, "nvd.json")
    return _fixed_text([(vuln, _below("v3.7.0", "3.7.0", "zephyr-v3.7.0"), "")], key("3.6.0"))
