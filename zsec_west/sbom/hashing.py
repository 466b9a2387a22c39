"""SHA-1 and SHA-256 of every file that went into a build, plus its licence header, in one read.

Each file is opened once: the bytes feed both digests and the header scan (licenses.py).

Right after a build the sources are in the page cache and most are a few kilobytes: then the
per-file Python work dominates and threads only add GIL hand-offs (measured on 11,000 files,
52 MB: 0.8 s with one thread, 1.2 s with two, 1.6 s with four). A second process has no GIL
to share: by default, with thousands of files and a CPU to spare (_spare_cpu), a forked
helper and this process take chunks of files in turn (measured: 0.26 s of CPU serially, 0.14 s
in each). A thread pool (`workers` > 1,
`--jobs`) pays off when files come from slow or network storage, where threads overlap the
waiting; `workers` 1 is one thread and no helper.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import signal
import stat
import struct
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from zsec_west.files.reading import MIB, limit_of
from zsec_west.sbom.licenses import scan_header

_BLOCK = 1 << 20  # files larger than this are read in blocks (toolchain archives can be big)
_BATCH = 64
_SPLIT_FROM = 2000  # files; below this a helper process costs more than it saves (fork, pickle)
_MAX_CHUNKS = 1024  # their tickets (4 bytes each) fit the smallest pipe buffer (one page)
_TICKET = struct.Struct("=I")

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


TOO_LARGE = "is larger than"


@dataclass(frozen=True)
class Unreadable:
    """A file the build used that cannot be read here, and why."""

    path: str
    reason: str  # "missing", "not a regular file", "unreadable: <why>"


def read_facts(path: str) -> FileFacts | Unreadable:
    """Digests and header facts of one file."""
    return _read(path, None, None)


def read_image_facts(path: str) -> tuple[FileFacts | Unreadable, str | None]:
    """Digests and header facts of an image file, and its SHA-512 (BSI TR-03183-2 asks it of
    each deployable file), from one read."""
    sha512 = hashlib.sha512()
    facts = _read(path, sha512, limit_of("image"))
    return facts, sha512.hexdigest() if isinstance(facts, FileFacts) else None


def _read(path: str, sha512: Any, limit: int | None) -> FileFacts | Unreadable:
    try:
        # Without blocking: a FIFO among the sources must be "not a regular file", not a hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
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
        if limit is not None and info.st_size > limit:
            return Unreadable(path, f"{TOO_LARGE} {limit // MIB} MiB, the limit for image files")
        # Most files fit one read. Asking one byte more than the size sees a file that grew;
        # getting exactly the size is the end of the file (no second read to be told so).
        first = os.read(fd, info.st_size + 1 if info.st_size < _BLOCK else _BLOCK)
        digests = [hashlib.sha1(first), hashlib.sha256(first)]
        if sha512 is not None:
            sha512.update(first)
            digests.append(sha512)
        size = len(first)
        while first and size != info.st_size:
            block = os.read(fd, _BLOCK)
            if not block:
                break
            size += len(block)
            for digest in digests:
                digest.update(block)
    except OSError as exc:
        return Unreadable(path, f"unreadable: {exc.strerror or exc}")
    finally:
        os.close(fd)
    license_text, copyrights = scan_header(first)
    return FileFacts(path, digests[0].hexdigest(), digests[1].hexdigest(), size, license_text,
                     copyrights)


def _batch(paths: list[str]) -> list[FileFacts | Unreadable]:
    return [read_facts(path) for path in paths]


def hash_files(paths: Iterable[str], *, workers: int | None = None,
               progress: Progress | None = None, meanwhile: Callable[[], object] | None = None
               ) -> dict[str, FileFacts | Unreadable]:
    """Facts for every path (each read once, duplicates ignored), keyed by path. `meanwhile`
    is work of the caller's (importing a writer, say) that a helper process's hashing can
    overlap; without a helper it runs first."""
    unique = list(dict.fromkeys(paths))
    results: dict[str, FileFacts | Unreadable] = {}
    if workers is None and _can_split(len(unique)):
        return _split(unique, progress, meanwhile)
    if meanwhile is not None:
        meanwhile()
    if not unique:
        return results
    workers = workers or 1
    batches = _chunks(unique)
    if workers <= 1 or len(batches) == 1:
        _serial(batches, results, progress)
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


def _chunks(paths: list[str]) -> list[list[str]]:
    size = max(_BATCH, -(-len(paths) // _MAX_CHUNKS))
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def _serial(batches: list[list[str]], results: dict[str, FileFacts | Unreadable],
            progress: Progress | None) -> None:
    for batch in batches:
        for facts in _batch(batch):
            results[facts.path] = facts
        if progress:
            progress(len(batch))


def _can_split(count: int) -> bool:
    """A forked helper: Linux (fork without exec is safe there, and a pipe hands out its
    tickets whole), a CPU to spare, and no other thread that the fork could catch holding a
    lock."""
    if count < _SPLIT_FROM or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    return threading.active_count() == 1 and _spare_cpu()


def _spare_cpu() -> bool:
    """Two or more CPUs for this process and, over the last minute, at least half of one idle
    (this process itself counts about one). When other work fills them (a parallel build, say)
    a helper only competes: measured 10 % slower than hashing alone at a load of 2.9 on two
    CPUs, 40 % faster at 1.0."""
    cpus = len(os.sched_getaffinity(0))
    try:
        load = os.getloadavg()[0]
    except OSError:  # not known here: judge by the CPUs alone
        load = 0.0
    return cpus >= 2 and load < cpus - 0.5


def _flat(facts: FileFacts | Unreadable) -> tuple[Any, ...]:
    if isinstance(facts, FileFacts):
        return (facts.path, facts.sha1, facts.sha256, facts.size, facts.license, facts.copyrights)
    return (facts.path, facts.reason)


def _unflat(row: tuple[Any, ...]) -> FileFacts | Unreadable:
    return FileFacts(*row) if len(row) == 6 else Unreadable(*row)


def _claim(tickets: int) -> int | None:
    """The next chunk nobody has taken, or None when they are all taken. Every ticket is in
    the pipe before the fork and reads of one ticket's size come whole, so each chunk goes to
    exactly one of the two processes."""
    ticket = os.read(tickets, _TICKET.size)
    return _TICKET.unpack(ticket)[0] if len(ticket) == _TICKET.size else None


def _helper(chunks: list[list[str]], tickets: int, out: int) -> None:
    """In the forked helper: hash the chunks it claims, send their facts down the pipe, and
    leave at once (no exit handlers or buffers of the parent's run twice)."""
    code = 1
    try:
        done = {}
        while (number := _claim(tickets)) is not None:
            done[number] = [_flat(facts) for facts in _batch(chunks[number])]
        payload = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(out, "wb") as pipe:
            pipe.write(payload)
        code = 0
    finally:
        os._exit(code)


def _helper_results(payload: bytes, status: int, chunks: list[list[str]]
                    ) -> dict[int, list[FileFacts | Unreadable]]:
    """The chunks the helper hashed, each checked to be the one it claimed."""
    if os.waitstatus_to_exitcode(status) != 0:
        return {}
    try:
        done = {number: [_unflat(row) for row in rows]
                for number, rows in pickle.loads(payload).items()}
    except (pickle.UnpicklingError, EOFError, TypeError, ValueError, AttributeError):
        return {}
    return {number: found for number, found in done.items()
            if 0 <= number < len(chunks) and [f.path for f in found] == chunks[number]}


def _split(unique: list[str], progress: Progress | None,
           meanwhile: Callable[[], object] | None) -> dict[str, FileFacts | Unreadable]:
    """Chunks shared with a forked helper: each process claims the next chunk when it is
    free, so the helper takes more while this process is busy with `meanwhile` (or the other
    CPU is busy). Chunks the helper failed to deliver are hashed here."""
    chunks = _chunks(unique)
    tickets, tickets_in = os.pipe()
    os.write(tickets_in, b"".join(_TICKET.pack(n) for n in range(len(chunks))))
    os.close(tickets_in)
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:
        os.close(read_end)
        _helper(chunks, tickets, write_end)
    os.close(write_end)
    mine: dict[int, list[FileFacts | Unreadable]] = {}
    payload, status = b"", 1 << 8
    with os.fdopen(read_end, "rb") as pipe:
        try:
            if meanwhile is not None:
                meanwhile()
            while (number := _claim(tickets)) is not None:
                mine[number] = _batch(chunks[number])
                if progress:
                    progress(len(chunks[number]))
            if pid > 0:
                payload = pipe.read()
                _, status = os.waitpid(pid, 0)
        except BaseException:  # interrupted: the helper must not outlive the run
            if pid > 0:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            raise
        finally:
            os.close(tickets)
    theirs = _helper_results(payload, status, chunks)
    if progress:
        progress(sum(len(found) for found in theirs.values()))
    results: dict[str, FileFacts | Unreadable] = {}
    for number, chunk in enumerate(chunks):
        found = mine.get(number) or theirs.get(number)
        if found is None:  # the helper's, lost with it
            found = _batch(chunk)
            if progress:
                progress(len(chunk))
        for facts in found:
            results[facts.path] = facts
    return results
