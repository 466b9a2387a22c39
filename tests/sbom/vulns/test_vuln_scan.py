"""The scan on the real fixture builds: known Zephyr, mbed TLS and TF-M advisories, decided
against what each domain actually built."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BUILDS
from tests.sbom.vulns.conftest import mbedtls, zephyr
from zsec_west.builddir import load_build
from zsec_west.findings import Location, Severity, Status
from zsec_west.sbom.component import Component
from zsec_west.sbom.vulns import VulnOptions, VulnScan, scan
from zsec_west.sbom.vulns.findings import severity_of

HELLO = BUILDS["hello"]
SYSBUILD = BUILDS["mcuboot-sysbuild"]


def by_id(findings) -> dict[str, object]:
    return {f.rule.id: f for f in findings}


def test_hello_world_zephyr_3_7_1(hello_build, db) -> None:
    result = scan([zephyr("hello_world", HELLO)], hello_build, VulnOptions(db=db))
    assert isinstance(result, VulnScan)
    found = by_id(result)
    # In range for 3.7.1 ...
    assert {"CVE-2026-2411", "CVE-2026-7007", "CVE-2026-10637"} <= set(found)
    # ... fixed for 3.7.0, so not reported; nor are the other 2024 advisories.
    assert not {"CVE-2024-3077", "CVE-2024-5754", "CVE-2024-6443", "CVE-2020-13603"} & set(found)
    # hello_world on qemu_cortex_m3 builds no Bluetooth, ext2 or IPv6: not affected, with why.
    for ident, place in (("CVE-2026-2411", "subsys/bluetooth/host/"),
                         ("CVE-2026-7007", "subsys/fs/ext2/"),
                         ("CVE-2026-10637", "subsys/net/ip/ipv6_mld.c")):
        finding = found[ident]
        assert finding.status is Status.NOT_APPLICABLE
        assert place in finding.message and "compiled into hello_world" in finding.message
        assert finding.domain == "hello_world"
        assert finding.subject == "zephyr@3.7.1"
        assert finding.evidence.actual == "3.7.1"
        assert finding.location is not None and finding.location.path.endswith("zephyr_modules.txt")
    assert found["CVE-2026-2411"].evidence.expected == ">= 3.7.3 (v3.7 LTS), 4.4.2"
    assert found["CVE-2026-2411"].rule.source == "zsec-advisories"
    assert [f for f in result if f.status is Status.FAIL] == []
    # The embargoed advisory is a note, not a finding.
    assert "CVE-2026-9728" not in found
    assert any("CVE-2026-9728" in note and "embargo" in note for note in result.notes)


def test_kconfig_decides_when_compiled_files_are_unknown(hello_build, db) -> None:
    found = by_id(scan([zephyr("hello_world")], hello_build, VulnOptions(db=db)))
    assert found["CVE-2026-2411"].status is Status.NOT_APPLICABLE
    assert "CONFIG_BT is not enabled in hello_world" in found["CVE-2026-2411"].message
    assert "CONFIG_FILE_SYSTEM_EXT2 is not enabled" in found["CVE-2026-7007"].message
    assert "CONFIG_NET_IPV6 is not enabled" in found["CVE-2026-10637"].message


def test_a_build_with_the_code_is_affected(hello_build, db) -> None:
    component = Component("zephyr", "3.7.1", "hello_world",
                          cpes=("cpe:2.3:o:zephyrproject:zephyr:3.7.1:-:*:*:*:*:*:*",),
                          compiled_files=("kernel/sched.c", "subsys/bluetooth/host/gatt.c",
                                          "subsys/bluetooth/host/att.c"))
    found = by_id(scan([component], hello_build, VulnOptions(db=db)))
    bt = found["CVE-2026-2411"]
    assert bt.status is Status.FAIL
    assert "subsys/bluetooth/host/gatt.c (+1 more) is compiled" in bt.message
    assert bt.severity is Severity.MEDIUM
    assert found["CVE-2026-7007"].status is Status.NOT_APPLICABLE


def test_older_zephyr_gets_the_2024_advisories(hello_build, db) -> None:
    found = by_id(scan([zephyr("hello_world", version="3.6.0")], hello_build, VulnOptions(db=db)))
    assert {"CVE-2024-3077", "CVE-2024-5754", "CVE-2024-6443"} <= set(found)
    assert "GHSA-gmfv-4vfh-2mh8" in found["CVE-2024-3077"].rule.references
    assert found["CVE-2024-3077"].status is Status.NOT_APPLICABLE  # no Bluetooth in hello_world
    # utf8.c carries no Kconfig condition and the compiled files are unknown: affected.
    assert found["CVE-2024-6443"].status is Status.FAIL
    exact = by_id(scan([zephyr("hello_world", version="2.4.0")], hello_build, VulnOptions(db=db)))
    assert exact["CVE-2020-13603"].severity is Severity.MEDIUM  # CVSS 6.9


def test_sysbuild_domains_are_judged_separately(db) -> None:
    build = load_build(SYSBUILD)
    components = [zephyr("hello_world", SYSBUILD / "hello_world"),
                  zephyr("mcuboot", SYSBUILD / "mcuboot"),
                  mbedtls("mcuboot", SYSBUILD / "mcuboot")]
    result = scan(components, build, VulnOptions(db=db))
    per = {(f.rule.id, f.domain): f for f in result}
    assert per[("CVE-2026-2411", "hello_world")].status is Status.NOT_APPLICABLE
    assert per[("CVE-2026-2411", "mcuboot")].status is Status.NOT_APPLICABLE
    # MCUboot compiles mbed TLS including its TLS sources: the hostname flaw of 3.6.2 applies.
    tls = per[("CVE-2025-27809", "mcuboot")]
    assert tls.status is Status.FAIL
    assert "library/ssl_" in tls.message and tls.evidence.expected == ">= 2.28.10, 3.6.3"
    # Points at the line of the module the user would change.
    assert tls.location == Location(tls.location.path, 2)
    assert tls.location.path.endswith("zephyr_modules.txt")
    assert "CVE-2024-45158" not in {f.rule.id for f in result}  # 3.6.0 only


def test_tfm_advisories_use_the_tfm_configuration(db) -> None:
    build = load_build(BUILDS["tfm-ns"])
    tfm = Component("trusted-firmware-m", "2.1.1", "tfm",
                    cpes=("cpe:2.3:o:arm:trusted_firmware-m:2.1.1:*:*:*:*:*:*:*",))
    vex_out = db.parent / "tfm.vex.json"
    result = scan([tfm], build, VulnOptions(db=db, vex_out=vex_out))
    found = by_id(result)
    # TFMV-9 (< 2.2.1) is in range, but the FWU partition is disabled in this build.
    assert found["CVE-2025-53022"].status is Status.NOT_APPLICABLE
    # Judged as `zsec tfm` judges it (tfm/advisories.py), on the TF-M sub-build's cache.
    assert "the Firmware Update (FWU) partition is disabled" in found["CVE-2025-53022"].message
    assert "TFMV-9" in found["CVE-2025-53022"].rule.references
    # TFMV-8 was fixed in 2.1.1 and TFMV-7 mitigated in 2.1.0.
    assert "CVE-2024-45746" not in found and "CVE-2023-51712" not in found
    import json
    statuses = {s["vulnerability"]["name"]: s["status"]
                for s in json.loads(vex_out.read_text())["statements"]}
    assert statuses["CVE-2024-45746"] == "fixed"
    assert statuses["CVE-2025-53022"] == "not_affected"
    older = by_id(scan([Component("tf-m", "2.0.0", "tfm")], build, VulnOptions(db=db)))
    # 2.0.0 with the IPC model and partition logging on: TFMV-7 applies. The mailbox one
    # (TFMV-8) does not: the TF-M cache records a TrustZone NS agent, as `zsec tfm` says too.
    assert older["CVE-2023-51712"].status is Status.FAIL
    assert older["CVE-2024-45746"].status is Status.NOT_APPLICABLE
    assert "does not use the mailbox NS agent" in older["CVE-2024-45746"].message
    assert older["CVE-2024-45746"].severity is Severity.CRITICAL


def test_manifest_location(tmp_path: Path, hello_build, db, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "west.yml").write_text(
        "manifest:\n  projects:\n    - name: cmsis\n      revision: abc\n"
        "    - name: mbedtls\n      revision: def\n")
    monkeypatch.chdir(workspace)
    result = scan([mbedtls("hello_world")], hello_build,
                  VulnOptions(db=db, manifest=workspace / "west.yml"))
    finding = by_id(result)["CVE-2025-27809"]
    assert finding.location == Location("west.yml", 5)
    assert "its revision in west.yml" in finding.rule.fix


@pytest.mark.parametrize("score, label, expected", [
    (9.0, None, Severity.CRITICAL), (8.9, None, Severity.HIGH), (7.0, "low", Severity.HIGH),
    (4.0, None, Severity.MEDIUM), (3.9, None, Severity.LOW), (0.1, None, Severity.LOW),
    (0.0, None, Severity.INFO), (None, "high", Severity.HIGH), (None, "moderate", Severity.MEDIUM),
    (None, None, Severity.MEDIUM),
])
def test_severity_buckets(score, label, expected) -> None:
    assert severity_of(score, label) is expected


def test_unknown_domain_is_treated_as_built(hello_build, db) -> None:
    found = by_id(scan([zephyr("no-such-domain")], hello_build, VulnOptions(db=db)))
    assert found["CVE-2026-2411"].status is Status.FAIL
