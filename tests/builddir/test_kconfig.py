from pathlib import Path

import pytest

from tests.conftest import BUILDS
from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.errors import BuildDirError

SAMPLE = """\
#
# Header comment
#
CONFIG_BOOL_Y=y
CONFIG_TRI_M=m
# CONFIG_OFF is not set
CONFIG_INT=42
CONFIG_NEG=-3
CONFIG_HEX=0x200
CONFIG_STR="a \\"quoted\\" string"
CONFIG_EMPTY=""
"""


def test_typed_values():
    kc = KconfigValues.parse(SAMPLE)
    assert kc.value("BOOL_Y") is True
    assert kc.value("CONFIG_BOOL_Y") is True
    assert kc.value("TRI_M") is True
    assert kc.value("OFF") is False  # "is not set" means n, and the symbol exists
    assert "OFF" in kc
    assert kc.int("INT") == 42 and kc.int("NEG") == -3
    assert kc.int("HEX") == 0x200 and kc["HEX"].display == "0x200"
    assert kc.string("STR") == 'a "quoted" string'
    assert kc.string("EMPTY") == ""
    assert kc.value("ABSENT") is None and "ABSENT" not in kc  # unset means absent
    assert kc["INT"].line == 7


def test_sysbuild_prefix_detected():
    kc = KconfigValues.load(BUILDS["mcuboot-sysbuild"] / "zephyr" / ".config")
    assert kc.prefix == "SB_CONFIG_"
    assert kc.enabled("BOOTLOADER_MCUBOOT")
    assert kc.value("SB_CONFIG_BOOT_SIGNATURE_TYPE_NONE") is False
    assert kc.string("BOOT_SIGNATURE_KEY_FILE").endswith("root-rsa-2048.pem")
    assert kc.full_name("BOOTLOADER_MCUBOOT") == "SB_CONFIG_BOOTLOADER_MCUBOOT"


def test_junk_line_is_an_error_naming_the_line(tmp_path: Path):
    path = tmp_path / ".config"
    path.write_text("CONFIG_A=y\nthis is junk\nCONFIG_B=n\n")
    with pytest.raises(BuildDirError) as err:
        KconfigValues.load(path)
    assert "line 2" in str(err.value) and str(path) in str(err.value)


def test_real_configs():
    app = KconfigValues.load(BUILDS["mcuboot-sysbuild"] / "hello_world" / "zephyr" / ".config")
    assert app.int("ROM_START_OFFSET") == 0x200
    assert app.string("MCUBOOT_IMGTOOL_SIGN_VERSION") == "0.0.0+0"
    assert app.string("MCUBOOT_ENCRYPTION_KEY_FILE") == ""
    tfm = KconfigValues.load(BUILDS["tfm-ns"] / "zephyr" / ".config")
    assert tfm.int("TFM_ISOLATION_LEVEL") == 1
    assert "${CONFIG_TFM_MCUBOOT_SIGNATURE_TYPE}" in tfm.string("TFM_KEY_FILE_S")
