"""zephyr/module.yml against the module schema Zephyr validates with, and the module's Kconfig files
parsed by kconfiglib (the library Zephyr's Kconfig scripts are built on)."""

from __future__ import annotations

import os
from pathlib import Path

import kconfiglib
import pytest
import yaml
from pykwalify.core import Core
from pykwalify.errors import SchemaError

from tests.buildflow.standin_build import STANDIN
from tests.conftest import ROOT

MODULE_YML = ROOT / "zephyr" / "module.yml"
SCHEMA = STANDIN / "zephyr" / "scripts" / "module-schema.yml"

# The names the issue fixes (users and CI scripts type them).
SYSBUILD_OPTIONS = ("ZSEC_SIGN", "ZSEC_SIGN_KEY", "ZSEC_RELEASE", "ZSEC_CHECK", "ZSEC_CHECK_PROFILE",
                    "ZSEC_CHECK_FAIL_ON", "ZSEC_SBOM", "ZSEC_SBOM_FORMAT")


def validate(meta: object) -> None:
    Core(source_data=meta, schema_files=[str(SCHEMA)]).validate(raise_exception=True)


def test_module_yml_is_valid_and_names_what_exists():
    meta = yaml.safe_load(MODULE_YML.read_text(encoding="utf-8"))
    validate(meta)
    assert meta["name"] == "zsec-west"
    build = meta["build"]
    assert (ROOT / build["cmake"] / "CMakeLists.txt").is_file()
    assert (ROOT / build["kconfig"]).is_file()
    assert (ROOT / build["sysbuild-cmake"] / "CMakeLists.txt").is_file()
    assert (ROOT / build["sysbuild-kconfig"]).is_file()


@pytest.mark.parametrize("bad", [
    {"name": "x", "package-managers": {"pip": {"requirement-files": ["r.txt"]}}},  # 4.1.99 only
    {"name": "x", "build": {"cmake": "zephyr", "west-commands": "west-commands.yml"}},
    {"name": "x", "build": {"depends": "mcuboot"}},
])
def test_the_schema_rejects_what_zephyr_rejects(bad: dict):
    with pytest.raises(SchemaError):
        validate(bad)


def _kconfig(tmp_path: Path, module_kconfig: Path, prefix: str) -> kconfiglib.Kconfig:
    """The module's Kconfig as Zephyr's generated Kconfig.modules sources it, under a root that
    defines the Zephyr symbols the module refers to."""
    root = tmp_path / "Kconfig"
    root.write_text(f'mainmenu "test"\nconfig BOOTLOADER_MCUBOOT\n\tbool "mcuboot"\n'
                    f'menu "zsec-west ({ROOT})"\nosource "{module_kconfig}"\n'
                    "config ZEPHYR_ZSEC_WEST_MODULE\n\tbool\n\tdefault y\nendmenu\n", encoding="utf-8")
    old = os.environ.get("CONFIG_")
    os.environ["CONFIG_"] = prefix
    try:
        return kconfiglib.Kconfig(str(root), warn_to_stderr=False)
    finally:
        if old is None:
            del os.environ["CONFIG_"]
        else:
            os.environ["CONFIG_"] = old


def _all_off(kconf: kconfiglib.Kconfig) -> None:
    own = [sym for sym in kconf.unique_defined_syms if sym.name.startswith("ZSEC_")]
    assert own
    for sym in own:
        assert sym.str_value in ("n", ""), f"{sym.name} defaults to {sym.str_value!r}"


def test_sysbuild_kconfig_defines_the_options_all_off(tmp_path: Path):
    kconf = _kconfig(tmp_path, ROOT / "zephyr" / "sysbuild" / "Kconfig.sysbuild", "SB_CONFIG_")
    assert not kconf.warnings, kconf.warnings
    for name in SYSBUILD_OPTIONS:
        assert name in kconf.syms and kconf.syms[name].nodes, name
    _all_off(kconf)
    out = tmp_path / ".config"
    kconf.write_config(str(out))
    text = out.read_text(encoding="utf-8")
    assert "# SB_CONFIG_ZSEC_SIGN is not set" in text and "SB_CONFIG_ZEPHYR_ZSEC_WEST_MODULE=y" in text
    # Options inside a menu appear once the menu is on; the SBOM format then has its default.
    kconf.syms["ZSEC_SBOM"].set_value("y")
    assert kconf.syms["ZSEC_SBOM_FORMAT"].str_value == "spdx-json"


def test_image_kconfig_defines_the_options_all_off(tmp_path: Path):
    kconf = _kconfig(tmp_path, ROOT / "zephyr" / "Kconfig", "CONFIG_")
    assert not kconf.warnings, kconf.warnings
    for name in ("ZSEC_SIGN", "ZSEC_SIGN_KEY", "ZSEC_SIGN_PUBKEY", "ZSEC_SIGN_PIN_ENV", "ZSEC_RELEASE"):
        assert name in kconf.syms and kconf.syms[name].nodes, name
    _all_off(kconf)
    # No dependencies: sysbuild may set them in every image (MCUboot included) without a
    # Kconfig warning, which Zephyr turns into an error.
    for name in ("ZSEC_SIGN", "ZSEC_RELEASE"):
        assert kconf.syms[name].direct_dep is kconf.y
