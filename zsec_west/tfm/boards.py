"""Boards of a Zephyr workspace that have a non-secure variant TF-M can sit under.

HWMv2 boards (Zephyr >= 3.7) declare it in board.yml as a SoC variant named `ns`
(`mps2/an521/cpu0/ns`); older trees had separate boards named `*_ns`, `*_nonsecure` or `*ns`
whose defconfig sets CONFIG_TRUSTED_EXECUTION_NONSECURE=y.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zsec_west.builddir.modules import read_module_yml
from zsec_west.errors import DataFileError, ZsecError
from zsec_west.files.reading import exists, is_dir, is_file, read_input
from zsec_west.files.yamldoc import YamlSyntaxError, line_of, load_yaml
from zsec_west.tfm.platforms import PlatformTable

_MAX_DEPTH = 4  # boards/<vendor>/<board>/ and a family level or two below it
_SKIP_DIRS = {".git", "doc", "support", "__pycache__", "node_modules"}
_LEGACY_SUFFIX = re.compile(r"(_ns|_nonsecure|ns)$")
_NONSECURE = re.compile(r"^CONFIG_TRUSTED_EXECUTION_NONSECURE=y\s*$", re.M)
_SOC_LINE = re.compile(r"^CONFIG_(SOC_[A-Z0-9_]+)=y\s*$", re.M)


@dataclass(frozen=True)
class BoardRoot:
    """A directory with a `boards/` tree: Zephyr itself or a module's board_root."""

    origin: str  # "zephyr" or the module name
    path: Path  # the directory that holds boards/


@dataclass(frozen=True)
class NsBoard:
    """One non-secure board target."""

    target: str  # what to pass to `west build -b`
    board: str
    soc: str | None
    cluster: str | None
    style: str  # "hwmv2" or "legacy"
    origin: str
    path: str  # the board directory
    symbol: str  # its Kconfig symbol, e.g. BOARD_MPS2_AN521_CPU0_NS
    tfm_platform: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "board": self.board, "soc": self.soc,
                "cpucluster": self.cluster, "style": self.style, "origin": self.origin,
                "path": self.path, "kconfig_symbol": self.symbol,
                "tfm_platform": self.tfm_platform}


@dataclass(frozen=True)
class BoardProblem:
    path: str
    message: str


@dataclass
class BoardScan:
    boards: list[NsBoard] = field(default_factory=list)
    problems: list[BoardProblem] = field(default_factory=list)
    roots: list[BoardRoot] = field(default_factory=list)
    platform_source: str = ""

    def for_board(self, board: str, soc: str | None = None) -> list[NsBoard]:
        return [b for b in self.boards if b.board == board and (soc is None or b.soc in (None, soc))]


def kconfig_name(text: str) -> str:
    """Kconfig's spelling of a board or SoC name: upper case, anything else an underscore."""
    return re.sub(r"[^A-Za-z0-9]", "_", text).upper()


def candidate_symbols(board: str, qualifiers: list[str], soc: str | None,
                      cluster: str | None) -> set[str]:
    """Kconfig symbols that are y when this board target is built (what TFM_BOARD defaults test)."""
    symbols = {f"BOARD_{kconfig_name(board)}",
               f"BOARD_{kconfig_name('_'.join([board, *qualifiers]))}"}
    if soc:
        symbols.add(f"SOC_{kconfig_name(soc)}")
        if cluster:
            symbols.add(f"SOC_{kconfig_name(soc)}_{kconfig_name(cluster)}")
    return symbols


def _walk_variants(variants: Any, prefix: list[str], cluster: str | None) -> Iterator[tuple[list[str], str | None]]:
    if not isinstance(variants, list):
        return
    for variant in variants:
        if not isinstance(variant, dict) or not isinstance(variant.get("name"), str):
            continue
        own_cluster = variant.get("cpucluster") or cluster
        names = prefix + ([str(own_cluster)] if own_cluster and own_cluster != cluster else []) \
            + [variant["name"]]
        yield names, own_cluster
        yield from _walk_variants(variant.get("variants"), names, own_cluster)


def _read_board_yml(path: Path) -> Any:
    try:
        return load_yaml(path, strict=False)  # as Zephyr's own board scripts read it
    except YamlSyntaxError as exc:
        raise ValueError(f"not valid YAML at line {exc.line}" if exc.line else "not valid YAML") from None
    except DataFileError as exc:
        raise ValueError(f"cannot read: {exc.message}") from None


def _problem(node: Any, text: str) -> ValueError:
    line = line_of(node)
    return ValueError(f"line {line}: {text}" if line else text)


def _extension_boards(entry: dict, path: Path, origin: str, table: PlatformTable) -> list[NsBoard]:
    """A board extension adds variants to a board defined elsewhere."""
    base = str(entry["extend"])
    found = []
    for variant in entry.get("variants") or []:
        if isinstance(variant, dict) and variant.get("name") == "ns" and variant.get("qualifier"):
            parts = str(variant["qualifier"]).split("/")
            cluster = parts[1] if len(parts) > 1 else None
            found.append(_ns_board(base, [*parts, "ns"], parts[0], cluster, path, origin, table))
    return found


def _board_entry(entry: Any, path: Path, origin: str, table: PlatformTable) -> list[NsBoard]:
    if not isinstance(entry, dict):
        raise _problem(entry, "a board entry is not a mapping")
    if "extend" in entry:
        return _extension_boards(entry, path, origin, table)
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise _problem(entry, "a board entry has no name")
    socs = entry.get("socs")
    if socs is not None and not isinstance(socs, list):
        raise _problem(entry, f"board {name}: 'socs' is not a list")
    found = []
    for soc in socs or []:
        if not isinstance(soc, dict) or not isinstance(soc.get("name"), str):
            raise _problem(soc, f"board {name}: a SoC entry has no name")
        for names, cluster in _walk_variants(soc.get("variants"), [], None):
            if names[-1] == "ns":
                found.append(_ns_board(name, [soc["name"], *names], soc["name"], cluster, path,
                                       origin, table))
    return found


def parse_board_yml(path: Path, origin: str, table: PlatformTable) -> list[NsBoard]:
    """The `ns` variants declared in one board.yml; raises ValueError when it is malformed."""
    data = _read_board_yml(path)
    if not isinstance(data, dict) or not ({"board", "boards"} & set(data)):
        raise ValueError("expected a mapping with 'board' or 'boards'")
    listed = data.get("boards") or []
    if not isinstance(listed, list):
        raise _problem(listed if line_of(listed) else data, "'boards' is not a list")
    found: list[NsBoard] = []
    for entry in ([data["board"]] if "board" in data else []) + listed:
        found += _board_entry(entry, path, origin, table)
    return found


def _ns_board(board: str, qualifiers: list[str], soc: str | None, cluster: str | None,
              path: Path, origin: str, table: PlatformTable) -> NsBoard:
    symbols = candidate_symbols(board, qualifiers, soc, cluster)
    return NsBoard(
        target="/".join([board, *qualifiers]), board=board, soc=soc, cluster=cluster,
        style="hwmv2", origin=origin, path=str(path.parent),
        symbol=f"BOARD_{kconfig_name('_'.join([board, *qualifiers]))}",
        tfm_platform=table.lookup(symbols),
    )


def _legacy_boards(directory: Path, files: Iterable[str], origin: str,
                   table: PlatformTable, problems: list[BoardProblem]) -> list[NsBoard]:
    found = []
    for name in sorted(files):
        if not name.endswith("_defconfig"):
            continue
        board = name[: -len("_defconfig")]
        try:  # a FIFO or device here must not block the scan
            text = read_input(directory / name, "build").decode("utf-8", errors="replace")
        except ZsecError as exc:
            problems.append(BoardProblem(str(directory / name), exc.message))
            continue
        nonsecure = bool(_NONSECURE.search(text))
        suffix = _LEGACY_SUFFIX.search(board)
        # A bare "...ns" suffix is only trusted when the defconfig confirms it.
        if not nonsecure and not (suffix and suffix.group(1) != "ns"):
            continue
        symbols = {f"BOARD_{kconfig_name(board)}", *_SOC_LINE.findall(text)}
        found.append(NsBoard(target=board, board=board, soc=None, cluster=None, style="legacy",
                             origin=origin, path=str(directory),
                             symbol=f"BOARD_{kconfig_name(board)}",
                             tfm_platform=table.lookup(symbols)))
    return found


def scan_boards(roots: list[BoardRoot], table: PlatformTable) -> BoardScan:
    """Every non-secure board under the roots' boards/ trees; bad board.yml files are listed."""
    scan = BoardScan(roots=list(roots), platform_source=table.source)
    for root in roots:
        boards_dir = root.path / "boards"
        if not is_dir(boards_dir):
            scan.problems.append(BoardProblem(str(boards_dir), "board root has no boards/ directory"))
            continue
        base_depth = len(boards_dir.parts)
        for current, dirs, files in os.walk(boards_dir):
            directory = Path(current)
            depth = len(directory.parts) - base_depth
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
            if depth >= _MAX_DEPTH:
                dirs[:] = []
            if "board.yml" in files:
                try:
                    scan.boards += parse_board_yml(directory / "board.yml", root.origin, table)
                except ValueError as exc:
                    scan.problems.append(BoardProblem(str(directory / "board.yml"), str(exc)))
            elif depth >= 1:
                scan.boards += _legacy_boards(directory, files, root.origin, table, scan.problems)
    scan.boards.sort(key=lambda b: (b.origin != "zephyr", b.origin, b.target))
    return scan


def module_board_root(module_dir: Path) -> tuple[str, Path] | None:
    """(module name, board root) from a module's zephyr/module.yml `build: settings: board_root:`."""
    data = read_module_yml(module_dir)
    if data is None:
        return None
    build = data.get("build")
    settings = build.get("settings") if isinstance(build, dict) else None
    board_root = settings.get("board_root") if isinstance(settings, dict) else None
    if not isinstance(board_root, str) or not board_root:
        return None
    name = data.get("name")
    if not isinstance(name, str):
        name = module_dir.name
    return name, module_dir / board_root


def workspace_modules(topdir: Path, skip: Iterable[Path] = ()) -> list[Path]:
    """Directories under a west workspace that hold a zephyr/module.yml (a few levels deep)."""
    skipped = {p.resolve() for p in skip if exists(p)}
    found: list[Path] = []
    base_depth = len(topdir.parts)
    for current, dirs, _files in os.walk(topdir):
        directory = Path(current)
        if directory.resolve() in skipped:
            dirs[:] = []
            continue
        if is_file(directory / "zephyr" / "module.yml"):
            found.append(directory)
            dirs[:] = []
            continue
        if is_file(directory / "CMakeCache.txt"):  # a build directory: big, and no modules
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        if len(directory.parts) - base_depth >= _MAX_DEPTH:
            dirs[:] = []
    return found


def board_roots(zephyr_base: Path | None, module_dirs: Iterable[Path]) -> list[BoardRoot]:
    """Zephyr's own board root first, then each module that declares one."""
    roots: list[BoardRoot] = []
    if zephyr_base is not None:
        roots.append(BoardRoot("zephyr", zephyr_base))
    seen = {r.path.resolve() for r in roots}
    for module in module_dirs:
        found = module_board_root(module)
        if found and found[1].resolve() not in seen:
            seen.add(found[1].resolve())
            roots.append(BoardRoot(found[0], found[1]))
    return roots
