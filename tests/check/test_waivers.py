"""Waivers: reason and expiry required, waived findings marked, expired waivers reported."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.check.conftest import check, results
from zsec_west.check.waivers import load_waivers
from zsec_west.errors import DataFileError
from zsec_west.findings import Status

TODAY = dt.date(2026, 3, 1)


def waivers(tmp_path, text: str):
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_waived_failure_keeps_its_reason(hello, tmp_path):
    path = waivers(tmp_path, """\
waivers:
  - rule: ZSEC-MEM-010
    domain: hello_world
    reason: The sentinel costs too much on this part; covered by a watchdog
    expires: 2026-12-31
""")
    run = check(hello, waivers=path, today=TODAY)
    [finding] = results(run, "hello_world", "ZSEC-MEM-010")
    assert finding.status is Status.WAIVED
    assert finding.waiver == "The sentinel costs too much on this part; covered by a watchdog"
    assert run.report.counts()[Status.WAIVED] == 1
    assert not run.warnings
    assert run.report.inputs["waivers"] == str(path)


def test_waiver_for_another_domain_waives_nothing(nrf, tmp_path):
    path = waivers(tmp_path, """\
waivers:
  - rule: ZSEC-KEY-001
    domain: mcuboot
    reason: Lab bootloader
    expires: 2030-01-01
""")
    run = check(nrf, waivers=path, today=TODAY)
    assert results(run, "mcuboot", "ZSEC-KEY-001")[0].status is Status.WAIVED
    assert results(run, "hello_world", "ZSEC-KEY-001")[0].status is Status.FAIL
    assert results(run, "sysbuild", "ZSEC-KEY-001")[0].status is Status.FAIL


def test_expired_waiver_is_itself_a_finding(hello, tmp_path):
    path = waivers(tmp_path, """\
waivers:
  - rule: ZSEC-MEM-010
    reason: Until the watchdog lands
    expires: 2026-01-31
""")
    run = check(hello, waivers=path, today=TODAY)
    assert results(run, "hello_world", "ZSEC-MEM-010")[0].status is Status.FAIL
    [expired] = results(run, "hello_world", "ZSEC-WAIVER-001")
    assert expired.status is Status.FAIL
    assert "expired on 2026-01-31" in expired.message and "Until the watchdog lands" in expired.message
    assert expired.location.path == str(path) and expired.location.line == 2


def test_useless_waivers_are_warned_about(hello, tmp_path):
    path = waivers(tmp_path, """\
waivers:
  - rule: ZSEC-NOPE-001
    reason: typo
    expires: 2030-01-01
  - rule: ZSEC-BT-001
    reason: no Bluetooth here anyway
    expires: 2030-01-01
""")
    run = check(hello, waivers=path, today=TODAY)
    assert len(run.warnings) == 2
    assert "ZSEC-NOPE-001, which is not in the catalogue" in run.warnings[0]
    assert f"{path}:5: waiver for ZSEC-BT-001 matches no failure" == run.warnings[1]


@pytest.mark.parametrize("entry, line, field, words", [
    ("  - rule: ZSEC-MEM-010\n    expires: 2030-01-01\n", 2, "reason", "missing"),
    ("  - rule: ZSEC-MEM-010\n    reason: '  '\n    expires: 2030-01-01\n", 3, "reason", "why"),
    ("  - rule: ZSEC-MEM-010\n    reason: x\n", 2, "expires", "missing"),
    ("  - rule: ZSEC-MEM-010\n    reason: x\n    expires: next year\n", 4, "expires", "not a date"),
    ("  - rule: ZSEC-MEM-010\n    reason: x\n    expires: 2030-01-01\n    owner: me\n", 5, "owner",
     "unknown field"),
    ("  - rule: 42\n    reason: x\n    expires: 2030-01-01\n", 2, "rule", "not a rule id"),
])
def test_schema_errors_name_file_line_and_field(tmp_path, entry, line, field, words):
    path = waivers(tmp_path, "waivers:\n" + entry)
    with pytest.raises(DataFileError) as info:
        load_waivers(path)
    assert str(info.value).startswith(f"{path}: line {line}, field '{field}'")
    assert words in str(info.value)


def test_waiver_file_shape_errors(tmp_path):
    with pytest.raises(DataFileError, match="'waivers' list"):
        load_waivers(waivers(tmp_path, "- rule: X\n"))
    with pytest.raises(DataFileError, match="file not found"):
        load_waivers(tmp_path / "missing.yaml")
    assert load_waivers(waivers(tmp_path, "waivers:\n")) == []
