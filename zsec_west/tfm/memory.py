"""The secure / non-secure memory split as the non-secure image's devicetree describes it.

With MCUboot-style partitions (slot0_partition for TF-M, slot0_ns_partition for Zephyr, the TF-M
storage areas) the split is explicit. Boards without them (mps2/an521) only give the non-secure
view: the flash and RAM chosen for Zephyr; everything else belongs to the secure side, whose own
layout lives in TF-M's platform flash_layout.h. The TF-M sub-build keeps one record of it: its
signing layouts (builddir/tfmlayout.py), which give the sizes of the secure and non-secure images
and their offsets in the image area TF-M's BL2 loads from.
"""

from __future__ import annotations

from zsec_west.builddir.devicetree import Devicetree
from zsec_west.builddir.tfmlayout import SigningLayout
from zsec_west.facts.tfm import MemoryRegion, TfmImageArea, TfmMemory

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


# The split is the same value in the analysis and in the report's facts.
Region = MemoryRegion
ImageArea = TfmImageArea
MemoryMap = TfmMemory


def _region_of(dt: Devicetree, prop: str, purpose: str) -> Region | None:
    node = dt.chosen(prop)
    if node is None or node.reg is None:
        return None
    address, size = node.reg
    label = node.labels[0] if node.labels else node.name
    return Region(f"{prop} (&{label})", NON_SECURE, purpose, address, size, "chosen")


def image_areas(layouts: list[SigningLayout]) -> tuple[ImageArea, ...]:
    """The secure and non-secure images as TF-M's signing layouts place them (S from the S layout,
    NS from the NS layout, each falling back on the other, which repeats the same enum)."""
    ordered = {layout.kind: layout for layout in layouts}
    areas = []
    for world, stem, purpose, prefer in ((SECURE, "RE_SECURE_IMAGE", "TF-M secure image", ("s", "s_ns", "ns")),
                                        (NON_SECURE, "RE_NON_SECURE_IMAGE", "Zephyr non-secure image",
                                         ("ns", "s_ns", "s"))):
        for kind in prefer:
            layout = ordered.get(kind)
            offset = layout.get(f"{stem}_OFFSET") if layout else None
            size = layout.get(f"{stem}_MAX_SIZE") if layout else None
            if layout is not None and offset is not None and size is not None:
                areas.append(ImageArea(world, purpose, offset, size, str(layout.path)))
                break
    return tuple(areas)


def memory_map(dt: Devicetree | None, layouts: list[SigningLayout] | None = None) -> MemoryMap | None:
    """The split, or None when the build has neither a devicetree nor TF-M signing layouts."""
    areas = image_areas(layouts or [])
    if dt is None:
        if not areas:
            return None
        return MemoryMap("TF-M signing layouts", (), "no devicetree: only TF-M's image sizes are known",
                         areas)
    found = _from_devicetree(dt)
    note = found.note
    if areas and found.regions and found.note and found.basis != "devicetree flash partitions":
        note = ("no slot0/slot0_ns partitions in the devicetree: the chosen flash and RAM are the "
                "non-secure view; the image sizes come from TF-M's signing layouts; the rest of the "
                "secure side's layout is in TF-M's platform flash_layout.h")
    return MemoryMap(found.basis, found.regions, note, areas)


def _from_devicetree(dt: Devicetree) -> MemoryMap:
    partitions = dt.partitions()
    labels = {p.label for p in partitions}
    if "slot0_partition" in labels or "slot0_ns_partition" in labels:
        regions = []
        for part in sorted(partitions, key=lambda p: p.address):
            world, purpose = _ROLES.get(part.label, (UNKNOWN, part.name))
            regions.append(Region(part.label, world, purpose, part.address, part.size, "partition"))
        return MemoryMap("devicetree flash partitions", tuple(regions))
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
        return MemoryMap("none", (), "the devicetree names no flash partitions and no chosen "
                                     "flash or RAM")
    return MemoryMap("chosen flash and RAM of the non-secure image", tuple(regions),
                     "no slot0/slot0_ns partitions in the devicetree: only the non-secure view is "
                     "known; the secure side's layout is in TF-M's platform flash_layout.h")
