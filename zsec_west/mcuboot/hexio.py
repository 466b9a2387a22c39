"""Reading firmware and images as raw binary or Intel HEX (chosen by extension), and writing them back.

Intel HEX output follows imgtool: the image at its base address and, for a padded image, only
the trailer records (image_ok and magic) at the end of the slot, with no erased fill between.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from zsec_west.errors import ImageFormatError, InputError, UsageError
from zsec_west.files.reading import MIB, check_size, limit_of, open_input, read_bytes
from zsec_west.files.writing import atomic_write
from zsec_west.mcuboot.hexwrite import Range, hex_text, joined


def is_hex_path(path: str | Path) -> bool:
    """Intel HEX when the extension is .hex (any case), like imgtool."""
    return Path(path).suffix.lower() == ".hex"


@dataclass(frozen=True)
class InputImage:
    """The bytes of an input file and, for Intel HEX, the address its first byte belongs at."""

    data: bytes
    base_addr: int | None
    is_hex: bool


def _read_file(path: Path) -> bytes:
    return read_bytes(path, InputError, missing="input file not found",
                      directory="is a directory, not an image file", kind="image")


@dataclass(frozen=True)
class RawFile:
    """A raw binary input left on disk until `create_image` reads it straight into the image
    buffer (an `image.PayloadSource`): the firmware is then held once, not as input plus output."""

    path: Path
    size: int

    def __len__(self) -> int:
        return self.size

    def readinto(self, view: memoryview) -> None:
        """Fill `view` (`size` bytes) with the file; a file whose size changed meanwhile is an error."""
        if len(view) != self.size:
            raise ValueError(f"{self.path}: {len(view)}-byte buffer for a {self.size}-byte file")
        filled = 0
        try:
            with open_input(self.path, "image") as handle:
                reader = cast(io.BufferedReader, handle)  # large reads go straight into `view`
                while filled < self.size:
                    got = reader.readinto(view[filled:])
                    if not got:
                        break
                    filled += got
                longer = bool(handle.read(1))
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=self.path) from None
        if filled != self.size or longer:
            raise InputError("changed size while being read", path=self.path)


def _open_raw(path: Path) -> RawFile | None:
    """A RawFile for a readable regular file within the limit for images, opened now to fail now
    rather than halfway through signing; None for anything else, which `_read_file` then refuses
    in its words (a missing file, a directory, a FIFO, a name the OS cannot take)."""
    try:
        with open_input(path, "image") as handle:
            size = os.fstat(handle.fileno()).st_size
    except InputError:
        return None
    check_size(size, "image", path)
    return RawFile(path, size)


# Distinct address ranges a .hex may hold: real ones have one, or two for a padded image (the
# image and its trailer); this bounds what a hostile file of tiny scattered records costs.
MAX_RANGES = 4096
_OVERLAP = "invalid Intel HEX: records overlap at address 0x{:x}"
_RECORD_MIN = 11  # ":" + count, address, type and checksum as hex digits


def _record(line: str, number: int, path: str | Path | None) -> tuple[int, int, bytes]:
    """One record line as (type, address, payload), checked as Intel HEX defines it."""
    def bad(problem: str) -> ImageFormatError:
        return ImageFormatError(f"line {number}: invalid Intel HEX: {problem}", path=path)

    if not line.startswith(":"):
        raise bad("the record does not start with ':'")
    if len(line) < _RECORD_MIN:
        raise bad("the record is too short")
    try:
        raw = bytes.fromhex(line[1:])
    except ValueError:
        raise bad("the record is not hexadecimal digits") from None
    count, address, kind = raw[0], int.from_bytes(raw[1:3], "big"), raw[3]
    if len(raw) != count + 5:
        raise bad(f"the record length does not match its byte count {count}")
    if sum(raw) & 0xFF:
        raise bad("bad checksum")
    if kind > 5:
        raise bad(f"unknown record type {kind}")
    payload = raw[4:-1]
    if kind in (2, 4) and count != 2 or kind in (3, 5) and count != 4 or kind == 1 and count:
        raise bad(f"record type {kind} with {count} data bytes")
    return kind, address, payload


def hex_segments(text: bytes | str, path: str | Path | None = None) -> list[Range]:
    """The data of Intel HEX text as (address, bytes) ranges in address order, held by segments:
    a file that names addresses 4 GiB apart costs what its records hold, not the range between."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise ImageFormatError("not an Intel HEX file (non-ASCII content)", path=path) from None
    done: list[Range] = []
    start, current, offset = 0, bytearray(), 0
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        kind, address, payload = _record(line, number, path)
        if kind == 1:
            break
        if kind in (2, 4):
            offset = int.from_bytes(payload, "big") << (4 if kind == 2 else 16)
        if kind != 0 or not payload:
            continue
        if current and offset + address == start + len(current):
            current += payload
            continue
        if current:
            done.append((start, current))
            if len(done) > MAX_RANGES:
                done = joined(done, path, _OVERLAP)
                if len(done) > MAX_RANGES:
                    raise ImageFormatError(f"Intel HEX data in more than {MAX_RANGES} separate address "
                                           "ranges", path=path)
        start, current = offset + address, bytearray(payload)
    if current:
        done.append((start, current))
    return joined(done, path, _OVERLAP)


def parse_hex(text: bytes | str, *, allow_gaps: bool = False, gap_fill: int = 0xFF,
              path: str | Path | None = None) -> InputImage:
    """Decode Intel HEX. Overlapping records are an error; so are gaps unless `allow_gaps`
    (then filled with `gap_fill`, as imgtool verify does for a padded hex image), and a span
    larger than an image may be (the input limit for image files)."""
    segments = hex_segments(text, path)
    if not segments:
        raise ImageFormatError("Intel HEX file holds no data", path=path)
    if len(segments) > 1 and not allow_gaps:
        ranges = ", ".join(f"0x{a:x}-0x{a + len(d) - 1:x}" for a, d in segments[:4])
        more = f" and {len(segments) - 4} more" if len(segments) > 4 else ""
        raise ImageFormatError(
            f"Intel HEX data is not one contiguous range ({len(segments)} ranges: {ranges}{more})",
            path=path, hint="convert it to one contiguous range, or to a .bin with the gaps filled",
        )
    base = segments[0][0]
    end = segments[-1][0] + len(segments[-1][1])
    limit = limit_of("image")
    if end - base > limit:
        raise ImageFormatError(
            f"Intel HEX data spans 0x{base:x}-0x{end - 1:x} ({end - base} bytes), more than an image "
            f"may have ({limit // MIB} MiB)", path=path)
    if len(segments) == 1:
        return InputImage(bytes(segments[0][1]), base, True)
    filled = bytearray([gap_fill]) * (end - base)
    for address, data in segments:
        filled[address - base:address - base + len(data)] = data
    return InputImage(bytes(filled), base, True)


def read_input(path: str | Path, *, allow_gaps: bool = False) -> InputImage:
    """Read a .hex as Intel HEX and anything else as raw bytes."""
    path = Path(path)
    raw = _read_file(path)
    if is_hex_path(path):
        return parse_hex(raw, allow_gaps=allow_gaps, path=path)
    return InputImage(raw, None, False)


def signing_input(path: str | Path) -> tuple[bytes | RawFile, int | None]:
    """What to sign from `path` and its address: a .hex decoded (bytes and base address), a raw
    file as a RawFile still on disk (no address), so that signing holds one copy of it."""
    path = Path(path)
    if not is_hex_path(path):
        raw = _open_raw(path)
        if raw is not None:
            return raw, None
    loaded = read_input(path)
    return loaded.data, loaded.base_addr


def write_file(path: Path, data: bytes | bytearray | str) -> None:
    # The output directory must exist already: a typo in a path should not create directories.
    if not path.parent.is_dir():
        raise InputError("cannot write: the directory does not exist", path=path)
    atomic_write(path, data)


def write_data(path: str | Path, data: bytes | bytearray, base_addr: int | None = None) -> None:
    """Write plain bytes (e.g. --vector-to-sign output) as binary, or as Intel HEX at `base_addr`."""
    path = Path(path)
    if is_hex_path(path):
        if base_addr is None:
            raise UsageError("Intel HEX output needs an address", hint="give --hex-addr")
        write_file(path, hex_text([(base_addr, data)]))
    else:
        write_file(path, data)
