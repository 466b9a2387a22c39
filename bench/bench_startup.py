"""Benchmark: start-up of each zsec command, against the bare interpreter and `west --help`.

Every case runs as a fresh process, as a user would start it; the median of --repeat runs is
reported, with the number of modules the process imported (from `-X importtime`) and whether it
imported `cryptography`, CycloneDX or spdx-tools. The peers, measured in the same run, are
`python -c pass` (the floor: interpreter start) and `west --help` (the front end users already
start for every build).

    python bench/bench_startup.py [--repeat 7] [--ref GIT_REF]

With --ref, the same commands also run on a checkout of GIT_REF (a temporary git worktree), so
one run shows before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/nrf52840-mcuboot"
TFM = "tests/data/builds/tfm-ns"


def cases(out: str) -> dict[str, list[str]]:
    app = [sys.executable, "-m", "zsec_west.cli.app"]
    return {
        "zsec --help": [*app, "--help"],
        "zsec sign --help": [*app, "sign", "--help"],
        "zsec check -d example": [*app, "check", "-d", EXAMPLE, "--exit-zero"],
        "zsec tfm -d tfm-ns": [*app, "tfm", "-d", TFM, "--exit-zero"],
        "zsec sbom spdx-json": [*app, "sbom", "-d", EXAMPLE, "--output-dir", out,
                                "--sbom-format", "spdx-json"],
        "zsec sbom cyclonedx": [*app, "sbom", "-d", EXAMPLE, "--output-dir", out,
                                "--sbom-format", "cyclonedx"],
    }


def peers() -> dict[str, list[str]]:
    found = {"python -c pass": [sys.executable, "-c", "pass"]}
    west = shutil.which("west")
    if west:
        found["west --help"] = [west, "--help"]
    return found


def median_wall(cmd: list[str], cwd: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(cwd)}, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def imports(cmd: list[str], cwd: Path) -> tuple[int, set[str]]:
    """How many modules the process imported, and which of the heavy ones."""
    if cmd[0] != sys.executable:
        return 0, set()
    done = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(cwd)}, check=False)
    names = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:") and "|" in line]
    heavy = {"cryptography", "cyclonedx", "spdx_tools"} & {n.split(".")[0] for n in names}
    return len(names), heavy


def run(tree: Path, repeat: int, label: str) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as out:
        for name, cmd in cases(out).items():
            wall = median_wall(cmd, tree, repeat)
            count, heavy = imports(cmd, tree)
            results[name] = wall
            print(f"  {label:6} {name:24} {wall:6.3f} s  {count:4d} modules  "
                  f"{', '.join(sorted(heavy)) or '-'}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--ref", help="also measure this git ref (e.g. the commit before a change)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; median of {args.repeat}")
    floor = {}
    for name, cmd in peers().items():
        floor[name] = median_wall(cmd, ROOT, args.repeat)
        print(f"  peer   {name:24} {floor[name]:6.3f} s")
    now = run(ROOT, args.repeat, "now")
    before: dict[str, float] = {}
    if args.ref:
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "ref"
            subprocess.run(["git", "worktree", "add", "-q", "--detach", str(tree), args.ref],
                           cwd=ROOT, check=True)
            try:
                before = run(tree, args.repeat, "before")
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                               check=False)
    west = floor.get("west --help")
    print("ratios (now / peer" + (", now / before" if before else "") + "):")
    for name, wall in now.items():
        parts = [f"{wall / floor['python -c pass']:5.1f}x python"]
        if west:
            parts.append(f"{wall / west:5.2f}x west --help")
        if name in before:
            parts.append(f"{wall / before[name]:5.2f}x before")
        print(f"  {name:24} " + ", ".join(parts))


if __name__ == "__main__":
    main()
