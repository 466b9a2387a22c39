"""Zephyr's hardening database (YAML and CSV generations), merged with ours."""

from __future__ import annotations

import shutil

import pytest

from tests.check.conftest import ZEPHYR_37, ZEPHYR_DB, check, failed_ids, results, set_config
from zsec_west.check.zephyrdb import SOURCE_CSV, SOURCE_YAML, load_zephyr_db, parse_csv
from zsec_west.errors import DataFileError
from zsec_west.findings import Status
from zsec_west.rules.catalogue import build_catalogue

# What `west build -t hardenconfig` printed for the real builds (docs/real-builds.md).
HARDENCONFIG_FAILURES = {
    ("hello", "hello_world"): [
        "BOOT_BANNER", "BUILD_OUTPUT_STRIPPED", "FAULT_DUMP", "OVERRIDE_FRAME_POINTER_DEFAULT",
        "STACK_SENTINEL", "EARLY_CONSOLE", "EXCEPTION_DEBUG", "PRINTK"],
    ("mcuboot-sysbuild", "hello_world"): [
        "BOOT_BANNER", "BUILD_OUTPUT_STRIPPED", "FAULT_DUMP", "OVERRIDE_FRAME_POINTER_DEFAULT",
        "EARLY_CONSOLE", "EXCEPTION_DEBUG", "PRINTK"],
    ("mcuboot-sysbuild", "mcuboot"): [
        "BOOT_BANNER", "BUILD_OUTPUT_STRIPPED", "FAULT_DUMP", "LOG", "OVERRIDE_FRAME_POINTER_DEFAULT",
        "EARLY_CONSOLE", "EXCEPTION_DEBUG", "PRINTK"],
    ("tfm-ns", "tfm_ipc"): [
        "BOOT_BANNER", "BUILD_OUTPUT_STRIPPED", "BUILTIN_STACK_GUARD", "FAULT_DUMP",
        "HW_STACK_PROTECTION", "MPU_STACK_GUARD", "OVERRIDE_FRAME_POINTER_DEFAULT", "STACK_SENTINEL",
        "TFM_DUMMY_PROVISIONING", "EARLY_CONSOLE", "EXCEPTION_DEBUG", "PRINTK"],
}


@pytest.mark.parametrize("build, domain", sorted(HARDENCONFIG_FAILURES))
def test_strict_with_zephyr_37_db_includes_every_hardenconfig_failure(build_copy, build, domain):
    run = check(build_copy(build), profile="strict", zephyr_base=ZEPHYR_37)
    assert run.report.inputs["zephyr_db"] == str(ZEPHYR_37 / "scripts/kconfig/hardened.csv")
    failing_symbols = {f.subject for f in run.report.findings if f.domain == domain and f.failed}
    missing = [s for s in HARDENCONFIG_FAILURES[build, domain] if f"CONFIG_{s}" not in failing_symbols]
    assert not missing


def test_findings_name_their_source_and_ours_win(hello):
    run = check(hello, profile="strict", zephyr_base=ZEPHYR_37)
    by_subject = {f.subject: f for f in run.report.findings if f.failed}
    assert by_subject["CONFIG_BUILD_OUTPUT_STRIPPED"].rule.source == SOURCE_CSV
    assert by_subject["CONFIG_BUILD_OUTPUT_STRIPPED"].rule.id == "ZEPHYR-BUILD_OUTPUT_STRIPPED"
    # BOOT_BANNER is in both catalogues: only ours is reported.
    assert by_subject["CONFIG_BOOT_BANNER"].rule.source == "zsec"
    assert not results(run, "hello_world", "ZEPHYR-BOOT_BANNER")
    assert any("hardened.csv" in s for s in run.report.inputs["rule_sources"])


def test_clash_is_decided_per_domain_kind(tfm):
    # Our TF-M rules look at the "tfm" domain; Zephyr's TFM_DUMMY_PROVISIONING row still applies
    # to the application image, as in hardenconfig.
    run = check(tfm, zephyr_base=ZEPHYR_37)
    assert "ZEPHYR-TFM_DUMMY_PROVISIONING" in failed_ids(run, "tfm_ipc")


def test_yaml_database_with_profiles_and_fragments():
    db = load_zephyr_db(ZEPHYR_DB)
    assert db is not None and db.kind == "yaml"
    rules = {r.subject: r for r in db.rules}
    assert {p.name for p in db.profiles} == {"base", "strict"}
    assert rules["LOG"].profiles == ("strict",) and rules["HW_STACK_PROTECTION"].profiles == ("base",)
    assert rules["STACK_POINTER_RANDOM"].check.min == 100
    assert rules["BT_SMP_ENFORCE_MITM"].rule.category == "zephyr/subsys/bluetooth"
    assert rules["BUILD_OUTPUT_STRIPPED"].rule.references == ("CWE-200",)
    assert all(r.rule.source == SOURCE_YAML for r in db.rules)
    assert db.files[0] == ZEPHYR_DB / "scripts/kconfig/hardening.yaml" and len(db.files) == 5


def test_yaml_database_merges_with_our_profiles(hello):
    base = check(hello, zephyr_base=ZEPHYR_DB)
    strict = check(hello, zephyr_base=ZEPHYR_DB, profile="strict")
    assert "ZEPHYR-BUILD_OUTPUT_STRIPPED" in failed_ids(base, "hello_world")
    # INIT_STACKS is a strict rule in Zephyr's database and not in ours.
    assert not results(base, "hello_world", "ZEPHYR-INIT_STACKS")
    assert results(strict, "hello_world", "ZEPHYR-INIT_STACKS")[0].status is Status.PASS


def test_broken_yaml_database_is_a_warning_and_skipped(hello, tmp_path):
    tree = tmp_path / "zephyr"
    shutil.copytree(ZEPHYR_DB, tree)
    fragment = tree / "kernel" / "hardening.yaml"
    fragment.write_text(fragment.read_text().replace("    value: y\n", "    value: y\n    min: 3\n", 1))
    run = check(hello, zephyr_base=tree)
    assert run.report.inputs["zephyr_db"] is None
    assert len(run.warnings) == 1 and "broken" in run.warnings[0]
    assert f"{fragment}: line" in run.warnings[0] and "rules.BOUNDS_CHECK_BYPASS_MITIGATION" in run.warnings[0]
    assert run.report.findings  # our own rules still ran


def test_yaml_database_errors(tmp_path):
    tree = tmp_path / "zephyr"
    shutil.copytree(ZEPHYR_DB, tree)
    (tree / "drivers").mkdir()
    (tree / "drivers" / "hardening.yaml").write_text("rules:\n  LOG:\n    value: n\n    rationale: again\n")
    with pytest.raises(DataFileError, match=r"logging/hardening.yaml: line 7, field 'rules.LOG': "
                                            r"LOG already has a rule in .*drivers/hardening.yaml:2"):
        load_zephyr_db(tree)
    (tree / "drivers" / "hardening.yaml").write_text("profiles:\n  mine:\n    description: x\n")
    with pytest.raises(DataFileError, match="profiles may only be defined in scripts/kconfig"):
        load_zephyr_db(tree)
    (tree / "drivers" / "hardening.yaml").write_text("rules:\n  FOO:\n    value: n\n    rationale: ' '\n")
    with pytest.raises(DataFileError, match=r"line 4, field 'rules.FOO.rationale'"):
        load_zephyr_db(tree)


def test_csv_rows_follow_hardenconfig(tmp_path):
    text = ("BOOT_BANNER,n\n\n# Experimental options\nBT_H5,n,experimental,\nBT_MESH_V1d1,n,experimental\n"
            "DEBUG_COREDUMP=n\nSTACK_POINTER_RANDOM,100\nBOOT_BANNER,y\n")
    rules = {r.subject: r for r in parse_csv(text, tmp_path / "hardened.csv")}
    assert set(rules) == {"BOOT_BANNER", "BT_H5", "BT_MESH_V1d1", "STACK_POINTER_RANDOM"}
    assert rules["BOOT_BANNER"].check.value == "n"  # first row wins
    assert rules["STACK_POINTER_RANDOM"].check.value == 100
    assert rules["BT_H5"].rule.category == "zephyr/experimental"
    with pytest.raises(DataFileError, match=r"hardened.csv: line 1, field 'symbol'"):
        parse_csv("CONFIG X,y\n", tmp_path / "hardened.csv")


def test_unreachable_build_tree_and_opt_out(hello, tmp_path):
    run = check(hello)
    assert run.report.inputs["zephyr_db"] is None
    assert any("not on this machine" in note for note in run.notes)
    assert not check(hello, zephyr_base=ZEPHYR_37, use_zephyr_db=False).catalogue.zephyr
    # A build whose recorded ZEPHYR_BASE exists is read without --zephyr-base.
    tree = tmp_path / "zephyr"
    shutil.copytree(ZEPHYR_37, tree)
    cache = hello / "CMakeCache.txt"
    cache.write_text(cache.read_text().replace("/home/dev/zephyrproject/zephyr", str(tree)))
    assert check(hello).report.inputs["zephyr_db"] == str(tree / "scripts/kconfig/hardened.csv")


def test_catalogue_keeps_zephyr_rules_where_ours_do_not_apply():
    from zsec_west.check.zephyrdb import load_zephyr_db as load

    catalogue = build_catalogue(zephyr=load(ZEPHYR_37))
    app_subjects = {r.subject for r in catalogue.for_kind("app") if r.rule.source == SOURCE_CSV}
    assert "BOOT_BANNER" not in app_subjects and "BUILD_OUTPUT_STRIPPED" in app_subjects
    assert "BOOT_BANNER" in {r.subject for r in catalogue.shadowed("app")}
    assert not [r for r in catalogue.for_kind("sysbuild") if r.rule.source == SOURCE_CSV]


def test_flipping_a_zephyr_only_symbol(hello):
    set_config(hello / "zephyr" / ".config", BUILD_OUTPUT_STRIPPED="y")
    run = check(hello, zephyr_base=ZEPHYR_37)
    assert results(run, "hello_world", "ZEPHYR-BUILD_OUTPUT_STRIPPED")[0].status is Status.PASS


@pytest.mark.parametrize("row, words", [
    ("CONFIG_X," + "y" * 200_000, "line 2: not a CSV row: field larger than field limit"),
    ("CONFIG_X," + "9" * 5000, "line 2, field 'recommended': CONFIG_X: a number of 5000 digits is no Kconfig value"),
])
def test_hostile_csv_rows_name_the_line(tmp_path, row, words):
    path = tmp_path / "hardened.csv"
    with pytest.raises(DataFileError) as info:
        parse_csv("CONFIG_Y,n\n" + row + "\n", path)
    assert str(info.value).startswith(f"{path}: ") and words in str(info.value)
    assert len(str(info.value)) < 300
