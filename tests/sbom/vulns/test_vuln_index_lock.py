"""Issue 15, defect 7: concurrent `zsec sbom --vulns` runs on a cold shared --db build the index
once. The others wait for the builder's lock, then find the fresh index and reuse it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import BUILDS, ROOT
from tests.sbom.vulns.test_vuln_feeds import NVD

PROCESSES = 20


def test_a_cold_shared_index_is_built_once_by_concurrent_runs(tmp_path: Path) -> None:
    db = tmp_path / "shared" / "vulns.sqlite"
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", XDG_CACHE_HOME=str(tmp_path / "cache"))
    runs = []
    started = time.monotonic()
    for number in range(PROCESSES):
        report = tmp_path / f"report-{number}.json"
        argv = [sys.executable, "-m", "zsec_west.cli.app", "sbom", "-d", str(BUILDS["hello"]),
                "--output-dir", str(tmp_path / f"sbom-{number}"), "--vuln-data", str(NVD),
                "--db", str(db), "--format", "json", "-o", str(report)]
        runs.append((report, subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                              text=True)))
    reports = []
    for report, process in runs:
        _, err = process.communicate(timeout=300)
        assert process.returncode in (0, 1), err
        reports.append(json.loads(report.read_text()))
    elapsed = time.monotonic() - started
    built = [r["facts"]["vulns"]["index_built"] for r in reports]
    print(f"{PROCESSES} concurrent runs: {elapsed:.1f} s, index built {built.count(True)} time(s)")
    assert built.count(True) == 1, f"the index was built {built.count(True)} times"
    findings = [sorted((f["rule_id"], f["status"], f["subject"]) for f in r["findings"])
                for r in reports]
    assert findings[0] and all(f == findings[0] for f in findings)
    assert {r["facts"]["vulns"]["records"] for r in reports} == {reports[0]["facts"]["vulns"]["records"]}
    leftovers = sorted(p.name for p in db.parent.iterdir() if p.name != db.name)
    assert all(not name.endswith(".tmp") for name in leftovers), leftovers


def test_a_builder_that_died_does_not_block_the_next(tmp_path: Path) -> None:
    """A holder killed mid-build (SIGKILL) leaves the lock file and a temporary file; the next
    run waits only while the holder lives, then builds, and the dead holder's .tmp is gone."""
    import threading

    from zsec_west.sbom.vulns.index import lock_path, open_index

    db = tmp_path / "vulns.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time\n"
         f"fd = os.open({str(lock_path(db))!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\n"
         f"open({str(tmp_path / ('.vulns.sqlite.zsec-' + '999999' + '-x.tmp'))!r}, 'w').close()\n"
         "print('locked', flush=True)\n"
         "time.sleep(120)\n"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    done: list[bool] = []

    def wait_and_build() -> None:
        index, built = open_index(db, [NVD], None)
        index.close()
        done.append(built)

    waiter = threading.Thread(target=wait_and_build)
    waiter.start()
    waiter.join(1.0)
    assert waiter.is_alive() and not db.exists()  # waits for the live holder
    holder.kill()
    holder.wait()
    waiter.join(60)
    assert done == [True] and db.is_file()
    assert not list(tmp_path.glob("*.tmp"))
