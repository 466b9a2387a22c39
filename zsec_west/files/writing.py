"""Writing outputs so that nothing the user has is clobbered and nothing is left half-written.

A file is written to a temporary file beside it and renamed over the old one, so readers see the
old file or the new one, never a part. Around that:
- a name that is a symlink is followed, and the file it points to is replaced (the link stays);
- a character device or FIFO (`/dev/null`, `/dev/stdout`, a pipe) is written through, never
  replaced by a regular file; any other non-regular file is refused;
- an existing directory, or a missing parent directory, is a usage error: only options that name
  a directory (`--output-dir`) create one (`create_dirs=True`);
- new files get the permissions the user's umask allows (0666 & ~umask); only private keys are
  written 0600;
- a full disk or a read-only file system is an environment error (exit 3) with its own message;
- temporary files left by a process that was killed are removed by the next write into the same
  directory (they carry the writer's PID);
- `write_set` writes several files as one set: all new or, if anything fails, all old.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zsec_west.errors import InputError, ToolError, UsageError, ZsecError
from zsec_west.files.reading import check_name

_TMP_TAG = "zsec"
PRIVATE_MODE = 0o600


def output_mode() -> int:
    """Permission bits for a new output file: what the umask allows of 0666."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_error(exc: OSError, path: Path) -> ZsecError:
    """An OSError while writing `path` as the one-line error the user gets."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ToolError("no space left on the device; nothing was written", path=path)
    if exc.errno == errno.EROFS:
        return ToolError("the file system is read-only; nothing was written", path=path)
    if exc.errno == errno.ENAMETOOLONG:
        return InputError("the file name is too long", path=path)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputError("permission denied; nothing was written", path=path)
    return InputError(f"cannot write: {exc.strerror or exc}", path=path)


def _target(path: Path) -> Path:
    """The file a write to `path` really replaces: symlinks followed to their end."""
    try:
        if path.is_symlink():
            return Path(os.path.realpath(path))
    except OSError as exc:
        raise write_error(exc, path) from None
    return path


def _existing_mode(path: Path) -> int | None:
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("is a symlink loop", path=path) from None
        raise write_error(exc, path) from None


_FD_LINK = re.compile(r"^/(?:dev|proc/(?:self|thread-self|\d+))/fd/(\d+)$")


def _descriptor_of(path: Path) -> tuple[int, bool] | None:
    """(N, whether it is this process's) when `path` leads through symlinks to an open file
    descriptor: /dev/stdout, /dev/fd/N, /proc/self/fd/N. Such a name means "write to what that
    descriptor is" (a terminal, a pipe, a file a shell opened); resolving it to a file name and
    renaming over that would replace the file (or fail for a pipe), never write to the stream."""
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on symlinks followed
        match = _FD_LINK.match(current)
        if match:
            owner = current.split("/")[2]
            return int(match.group(1)), current.startswith("/dev/") or owner in ("self", "thread-self",
                                                                                 str(os.getpid()))
        try:
            link = os.readlink(current)
        except OSError:
            return None
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    return None


def _write_fd(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_through(path: Path, data: bytes | bytearray) -> Path:
    """Write to a character device, a FIFO or an open descriptor in place (a reader must
    already hold a FIFO open)."""
    descriptor = _descriptor_of(path)
    if descriptor is not None and descriptor[1]:
        try:  # our own stdout (or another descriptor of ours): write to it, where it is now
            for stream in (sys.stdout, sys.stderr):  # what Python still buffers comes first
                if stream is not None:
                    stream.flush()
            _write_fd(descriptor[0], data)
        except OSError as exc:
            raise write_error(exc, path) from None
        return path
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise InputError("is a FIFO with no reader; nothing was written", path=path) from None
        raise write_error(exc, path) from None
    try:
        os.set_blocking(fd, True)
        _write_fd(fd, data)
    except OSError as exc:
        raise write_error(exc, path) from None
    finally:
        os.close(fd)
    return path


def _prepare(path: Path, *, exclusive: bool, create_dirs: bool) -> tuple[Path, bool]:
    """(the file to write, whether to write through it) after every check a write needs."""
    check_name(path)
    if _descriptor_of(path) is not None:
        return path, True
    target = _target(path)
    mode = _existing_mode(target)
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise UsageError("is a directory; give a file name", path=path)
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
            return target, True
        if not stat.S_ISREG(mode):
            raise InputError("is not a regular file, a device or a FIFO; refusing to replace it",
                             path=path)
        if exclusive:
            raise InputError("already exists; refusing to overwrite it", path=path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        if not create_dirs:
            what = "is not a directory" if directory.exists() else "does not exist"
            raise UsageError(f"cannot write: the directory {directory} {what}", path=path)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_error(exc, directory) from None
    return target, False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(directory: Path, name: str) -> int:
    """Remove `.NAME.zsec-PID-*.tmp` files whose writer no longer runs; how many went."""
    removed = 0
    prefix = f".{name}.{_TMP_TAG}-"
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text)):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed


def _open_temporary(target: Path) -> tuple[int, str]:
    """A new temporary file of our naming beside `target` (stale ones removed first)."""
    directory = target.parent if str(target.parent) else Path(".")
    remove_stale_temporaries(directory, target.name)
    try:
        return tempfile.mkstemp(prefix=f".{target.name}.{_TMP_TAG}-{os.getpid()}-", suffix=".tmp",
                                dir=directory)
    except OSError as exc:
        raise write_error(exc, target) from None


def _temporary(target: Path, data: bytes | bytearray, mode: int) -> str:
    """A fully written and synced temporary file beside `target`; its name."""
    fd, tmp = _open_temporary(target)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise write_error(exc, target) from None
        raise
    return tmp


def atomic_write(path: str | Path, data: bytes | bytearray | str, *, mode: int | None = None,
                 exclusive: bool = False, create_dirs: bool = False) -> Path:
    """Write `data` to `path` through a temporary file in the same directory and a rename.

    `exclusive` refuses to replace an existing file (keys must never be overwritten).
    `mode` sets the permission bits before any byte is written (default: `output_mode()`;
    PRIVATE_MODE for private keys). `create_dirs` creates missing parent directories.
    Returns the path written (the symlink's target when `path` is a symlink).
    """
    path = Path(path)
    target, through = _prepare(path, exclusive=exclusive, create_dirs=create_dirs)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if through:
        return _write_through(target, payload)
    tmp = _temporary(target, payload, output_mode() if mode is None else mode)
    try:
        if exclusive:
            # link() fails if the name appeared meanwhile, so a racing writer cannot be clobbered.
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise InputError("already exists; refusing to overwrite it", path=path) from None
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except OSError as exc:
        raise write_error(exc, target) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


@dataclass(frozen=True)
class Output:
    """One file of a set: where, what, and with which permissions (None: `output_mode()`)."""

    path: Path
    data: bytes | bytearray | str
    mode: int | None = None


def write_set(outputs: Sequence[Output], *, create_dirs: bool = False) -> list[Path]:
    """Write several files as one set: every file is written to a temporary file first; only
    then are they renamed into place, and if a rename fails the ones already renamed are put
    back. Devices and FIFOs in the set are written through after the files."""
    prepared = [(out, *_prepare(Path(out.path), exclusive=False, create_dirs=create_dirs))
                for out in outputs]
    temps: list[tuple[Output, Path, str]] = []
    try:
        for out, target, through in prepared:
            if not through:
                data = out.data.encode("utf-8") if isinstance(out.data, str) else out.data
                mode = output_mode() if out.mode is None else out.mode
                temps.append((out, target, _temporary(target, data, mode)))
        _rename_all(temps)
    finally:
        for _, _, tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    for out, target, through in prepared:
        if through:
            _write_through(target, out.data.encode("utf-8") if isinstance(out.data, str) else out.data)
    return [target for _, target, _ in prepared]


def _rename_all(temps: list[tuple[Output, Path, str]]) -> None:
    """Rename each temporary file over its target; on failure, restore what was there."""
    backups: list[tuple[Path, str | None]] = []  # (target, backup of the old file or None)
    try:
        for _, target, tmp in temps:
            backup = None
            if target.exists():
                backup = f"{tmp}.old"
                os.link(target, backup)
            backups.append((target, backup))
            os.replace(tmp, target)
    except OSError as exc:
        for target, backup in reversed(backups):
            try:
                if backup is not None:
                    os.replace(backup, target)
                elif target.exists():
                    os.unlink(target)
            except OSError:
                pass
        raise write_error(exc, temps[len(backups) - 1][1] if backups else temps[0][1]) from None
    finally:
        for _, backup in backups:
            if backup is not None and os.path.exists(backup):
                os.unlink(backup)


def temporary_beside(target: Path) -> Path:
    """An empty temporary file of our naming beside `target`, with the permissions of a new
    output, for a writer that fills the file itself (SQLite) and then renames it over `target`
    (or removes it). Temporaries of writers that no longer run are removed first."""
    check_name(target)
    fd, tmp = _open_temporary(target)
    try:
        os.fchmod(fd, output_mode())
    finally:
        os.close(fd)
    return Path(tmp)
