"""Benchmark: the whole `zsec sign` and `zsec sign verify` commands against `imgtool sign` and
`imgtool verify`, 1 MiB and 16 MiB images, ECDSA P-256 and RSA-2048, measured in the same run.

Every command runs as a fresh process through its console script, start-up included, as a user
runs it; the best of --repeat runs is reported with the ratio ours/imgtool. Both get compiled
bytecode (a cache in a temporary directory, warmed once), as an installed package has. The floor
is a process that does the least any signer must: start the interpreter, import `cryptography`,
read the firmware and hash it once (SHA-256). Memory: the peak RSS of each process, and the
largest allocation our core makes beyond its input while signing and verifying in-process
(traced, in image sizes: 1.00 is one copy of the image; sign_runner.py `core`).

    python bench/bench_sign.py [--repeat 7] [--sizes 1,16]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
FLOOR = ("import sys, hashlib\nfrom cryptography.hazmat.primitives.asymmetric import ec\n"
         "hashlib.sha256(open(sys.argv[1], 'rb').read()).digest()\n")


def script(name: str) -> str:
    """The console script `name` installed beside this interpreter (else on PATH)."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed (pip install -e '.[test]')")
    return found


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time and peak RSS (bytes; ru_maxrss of this child via wait4) of one process."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: wait4 must not block on a full pipe
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"failed: {' '.join(cmd)}\n{err.read().decode()}")
    return elapsed, usage.ru_maxrss * 1024  # Linux reports KiB


def best(cmd: list[str], repeat: int, env: dict[str, str]) -> tuple[float, int]:
    timed(cmd, env)  # warm: bytecode cache, page cache
    runs = [timed(cmd, env) for _ in range(repeat)]
    return min(t for t, _ in runs), max(r for _, r in runs)


def write_key(path: Path, kind: str) -> Path:
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "ecdsa-p256" else rsa.generate_private_key(65537, 2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def core_peaks(key: Path, infile: Path, slot: str, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(RUNNER), "core", str(key), str(infile), slot, "1"],
                         check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sizes", default="1,16", help="image sizes in MiB, comma separated")
    args = parser.parse_args()
    zsec, imgtool = script("zsec"), script("imgtool")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        bare, _ = best([sys.executable, "-c", "pass"], args.repeat, env)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; bare interpreter start {bare:.3f} s; "
              f"best of {args.repeat}; whole commands (console scripts), start-up included")
        header = (f"{'size':>6} {'key':<11} {'op':<6} {'zsec s':>7} {'imgtool s':>9} {'ratio':>6} "
                  f"{'floor s':>8} {'floor/imgtool':>13} {'zsec RSS MiB':>12} {'imgtool RSS MiB':>15} "
                  f"{'core peak/size':>14}")
        print(header)
        print("-" * len(header))
        for size_mib in (int(s) for s in args.sizes.split(",")):
            size = size_mib * MIB
            infile = root / f"in{size_mib}.bin"
            with infile.open("wb") as f:
                for _ in range(size_mib):
                    f.write(os.urandom(MIB))
            slot = hex(size + MIB)
            floor, _ = best([sys.executable, "-c", FLOOR, str(infile)], args.repeat, env)
            for kind in ("ecdsa-p256", "rsa-2048"):
                key = write_key(root / f"{kind}.pem", kind)
                ours, theirs = root / "ours.bin", root / "theirs.bin"
                common = ["-H", "0x200", "--pad-header", "-S", slot, "-v", "1.2.3"]
                sign_ours = best([zsec, "sign", "-k", str(key), *common, str(infile), str(ours)], args.repeat, env)
                sign_theirs = best([imgtool, "sign", "-k", str(key), *common, str(infile), str(theirs)],
                                   args.repeat, env)
                # Each verifies the other's output once; then both time the same image.
                timed([imgtool, "verify", "-k", str(key), str(ours)], env)
                timed([zsec, "sign", "verify", "-k", str(key), str(theirs)], env)
                verify_ours = best([zsec, "sign", "verify", "-k", str(key), str(ours)], args.repeat, env)
                verify_theirs = best([imgtool, "verify", "-k", str(key), str(ours)], args.repeat, env)
                peaks = core_peaks(key, infile, slot, env)
                for op, (t_ours, rss), (t_theirs, rss_theirs), peak in (
                        ("sign", sign_ours, sign_theirs, peaks["sign_peak"]),
                        ("verify", verify_ours, verify_theirs, peaks["verify_peak"])):
                    print(f"{size_mib:>4}Mi {kind:<11} {op:<6} {t_ours:>7.3f} {t_theirs:>9.3f} "
                          f"{t_ours / t_theirs:>6.2f} {floor:>8.3f} {floor / t_theirs:>13.2f} "
                          f"{rss / MIB:>12.1f} {rss_theirs / MIB:>15.1f} {peak / size:>14.2f}")


if __name__ == "__main__":
    main()
