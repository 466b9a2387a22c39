"""`--fix DIR`: fragments per domain, and kconfiglib telling which values cannot be applied."""

from __future__ import annotations

from pathlib import Path

from tests.check.conftest import check, set_config
from zsec_west.builddir import load_build
from zsec_west.check.fixes import write_fixes
from zsec_west.check.kconftree import TreeUnavailable, load_tree


def fix(build_dir: Path, out: Path, zephyr_base: Path | None = None, **options):
    run = check(build_dir, zephyr_base=zephyr_base, **options)
    fragments = write_fixes(load_build(build_dir), run.report.findings, run.catalogue, out,
                            run.zephyr_base)
    return run, {f.path.name: f for f in fragments}


def assignments(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def test_fragments_per_domain_with_rule_comments(nrf, tmp_path):
    out = tmp_path / "fix"
    _, fragments = fix(nrf, out, profile="production")
    assert set(fragments) == {"sysbuild.conf", "hello_world.conf", "mcuboot.conf"}
    app = (out / "hello_world.conf").read_text()
    values = assignments(app)
    assert values["CONFIG_BOOT_BANNER"] == "n"
    assert values["CONFIG_FAULT_DUMP"] == "0"
    assert values["CONFIG_MCUBOOT_BOOTLOADER_NO_DOWNGRADE"] == "y"
    lines = app.splitlines()
    banner = lines.index("CONFIG_BOOT_BANNER=n")
    assert lines[banner - 1].startswith("# ZSEC-DBG-012: No boot banner. The banner announces")
    # A development key is not fixed by a Kconfig value: it is listed for manual action.
    assert "#   ZSEC-KEY-001: CONFIG_MCUBOOT_SIGNATURE_KEY_FILE: Generate your own key" in app
    sysbuild = (out / "sysbuild.conf").read_text()
    assert "SB_CONFIG_" in sysbuild and not assignments(sysbuild)  # only the key, a manual fix
    mcuboot = assignments((out / "mcuboot.conf").read_text())
    assert mcuboot["CONFIG_LOG"] == "n" and mcuboot["CONFIG_BOOT_FIH_PROFILE_MEDIUM"] == "y"
    # Without a reachable tree, the fragment says its values were not checked.
    assert "# Note: dependencies not checked: the Zephyr tree" in app


def test_sysbuild_values_go_to_sysbuild_conf(nrf, tmp_path):
    set_config(nrf / "zephyr" / ".config", BOOTLOADER_MCUBOOT="n", BOOT_SIGNATURE_TYPE_NONE="y")
    _, fragments = fix(nrf, tmp_path, profile="production")
    values = assignments((tmp_path / "sysbuild.conf").read_text())
    assert values == {"SB_CONFIG_BOOTLOADER_MCUBOOT": "y", "SB_CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256": "y"}


def test_any_rule_recommends_a_symbol_the_target_has(hello, tmp_path):
    set_config(hello / "zephyr" / ".config", PMP_STACK_GUARD="n")  # a RISC-V-like config
    fix(hello, tmp_path)
    assert assignments((tmp_path / "hello_world.conf").read_text()).get("CONFIG_PMP_STACK_GUARD") == "y"


def test_tfm_values_go_to_the_application_fragment(tfm, tmp_path):
    _, fragments = fix(tfm, tmp_path, profile="strict")
    assert "tfm.conf" not in fragments
    assert assignments((tmp_path / "tfm_ipc.conf").read_text())["CONFIG_TFM_PROFILE_TYPE_MEDIUM"] == "y"


# -- the kconfiglib dependency check, on a tiny tree --------------------------------------------

TINY_KCONFIG = """\
mainmenu "tiny"

config ARM_MPU
	bool "MPU driver"

config MPU_STACK_GUARD
	bool "Thread stack guards"
	depends on ARM_MPU

config BOOT_BANNER
	bool "Boot banner"
	default y

config PRINTK
	bool "printk"
	default y

config EARLY_CONSOLE
	bool
	default y if PRINTK

config CONSOLE_FORCER
	bool "forces the early console"
	select EARLY_CONSOLE
"""


def tiny_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tiny-zephyr"
    tree.mkdir()
    (tree / "Kconfig").write_text(TINY_KCONFIG, encoding="utf-8")
    return tree


def test_kconfiglib_says_which_values_cannot_be_applied(hello, tmp_path):
    tree = tiny_tree(tmp_path)
    set_config(hello / "zephyr" / ".config", ARM_MPU="n", MPU_STACK_GUARD="n", CONSOLE_FORCER="y")
    out = tmp_path / "fix"
    _, fragments = fix(hello, out, zephyr_base=tree, profile="strict", use_zephyr_db=False)
    fragment = fragments["hello_world.conf"]
    text = (out / "hello_world.conf").read_text()
    values = assignments(text)
    # Settable on this target: written.
    assert values["CONFIG_BOOT_BANNER"] == "n" and values["CONFIG_PRINTK"] == "n"
    # Depends on something the target lacks: commented out with the reason.
    blocked = {rec.symbol: reason for rec, reason in fragment.blocked}
    assert "CONFIG_MPU_STACK_GUARD" not in values
    assert blocked["MPU_STACK_GUARD"] == ("MPU_STACK_GUARD depends on ARM_MPU, which this target "
                                          "does not meet")
    assert "# ZSEC-MEM-002: cannot be applied on this target: MPU_STACK_GUARD depends on ARM_MPU" in text
    assert "# CONFIG_MPU_STACK_GUARD=y" in text
    # No prompt (only selected/defaulted) and symbols the tree does not define.
    assert "forced to y by CONSOLE_FORCER" in blocked["EARLY_CONSOLE"]
    assert blocked["EXCEPTION_DEBUG"] == "EXCEPTION_DEBUG is not defined in this Zephyr tree"
    assert "Note:" not in text


def test_tree_problems_are_reported_not_raised(hello, tmp_path):
    domain = load_build(hello).default
    try:
        load_tree(domain, tmp_path)  # no Kconfig there
    except TreeUnavailable as exc:
        assert "not reachable" in str(exc)
    else:
        raise AssertionError("expected TreeUnavailable")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "Kconfig").write_text('source "$(ZEPHYR_BASE)/does-not-exist/Kconfig"\n')
    try:
        load_tree(domain, broken)
    except TreeUnavailable as exc:
        assert "does not load" in str(exc)
    else:
        raise AssertionError("expected TreeUnavailable")
    _, fragments = fix(hello, tmp_path / "out", zephyr_base=broken, profile="strict",
                       use_zephyr_db=False)
    assert "does not load" in fragments["hello_world.conf"].tree_note
