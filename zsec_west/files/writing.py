"""Writing files so that nothing is ever left half-written: temporary file, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from zsec_west.errors import InputError, ZsecError


def atomic_write(path: str | Path, data: bytes | bytearray | str, *, mode: int | None = None,
                 exclusive: bool = False) -> Path:
    """Write `data` to `path` through a temporary file in the same directory and a rename.

    `exclusive` refuses to replace an existing file (keys must never be overwritten).
    `mode` sets the permission bits before any byte is written (0o600 for private keys).
    """
    path = Path(path)
    if exclusive and path.exists():
        raise InputError("already exists; refusing to overwrite it", path=path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror}", path=path) from None
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            # link() fails if the name appeared meanwhile, so a racing writer cannot be clobbered.
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise InputError("already exists; refusing to overwrite it", path=path) from None
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def read_bytes(path: Path, error: type[ZsecError], *, missing: str, directory: str,
               unreadable: str = "cannot read") -> bytes:
    """A file's bytes, or `error` with a one-line message in the caller's words."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(missing, path=path) from None
    except IsADirectoryError:
        raise error(directory, path=path) from None
    except OSError as exc:
        raise error(f"{unreadable}: {exc.strerror}", path=path) from None
