"""Benchmark: signing and verifying 1 MiB and 16 MiB MCUboot images, zsec core vs imgtool.

Both run as fresh processes (start-up included, as a user would see it). For each case the best
of --repeat runs is reported, with the ratio ours/imgtool, the time hashlib needs for one SHA-256
pass over the same bytes (a floor no signer can beat), the time our core itself takes in-process
(without start-up and file I/O) and the memory it allocates beyond its input at most (traced, in
image sizes: 1.00 is one copy of the image), and the peak RSS of each process.

    python bench/bench_sign.py [--repeat 5] [--sizes 1,16]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "sign_runner.py"
MIB = 1 << 20


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (bytes; ru_maxrss of this child via wait4) of one process."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: wait4 must not block on a full pipe
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.read().decode()}")
    return elapsed, usage.ru_maxrss * 1024  # Linux reports KiB


def best(cmd: list[str], repeat: int) -> tuple[float, int]:
    runs = [timed(cmd) for _ in range(repeat)]
    return min(t for t, _ in runs), max(r for _, r in runs)


def write_key(path: Path, kind: str) -> Path:
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "ecdsa-p256" else rsa.generate_private_key(65537, 2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def in_process(key: Path, infile: Path, slot: str, repeat: int) -> dict[str, float]:
    """Core and SHA-256 times and core peaks measured inside a runner process, so this one stays small: a child's
    ru_maxrss includes the parent's size at fork time."""
    out = subprocess.run([sys.executable, str(RUNNER), "core", str(key), str(infile), slot, str(repeat)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="1,16", help="image sizes in MiB, comma separated")
    args = parser.parse_args()
    imgtool = [sys.executable, "-m", "imgtool.main"]
    ours = [sys.executable, str(RUNNER)]
    baseline, _ = best([sys.executable, "-c", "pass"], args.repeat)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; bare interpreter start {baseline:.3f} s; "
          f"best of {args.repeat}")
    header = (f"{'size':>6} {'key':<11} {'op':<6} {'ours s':>8} {'imgtool s':>10} {'ratio':>6} "
              f"{'core s':>7} {'sha256 s':>9} {'core peak/size':>15} {'ours RSS MiB':>13} {'RSS/size':>9} "
              f"{'imgtool RSS MiB':>16}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for size_mib in (int(s) for s in args.sizes.split(",")):
            infile = root / f"in{size_mib}.bin"
            with infile.open("wb") as f:
                for _ in range(size_mib):
                    f.write(os.urandom(MIB))
            slot = hex(size_mib * MIB + MIB)
            for kind in ("ecdsa-p256", "rsa-2048"):
                key = write_key(root / f"{kind}.pem", kind)
                out_ours, out_theirs = root / "ours.bin", root / "theirs.bin"
                sign_ours = best([*ours, "sign", str(key), str(infile), str(out_ours), slot], args.repeat)
                sign_theirs = best([*imgtool, "sign", "-k", str(key), "-H", "0x200", "--pad-header", "-S", slot,
                                    "-v", "1.2.3", str(infile), str(out_theirs)], args.repeat)
                # Cross-check once: each verifies the other's output.
                timed([*imgtool, "verify", "-k", str(key), str(out_ours)])
                timed([*ours, "verify", str(key), str(out_theirs)])
                verify_ours = best([*ours, "verify", str(key), str(out_ours)], args.repeat)
                verify_theirs = best([*imgtool, "verify", "-k", str(key), str(out_ours)], args.repeat)
                inner = in_process(key, infile, slot, args.repeat)
                floor = inner["sha256"]
                for op, (t_ours, rss), (t_theirs, rss_theirs), core, peak in (
                        ("sign", sign_ours, sign_theirs, inner["sign"], inner["sign_peak"]),
                        ("verify", verify_ours, verify_theirs, inner["verify"], inner["verify_peak"])):
                    size = size_mib * MIB
                    print(f"{size_mib:>4}Mi {kind:<11} {op:<6} {t_ours:>8.3f} {t_theirs:>10.3f} "
                          f"{t_ours / t_theirs:>6.2f} {core:>7.4f} {floor:>9.4f} {peak / size:>15.2f} "
                          f"{rss / MIB:>13.1f} {rss / size:>9.2f} {rss_theirs / MIB:>16.1f}")


if __name__ == "__main__":
    main()
