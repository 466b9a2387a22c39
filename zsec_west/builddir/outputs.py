"""The images a domain's build produced, found by the names Zephyr and TF-M give them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Suffixes after CONFIG_KERNEL_BIN_NAME (default "zephyr"), as written by cmake/mcuboot.cmake.
_KERNEL_SUFFIXES = (
    ".elf", ".bin", ".hex",
    ".signed.bin", ".signed.hex",
    ".signed.confirmed.bin", ".signed.confirmed.hex",
    ".signed.encrypted.bin", ".signed.encrypted.hex",
    ".slot1.signed.bin", ".slot1.signed.hex",
)
# TF-M outputs copied into the Zephyr build (build/zephyr/) and TF-M's own bin/ directory.
_TFM_ZEPHYR = (
    "tfm_merged.hex", "tfm_merged.bin", "tfm_s_signed.bin", "tfm_s_signed.hex",
    "zephyr_ns_signed.bin", "zephyr_ns_signed.hex", "tfm_s_zephyr_ns_signed.bin",
    "tfm_s_zephyr_ns_signed.hex", "tfm_s_zephyr_ns.hex",
)
_TFM_BIN = (
    "bl2.bin", "bl2.hex", "bl2.elf", "bl2_signed.bin", "tfm_s.bin", "tfm_s.hex", "tfm_s.elf",
    "tfm_s_signed.bin", "tfm_ns_signed.bin", "tfm_s_ns_signed.bin",
)


@dataclass(frozen=True)
class Artifact:
    role: str  # e.g. "signed.bin", "tfm/tfm_s_signed.bin"
    path: Path

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def find_outputs(build_dir: Path, kernel_name: str = "zephyr") -> list[Artifact]:
    """Every known output that exists, kernel outputs first."""
    found: list[Artifact] = []
    zephyr_dir = build_dir / "zephyr"
    for suffix in _KERNEL_SUFFIXES:
        path = zephyr_dir / f"{kernel_name}{suffix}"
        if path.is_file():
            found.append(Artifact(suffix.lstrip("."), path))
    for name in _TFM_ZEPHYR:
        path = zephyr_dir / name
        if path.is_file():
            found.append(Artifact(name, path))
    tfm_bins = [build_dir / "tfm" / "bin"]
    install = build_dir / "tfm" / "install" / "outputs"  # layout of TF-M <= 1.6 / Zephyr <= 3.2
    if install.is_dir():
        tfm_bins += sorted(p for p in install.iterdir() if p.is_dir())
        tfm_bins.append(install)
    for directory in tfm_bins:
        for name in _TFM_BIN:
            path = directory / name
            if path.is_file():
                found.append(Artifact(f"tfm/{name}", path))
    return found
