"""TF-M findings: the TF-M rules of the one catalogue, through the engine sec-check uses too."""

from __future__ import annotations

import shutil

from tests.tfm.conftest import set_cache, set_kconfig
from zsec_west.builddir import load_build
from zsec_west.check.audit import CheckOptions, run_check
from zsec_west.findings import Severity, Status
from zsec_west.rules.catalogue import package_files
from zsec_west.tfm.catalogue import package_catalogue, tfm_findings, tfm_rules


def statuses(build_dir) -> dict[str, Status]:
    build = load_build(build_dir)
    domain = build.domain("tfm")
    assert domain.kind == "tfm" and domain.parent is build.default
    return {f.subject: f.status for f in tfm_findings(build, domain)}


def test_real_tfm_build_findings(tfm_build):
    build = load_build(tfm_build)
    findings = tfm_findings(build, build.domain("tfm"))
    assert all(f.rule.id.startswith("TFM-") and f.domain == "tfm" for f in findings)
    got = {f.subject: f.status for f in findings}
    assert got["TFM-ISOLATION-LEVEL"] is Status.FAIL
    assert got["TFM-DUMMY-PROVISIONING"] is Status.FAIL
    assert got["key:S"] is Status.FAIL and got["key:NS"] is Status.FAIL
    assert got["TFM-EXCEPTION-INFO-DUMP"] is Status.FAIL
    assert got["TFM-DEBUG-BUILD"] is Status.PASS  # MinSizeRel
    assert got["TFM-VERBOSE-LOG"] is Status.PASS  # INFO everywhere
    assert got["TFM-NO-BL2"] is Status.PASS
    assert got["TFM-CONFIG-MISMATCH"] is Status.PASS
    assert got["TFM-IMAGE-DEV-KEY"] is Status.NOT_APPLICABLE  # no binaries in the fixture
    # Advisories on 2.1.1: TFMV-8 was fixed in 2.1.1; TFMV-9 is in range but FWU is off.
    for number in range(1, 9):
        assert got[f"TFM-TFMV-{number}"] is Status.PASS, number
    assert got["TFM-TFMV-9"] is Status.NOT_APPLICABLE
    tfmv9 = next(f for f in findings if f.rule.id == "TFM-TFMV-9")
    assert "v1.3.0 to v2.2.0" in tfmv9.message and "Firmware Update (FWU) partition is disabled" \
        in tfmv9.message
    assert tfmv9.rule.severity is Severity.HIGH and "CVE-2025-53022" in tfmv9.rule.title
    # Failures point at the line a user would edit.
    isolation = next(f for f in findings if f.rule.id == "TFM-ISOLATION-LEVEL")
    assert isolation.location.path.endswith("zephyr/.config") and isolation.location.line


def test_fwu_partition_makes_tfmv9_apply(tfm_build):
    set_kconfig(tfm_build, TFM_PARTITION_FIRMWARE_UPDATE="y")
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", TFM_PARTITION_FIRMWARE_UPDATE="ON")
    got = statuses(tfm_build)
    assert got["TFM-TFMV-9"] is Status.FAIL
    assert got["TFM-CONFIG-MISMATCH"] is Status.PASS


def test_older_version_hits_older_advisories(tfm_build):
    header = tfm_build / "tfm" / "generated" / "secure_fw" / "spm" / "include" / "tfm_version.h"
    header.write_text(header.read_text().replace("2.1.1", "1.8.0"))
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", TFM_PARTITION_NS_AGENT_MAILBOX="ON")
    got = statuses(tfm_build)
    assert got["TFM-TFMV-8"] is Status.FAIL  # mailbox on, 1.8.0 in 1.6.0..2.1.0
    assert got["TFM-TFMV-7"] is Status.FAIL  # IPC + partition logging on, up to 2.0.0
    assert got["TFM-TFMV-6"] is Status.NOT_APPLICABLE  # no crypto accelerator
    assert got["TFM-TFMV-3"] is Status.PASS


def test_hardened_configuration_passes(tfm_build):
    set_kconfig(tfm_build, TFM_ISOLATION_LEVEL="2", TFM_DUMMY_PROVISIONING=None,
                TFM_EXCEPTION_INFO_DUMP=None)
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", TFM_ISOLATION_LEVEL="2",
              TFM_DUMMY_PROVISIONING="OFF", TFM_EXCEPTION_INFO_DUMP="OFF")
    got = statuses(tfm_build)
    assert got["TFM-ISOLATION-LEVEL"] is Status.PASS
    assert got["TFM-DUMMY-PROVISIONING"] is Status.PASS
    assert got["TFM-EXCEPTION-INFO-DUMP"] is Status.PASS
    assert got["TFM-CONFIG-MISMATCH"] is Status.PASS


def test_debug_build_verbose_logs_and_test_suites(tfm_build):
    set_kconfig(tfm_build, TFM_CMAKE_BUILD_TYPE_MINSIZEREL=None, TFM_CMAKE_BUILD_TYPE_DEBUG="y",
                TFM_SPM_LOG_LEVEL_INFO=None, TFM_SPM_LOG_LEVEL_DEBUG="y", TFM_REGRESSION_S="y")
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", CMAKE_BUILD_TYPE="Debug",
              TFM_SPM_LOG_LEVEL="TFM_SPM_LOG_LEVEL_DEBUG")
    build = load_build(tfm_build)
    findings = {f.rule.id: f for f in tfm_findings(build, build.domain("tfm"))}
    assert findings["TFM-DEBUG-BUILD"].status is Status.FAIL
    assert findings["TFM-VERBOSE-LOG"].status is Status.FAIL
    assert "SPM" in findings["TFM-VERBOSE-LOG"].message
    assert findings["TFM-TEST-SUITES"].status is Status.FAIL


def test_stale_subbuild_is_a_mismatch_finding(tfm_build):
    set_kconfig(tfm_build, TFM_ISOLATION_LEVEL="2")
    build = load_build(tfm_build)
    mismatches = [f for f in tfm_findings(build, build.domain("tfm"))
                  if f.rule.id == "TFM-CONFIG-MISMATCH"]
    assert [f.status for f in mismatches] == [Status.FAIL]
    assert "isolation level" in mismatches[0].message
    # The effective (TF-M) value decides the isolation finding: TF-M still runs at level 1.
    assert statuses(tfm_build)["TFM-ISOLATION-LEVEL"] is Status.FAIL


def test_missing_subbuild_still_reports_from_kconfig(tfm_build):
    shutil.rmtree(tfm_build / "tfm")
    got = statuses(tfm_build)
    assert got["TFM-ISOLATION-LEVEL"] is Status.FAIL
    assert got["TFM-DUMMY-PROVISIONING"] is Status.FAIL
    assert got["TFM-CONFIG-MISMATCH"] is Status.NOT_APPLICABLE
    assert got["TFM-TFMV-9"] is Status.NOT_APPLICABLE  # version unknown


def test_no_bl2(tfm_build):
    set_kconfig(tfm_build, TFM_BL2=None)
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", BL2="FALSE")
    got = statuses(tfm_build)
    assert got["TFM-NO-BL2"] is Status.FAIL
    assert got["TFM-DEV-KEY"] is Status.NOT_APPLICABLE


def test_shipped_tfm_rules_are_catalogue_rules():
    rules = {rule.id: rule for rule in tfm_rules(package_catalogue())}
    assert {"TFM-ISOLATION-LEVEL", "TFM-DUMMY-PROVISIONING", "TFM-DEV-KEY"} <= set(rules)
    assert {f"TFM-TFMV-{n}" for n in range(1, 10)} <= set(rules)
    assert all(rule.rule.fix and rule.rule.rationale for rule in rules.values())
    assert all(rule.domains == ("tfm",) and rule.builtin for rule in rules.values())
    # The TF-M rules file holds them all (plus the Kconfig-only ZSEC-TFM-002 of the strict profile).
    [tfm_file] = [f for f in package_files() if f.path.endswith("rules/tfm.yaml")]
    assert {r.id for r in tfm_file.rules} == {r for r in rules if not r.startswith("TFM-TFMV-")} | {
        "ZSEC-TFM-002"}


def test_sec_check_and_sec_tfm_report_the_same_tfm_findings(tfm_build):
    build = load_build(tfm_build)
    tfm = {(f.rule.id, f.subject, f.status, f.message) for f in tfm_findings(build, build.domain("tfm"))}
    run = run_check(build, CheckOptions(use_zephyr_db=False))
    check = {(f.rule.id, f.subject, f.status, f.message) for f in run.report.findings
             if f.domain == "tfm" and f.rule.id.startswith("TFM-")}
    assert tfm == check and len(tfm) > 15
