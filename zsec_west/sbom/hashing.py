"""SHA-1 and SHA-256 of every file that went into a build, plus its licence header, in one read.

Each file is opened once: the bytes feed both digests and the header scan (licenses.py).

Right after a build the sources are in the page cache and most are a few kilobytes: then the
per-file Python work dominates and threads only add GIL hand-offs (measured on 11,000 files,
52 MB: 0.8 s with one thread, 1.2 s with two, 1.6 s with four). So one thread is the default;
a thread pool (`workers` > 1, `--jobs`) pays off when files come from slow or network storage,
where threads overlap the waiting, and for big files, whose hashing releases the GIL.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from zsec_west.sbom.licenses import scan_header

_BLOCK = 1 << 20  # files larger than this are read in blocks (toolchain archives can be big)
_BATCH = 64

Progress = Callable[[int], None]  # called with the number of files just finished


@dataclass(frozen=True)
class FileFacts:
    """What one readable file contributes to an SBOM."""

    path: str
    sha1: str
    sha256: str
    size: int
    license: str | None  # the SPDX-License-Identifier expression as written
    copyrights: tuple[str, ...]


@dataclass(frozen=True)
class Unreadable:
    """A file the build used that cannot be read here, and why."""

    path: str
    reason: str  # "missing", "not a regular file", "unreadable: <why>"


def read_facts(path: str) -> FileFacts | Unreadable:
    """Digests and header facts of one file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return Unreadable(path, "missing")
    except NotADirectoryError:
        return Unreadable(path, "missing")
    except OSError as exc:
        return Unreadable(path, f"unreadable: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Unreadable(path, "not a regular file")
        sha1 = hashlib.sha1()
        sha256 = hashlib.sha256()
        first = b""
        size = 0
        while True:
            block = os.read(fd, max(info.st_size + 1, 1) if info.st_size < _BLOCK else _BLOCK)
            if not block:
                break
            if not size:
                first = block
            size += len(block)
            sha1.update(block)
            sha256.update(block)
    except OSError as exc:
        return Unreadable(path, f"unreadable: {exc.strerror or exc}")
    finally:
        os.close(fd)
    license_text, copyrights = scan_header(first)
    return FileFacts(path, sha1.hexdigest(), sha256.hexdigest(), size, license_text, copyrights)


def sha512_of(path: str) -> str | None:
    """SHA-512 of one file (BSI TR-03183-2 asks it of each deployable file: the images)."""
    digest = hashlib.sha512()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _batch(paths: list[str]) -> list[FileFacts | Unreadable]:
    return [read_facts(path) for path in paths]


def hash_files(paths: Iterable[str], *, workers: int | None = None,
               progress: Progress | None = None) -> dict[str, FileFacts | Unreadable]:
    """Facts for every path (each read once, duplicates ignored), keyed by path."""
    unique = list(dict.fromkeys(paths))
    results: dict[str, FileFacts | Unreadable] = {}
    if not unique:
        return results
    workers = workers or 1
    batches = [unique[i:i + _BATCH] for i in range(0, len(unique), _BATCH)]
    if workers <= 1 or len(batches) == 1:
        for batch in batches:
            for facts in _batch(batch):
                results[facts.path] = facts
            if progress:
                progress(len(batch))
        return results
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zsec-hash") as pool:
        futures = [pool.submit(_batch, batch) for batch in batches]
        for future in as_completed(futures):
            done = future.result()
            for facts in done:
                results[facts.path] = facts
            if progress:
                progress(len(done))
    return results
