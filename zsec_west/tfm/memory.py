"""The secure / non-secure memory split as the non-secure image's devicetree describes it.

With MCUboot-style partitions (slot0_partition for TF-M, slot0_ns_partition for Zephyr, the TF-M
storage areas) the split is explicit. Boards without them (mps2/an521) only give the non-secure
view: the flash and RAM chosen for Zephyr; everything else belongs to the secure side, whose own
layout lives in TF-M's platform flash_layout.h and is not recorded in the build.
"""

from __future__ import annotations

from dataclasses import dataclass

from zsec_west.builddir.devicetree import Devicetree
from zsec_west.facts.tfm import MemoryRegion

SECURE, NON_SECURE, UNKNOWN = "secure", "non-secure", "unknown"

# Partition labels Zephyr's TF-M boards use, and what they hold.
_ROLES: dict[str, tuple[str, str]] = {
    "boot_partition": (SECURE, "BL2 bootloader"),
    "bl2_partition": (SECURE, "BL2 bootloader"),
    "slot0_partition": (SECURE, "TF-M secure image (primary slot)"),
    "slot0_s_partition": (SECURE, "TF-M secure image (primary slot)"),
    "slot1_partition": (SECURE, "TF-M secure image (update slot)"),
    "slot1_s_partition": (SECURE, "TF-M secure image (update slot)"),
    "slot0_ns_partition": (NON_SECURE, "Zephyr non-secure image (primary slot)"),
    "slot1_ns_partition": (NON_SECURE, "Zephyr non-secure image (update slot)"),
    "scratch_partition": (SECURE, "bootloader swap scratch"),
    "tfm_ps_partition": (SECURE, "TF-M Protected Storage"),
    "tfm_its_partition": (SECURE, "TF-M Internal Trusted Storage"),
    "tfm_otp_partition": (SECURE, "TF-M OTP / provisioning data"),
    "tfm_nv_counters_partition": (SECURE, "TF-M NV counters"),
    "storage_partition": (NON_SECURE, "non-secure storage (settings, file systems)"),
}


# A region is the same value in the analysis and in the report's facts.
Region = MemoryRegion


@dataclass(frozen=True)
class MemoryMap:
    regions: tuple[Region, ...]
    basis: str  # how the split was found
    note: str | None = None


def _region_of(dt: Devicetree, prop: str, purpose: str) -> Region | None:
    node = dt.chosen(prop)
    if node is None or node.reg is None:
        return None
    address, size = node.reg
    label = node.labels[0] if node.labels else node.name
    return Region(f"{prop} (&{label})", NON_SECURE, purpose, address, size, "chosen")


def memory_map(dt: Devicetree | None) -> MemoryMap | None:
    """The split, or None when the build has no devicetree."""
    if dt is None:
        return None
    partitions = dt.partitions()
    labels = {p.label for p in partitions}
    if "slot0_partition" in labels or "slot0_ns_partition" in labels:
        regions = []
        for part in sorted(partitions, key=lambda p: p.address):
            world, purpose = _ROLES.get(part.label, (UNKNOWN, part.name))
            regions.append(Region(part.label, world, purpose, part.address, part.size, "partition"))
        return MemoryMap(tuple(regions), "devicetree flash partitions")
    regions = [r for r in (_region_of(dt, "zephyr,flash", "non-secure flash (Zephyr code)"),
                           _region_of(dt, "zephyr,code-partition", "non-secure code partition"),
                           _region_of(dt, "zephyr,sram", "non-secure RAM (Zephyr data)"))
               if r is not None]
    seen = {(r.address, r.size) for r in regions}
    reserved = dt.node("/reserved-memory")
    for child in reserved.children if reserved else []:
        if child.reg is None or child.reg in seen:
            continue
        label = child.labels[0] if child.labels else child.name
        regions.append(Region(label, UNKNOWN, "reserved memory", child.reg[0], child.reg[1],
                              "reserved-memory"))
    if not regions:
        return MemoryMap((), "none", "the devicetree names no flash partitions and no chosen "
                                     "flash or RAM")
    return MemoryMap(tuple(regions), "chosen flash and RAM of the non-secure image",
                     "no slot0/slot0_ns partitions in the devicetree: only the non-secure view is "
                     "known; the secure side's layout is in TF-M's platform flash_layout.h")
