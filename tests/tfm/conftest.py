"""Fixtures for sec-tfm: editable copies of the TF-M build, a small workspace tree, signed images."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest


def set_kconfig(build: Path, **values: str | None) -> None:
    """Set CONFIG_<name> in build/zephyr/.config (None: '# CONFIG_X is not set'); adds missing ones."""
    path = build / "zephyr" / ".config"
    text = path.read_text(encoding="utf-8")
    for name, value in values.items():
        line = f"# CONFIG_{name} is not set" if value is None else f"CONFIG_{name}={value}"
        pattern = re.compile(rf"^(# )?CONFIG_{name}(=.*| is not set)$", re.M)
        if pattern.search(text):
            text = pattern.sub(line, text)
        else:
            text += line + "\n"
    path.write_text(text, encoding="utf-8")


def set_cache(cache: Path, **values: str) -> None:
    """Set NAME:TYPE=value entries of a CMakeCache.txt (the type is kept; new ones are STRING)."""
    text = cache.read_text(encoding="utf-8")
    for name, value in values.items():
        pattern = re.compile(rf"^{re.escape(name)}:([A-Z]+)=.*$", re.M)
        if pattern.search(text):
            text = pattern.sub(lambda m, n=name, v=value: f"{n}:{m.group(1)}={v}", text)
        else:
            text += f"{name}:STRING={value}\n"
    cache.write_text(text, encoding="utf-8")


@pytest.fixture
def tfm_build(build_copy) -> Path:
    """A writable copy of the real TF-M build (mps2/an521/cpu0/ns, TF-M 2.1.1)."""
    return build_copy("tfm-ns")


def imgtool_sign(key: Path, payload: Path, out: Path, *, version: str = "0.0.0+0",
                 boot_record: str = "SPE", counter: str = "1", extra: tuple[str, ...] = ()) -> Path:
    """Sign `payload` the way Zephyr's TF-M integration does, with the real imgtool CLI."""
    imgtool = shutil.which("imgtool")
    if imgtool is None:
        pytest.skip("imgtool is not installed")
    subprocess.run([imgtool, "sign", "-k", str(key), "--public-key-format", "full",
                    "-H", "0x400", "--pad-header", "-S", "0x80000", "-v", version, "-s", counter,
                    "--boot-record", boot_record, "--align", "1", *extra, str(payload), str(out)],
                   check=True, capture_output=True, timeout=60)
    return out


@pytest.fixture
def payload(tmp_path: Path) -> Path:
    path = tmp_path / "payload.bin"
    # Deterministic, non-trivial content; no MCUboot magic in it.
    path.write_bytes(bytes((i * 7 + 3) % 251 for i in range(6000)))
    return path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


KCONFIG_TFM = """\
config ZEPHYR_TRUSTED_FIRMWARE_M_MODULE
	bool

config TFM_BOARD
	string
	default "arm/mps2/an521" if BOARD_MPS2_AN521_CPU0_NS
	default "nxp/lpcxpresso55s69" if BOARD_LPCXPRESSO55S69_LPC55S69_CPU0_NS || BOARD_LPCXPRESSO55S69_NS
	default "$(ZEPHYR_BASE)/modules/trusted-firmware-m/nordic/nrf5340_cpuapp" if SOC_NRF5340_CPUAPP
	default "acme/widget" if BOARD_WIDGET_W1_NS
	help
	  The board name used for building TFM.

menuconfig BUILD_WITH_TFM
	bool "Build with TF-M as the Secure Execution Environment"
	default "not/a/platform" if BOARD_NEVER
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A small west workspace: zephyr/ with HWMv2 and legacy boards, a module with a board_root,
    and one malformed board.yml."""
    top = tmp_path / "ws"
    (top / ".west").mkdir(parents=True)
    _write(top / ".west" / "config", "[manifest]\npath = zephyr\n")
    zephyr = top / "zephyr"
    _write(zephyr / "VERSION", "VERSION_MAJOR = 3\nVERSION_MINOR = 7\nPATCHLEVEL = 1\n")
    _write(zephyr / "modules" / "trusted-firmware-m" / "Kconfig.tfm", KCONFIG_TFM)
    _write(zephyr / "boards" / "arm" / "mps2" / "board.yml", """\
boards:
  - name: mps2
    vendor: arm
    socs:
      - name: an385
      - name: an521
        variants:
          - name: ns
            cpucluster: cpu0
""")
    _write(zephyr / "boards" / "nordic" / "nrf5340dk" / "board.yml", """\
board:
  name: nrf5340dk
  vendor: nordic
  socs:
    - name: nrf5340
      variants:
        - name: ns
          cpucluster: cpuapp
""")
    _write(zephyr / "boards" / "qemu" / "x86" / "board.yml",
           "board:\n  name: qemu_x86\n  vendor: qemu\n  socs:\n    - name: atom\n")
    _write(zephyr / "boards" / "broken" / "bad" / "board.yml", "board:\n  name: [unclosed\n")
    # An older (HWMv1) board directory: one secure and one non-secure board.
    legacy = zephyr / "boards" / "arm" / "lpcxpresso55s69"
    _write(legacy / "lpcxpresso55s69_cpu0_defconfig", "CONFIG_SOC_LPC55S69_CPU0=y\n")
    _write(legacy / "lpcxpresso55s69_ns_defconfig",
           "CONFIG_SOC_LPC55S69_CPU0=y\nCONFIG_ARM_TRUSTZONE_M=y\n"
           "CONFIG_TRUSTED_EXECUTION_NONSECURE=y\n")
    module = top / "modules" / "acme"
    _write(module / "zephyr" / "module.yml",
           "name: acme-boards\nbuild:\n  settings:\n    board_root: .\n")
    _write(module / "boards" / "acme" / "widget" / "board.yml", """\
board:
  name: widget
  vendor: acme
  socs:
    - name: w1
      variants:
        - name: ns
""")
    return top
