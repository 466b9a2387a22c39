"""Stand-in for Zephyr's scripts/zephyr_module.py (what cmake/modules/zephyr_module.cmake runs).

Same discovery rules (build-flow.md section 1): the candidates are ZEPHYR_MODULES if given, else
the active projects of the west workspace (`west list`, zephyr itself and the manifest repository
left out), plus ZEPHYR_EXTRA_MODULES / EXTRA_ZEPHYR_MODULES (a directory there that is not a module
is fatal). A directory is a module if it has zephyr/module.yml (or .yaml), or both
zephyr/CMakeLists.txt and zephyr/Kconfig. module.yml is validated with pykwalify against the
schema file given (unknown keys are fatal, as in Zephyr). Order: by build.depends, else as found.

Writes what the CMake side reads: a CMake file with the ZEPHYR_<NAME>_* / SYSBUILD_<NAME>_*
variables and the module name lists, zephyr_modules.txt and sysbuild_modules.txt in Zephyr's
format, and the generated Kconfig.modules / Kconfig.sysbuild.modules menus.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml


def sanitized(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def west_projects(zephyr_base: Path) -> list[Path]:
    done = subprocess.run([sys.executable, "-m", "west", "list", "-f", "{abspath} {name}"],
                          cwd=zephyr_base, capture_output=True, text=True)
    if done.returncode != 0:
        return []  # not in a west workspace
    paths = []
    for line in done.stdout.splitlines():
        path, _, name = line.rpartition(" ")
        if name not in ("manifest", "zephyr") and Path(path).resolve() != zephyr_base.resolve():
            paths.append(Path(path))
    return paths


def module_meta(directory: Path, schema: Path | None) -> dict | None:
    for name in ("module.yml", "module.yaml"):
        path = directory / "zephyr" / name
        if path.is_file():
            meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if schema is not None:
                from pykwalify.core import Core
                from pykwalify.errors import SchemaError
                try:
                    Core(source_data=meta, schema_files=[str(schema)]).validate(raise_exception=True)
                except SchemaError as exc:
                    sys.exit(f"ERROR: Malformed module YAML file: {path}\n{exc}")
            return meta
    if (directory / "zephyr" / "CMakeLists.txt").is_file() and (directory / "zephyr" / "Kconfig").is_file():
        return {}
    return None


def cmake_list(text: str) -> list[Path]:
    return [Path(p) for p in text.replace(os.pathsep, ";").split(";") if p.strip()]


Module = tuple[str, Path, dict]


def discover(candidates: list[Path], extra: list[Path], schema: Path | None) -> list[Module]:
    found: list[Module] = []
    for directory in [*candidates, *extra]:
        meta = module_meta(directory, schema)
        if meta is None:
            if directory in extra:
                sys.exit(f"ERROR: {directory} given in ZEPHYR_EXTRA_MODULES is not a Zephyr module")
            continue
        name = meta.get("name", directory.name)
        if all(name != seen for seen, _, _ in found):
            found.append((name, directory.resolve(), meta))
    return found


def in_dependency_order(found: list[Module]) -> list[Module]:
    by_name = {entry[0]: entry for entry in found}
    ordered: list[Module] = []

    def visit(entry: Module) -> None:
        if entry in ordered:
            return
        for dep in (entry[2].get("build") or {}).get("depends", []) or []:
            if dep not in by_name:
                sys.exit(f"ERROR: module {entry[0]} depends on {dep}, which is not a module")
            visit(by_name[dep])
        ordered.append(entry)

    for entry in found:
        visit(entry)
    return ordered


def menu(name: str, directory: Path, kconfig: Path | None) -> list[str]:
    lines = [f'menu "{name} ({directory})"']
    if kconfig is not None and kconfig.is_file():
        lines.append(f'osource "{kconfig}"')
    return lines + [f"config ZEPHYR_{sanitized(name)}_MODULE", "\tbool", "\tdefault y", "endmenu", ""]


def outputs(ordered: list[Module]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"cmake": [], "kconfig": [], "sb_kconfig": [], "txt": [], "sb_txt": []}
    names, sb_names = [], []
    for name, directory, meta in ordered:
        upper = sanitized(name)
        build = meta.get("build") or {}
        cmake_dir = directory / build.get("cmake", "zephyr")
        out["cmake"].append(f'set(ZEPHYR_{upper}_MODULE_DIR "{directory}")')
        out["cmake"].append(f'set(SYSBUILD_{upper}_MODULE_DIR "{directory}")')
        if (cmake_dir / "CMakeLists.txt").is_file():
            out["cmake"].append(f'set(ZEPHYR_{upper}_CMAKE_DIR "{cmake_dir}")')
            names.append(name)
        out["txt"].append(f'"{name}":"{directory}":"{cmake_dir}"')
        out["kconfig"] += menu(name, directory, directory / build.get("kconfig", "zephyr/Kconfig"))
        sb_kconfig = build.get("sysbuild-kconfig")
        out["sb_kconfig"] += menu(name, directory, directory / sb_kconfig if sb_kconfig else None)
        if build.get("sysbuild-cmake"):
            sb_dir = directory / build["sysbuild-cmake"]
            out["cmake"].append(f'set(SYSBUILD_{upper}_CMAKE_DIR "{sb_dir}")')
            sb_names.append(name)
            out["sb_txt"].append(f'"{name}":"{directory}":"{sb_dir}"')
    out["cmake"].append(f'set(ZEPHYR_MODULE_NAMES "{";".join(names)}")')
    out["cmake"].append(f'set(SYSBUILD_MODULE_NAMES "{";".join(sb_names)}")')
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--zephyr-base", type=Path, required=True)
    p.add_argument("--modules", default="")
    p.add_argument("--extra-modules", default="")
    p.add_argument("--schema", type=Path)
    p.add_argument("--cmake-out", type=Path, required=True)
    p.add_argument("--kconfig-out", type=Path, required=True)
    p.add_argument("--sysbuild-kconfig-out", type=Path, required=True)
    p.add_argument("--zephyr-modules-txt", type=Path, required=True)
    p.add_argument("--sysbuild-modules-txt", type=Path, required=True)
    args = p.parse_args()

    candidates = cmake_list(args.modules) if args.modules else west_projects(args.zephyr_base)
    ordered = in_dependency_order(discover(candidates, cmake_list(args.extra_modules), args.schema))
    out = outputs(ordered)
    for path, key in ((args.cmake_out, "cmake"), (args.kconfig_out, "kconfig"),
                      (args.sysbuild_kconfig_out, "sb_kconfig"), (args.zephyr_modules_txt, "txt"),
                      (args.sysbuild_modules_txt, "sb_txt")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(out[key]) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
