"""Which MCUboot mode a build uses, as each side of it records it.

Zephyr 4.x sysbuild has one choice, `SB_CONFIG_MCUBOOT_MODE_*` (default SWAP_USING_MOVE), and
hands it to the application (`CONFIG_MCUBOOT_BOOTLOADER_MODE_*`, which cmake/mcuboot.cmake signs
by) and to MCUboot (`CONFIG_BOOT_*`). Zephyr 3.x has no sysbuild choice: the application and
MCUboot are configured apart and can disagree (3.7.1's application default SWAP_WITHOUT_SCRATCH is
the old name of the swap-using-move that its MCUboot is built with).
"""

from __future__ import annotations

from dataclasses import dataclass

from zsec_west.builddir.kconfig import KconfigValues

MODES = ("SINGLE_APP", "SWAP_USING_OFFSET", "SWAP_USING_MOVE", "SWAP_WITHOUT_SCRATCH", "SWAP_SCRATCH",
         "OVERWRITE_ONLY", "DIRECT_XIP", "DIRECT_XIP_WITH_REVERT", "RAM_LOAD", "FIRMWARE_UPDATER",
         "SINGLE_APP_RAM_LOAD")
# MCUboot's own Kconfig, most specific first (DIRECT_XIP_REVERT comes with DIRECT_XIP).
_BOOTLOADER_SYMBOLS = (
    ("SINGLE_APPLICATION_SLOT_RAM_LOAD", "SINGLE_APP_RAM_LOAD"),
    ("SINGLE_APPLICATION_SLOT", "SINGLE_APP"),
    ("BOOT_FIRMWARE_LOADER", "FIRMWARE_UPDATER"),
    ("BOOT_SWAP_USING_OFFSET", "SWAP_USING_OFFSET"),
    ("BOOT_SWAP_USING_MOVE", "SWAP_USING_MOVE"),
    ("BOOT_SWAP_USING_SCRATCH", "SWAP_SCRATCH"),
    ("BOOT_UPGRADE_ONLY", "OVERWRITE_ONLY"),
    ("BOOT_DIRECT_XIP_REVERT", "DIRECT_XIP_WITH_REVERT"),
    ("BOOT_DIRECT_XIP", "DIRECT_XIP"),
    ("BOOT_RAM_LOAD", "RAM_LOAD"),
)
# How a mode changes the imgtool command of cmake/mcuboot.cmake (4.x): modes of one class sign alike.
_SIGNING_CLASS = {
    "SINGLE_APP": "single slot, overwrite-only",
    "FIRMWARE_UPDATER": "single slot, overwrite-only",
    "OVERWRITE_ONLY": "overwrite-only",
    "RAM_LOAD": "RAM load",
    "SINGLE_APP_RAM_LOAD": "single slot, RAM load",
}
# What Zephyr's Kconfig marks them (sysbuild's choice and the application's): facts for reports.
DEPRECATED_MODES = ("SWAP_WITHOUT_SCRATCH",)
EXPERIMENTAL_MODES = ("SWAP_USING_OFFSET",)


@dataclass(frozen=True)
class McubootMode:
    """A mode (a name of MODES) and the setting that says so, e.g. SB_CONFIG_MCUBOOT_MODE_SWAP_USING_MOVE."""

    name: str
    setting: str

    @property
    def signing_class(self) -> str:
        return _SIGNING_CLASS.get(self.name, "two slots, swap or XIP")

    @property
    def canonical(self) -> str:
        """SWAP_WITHOUT_SCRATCH is the older name of SWAP_USING_MOVE."""
        return "SWAP_USING_MOVE" if self.name == "SWAP_WITHOUT_SCRATCH" else self.name


def sysbuild_mode(kconfig: KconfigValues) -> McubootMode | None:
    """Sysbuild's SB_CONFIG_MCUBOOT_MODE_* choice (Zephyr 4.x), from the sysbuild .config."""
    return _choice(kconfig, "MCUBOOT_MODE_", "SB_CONFIG_")


def application_mode(kconfig: KconfigValues) -> McubootMode | None:
    """The application's CONFIG_MCUBOOT_BOOTLOADER_MODE_*, which its signing step follows."""
    return _choice(kconfig, "MCUBOOT_BOOTLOADER_MODE_", "CONFIG_")


def bootloader_mode(kconfig: KconfigValues) -> McubootMode | None:
    """The mode MCUboot itself was built in, from its CONFIG_BOOT_* / SINGLE_APPLICATION_SLOT*."""
    for symbol, name in _BOOTLOADER_SYMBOLS:
        if kconfig.enabled(symbol):
            return McubootMode(name, f"CONFIG_{symbol}")
    return None


def _choice(kconfig: KconfigValues, stem: str, prefix: str) -> McubootMode | None:
    for name in MODES:
        if kconfig.enabled(stem + name):
            return McubootMode(name, f"{prefix}{stem}{name}")
    return None
