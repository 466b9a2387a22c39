"""Reading inputs: regular files only, a size limit per kind of file, bounded decompression,
safe JSON, and one-line errors that name the file.

A build directory, a key or a vulnerability feed may come from anywhere: a path in it can name a
FIFO (which would block forever), `/dev/zero` (which never ends) or a 4 GiB file where a 4 KiB one
belongs. Every input goes through `open_input`, which opens without blocking, refuses anything but
a regular file (a FIFO or device only where the caller allows it, such as `-` style streams), and
stops at a limit far above what real builds and feeds hold.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from zsec_west.errors import DataFileError, InputError, ZsecError

MIB = 1 << 20
# The most bytes each kind of input may have: far above real files (a large application's
# build.ninja or link map is tens of MiB, a yearly NVD feed a few hundred), small enough that a
# hostile input cannot exhaust memory.
LIMITS: dict[str, int] = {
    "key": 1 * MIB,  # PEM keys, signatures, public keys
    "data": 64 * MIB,  # rule, waiver, VEX and table files
    # Every YAML file (build files, rules, waivers, Zephyr's database, shipped data): real ones
    # are below 1 MiB, and the pure-Python YAML parser needs seconds per MiB.
    "yaml": 8 * MIB,
    "build": 512 * MIB,  # CMakeCache.txt, .config, zephyr.dts, build.ninja, maps, compile commands
    "image": 1024 * MIB,  # firmware and signed images (.bin, .hex)
    "feed": 4096 * MIB,  # NVD / OSV vulnerability data, after decompression
}
JSON_MAX_DEPTH = 200  # real JSON (NVD, OSV, VEX, compile commands) nests fewer than 20 levels


def limit_of(kind: str) -> int:
    return LIMITS[kind]


def _describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def os_problem(exc: OSError) -> str:
    """An OSError as the short phrase a one-line message needs."""
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == 36 or "too long" in str(exc.strerror or "").lower():
        return "the file name is too long"
    return f"cannot read: {exc.strerror or exc}"


def name_problem(path: str | Path) -> str | None:
    """Why the OS cannot even look `path` up (a NUL byte, an unencodable surrogate), or None."""
    text = str(path)
    if "\x00" in text:
        return "the file name contains a NUL byte"
    try:
        os.fsencode(text)
    except UnicodeError:
        return "the file name is not valid in this file system's encoding"
    return None


def check_name(path: str | Path, error: type[ZsecError] = InputError) -> None:
    """`error` naming `path` if the OS cannot even look the name up; for code that hands a path
    to a library rather than to `open_input`."""
    problem = name_problem(path)
    if problem:
        raise error(problem, path=path)


# Path.exists() and friends raise for a name that is too long (ENAMETOOLONG) or that the OS
# cannot take (a NUL byte); a path read from a build file or typed by a user may be either.
# These answer False instead, as os.path does.

def exists(path: str | Path) -> bool:
    return os.path.exists(path)


def is_file(path: str | Path) -> bool:
    return os.path.isfile(path)


def is_dir(path: str | Path) -> bool:
    return os.path.isdir(path)


@contextmanager
def open_input(path: str | Path, kind: str, error: type[ZsecError] = InputError, *,
               allow_special: bool = False) -> Iterator[IO[bytes]]:
    """The file at `path`, opened for reading without blocking and checked to be a regular file
    (or, with `allow_special`, also a FIFO or character device). Errors name the file."""
    path = Path(path)
    problem = name_problem(path)
    if problem:
        raise error(problem, path=path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise error(os_problem(exc), path=path) from None
    try:
        mode = os.fstat(fd).st_mode
        special = stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)
        if not stat.S_ISREG(mode) and not (allow_special and special):
            raise error(_describe(mode), path=path)
        if stat.S_ISREG(mode) or special:
            os.set_blocking(fd, True)  # regular files ignore it; a stream must block to be read
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def read_limited(handle: IO[bytes], limit: int, path: str | Path, kind: str,
                 error: type[ZsecError] = InputError) -> bytes:
    """All of `handle`, but no more than `limit` bytes: beyond it, `error` naming the file.

    A regular file's size is known before reading, so a file over the limit is refused without
    reading it, and the buffer is the file's size rather than the limit (asking for `limit` bytes
    at once reserves that much memory, however small the file)."""
    size = _regular_size(handle)
    if size is not None and size > limit:
        raise error(_too_large(limit, kind), path=path)
    want = min(size, limit) + 1 if size is not None else min(limit + 1, _CHUNK)
    parts = [handle.read(want)]
    total = len(parts[0])
    while total <= limit:  # a stream, or a file that grew since fstat
        block = handle.read(min(_CHUNK, limit + 1 - total))
        if not block:
            break
        parts.append(block)
        total += len(block)
    if total > limit:
        raise error(_too_large(limit, kind), path=path)
    return parts[0] if len(parts) == 1 else b"".join(parts)


_CHUNK = 4 * MIB


def check_size(size: int, kind: str, path: str | Path, error: type[ZsecError] = InputError) -> None:
    """`error` naming `path` if `size` bytes are more than files of `kind` may have; for a file
    whose size is known before it is read (one read later straight into a buffer)."""
    if size > LIMITS[kind]:
        raise error(_too_large(LIMITS[kind], kind), path=path)


def _too_large(limit: int, kind: str) -> str:
    return f"is larger than {limit // MIB} MiB, the limit for {kind} files"


def _regular_size(handle: IO[bytes]) -> int | None:
    try:
        info = os.fstat(handle.fileno())
    except (OSError, AttributeError, ValueError):  # not backed by a file descriptor
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def read_input(path: str | Path, kind: str, error: type[ZsecError] = InputError, *,
               allow_special: bool = False) -> bytes:
    """The bytes of the file at `path`, checked as `open_input` does and capped by its kind."""
    try:
        with open_input(path, kind, error, allow_special=allow_special) as handle:
            return read_limited(handle, LIMITS[kind], path, kind, error)
    except OSError as exc:  # EIO and friends while reading
        raise error(os_problem(exc), path=path) from None


def read_if_present(path: str | Path, kind: str, error: type[ZsecError] = InputError) -> bytes | None:
    """The bytes of the file at `path` as `read_input` reads them, or None when nothing is there:
    for the files a build may or may not have written. Whatever is there and is not a readable
    regular file within the limit (a FIFO, /dev/zero, a directory, a symlink loop) is `error`."""
    if not os.path.lexists(path):  # False, not an exception, for names the OS cannot take
        return None
    return read_input(path, kind, error)


def file_problem(path: str | Path) -> str | None:
    """Why `path` is not a regular file one could read (None when it is one), in the words of
    `open_input`, without opening it: for a test that must tell a damaged file from no file."""
    problem = name_problem(path)
    if problem:
        return problem
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return os_problem(exc)
    return None if stat.S_ISREG(mode) else _describe(mode)


def read_input_text(path: str | Path, kind: str, error: type[ZsecError] = InputError) -> str:
    """The UTF-8 text of the file at `path` (see `read_input`)."""
    data = read_input(path, kind, error)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"not a UTF-8 text file (byte {exc.start})", path=path) from None


def read_bytes(path: Path, error: type[ZsecError], *, missing: str, directory: str,
               unreadable: str = "cannot read", kind: str = "build") -> bytes:
    """A file's bytes, or `error` with a one-line message in the caller's words."""
    try:
        with open_input(path, kind, error) as handle:
            return read_limited(handle, LIMITS[kind], path, kind, error)
    except FileNotFoundError:
        raise error(missing, path=path) from None
    except IsADirectoryError:
        raise error(directory, path=path) from None
    except OSError as exc:
        raise error(f"{unreadable}: {exc.strerror}", path=path) from None
    except ZsecError as exc:
        if exc.message == "file not found":
            raise error(missing, path=path) from None
        if exc.message.startswith("is a directory"):
            raise error(directory, path=path) from None
        raise


def read_stream_limited(stream: IO[bytes], limit: int, source: str | Path, what: str,
                        error: type[ZsecError] = DataFileError, chunk: int = 4 * MIB) -> bytes:
    """All of a (decompressing) stream, stopping with `error` once it passes `limit` bytes:
    a small archive must not expand into gigabytes."""
    parts: list[bytes] = []
    total = 0
    while True:
        block = stream.read(chunk)
        if not block:
            return b"".join(parts)
        total += len(block)
        if total > limit:
            raise error(f"{what} expands to more than {limit // MIB} MiB; refusing it", path=source)
        parts.append(block)


def loads_json(data: bytes | str, source: str | Path, error: type[ZsecError] = DataFileError) -> Any:
    """JSON text as Python values; syntax errors, absurd nesting and integers beyond Python's
    conversion limit are `error` naming the source, never an internal error."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise error(f"JSON nested more than the parser can follow (limit about "
                    f"{JSON_MAX_DEPTH} levels)", path=source) from None
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                    path=source) from None
    except (ValueError, UnicodeDecodeError) as exc:  # int digits limit, bad encoding
        raise error(f"not valid JSON: {exc}", path=source) from None
    _check_depth(value, source, error)
    return value


def _check_depth(value: Any, source: str | Path, error: type[ZsecError]) -> None:
    """Refuse documents nested deeper than JSON_MAX_DEPTH (they would blow the stack later)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > JSON_MAX_DEPTH:
            raise error(f"JSON nested deeper than {JSON_MAX_DEPTH} levels", path=source)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def load_json_file(path: str | Path, kind: str = "data", error: type[ZsecError] = DataFileError) -> Any:
    """The JSON document in the file at `path` (regular file, size-capped)."""
    return loads_json(read_input(path, kind, error), path, error)
