"""Running `zsec` on hostile input: one forked child per run, under time and memory limits.

Starting a Python interpreter per run would cost more than most runs themselves. The test process
imports zsec once; each run is a fork of it that sets its own limits, points fds 0/1/2 at /dev/null
and two files, calls `zsec_west.cli.app.main(argv)` and leaves with its exit status. A run that
blocks (a FIFO), spins or allocates without end is killed by its limits and reported as such.

Limits per run: LIMIT_SECONDS of CPU time (RLIMIT_CPU: a run that spins dies of SIGXCPU); the
same time blocked (a child that has run LIMIT_SECONDS and used no CPU for a second is stuck, on
a FIFO say: the parent has it print its stack and kills it); WALL_SECONDS of wall time whatever
it does (SIGALRM); and LIMIT_BYTES of address space beyond what the test process had when it
forked (RLIMIT_AS; the forked image itself is shared, not allocated by the run). The CPU and
blocked limits, not a plain wall clock, keep a slow shared CI machine from failing a busy run.
"""

from __future__ import annotations

import faulthandler
import gc
import io
import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MIB = 1 << 20
LIMIT_SECONDS = 10
WALL_SECONDS = 30  # the backstop: no run lives longer, however busy the machine
LIMIT_BYTES = 512 * MIB
_GRACE = 5  # seconds the parent waits beyond WALL_SECONDS before it kills a child itself
_DUMP_WAIT = 0.3  # seconds between asking a stuck child for its stack and killing it


@dataclass(frozen=True)
class Run:
    """One command run: argv for `zsec`, in `cwd`, with extra environment variables."""

    argv: tuple[str, ...]
    cwd: Path
    env: tuple[tuple[str, str], ...] = ()
    trace: bool = False  # record the files and directories the run opens (Outcome.opened)


@dataclass(frozen=True)
class Outcome:
    run: Run
    code: int | None  # exit status, None when a signal ended the run
    signal: int | None
    out: str
    err: str
    seconds: float
    peak_kib: int  # the child's maximum resident set (it includes the shared parent image)
    blocked: bool = False  # killed by the parent for using no CPU past LIMIT_SECONDS
    opened: frozenset[str] = frozenset()  # absolute paths, with Run.trace
    cpu_seconds: float = 0.0

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def describe(self) -> str:
        how = f"exit {self.code}" if self.signal is None else f"killed by {signal.Signals(self.signal).name}"
        if self.blocked:
            how += f" (blocked: no CPU time after {LIMIT_SECONDS} s)"
        err = self.err if len(self.err) < 2000 else self.err[:1000] + " [...] " + self.err[-800:]
        return (f"zsec {' '.join(self.run.argv)}  (in {self.run.cwd}): {how} after {self.seconds:.2f} s, "
                f"peak {self.peak_kib // 1024} MiB\nstderr: {err!r}")


def _vm_size() -> int:
    """This process's address space in bytes (what a child starts with)."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _tracer(opened: set[str]) -> Callable[[str, tuple[Any, ...]], None]:
    """An audit hook noting every path opened or listed."""
    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.fsdecode(args[0])
            opened.add(os.path.normpath(os.path.join(os.getcwd(), path)))
    return hook


def _child(run: Run, out_path: Path, err_path: Path, address_space: int) -> None:
    """In the forked child: set the stage and the limits, run zsec, leave. Never returns."""
    code = 70
    opened: set[str] = set()
    try:
        os.chdir(run.cwd)
        if run.trace:
            sys.addaudithook(_tracer(opened))
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY),
                                (1, out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            new = os.open(path, flags, 0o644)
            os.dup2(new, fd)
            os.close(new)
        # What a real interpreter gives a script writing to files: strict UTF-8 on stdout,
        # backslashreplace on stderr.
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                      errors="strict")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace", line_buffering=True)
        for name in ("ZEPHYR_BASE", "ZSEC_PROFILE", "FORCE_COLOR"):
            os.environ.pop(name, None)
        os.environ.update({"NO_COLOR": "1", "XDG_CACHE_HOME": str(run.cwd / ".cache"),
                           "HOME": str(run.cwd)})
        os.environ.update(dict(run.env))
        for sig in (signal.SIGALRM, signal.SIGINT, signal.SIGTERM, signal.SIGXCPU, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_AS, (address_space + LIMIT_BYTES,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (LIMIT_SECONDS, LIMIT_SECONDS + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.alarm(WALL_SECONDS)
        # Where a run that is about to be killed for its time is stuck: on its stderr.
        faulthandler.register(signal.SIGUSR1, file=sys.stderr)
        faulthandler.dump_traceback_later(WALL_SECONDS - 0.5, file=sys.stderr)
        # Durability is not what these runs test, and thousands of fsyncs would make the disk,
        # not the code, the measure of the suite's time.
        os.fsync = lambda fd: None
        from zsec_west.cli.app import main

        try:
            code = main(list(run.argv))
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                sys.stderr.write(exc.code + "\n")
        try:
            sys.stdout.flush()
        except Exception:  # noqa: BLE001 - a strict stdout that cannot encode the report
            traceback.print_exc()
            code = 71
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - anything escaping main is what this suite looks for
        try:
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            code = 72
    finally:
        try:
            if run.trace:
                trace = "\n".join(sorted(opened)).encode("utf-8", "surrogateescape")
                fd = os.open(f"{err_path}.trace", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.write(fd, trace)
                os.close(fd)
        finally:
            os._exit(code & 0xFF)


@dataclass
class _Active:
    index: int
    pid: int
    started: float
    out_path: Path
    err_path: Path
    killed: bool = field(default=False)
    blocked_at: float = 0.0  # when the parent asked a stuck child for its stack
    cpu: int = -1
    cpu_changed: float = 0.0

    def idle(self, now: float) -> bool:
        """Blocked (on a FIFO, say) rather than working: no CPU time for a while."""
        return now - self.cpu_changed > _IDLE_AFTER and now - self.started > _IDLE_AFTER


_IDLE_AFTER = 0.5  # seconds without CPU time after which a child no longer counts as busy
_MAX_CHILDREN = 64  # busy or not


def run_all(runs: Sequence[Run], scratch: Path, workers: int | None = None) -> list[Outcome]:
    """Every run in a forked child, `workers` busy at a time, outcomes in the order of `runs`.

    A child that uses no CPU (blocked until its time limit kills it) does not hold a worker."""
    workers = workers or max(2, (os.cpu_count() or 2))
    scratch.mkdir(parents=True, exist_ok=True)
    results: list[Outcome | None] = [None] * len(runs)
    pending = list(range(len(runs)))
    pending.reverse()
    active: dict[int, _Active] = {}
    sys.stdout.flush()
    sys.stderr.flush()
    # A child's garbage collector would walk (and so copy) every object of the parent; frozen,
    # the parent's objects are left alone and forks stay cheap.
    gc.collect()
    gc.freeze()
    try:
        _run_children(runs, scratch, workers, results, pending, active)
    finally:
        gc.unfreeze()
    return [r for r in results if r is not None]


def _run_children(runs: Sequence[Run], scratch: Path, workers: int, results: list[Outcome | None],
                  pending: list[int], active: dict[int, _Active]) -> None:
    while pending or active:
        now = time.monotonic()
        while pending and len(active) < _MAX_CHILDREN and \
                sum(not c.idle(now) for c in active.values()) < workers:
            index = pending.pop()
            out_path, err_path = scratch / f"{index}.out", scratch / f"{index}.err"
            address_space = _vm_size()
            pid = os.fork()
            if pid == 0:
                _child(runs[index], out_path, err_path, address_space)
            now = time.monotonic()
            active[pid] = _Active(index, pid, now, out_path, err_path, cpu_changed=now)
        _wait(active, runs, results, workers if pending else 0)


def _police(child: _Active, now: float) -> None:
    """Kill a child that is stuck (past LIMIT_SECONDS with no CPU for a second), after it printed
    where; or one that outlived every limit."""
    age = now - child.started
    if child.killed:
        return
    if child.blocked_at:
        if now - child.blocked_at > _DUMP_WAIT:
            os.kill(child.pid, signal.SIGKILL)
            child.killed = True
    elif age > LIMIT_SECONDS and now - child.cpu_changed > 1.0:
        os.kill(child.pid, signal.SIGUSR1)  # faulthandler: the stack, on the child's stderr
        child.blocked_at = now
    elif age > WALL_SECONDS + _GRACE:
        os.kill(child.pid, signal.SIGKILL)
        child.killed = True


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return -1


def _wait(active: dict[int, _Active], runs: Sequence[Run], results: list[Outcome | None],
          workers: int) -> None:
    """Until a child ends, or one stops being busy so that another can start."""
    sampled = 0.0
    while True:
        now = time.monotonic()
        if now - sampled > 0.1:
            sampled = now
            for child in active.values():
                ticks = _cpu_ticks(child.pid)
                if ticks != child.cpu:
                    child.cpu, child.cpu_changed = ticks, now
            if sum(not c.idle(now) for c in active.values()) < workers and len(active) < _MAX_CHILDREN:
                return
        for pid, child in list(active.items()):
            reaped, status, usage = os.wait4(pid, os.WNOHANG)
            if reaped == 0:
                _police(child, now)
                continue
            del active[pid]
            results[child.index] = Outcome(
                run=runs[child.index],
                code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                out=_read(child.out_path), err=_read(child.err_path),
                seconds=now - child.started, peak_kib=usage.ru_maxrss, blocked=child.blocked_at > 0,
                opened=_read_trace(Path(f"{child.err_path}.trace")),
                cpu_seconds=usage.ru_utime + usage.ru_stime)
            for path in (child.out_path, child.err_path, Path(f"{child.err_path}.trace")):
                path.unlink(missing_ok=True)
            return
        time.sleep(0.002)


def _read_trace(path: Path) -> frozenset[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return frozenset()
    return frozenset(line for line in text.splitlines() if line)


def _read(path: Path, limit: int = 1 << 20) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("utf-8", "backslashreplace")
    except OSError:
        return ""


class DeadlineExceeded(BaseException):
    """Not an OSError (as TimeoutError is) nor an Exception: code that skips unreadable files
    with `except OSError` must not swallow the interruption and pass the test."""


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail (DeadlineExceeded) instead of hanging when the block takes longer than `seconds`: a
    test of code that used to block on a FIFO must fail, not stop the suite."""
    def expired(signum: int, frame: object) -> None:
        raise DeadlineExceeded(f"still running after {seconds} s (blocked?)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
