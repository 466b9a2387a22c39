"""Each rule family on real .config files (from the fixture builds) with lines flipped."""

from __future__ import annotations

import pytest

from tests.check.conftest import check, failed_ids, imgtool_sign, results, set_config, status
from zsec_west.errors import BuildDirError
from zsec_west.findings import Severity, Status


def test_domains_of_each_real_build(hello, nrf, tfm):
    assert [(d["name"], d["kind"]) for d in check(hello).report.inputs["domains"]] == [
        ("hello_world", "app")]
    assert [(d["name"], d["kind"]) for d in check(nrf).report.inputs["domains"]] == [
        ("sysbuild", "sysbuild"), ("hello_world", "app"), ("mcuboot", "mcuboot")]
    run = check(tfm)
    assert [(d["name"], d["kind"]) for d in run.report.inputs["domains"]] == [
        ("tfm_ipc", "app"), ("tfm", "tfm")]
    # Every domain got findings, and generic rules are not run twice on the shared .config.
    assert {f.domain for f in run.report.findings} == {"tfm_ipc", "tfm"}
    assert not results(run, "tfm", "ZSEC-DBG-012")


def test_domain_option_narrows(nrf):
    run = check(nrf, domains=("mcuboot",))
    assert run.report.domains == ("mcuboot",)
    assert {f.domain for f in run.report.findings} == {"mcuboot"}


# -- memory protection ---------------------------------------------------------------------------

def test_memory_protection(nrf):
    config = nrf / "hello_world" / "zephyr" / ".config"
    run = check(nrf)
    assert status(run, "hello_world", "ZSEC-MEM-001") is Status.PASS
    assert status(run, "hello_world", "ZSEC-MEM-002") is Status.PASS
    # With hardware protection on, the sentinel fallback does not apply.
    assert status(run, "hello_world", "ZSEC-MEM-010") is Status.NOT_APPLICABLE
    set_config(config, HW_STACK_PROTECTION="n", MPU_STACK_GUARD="n", STACK_SENTINEL="n",
               EXECUTE_XOR_WRITE="n", STACK_POINTER_RANDOM="0", MPU_ALLOW_FLASH_WRITE="y")
    run = check(nrf)
    failed = failed_ids(run, "hello_world")
    assert {"ZSEC-MEM-001", "ZSEC-MEM-002", "ZSEC-MEM-010", "ZSEC-MEM-011", "ZSEC-MEM-013",
            "ZSEC-MEM-012"} <= failed
    finding = results(run, "hello_world", "ZSEC-MEM-001")[0]
    assert finding.subject == "CONFIG_HW_STACK_PROTECTION"
    assert (finding.evidence.actual, finding.evidence.expected) == ("n", "y")
    assert finding.location.path == str(config) and finding.location.line is not None
    # MCUboot legitimately writes flash: that rule is for application images only.
    assert not results(run, "mcuboot", "ZSEC-MEM-012")


def test_stack_sentinel_applies_without_hardware_protection(hello):
    assert status(check(hello), "hello_world", "ZSEC-MEM-010") is Status.FAIL
    set_config(hello / "zephyr" / ".config", STACK_SENTINEL="y")
    assert status(check(hello), "hello_world", "ZSEC-MEM-010") is Status.PASS


def test_canaries_old_and_new_names(hello):
    config = hello / "zephyr" / ".config"
    assert status(check(hello), "hello_world", "ZSEC-MEM-008") is Status.NOT_APPLICABLE
    set_config(config, STACK_CANARIES="n")
    assert status(check(hello), "hello_world", "ZSEC-MEM-008") is Status.FAIL
    set_config(config, STACK_CANARIES=None, STACK_CANARIES_STRONG="y")
    run = check(hello, profile="strict")
    assert status(run, "hello_world", "ZSEC-MEM-008") is Status.PASS
    assert status(run, "hello_world", "ZSEC-MEM-009") is Status.PASS


# -- debug surface ---------------------------------------------------------------------------------

def test_debug_surface(hello):
    config = hello / "zephyr" / ".config"
    base = check(hello)
    assert "ZSEC-DBG-012" not in failed_ids(base, "hello_world")  # strict-only rule
    assert not results(base, "hello_world", "ZSEC-DBG-001")  # not in the base profile at all
    set_config(config, SHELL="y", SHELL_BACKEND_TELNET="y", SHELL_BACKEND_SERIAL="y", GDBSTUB="y",
               USE_SEGGER_RTT="y", DEBUG_OPTIMIZATIONS="y", ZTEST="y")
    base = check(hello)
    assert {"ZSEC-DBG-002", "ZSEC-DBG-007", "ZSEC-DBG-023"} <= failed_ids(base, "hello_world")
    assert "ZSEC-DBG-001" not in failed_ids(base, "hello_world")
    strict = check(hello, profile="strict")
    assert {"ZSEC-DBG-001", "ZSEC-DBG-011", "ZSEC-DBG-012", "ZSEC-DBG-017", "ZSEC-DBG-018",
            "ZSEC-DBG-019"} <= failed_ids(strict, "hello_world")
    assert "ZSEC-DBG-004" not in failed_ids(strict, "hello_world")
    assert "ZSEC-DBG-004" in failed_ids(check(hello, profile="production"), "hello_world")


def test_debug_rules_run_on_mcuboot_too(nrf):
    failed = failed_ids(check(nrf, profile="strict"), "mcuboot")
    assert {"ZSEC-DBG-020", "ZSEC-DBG-012", "ZSEC-DBG-019"} <= failed


# -- entropy ------------------------------------------------------------------------------------------

def test_entropy(hello, tfm):
    config = hello / "zephyr" / ".config"
    set_config(config, TEST_RANDOM_GENERATOR="y", TIMER_RANDOM_GENERATOR="y")
    assert {"ZSEC-RNG-001", "ZSEC-RNG-002"} <= failed_ids(check(hello), "hello_world")
    # No crypto, no networking: the entropy-source rule does not apply.
    assert status(check(hello), "hello_world", "ZSEC-RNG-004") is Status.NOT_APPLICABLE
    set_config(config, NETWORKING="y")
    assert status(check(hello), "hello_world", "ZSEC-RNG-004") is Status.FAIL
    set_config(config, ENTROPY_GENERATOR="y")
    assert status(check(hello), "hello_world", "ZSEC-RNG-004") is Status.PASS
    # A TF-M non-secure image gets its randomness from TF-M's crypto service.
    assert status(check(tfm), "tfm_ipc", "ZSEC-RNG-004") is Status.PASS
    set_config(tfm / "zephyr" / ".config", TFM_CRYPTO_RNG_MODULE_ENABLED="n")
    assert status(check(tfm), "tfm_ipc", "ZSEC-RNG-004") is Status.FAIL


# -- TLS and crypto ------------------------------------------------------------------------------------

def test_tls_and_crypto_on_the_mbedtls_config(tfm):
    run = check(tfm)
    for rule_id in ("ZSEC-TLS-001", "ZSEC-TLS-002", "ZSEC-TLS-003", "ZSEC-TLS-011"):
        assert status(run, "tfm_ipc", rule_id) is Status.PASS, rule_id
    assert status(run, "tfm_ipc", "ZSEC-TLS-010") is Status.NOT_APPLICABLE  # TLS 1.2 is off
    set_config(tfm / "zephyr" / ".config", MBEDTLS_TLS_VERSION_1_0="y", MBEDTLS_CIPHER_DES_ENABLED="y",
               MBEDTLS_TLS_VERSION_1_2="y", MBEDTLS_SSL_EXTENDED_MASTER_SECRET="n",
               MBEDTLS_MAC_MD5_ENABLED="y", MBEDTLS_KEY_EXCHANGE_RSA_ENABLED="y")
    run = check(tfm, profile="strict")
    assert {"ZSEC-TLS-001", "ZSEC-TLS-003", "ZSEC-TLS-007", "ZSEC-TLS-009",
            "ZSEC-TLS-010"} <= failed_ids(run, "tfm_ipc")
    assert status(run, "tfm_ipc", "ZSEC-TLS-002") is Status.PASS


def test_newer_psa_names_are_checked(hello):
    set_config(hello / "zephyr" / ".config", PSA_WANT_ALG_MD5="y")
    finding = results(check(hello), "hello_world", "ZSEC-TLS-007")[0]
    assert finding.status is Status.FAIL and "CONFIG_PSA_WANT_ALG_MD5=y" in finding.evidence.actual


# -- firmware update -----------------------------------------------------------------------------

def test_update_transports(hello):
    config = hello / "zephyr" / ".config"
    assert status(check(hello), "hello_world", "ZSEC-UPD-001") is Status.NOT_APPLICABLE
    set_config(config, MCUMGR_GRP_IMG="y", MCUMGR_TRANSPORT_UDP="y", MCUMGR_GRP_FS="y",
               MCUMGR_TRANSPORT_BT="y", MCUMGR_TRANSPORT_BT_PERM_RW="y", IMG_MANAGER="y",
               BOOTLOADER_MCUBOOT="n")
    failed = failed_ids(check(hello), "hello_world")
    assert {"ZSEC-UPD-001", "ZSEC-UPD-003", "ZSEC-UPD-005", "ZSEC-UPD-008"} <= failed
    set_config(config, MCUMGR_TRANSPORT_UDP="n", MCUMGR_TRANSPORT_BT_PERM_RW="n",
               MCUMGR_TRANSPORT_BT_PERM_RW_AUTHEN="y")
    run = check(hello, profile="strict")
    assert status(run, "hello_world", "ZSEC-UPD-001") is Status.PASS
    assert status(run, "hello_world", "ZSEC-UPD-003") is Status.PASS
    assert status(run, "hello_world", "ZSEC-UPD-004") is Status.PASS


def test_update_old_mcumgr_names(hello):
    set_config(hello / "zephyr" / ".config", MCUMGR_CMD_IMG_MGMT="y", MCUMGR_SMP_UDP="y",
               MCUMGR_CMD_SHELL_MGMT="y")
    assert {"ZSEC-UPD-001", "ZSEC-UPD-006"} <= failed_ids(check(hello), "hello_world")


# -- Bluetooth -----------------------------------------------------------------------------------------

def test_bluetooth(hello):
    config = hello / "zephyr" / ".config"
    set_config(config, BT="y", BT_SMP="y", BT_USE_DEBUG_KEYS="y", BT_FIXED_PASSKEY="y",
               BT_SMP_ENFORCE_MITM="n", BT_SMP_SC_ONLY="n", BT_PERIPHERAL="y", BT_PRIVACY="n")
    run = check(hello, profile="strict")
    assert {"ZSEC-BT-001", "ZSEC-BT-004", "ZSEC-BT-006", "ZSEC-BT-007",
            "ZSEC-BT-012"} <= failed_ids(run, "hello_world")
    assert results(run, "hello_world", "ZSEC-BT-001")[0].severity is Severity.CRITICAL
    set_config(config, BT_SMP="n")
    assert status(check(hello), "hello_world", "ZSEC-BT-006") is Status.NOT_APPLICABLE


# -- secure boot -------------------------------------------------------------------------------------

def test_secure_boot(nrf):
    run = check(nrf, profile="production")
    for domain, rule_id in (("sysbuild", "ZSEC-BOOT-001"), ("sysbuild", "ZSEC-BOOT-003"),
                            ("hello_world", "ZSEC-BOOT-002"), ("mcuboot", "ZSEC-BOOT-004"),
                            ("mcuboot", "ZSEC-BOOT-005"), ("mcuboot", "ZSEC-BOOT-009"),
                            ("hello_world", "ZSEC-BOOT-011"), ("hello_world", "ZSEC-BOOT-012")):
        assert status(run, domain, rule_id) is Status.PASS, (domain, rule_id)
    # Swap-using-move has no downgrade prevention in MCUboot's Kconfig: not applicable there.
    assert status(run, "mcuboot", "ZSEC-BOOT-007") is Status.NOT_APPLICABLE
    assert status(run, "hello_world", "ZSEC-BOOT-008") is Status.FAIL
    set_config(nrf / "zephyr" / ".config", BOOTLOADER_MCUBOOT="n", BOOT_SIGNATURE_TYPE_NONE="y")
    set_config(nrf / "mcuboot" / "zephyr" / ".config", BOOT_SIGNATURE_TYPE_NONE="y",
               BOOT_VALIDATE_SLOT0="n", MCUBOOT_SERIAL="y")
    set_config(nrf / "hello_world" / "zephyr" / ".config", MCUBOOT_SIGNATURE_KEY_FILE='""',
               MCUBOOT_GENERATE_UNSIGNED_IMAGE="y")
    run = check(nrf, profile="production")
    assert {"ZSEC-BOOT-001", "ZSEC-BOOT-003"} <= failed_ids(run, "sysbuild")
    assert {"ZSEC-BOOT-004", "ZSEC-BOOT-005", "ZSEC-BOOT-009"} <= failed_ids(run, "mcuboot")
    assert {"ZSEC-BOOT-011", "ZSEC-BOOT-012"} <= failed_ids(run, "hello_world")
    sb = results(run, "sysbuild", "ZSEC-BOOT-001")[0]
    assert sb.subject == "SB_CONFIG_BOOTLOADER_MCUBOOT"
    assert sb.location.path == str(nrf / "zephyr" / ".config")


def test_plain_build_without_bootloader_fails_production(hello):
    run = check(hello, profile="production")
    assert status(run, "hello_world", "ZSEC-BOOT-002") is Status.FAIL
    assert not results(check(hello), "hello_world", "ZSEC-BOOT-002")  # production-only rule


# -- TF-M ---------------------------------------------------------------------------------------------

def test_tfm_rules_defer_to_the_tfm_module(tfm):
    run = check(tfm, profile="strict")
    ids = {f.rule.id for f in run.report.findings if f.domain == "tfm"}
    assert "ZSEC-TFM-002" in failed_ids(run, "tfm")  # TF-M profile not set: only we check it
    # The TF-M module reports isolation and provisioning; our equivalents stand back.
    assert {"TFM-ISOLATION-LEVEL", "TFM-DUMMY-PROVISIONING"} <= failed_ids(run, "tfm")
    assert not ids & {"ZSEC-TFM-001", "ZSEC-TFM-003", "ZSEC-KEY-001"}


# -- partly configured builds, and TF-M without its module ---------------------------------------

def test_domain_without_config_is_skipped_with_a_warning(nrf):
    (nrf / "mcuboot" / "zephyr" / ".config").unlink()
    run = check(nrf)
    assert run.report.domains == ("sysbuild", "hello_world")
    assert any(w.startswith("domain mcuboot skipped:") and ".config" in w for w in run.warnings)
    assert {f.domain for f in run.report.findings} == {"sysbuild", "hello_world"}


def test_no_checkable_domain_is_an_error(hello):
    (hello / "zephyr" / ".config").unlink()
    with pytest.raises(BuildDirError, match="no domain of this build could be checked"):
        check(hello)


def test_tfm_rules_in_production_judge_keys_and_images(tfm, devkeys):
    (tfm / "tfm" / "bin").mkdir(parents=True, exist_ok=True)
    imgtool_sign(devkeys / "tf-m" / "root-EC-P256.pem", tfm / "tfm" / "bin" / "tfm_s_signed.bin")
    run = check(tfm, profile="production")
    assert {"TFM-ISOLATION-LEVEL", "TFM-DUMMY-PROVISIONING", "TFM-DEV-KEY",
            "TFM-IMAGE-DEV-KEY"} <= failed_ids(run, "tfm")
    # The production profile raises the severity of the TF-M key rules, as for every other image.
    assert results(run, "tfm", "TFM-DUMMY-PROVISIONING")[0].severity is Severity.CRITICAL
    assert check(tfm).report.findings and results(check(tfm), "tfm", "TFM-DUMMY-PROVISIONING")[0] \
        .severity is Severity.HIGH
    [image] = [f for f in results(run, "tfm", "TFM-IMAGE-DEV-KEY") if f.status is Status.FAIL]
    assert "tf-m" in image.message.lower() and "tfm_s_signed.bin" in image.message
    assert image.severity is Severity.CRITICAL
    names = {f.subject for f in results(run, "tfm", "TFM-DEV-KEY")}
    assert names == {"key:S", "key:NS"}
    # The generic key and image rules stand back where the TF-M rules cover them ...
    assert not {f.rule.id for f in run.report.findings if f.domain == "tfm"} & {
        "ZSEC-KEY-001", "ZSEC-KEY-003", "ZSEC-IMG-001"}
    # ... but the image format check has no TF-M counterpart and still runs there.
    assert results(run, "tfm", "ZSEC-IMG-003")
