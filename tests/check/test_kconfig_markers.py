"""Zephyr 4.x hardenconfig's rows from Kconfig markers, on a small Kconfig tree that has the
constructs of the real one (BT_LLL_VENDOR_NORDIC's `select EXPERIMENTAL if !ENTROPY_HAS_DRIVER`,
TINYCRYPT's `select DEPRECATED`), checked on copies of the 4.1.99 and 3.7.1 builds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.check.conftest import ZEPHYR_37, ZEPHYR_DB, check, results, set_config, status
from tests.conftest import SHARED
from zsec_west.findings import Status

RULE = "ZSEC-KCONFIG-001"
HARDENED_41 = SHARED / "fixtures" / "zephyr-4.1-hardened" / "scripts" / "kconfig" / "hardened.csv"

KCONFIG = """\
mainmenu "A small Zephyr-like tree"

config EXPERIMENTAL
\tbool

config DEPRECATED
\tbool

config NOT_SECURE
\tbool

config ENTROPY_HAS_DRIVER
\tbool "entropy driver present"

menu "Bluetooth"

config BT_LLL_VENDOR_NORDIC
\tbool "Nordic link layer"
\tdefault y
\tselect EXPERIMENTAL if !ENTROPY_HAS_DRIVER

endmenu

config TINYCRYPT
\tbool "TinyCrypt"
\tselect DEPRECATED

config HIDDEN_EXPERIMENT
\tbool
\tdefault y
\tselect EXPERIMENTAL

config PLAIN_TEXT_KEYS
\tbool "keep keys in plain text"
\tselect NOT_SECURE

config NORMAL_FEATURE
\tbool "an ordinary option"
\tdefault y
"""


def _tree(root: Path, database: str) -> Path:
    """A Zephyr tree with our Kconfig and the hardening database of one generation."""
    (root / "scripts" / "kconfig").mkdir(parents=True)
    (root / "Kconfig").write_text(KCONFIG, encoding="utf-8")
    if database == "csv-4.1":
        if not HARDENED_41.is_file():
            pytest.skip("Zephyr 4.1's hardened.csv is not beside the project (../shared/fixtures)")
        shutil.copy(HARDENED_41, root / "scripts" / "kconfig" / "hardened.csv")
    elif database == "csv-3.7":
        shutil.copy(ZEPHYR_37 / "scripts" / "kconfig" / "hardened.csv", root / "scripts" / "kconfig")
    else:
        shutil.copytree(ZEPHYR_DB, root, dirs_exist_ok=True)
        (root / "Kconfig").write_text(KCONFIG, encoding="utf-8")
    return root


@pytest.fixture
def nrf41(build_copy) -> Path:
    build = build_copy("mcuboot-sysbuild-4.1")
    set_config(build / "hello_world" / "zephyr" / ".config", ENTROPY_HAS_DRIVER="y", BT_LLL_VENDOR_NORDIC="y",
               TINYCRYPT="y", PLAIN_TEXT_KEYS="y")
    return build


def _failing(run, domain: str = "hello_world") -> dict[str, str]:
    return {f.subject: f.message for f in results(run, domain, RULE) if f.status is Status.FAIL}


def test_zephyr_41_counts_every_select_statement(nrf41, tmp_path):
    run = check(nrf41, zephyr_base=_tree(tmp_path / "zephyr", "csv-4.1"))
    failing = _failing(run)
    # Flagged although ENTROPY_HAS_DRIVER=y keeps EXPERIMENTAL unset: the statement is what counts.
    assert set(failing) == {"CONFIG_BT_LLL_VENDOR_NORDIC", "CONFIG_TINYCRYPT"}
    assert "selects EXPERIMENTAL (whatever the condition of the select) at Kconfig:" in \
        failing["CONFIG_BT_LLL_VENDOR_NORDIC"]
    assert "selects DEPRECATED" in failing["CONFIG_TINYCRYPT"]
    # 4.1's hardenconfig knows no NOT_SECURE; a symbol without a prompt is never shown.
    assert "CONFIG_PLAIN_TEXT_KEYS" not in failing and "CONFIG_HIDDEN_EXPERIMENT" not in failing
    located = next(f for f in results(run, "hello_world", RULE) if f.subject == "CONFIG_TINYCRYPT")
    assert located.location is not None and located.location.path.endswith(".config")
    # TinyCrypt is also caught without the tree, by the catalogue rule.
    assert status(run, "hello_world", "ZSEC-KCONFIG-002") is Status.FAIL


def test_newer_generation_counts_active_selects_and_not_secure(nrf41, tmp_path):
    run = check(nrf41, zephyr_base=_tree(tmp_path / "zephyr", "yaml"))
    assert set(_failing(run)) == {"CONFIG_TINYCRYPT", "CONFIG_PLAIN_TEXT_KEYS"}
    not_secure = next(f for f in results(run, "hello_world", RULE) if f.subject == "CONFIG_PLAIN_TEXT_KEYS")
    assert not_secure.severity.name == "MEDIUM"
    # Without an entropy driver the condition holds and the Nordic link layer is flagged too.
    set_config(nrf41 / "hello_world" / "zephyr" / ".config", ENTROPY_HAS_DRIVER="n")
    run = check(nrf41, zephyr_base=tmp_path / "zephyr")
    assert "CONFIG_BT_LLL_VENDOR_NORDIC" in _failing(run)


def test_nothing_marked_enabled_passes(build_copy, tmp_path):
    build = build_copy("mcuboot-sysbuild-4.1")
    set_config(build / "hello_world" / "zephyr" / ".config", BT_LLL_VENDOR_NORDIC="n")
    run = check(build, zephyr_base=_tree(tmp_path / "zephyr", "csv-4.1"))
    assert status(run, "hello_world", RULE) is Status.PASS


def test_zephyr_37_lists_experimental_options_in_its_csv(nrf41, tmp_path):
    run = check(nrf41, zephyr_base=_tree(tmp_path / "zephyr", "csv-3.7"))
    assert status(run, "hello_world", RULE) is Status.NOT_APPLICABLE
    assert "derives no hardening rows from Kconfig markers" in results(run, "hello_world", RULE)[0].message


def test_without_the_tree_the_part_is_skipped_and_said_so(nrf41):
    run = check(nrf41)
    finding = results(run, "hello_world", RULE)[0]
    assert finding.status is Status.NOT_APPLICABLE and finding.message.startswith("skipped:")
    assert any("marks experimental, deprecated or not secure were not checked" in n for n in run.notes)


def test_a_tree_that_does_not_load_is_a_warning_not_a_pass(nrf41, tmp_path):
    tree = _tree(tmp_path / "zephyr", "csv-4.1")
    (tree / "Kconfig").write_text("config BROKEN\n\tbool\n\tselect\n", encoding="utf-8")
    run = check(nrf41, zephyr_base=tree)
    assert not [f for f in results(run, "hello_world", RULE) if f.status is Status.PASS]
    assert any(RULE in w and "could not be checked" in w for w in run.warnings)
