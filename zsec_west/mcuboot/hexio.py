"""Reading firmware and images as raw binary or Intel HEX (chosen by extension), and writing them back.

Intel HEX output follows imgtool: the image at its base address and, for a padded image, only
the trailer records (image_ok and magic) at the end of the slot, with no erased fill between.
"""

from __future__ import annotations

import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from intelhex import IntelHex, IntelHexError

from zsec_west.errors import ImageFormatError, InputError, UsageError
from zsec_west.files.reading import read_bytes
from zsec_west.files.writing import atomic_write


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
            with open(self.path, "rb", buffering=0) as handle:  # unbuffered: the OS copies into `view`
                while filled < self.size:
                    got = handle.readinto(view[filled:])
                    if not got:
                        break
                    filled += got
                longer = bool(handle.read(1))
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=self.path) from None
        if filled != self.size or longer:
            raise InputError("changed size while being read", path=self.path)


def _open_raw(path: Path) -> RawFile | None:
    """A RawFile for a readable regular file (errors worded as `_read_file` words them); None for
    anything else (a pipe or device has no size to plan the image with: it is read whole)."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            return None
        with open(path, "rb", buffering=0):  # opened to fail now rather than halfway through signing
            pass
    except FileNotFoundError:
        raise InputError("input file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not an image file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    return RawFile(path, info.st_size)


def parse_hex(text: bytes | str, *, allow_gaps: bool = False, gap_fill: int = 0xFF,
              path: str | Path | None = None) -> InputImage:
    """Decode Intel HEX. Overlapping records are an error; so are gaps unless `allow_gaps`
    (then filled with `gap_fill`, as imgtool verify does for a padded hex image)."""
    ih = IntelHex()
    try:
        ih.loadhex(io.StringIO(text.decode("ascii") if isinstance(text, bytes) else text))
    except UnicodeDecodeError:
        raise ImageFormatError("not an Intel HEX file (non-ASCII content)", path=path) from None
    except IntelHexError as exc:
        raise ImageFormatError(f"invalid Intel HEX: {exc}", path=path) from None
    segments = ih.segments()
    if not segments:
        raise ImageFormatError("Intel HEX file holds no data", path=path)
    if len(segments) > 1 and not allow_gaps:
        ranges = ", ".join(f"0x{a:x}-0x{b - 1:x}" for a, b in segments[:4])
        more = f" and {len(segments) - 4} more" if len(segments) > 4 else ""
        raise ImageFormatError(
            f"Intel HEX data is not one contiguous range ({len(segments)} ranges: {ranges}{more})",
            path=path, hint="convert it to one contiguous range, or to a .bin with the gaps filled",
        )
    ih.padding = gap_fill
    return InputImage(ih.tobinstr(), ih.minaddr(), True)


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
        ih = IntelHex()
        ih.frombytes(data, offset=base_addr)
        out = io.StringIO()
        ih.write_hex_file(out)
        write_file(path, out.getvalue())
    else:
        write_file(path, data)
