"""Benchmark: SBOM generation for a build the size of a real Zephyr build, against sha256sum.

Builds a synthetic workspace in a temporary directory (Zephyr, five modules, an application,
a build directory with compile_commands.json, a .ninja_deps log and a linker map): by default
3,000 compiled sources and 8,000 headers, 50 MB in all. Then it times

  * `sha256sum` over the same files (one digest per file, no SBOM: the lower limit), and
  * zsec's SBOM generation (inventory, SHA-1 + SHA-256 + licence scan per file, the document
    built, validated and written) in each format asked for (default: SPDX 2.3 JSON, SPDX 3.0.1
    JSON-LD and CycloneDX 1.6, one after the other over the same files),

and prints the wall times and each format's ratio to sha256sum, measured in the same run right
before it. Run: python bench/bench_sbom.py [--help]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zsec_west.builddir import load_build  # noqa: E402
from zsec_west.sbom.deps import encode_ninja_deps  # noqa: E402
from zsec_west.sbom.generate import SbomOptions, generate  # noqa: E402
from zsec_west.sbom.hashing import hash_files  # noqa: E402

LICENSES = ["Apache-2.0", "BSD-3-Clause", "MIT", "Apache-2.0 OR GPL-2.0-or-later", "Zlib"]
MODULES = [("hal_acme", "modules/hal/acme"), ("mbedtls", "modules/crypto/mbedtls"),
           ("picolibc", "modules/lib/picolibc"), ("littlefs", "modules/fs/littlefs"),
           ("lvgl", "modules/lib/gui/lvgl")]


def _content(rng: random.Random, size: int, license_id: str, number: int) -> bytes:
    header = (f"/*\n * Copyright (c) {2015 + number % 10} Example Corp {number % 7}\n *\n"
              f" * SPDX-License-Identifier: {license_id}\n */\n\n").encode()
    body_size = max(size - len(header), 0)
    # Text-like filler; the content does not matter for hashing speed.
    hexed = rng.randbytes(body_size // 2 + 1).hex()
    body = "\n".join(hexed[i:i + 79] for i in range(0, len(hexed), 79)).encode()[:body_size]
    return header + body


def make_workspace(root: Path, sources: int, headers: int, total_mb: float,
                   seed: int = 1) -> tuple[Path, list[Path]]:
    """The synthetic workspace; returns the build directory and every source/header file."""
    rng = random.Random(seed)
    zephyr = root / "zephyr"
    (zephyr).mkdir(parents=True)
    (zephyr / "VERSION").write_text("VERSION_MAJOR = 3\nVERSION_MINOR = 7\nPATCHLEVEL = 1\n")
    trees = [("zephyr", zephyr)] + [(name, root / path) for name, path in MODULES]
    trees.append(("app", root / "app"))
    average = total_mb * 1024 * 1024 / (sources + headers)
    files: list[Path] = []
    source_files: list[Path] = []
    header_files: list[Path] = []
    for index in range(sources + headers):
        tree_name, tree = trees[index % len(trees)] if index % 50 else trees[-1]
        is_source = index < sources
        sub = tree / ("src" if is_source else "include") / f"d{index % 40}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / (f"f{index}.c" if is_source else f"f{index}.h")
        size = int(rng.uniform(0.2, 1.8) * average)
        path.write_bytes(_content(rng, size, LICENSES[index % len(LICENSES)], index))
        files.append(path)
        (source_files if is_source else header_files).append(path)
    build = root / "build"
    (build / "zephyr").mkdir(parents=True)
    compiler = "/opt/toolchains/zephyr-sdk-0.16.8/arm-zephyr-eabi/bin/arm-zephyr-eabi-gcc"
    (build / "CMakeCache.txt").write_text("\n".join([
        f"CMAKE_CACHEFILE_DIR:INTERNAL={build}",
        f"APPLICATION_SOURCE_DIR:PATH={root / 'app'}",
        f"ZEPHYR_BASE:PATH={zephyr}",
        "ZEPHYR_TOOLCHAIN_VARIANT:INTERNAL=zephyr",
        "ZEPHYR_SDK_INSTALL_DIR:INTERNAL=/opt/toolchains/zephyr-sdk-0.16.8",
        f"CMAKE_C_COMPILER:STRING={compiler}",
        "CMAKE_PROJECT_VERSION:STATIC=3.7.1",
        "BOARD:STRING=acme_board",
    ]) + "\n")
    (build / "zephyr" / ".config").write_text("CONFIG_BOARD=\"acme_board\"\n")
    (build / "zephyr_modules.txt").write_text("".join(
        f'"{name}":"{root / path}":"{root / path}"\n' for name, path in MODULES))
    include_flags = " ".join(f"-I{tree}/include" for _, tree in trees)
    commands = []
    records: dict[str, list[str]] = {}
    for number, source in enumerate(source_files):
        obj = f"CMakeFiles/t.dir/{number}.c.obj"
        commands.append({"directory": str(build), "file": str(source),
                         "command": f"{compiler} -DKERNEL -Os {include_flags} -imacros "
                                    f"{build}/zephyr/include/generated/autoconf.h "
                                    f"-o {obj} -c {source}"})
        records[obj] = [str(source)] + [str(h) for h in rng.sample(header_files, 40)]
    (build / "compile_commands.json").write_text(json.dumps(commands, indent=1))
    (build / ".ninja_deps").write_bytes(encode_ninja_deps(records))
    generated = build / "zephyr" / "include" / "generated"
    generated.mkdir(parents=True)
    (generated / "autoconf.h").write_text("#define CONFIG_BOARD \"acme_board\"\n")
    (build / "zephyr" / "zephyr.map").write_text("LOAD app/libapp.a\nLOAD zephyr/libzephyr.a\n\n"
                                                 "Linker script and memory map\n")
    (build / "zephyr" / "zephyr.bin").write_bytes(rng.randbytes(200_000))
    (build / "zephyr" / "zephyr.elf").write_bytes(rng.randbytes(900_000))
    return build, files


def time_sha256sum(files: list[Path]) -> float | None:
    tool = shutil.which("sha256sum")
    if not tool:
        return None
    listing = b"\0".join(str(f).encode() for f in files)
    start = time.perf_counter()
    subprocess.run(["xargs", "-0", tool], input=listing, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def _time_format(fmt: str, root: Path, build_dir: Path, files: list[Path]) -> None:
    limit = time_sha256sum(files)
    start = time.perf_counter()
    hash_files([str(f) for f in files])
    hashing = time.perf_counter() - start
    start = time.perf_counter()
    result = generate(load_build(build_dir), SbomOptions(output_dir=root / f"out-{fmt}", fmt=fmt))
    ours = time.perf_counter() - start
    listed = sum(d.files for d in result.documents)
    out_size = sum(d.path.stat().st_size for d in result.documents)
    print(f"zsec sbom ({fmt}): {ours:.2f} s wall, {listed} files listed, "
          f"document {out_size / 1e6:.1f} MB")
    phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings.items())
    print(f"  phases: {phases}")
    print(f"  hashing + licence scan alone, outside the run: {hashing:.2f} s")
    if limit is None:
        print("  sha256sum: not installed; no ratio")
    else:
        print(f"  sha256sum over the same files, just before: {limit:.2f} s wall")
        print(f"  ratio zsec / sha256sum ({fmt}): {ours / limit:.1f}x "
              f"(hashing alone: {hashing / limit:.1f}x)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=3000)
    parser.add_argument("--headers", type=int, default=8000)
    parser.add_argument("--total-mb", type=float, default=50.0)
    parser.add_argument("--format", action="append", choices=("spdx-json", "spdx-tv",
                                                              "spdx3-json", "cyclonedx"),
                        help="format(s) to time (repeatable; default: spdx-json, spdx3-json, "
                             "cyclonedx)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="zsec-bench-"))
    try:
        start = time.perf_counter()
        build_dir, files = make_workspace(root, args.sources, args.headers, args.total_mb)
        size = sum(f.stat().st_size for f in files)
        print(f"workspace: {len(files)} files ({args.sources} sources, {args.headers} headers), "
              f"{size / 1e6:.1f} MB, made in {time.perf_counter() - start:.1f} s")
        # Warm the page cache for both contenders alike.
        for path in files:
            path.read_bytes()
        for fmt in args.format or ["spdx-json", "spdx3-json", "cyclonedx"]:
            _time_format(fmt, root, build_dir, files)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
