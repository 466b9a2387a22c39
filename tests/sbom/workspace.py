"""A small, real Zephyr-like workspace and build directory on disk, for SBOM tests.

The fixture builds have stale paths (the normal "copied build" case); this one has every
file, so hashes, licences and copyrights can be checked against the real bytes:

  zephyr/            VERSION 3.6.0, kernel, lib, a board, headers (Apache-2.0)
  modules/crypto/mbedtls   zephyr/module.yml with security external-references (3.6.2)
  modules/lib/acmelib      a git checkout tagged v1.2.3 with a GitHub remote; an unknown
                           licence identifier (Acme-1.0) and a LicenseRef
  modules/lib/unused       known to the build, used by nothing
  app/               VERSION 2.0.1
  sdk/zephyr-sdk-0.16.8    the toolchain (compiler, stdint.h, libgcc.a)
  build/             CMakeCache.txt, compile_commands.json, .ninja_deps, zephyr_modules.txt,
                     zephyr.map, generated headers, zephyr.elf/.bin
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.sbom.deps import encode_ninja_deps


def header(license_id: str | None, *notices: str) -> str:
    lines = ["/*"] + [f" * {n}" for n in notices]
    if license_id:
        lines += [" *", f" * SPDX-License-Identifier: {license_id}"]
    return "\n".join(lines + [" */", ""])


@dataclass
class Workspace:
    root: Path
    zephyr: Path
    app: Path
    build: Path
    sdk: Path
    modules: dict[str, Path] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)  # compiled, as in compile_commands.json
    headers: list[Path] = field(default_factory=list)  # in .ninja_deps, not compiled
    compiler: Path | None = None

    def write(self, path: Path, text: str | bytes) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path


def _git(path: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_SYSTEM=os.devnull)
    subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, env=env)


def git_commit(path: Path, message: str = "change") -> None:
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", message)


def make_workspace(root: Path, *, compile_commands: bool = True, ninja_deps: bool = True,
                   map_file: bool = True, git_module: bool = True) -> Workspace:
    ws = Workspace(root, root / "zephyr", root / "app", root / "build",
                   root / "sdk" / "zephyr-sdk-0.16.8")
    w = ws.write
    w(ws.zephyr / "VERSION", "VERSION_MAJOR = 3\nVERSION_MINOR = 6\nPATCHLEVEL = 0\n"
                             "VERSION_TWEAK = 0\nEXTRAVERSION =\n")
    sched = w(ws.zephyr / "kernel" / "sched.c",
              header("Apache-2.0", "Copyright (c) 2018 Intel Corporation")
              + "#include <zephyr/kernel.h>\nint z_sched(void) { return 0; }\n")
    cbprintf = w(ws.zephyr / "lib" / "os" / "cbprintf.c",
                 header("Apache-2.0") + "int cbprintf(void) { return 1; }\n")
    board = w(ws.zephyr / "boards" / "acme" / "acme_board" / "board.c",
              header("Apache-2.0", "Copyright (c) 2023 Acme Corp")
              + "void board_init(void) {}\n")
    kernel_h = w(ws.zephyr / "include" / "zephyr" / "kernel.h",
                 header("Apache-2.0", "Copyright (c) 2016 Wind River Systems, Inc.")
                 + "#pragma once\n")

    mbedtls = root / "modules" / "crypto" / "mbedtls"
    ws.modules["mbedtls"] = mbedtls
    w(mbedtls / "zephyr" / "module.yml",
      "name: mbedtls\nbuild:\n  cmake: zephyr\nsecurity:\n  external-references:\n"
      "    - cpe:2.3:a:arm:mbed_tls:3.6.2:*:*:*:*:*:*:*\n"
      "    - pkg:github/Mbed-TLS/mbedtls@V3.6.2\n")
    aes = w(mbedtls / "library" / "aes.c",
            header("Apache-2.0 OR GPL-2.0-or-later", "Copyright The Mbed TLS Contributors")
            + "int mbedtls_aes(void) { return 0; }\n")
    aes_h = w(mbedtls / "include" / "mbedtls" / "aes.h",
              header("Apache-2.0 OR GPL-2.0-or-later", "Copyright The Mbed TLS Contributors"))

    acme = root / "modules" / "lib" / "acmelib"
    ws.modules["acmelib"] = acme
    acme_c = w(acme / "src" / "acme.c", header("Acme-1.0", "Copyright (c) 2020 Acme Corp")
               + "int acme(void) { return 2; }\n")
    acme_h = w(acme / "include" / "acme.h",
               header("LicenseRef-Acme-Proprietary", "SPDX-FileCopyrightText: 2021 Acme Corp"))
    w(acme / "zephyr" / "module.yml", "name: acmelib\n")
    if git_module:
        _git(acme, "init", "-q")
        _git(acme, "remote", "add", "origin", "https://github.com/acme-corp/acmelib.git")
        git_commit(acme, "first")
        _git(acme, "tag", "v1.2.3")

    unused = root / "modules" / "lib" / "unused"
    ws.modules["unused"] = unused
    w(unused / "src" / "unused.c", header("MIT") + "int unused(void) { return 3; }\n")

    w(ws.app / "VERSION", "VERSION_MAJOR = 2\nVERSION_MINOR = 0\nPATCHLEVEL = 1\n")
    w(ws.app / "prj.conf", "CONFIG_PRINTK=y\n")
    main_c = w(ws.app / "src" / "main.c", header("Apache-2.0", "Copyright (c) 2024 Acme Corp")
               + "int main(void) { return z_sched(); }\n")

    ws.compiler = w(ws.sdk / "arm-zephyr-eabi" / "bin" / "arm-zephyr-eabi-gcc", b"")
    w(ws.sdk / "sdk_version", "0.16.8\n")
    gcc_include = ws.sdk / "arm-zephyr-eabi" / "lib" / "gcc" / "arm-zephyr-eabi" / "12.2.0"
    stdint = w(gcc_include / "include" / "stdint.h",
               header("GPL-3.0-or-later WITH GCC-exception-3.1",
                      "Copyright (C) 2008-2022 Free Software Foundation, Inc."))
    libgcc = w(gcc_include / "thumb" / "libgcc.a", b"!<arch>\n" + bytes(range(256)) * 4)

    build = ws.build
    generated = build / "zephyr" / "include" / "generated" / "zephyr"
    autoconf = w(generated / "autoconf.h", "#define CONFIG_PRINTK 1\n")
    devicetree = w(generated / "devicetree_generated.h", "/* generated */\n")
    configs = w(build / "zephyr" / "misc" / "generated" / "configs.c", "/* generated */\n")
    ws.sources = [sched, cbprintf, board, aes, acme_c, main_c, configs]
    ws.headers = [kernel_h, aes_h, acme_h, stdint, autoconf, devicetree]

    w(build / "CMakeCache.txt", "\n".join([
        "# This is the CMakeCache file.",
        f"CMAKE_CACHEFILE_DIR:INTERNAL={build}",
        f"APPLICATION_SOURCE_DIR:PATH={ws.app}",
        f"ZEPHYR_BASE:PATH={ws.zephyr}",
        "ZEPHYR_TOOLCHAIN_VARIANT:INTERNAL=zephyr",
        f"ZEPHYR_SDK_INSTALL_DIR:INTERNAL={ws.sdk}",
        f"CMAKE_C_COMPILER:STRING={ws.compiler}",
        "CMAKE_PROJECT_VERSION:STATIC=3.6.0",
        "BOARD:STRING=acme_board",
        "CACHED_BOARD:STRING=acme_board",
    ]) + "\n")
    w(build / "zephyr" / ".config", 'CONFIG_BOARD="acme_board"\nCONFIG_PRINTK=y\n'
                                    'CONFIG_KERNEL_BIN_NAME="zephyr"\n')
    w(build / "zephyr_modules.txt", "".join(
        f'"{name}":"{path}":"{path}/zephyr"\n' for name, path in ws.modules.items()))
    includes = [ws.zephyr / "include", mbedtls / "include", acme / "include",
                gcc_include / "include", generated.parent]
    flags = " ".join(f"-I{d}" for d in includes)
    commands = []
    records: dict[str, list[str]] = {}
    dep_headers = {sched: [kernel_h, autoconf, stdint], aes: [aes_h, autoconf],
                   acme_c: [acme_h], main_c: [kernel_h, devicetree], board: [kernel_h]}
    for number, source in enumerate(ws.sources):
        obj = f"CMakeFiles/t{number}.dir/{source.name}.obj"
        commands.append({"directory": str(build), "file": str(source),
                         "command": f"{ws.compiler} -DKERNEL '-DNAME=\"acme board\"' {flags} "
                                    f"-imacros {autoconf} -o {obj} -c {source}"})
        records[obj] = [str(source)] + [str(h) for h in dep_headers.get(source, [])]
    if compile_commands:
        w(build / "compile_commands.json", json.dumps(commands, indent=2))
    if ninja_deps:
        w(build / ".ninja_deps", encode_ninja_deps(records))
    if map_file:
        w(build / "zephyr" / "zephyr.map",
          "Archive member included to satisfy reference by file (symbol)\n\n"
          "Linker script and memory map\n\n"  # GNU ld lists what it loaded after this line
          f"LOAD {libgcc}\nLOAD app/libapp.a\nLOAD zephyr/libzephyr.a\n")
    w(build / "zephyr" / "zephyr.elf", b"\x7fELF" + bytes(1000))
    w(build / "zephyr" / "zephyr.bin", bytes(range(256)) * 8)
    ws.headers.append(libgcc)
    return ws
