"""Board support scan: board.yml ns variants, legacy *_ns boards, module board roots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.harness import deadline
from zsec_west.builddir import find_west_topdir
from zsec_west.errors import InputError
from zsec_west.tfm.boards import BoardRoot, parse_board_yml, scan_boards
from zsec_west.tfm.platforms import load_table, parse_kconfig_tfm, shipped_table
from zsec_west.tfm.workspace import resolve_workspace


def scan(workspace: Path):
    ws = resolve_workspace(explicit=None, env_base=None, west_topdir=str(workspace),
                           cwd=workspace)
    return ws, scan_boards(ws.roots, load_table(ws.zephyr_base))


def test_scan_lists_ns_targets_with_their_platforms(workspace):
    ws, result = scan(workspace)
    assert ws.zephyr_base == (workspace / "zephyr").resolve()
    assert "west workspace" in ws.source
    found = {b.target: b for b in result.boards}
    assert set(found) == {"mps2/an521/cpu0/ns", "nrf5340dk/nrf5340/cpuapp/ns",
                          "lpcxpresso55s69_ns", "widget/w1/ns"}
    assert found["mps2/an521/cpu0/ns"].tfm_platform == "arm/mps2/an521"
    assert found["mps2/an521/cpu0/ns"].symbol == "BOARD_MPS2_AN521_CPU0_NS"
    assert found["nrf5340dk/nrf5340/cpuapp/ns"].tfm_platform == \
        "$(ZEPHYR_BASE)/modules/trusted-firmware-m/nordic/nrf5340_cpuapp"
    legacy = found["lpcxpresso55s69_ns"]
    assert legacy.style == "legacy" and legacy.tfm_platform == "nxp/lpcxpresso55s69"
    module_board = found["widget/w1/ns"]
    assert module_board.origin == "acme-boards" and module_board.tfm_platform == "acme/widget"
    # Zephyr's own boards first, module boards after them.
    assert result.boards[-1].target == "widget/w1/ns"
    assert result.platform_source.endswith("Kconfig.tfm")


def test_malformed_board_yml_is_reported_not_fatal(workspace):
    _, result = scan(workspace)
    problems = {Path(p.path).parent.name: p.message for p in result.problems}
    assert "bad" in problems and "not valid YAML" in problems["bad"]
    assert len(result.boards) == 4


def test_secure_only_legacy_board_is_not_listed(workspace):
    _, result = scan(workspace)
    assert "lpcxpresso55s69_cpu0" not in {b.target for b in result.boards}


def test_shipped_table_when_the_tree_has_no_kconfig_tfm(workspace):
    (workspace / "zephyr" / "modules" / "trusted-firmware-m" / "Kconfig.tfm").unlink()
    ws, result = scan(workspace)
    assert "shipped table" in result.platform_source
    found = {b.target: b.tfm_platform for b in result.boards}
    assert found["mps2/an521/cpu0/ns"] == "arm/mps2/an521"
    assert found["widget/w1/ns"] is None  # only the tree's own Kconfig knows this one


def test_kconfig_tfm_parse_stops_at_the_next_symbol():
    from tests.tfm.conftest import KCONFIG_TFM

    table = parse_kconfig_tfm(KCONFIG_TFM, "Kconfig.tfm")
    assert [r.platform for r in table.rules][:2] == ["arm/mps2/an521", "nxp/lpcxpresso55s69"]
    assert "not/a/platform" not in {r.platform for r in table.rules}
    assert table.rules[1].symbols == ("BOARD_LPCXPRESSO55S69_LPC55S69_CPU0_NS",
                                      "BOARD_LPCXPRESSO55S69_NS")
    # A SoC rule also matches the package-specific SoC symbols of old defconfigs.
    assert table.lookup({"SOC_NRF5340_CPUAPP_QKAA"}).endswith("nrf5340_cpuapp")
    assert table.lookup({"BOARD_NRF52840DK"}) is None


def test_shipped_table_is_valid_and_covers_the_kconfig_defaults():
    table = shipped_table()
    assert table.lookup({"BOARD_MPS2_AN521_CPU0_NS"}) == "arm/mps2/an521"
    assert table.lookup({"BOARD_STM32WBA65I_DK1"}) == "stm/stm32wba65i_dk"
    assert len(table.rules) >= 20


def test_nested_variants_and_board_extensions(tmp_path):
    path = tmp_path / "board.yml"
    path.write_text("""\
board:
  name: big
  socs:
    - name: s1
      variants:
        - name: xip
          cpucluster: c0
          variants:
            - name: ns
""")
    boards = parse_board_yml(path, "zephyr", shipped_table())
    assert [b.target for b in boards] == ["big/s1/c0/xip/ns"]
    path.write_text("board:\n  extend: nrf5340dk\n  variants:\n"
                    "    - name: ns\n      qualifier: nrf5340/cpuapp\n")
    [extended] = parse_board_yml(path, "zephyr", shipped_table())
    assert extended.target == "nrf5340dk/nrf5340/cpuapp/ns"
    assert extended.tfm_platform.endswith("nordic/nrf5340_cpuapp")


@pytest.mark.parametrize("text,message", [
    ("- just a list\n", "expected a mapping"),
    ("board:\n  socs: []\n", "no name"),
    ("board:\n  name: x\n  socs: {a: 1}\n", "'socs' is not a list"),
    ("boards: {a: 1}\n", "'boards' is not a list"),
])
def test_malformed_board_yml_messages(tmp_path, text, message):
    path = tmp_path / "board.yml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        parse_board_yml(path, "zephyr", shipped_table())


def test_missing_boards_directory_is_a_problem(tmp_path):
    result = scan_boards([BoardRoot("zephyr", tmp_path)], shipped_table())
    assert result.boards == [] and "no boards/ directory" in result.problems[0].message


def test_workspace_resolution_order(workspace, tmp_path, monkeypatch):
    zephyr = workspace / "zephyr"
    # --zephyr-base wins; a directory that is not a Zephyr tree is an input error.
    ws = resolve_workspace(explicit=str(zephyr), env_base=None, west_topdir=None, cwd=tmp_path)
    assert ws.source == "--zephyr-base"
    with pytest.raises(InputError, match="not a Zephyr tree"):
        resolve_workspace(explicit=str(tmp_path), env_base=None, west_topdir=None, cwd=tmp_path)
    with pytest.raises(InputError, match="not found"):
        resolve_workspace(explicit=str(tmp_path / "nope"), env_base=None, west_topdir=None,
                          cwd=tmp_path)
    # Then ZEPHYR_BASE, then the workspace found above the current directory.
    ws = resolve_workspace(explicit=None, env_base=str(zephyr), west_topdir=None, cwd=tmp_path)
    assert ws.source == "ZEPHYR_BASE"
    ws = resolve_workspace(explicit=None, env_base=None, west_topdir=None,
                           cwd=workspace / "modules" / "acme")
    assert ws.zephyr_base == zephyr.resolve() and ws.module_dirs
    assert find_west_topdir(workspace / "modules" / "acme") == workspace
    with pytest.raises(InputError, match="no Zephyr tree"):
        resolve_workspace(explicit=None, env_base=None, west_topdir=None, cwd=tmp_path)
    assert resolve_workspace(explicit=None, env_base=None, west_topdir=None, cwd=tmp_path,
                             required=False) is None


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_defconfig_that_is_not_a_file_is_a_problem_not_a_hang(workspace, kind):
    defconfig = workspace / "zephyr" / "boards" / "arm" / "lpcxpresso55s69" / "lpcxpresso55s69_ns_defconfig"
    defconfig.unlink()
    if kind == "fifo":
        os.mkfifo(defconfig)  # a blocking open would wait for a writer forever
    else:
        defconfig.mkdir()
    with deadline(20):
        _, result = scan(workspace)
    problems = {Path(p.path).name: p.message for p in result.problems}
    if kind == "fifo":
        assert "FIFO" in problems["lpcxpresso55s69_ns_defconfig"]
        assert "lpcxpresso55s69_ns" not in {b.target for b in result.boards}
    assert "mps2/an521/cpu0/ns" in {b.target for b in result.boards}


def test_a_kconfig_tfm_that_is_a_fifo_falls_back_to_the_shipped_table(workspace):
    kconfig = workspace / "zephyr" / "modules" / "trusted-firmware-m" / "Kconfig.tfm"
    kconfig.unlink()
    os.mkfifo(kconfig)
    with deadline(20):
        _, result = scan(workspace)
    assert "shipped table" in result.platform_source
