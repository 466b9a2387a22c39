"""The MCUboot image trailer at the end of a slot: its size, boot magic, image_ok flag and detection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from zsec_west.errors import UsageError

ALIGNS = (1, 2, 4, 8, 16, 32)
MAX_ALIGNS = (8, 16, 32)
DEFAULT_MAX_SECTORS = 128
MAGIC_SIZE = 16
IMAGE_OK = 0x01

BOOT_MAGIC_8 = bytes.fromhex("77c295f360d2ef7f3552500f2cb67980")
# With a max_align above 8 the magic starts with max_align as a u16 in the image byte order.
BOOT_MAGIC_TAIL = bytes.fromhex("2de15d29410b8d77679c110f1f8a")


def align_up(value: int, align: int) -> int:
    return (value + align - 1) // align * align


def effective_max_align(align: int, max_align: int | None) -> int:
    """`--max-align` if given, else max(8, `--align`), checking both like imgtool's choices do."""
    if align not in ALIGNS:
        raise UsageError(f"align {align} is not one of {', '.join(map(str, ALIGNS))}")
    if max_align is None:
        return max(8, align)
    if max_align not in MAX_ALIGNS:
        raise UsageError(f"max-align {max_align} is not one of {', '.join(map(str, MAX_ALIGNS))}")
    return max_align


def boot_magic(max_align: int, endian: Literal["little", "big"] = "little") -> bytes:
    """The 16-byte boot magic for this max_align."""
    if max_align == 8:
        return BOOT_MAGIC_8
    return max_align.to_bytes(2, endian) + BOOT_MAGIC_TAIL


def trailer_size(*, align: int = 1, max_align: int = 8, max_sectors: int = DEFAULT_MAX_SECTORS,
                 overwrite_only: bool = False, encrypted: bool = False, save_enctlv: bool = False,
                 enctlv_len: int = 0) -> int:
    """Bytes the bootloader's trailer needs at the end of a slot (imgtool's sizing rules)."""
    magic_area = align_up(MAGIC_SIZE, max_align)
    if overwrite_only:
        return 2 * max_align + magic_area
    size = max_sectors * 3 * align
    if encrypted:
        # Key slots hold the plain AES key (always sized for 16 bytes, as imgtool does) or the TLV.
        size += 2 * align_up(enctlv_len if save_enctlv else 16, max_align)
    return size + 4 * max_align + magic_area


def image_ok_offset(max_align: int) -> int:
    """Offset of the image_ok byte counted back from the slot end (a negative index)."""
    return -(align_up(MAGIC_SIZE, max_align) + max_align)


@dataclass(frozen=True)
class TrailerLayout:
    """What `--pad`/`--confirm`/`--test` write into a slot: erased fill plus a few records."""

    slot_size: int
    size: int
    max_align: int
    erased_val: int
    magic: bytes
    confirm: bool
    write_image_ok: bool  # --confirm or --test (not overwrite-only): the image_ok word is written

    def records(self) -> list[tuple[int, bytes]]:
        """(offset from slot start, bytes) written over the erased fill; hex output holds only these."""
        out: list[tuple[int, bytes]] = []
        if self.write_image_ok:
            word = bytearray([self.erased_val] * self.max_align)
            if self.confirm:
                word[0] = IMAGE_OK
            out.append((self.slot_size + image_ok_offset(self.max_align), bytes(word)))
        out.append((self.slot_size - len(self.magic), self.magic))
        return out

    def fill(self, buf: bytearray, image_len: int) -> None:
        """Pad `buf` (holding the image) to the slot size: erased bytes, then the records."""
        buf.extend(bytes([self.erased_val]) * (self.slot_size - image_len))
        self.write_records(buf)

    def write_records(self, buf: bytearray | memoryview) -> None:
        """Write the records into `buf`, a slot-sized buffer whose bytes after the image are erased
        already (how `create_image` builds it, so the padding is never allocated twice)."""
        if len(buf) != self.slot_size:
            raise ValueError(f"trailer records need a slot-sized buffer, not {len(buf)} bytes")
        for offset, data in self.records():
            buf[offset:offset + len(data)] = data


@dataclass(frozen=True)
class TrailerState:
    """What the end of a padded slot says: which magic, image_ok, and the erased value seen."""

    magic: str  # "good" (MCUboot magic), "erased", "unknown"
    max_align: int | None
    image_ok: str  # "set", "unset", "unknown", "n/a"
    image_ok_value: int | None
    erased_val: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "magic": self.magic,
            "max_align": self.max_align,
            "image_ok": self.image_ok,
            "image_ok_value": self.image_ok_value,
            "erased_val": None if self.erased_val is None else f"0x{self.erased_val:02x}",
        }


def read_trailer(slot: bytes | memoryview, image_end: int) -> TrailerState | None:
    """Inspect the bytes after the image (`image_end` .. end); None if nothing follows the image."""
    if len(slot) <= image_end:
        return None
    fill = slot[image_end] if slot[image_end] in (0x00, 0xFF) else None
    if len(slot) - image_end < MAGIC_SIZE:
        return TrailerState("unknown", None, "n/a", None, fill)
    tail = bytes(slot[-MAGIC_SIZE:])
    max_align: int | None = None
    if tail == BOOT_MAGIC_8:
        max_align = 8
    elif tail[2:] == BOOT_MAGIC_TAIL:
        for endian in ("little", "big"):
            value = int.from_bytes(tail[:2], endian)
            if value in (16, 32):
                max_align = value
                break
    if max_align is None:
        erased = all(b == tail[0] for b in tail) and tail[0] in (0x00, 0xFF)
        return TrailerState("erased" if erased else "unknown", None, "n/a", None, fill)
    index = image_ok_offset(max_align)
    if len(slot) - image_end < -index:
        return TrailerState("good", max_align, "unknown", None, fill)
    value = slot[index]
    if value == IMAGE_OK:
        state = "set"
    elif fill is not None and value == fill:
        state = "unset"
    else:
        state = "unknown"
    return TrailerState("good", max_align, state, value, fill)
