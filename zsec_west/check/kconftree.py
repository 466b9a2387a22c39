"""Loading a domain's Kconfig tree with kconfiglib, to tell which recommended values can be set.

A value that looks right in a fragment can still do nothing: the symbol depends on something the
target lacks, has no prompt, or is forced by a `select`. kconfiglib answers that, but it needs
the environment the build gave it (ZEPHYR_BASE, BOARD_DIR, module Kconfig paths ...), which the
build recorded in the menuconfig/hardenconfig rule of build.ninja (Domain.kconfig_env). Paths in
that environment are moved to where the tree and the build directory are now; generated files
the build directory no longer has are stood in for from zephyr_modules.txt and the .config.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zsec_west.builddir.model import Domain
from zsec_west.builddir.modules import module_variable
from zsec_west.files.reading import is_dir, is_file
from zsec_west.rules.model import Expected


class TreeUnavailable(Exception):
    """The Kconfig tree cannot be loaded; the message says why (no traceback, no exit)."""


@dataclass(frozen=True)
class Blocked:
    symbol: str
    value: Expected
    reason: str


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """kconfiglib reads `$(VAR)` from os.environ; set it for the load and restore it after."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _moved(env: dict[str, str], old: str | None, new: Path) -> dict[str, str]:
    if not old or Path(old) == new:
        return env
    old = old.rstrip("/\\")
    return {key: (str(new) + value[len(old):] if value == old or value.startswith(old + "/")
                  else value) for key, value in env.items()}


def _modules_kconfig(domain: Domain, env: dict[str, str]) -> str:
    """A stand-in for the build's generated Kconfig.modules, from zephyr_modules.txt."""
    lines = []
    for module in domain.modules():
        var = module_variable(module.name, "KCONFIG")
        if var in env:
            lines.append(f'osource "$({var})"')
        else:
            lines.append(f'osource "{module.path}/zephyr/Kconfig"')
    return "\n".join(lines) + "\n"


def _dts_kconfig(domain: Domain) -> str:
    """Stand-in for Kconfig.dts: the devicetree facts the build had, as always-true symbols."""
    lines = []
    for name in domain.kconfig:
        symbol = domain.kconfig[name]
        if name.startswith("DT_HAS_") and symbol.value is True:
            lines.append(f"config {name}\n\tdef_bool y\n")
    return "\n".join(lines)


def load_tree(domain: Domain, zephyr_base: Path | None):  # -> kconfiglib.Kconfig
    """The domain's Kconfig tree with its .config loaded; TreeUnavailable when that cannot be."""
    import kconfiglib

    env = dict(domain.kconfig_env)
    if not env:
        raise TreeUnavailable("the build recorded no Kconfig environment (no menuconfig rule in "
                              "build.ninja)")
    recorded_base = env.get("ZEPHYR_BASE") or env.get("srctree")
    base = zephyr_base or (Path(recorded_base) if recorded_base else None)
    if base is None or not is_file(base / "Kconfig"):
        raise TreeUnavailable(f"the Zephyr tree {base} is not reachable here")
    env = _moved(env, recorded_base, base)
    recorded_config = env.get("KCONFIG_CONFIG")
    if recorded_config:
        env = _moved(env, str(Path(recorded_config).parent.parent), domain.build_dir)
    env.update(ZEPHYR_BASE=str(base), srctree=str(base), KCONFIG_CONFIG=str(domain.config_path))
    with tempfile.TemporaryDirectory(prefix="zsec-kconfig-") as scratch:
        binary_dir = Path(env.get("KCONFIG_BINARY_DIR", ""))
        if not is_dir(binary_dir):
            binary_dir = Path(scratch)
            (binary_dir / "Kconfig.modules").write_text(_modules_kconfig(domain, env), encoding="utf-8")
            (binary_dir / "Kconfig.dts").write_text(_dts_kconfig(domain), encoding="utf-8")
            env["KCONFIG_BINARY_DIR"] = str(binary_dir)
        try:
            with _environment(env):
                kconf = kconfiglib.Kconfig(str(base / "Kconfig"), warn=False, warn_to_stderr=False)
                kconf.load_config(str(domain.config_path))
        except kconfiglib.KconfigError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "parse error"
            raise TreeUnavailable(f"the Kconfig tree under {base} does not load: {first}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TreeUnavailable(f"the Kconfig tree under {base} does not load: {exc}") from None
    return kconf


def _text(value: Expected) -> str:
    return value if isinstance(value, str) else str(value)


def _reached(sym, value: Expected) -> bool:  # sym: kconfiglib.Symbol
    current = sym.str_value
    if isinstance(value, int):
        try:
            return int(current, 0) == value
        except ValueError:
            return False
    return current == value


def blocked_values(kconf, wanted: list[tuple[str, Expected]]) -> list[Blocked]:
    """Which of `wanted` (symbol, value) cannot be had on this target, and why."""
    import kconfiglib

    for _ in range(2):  # one recommendation may enable the dependency of another
        for name, value in wanted:
            sym = kconf.syms.get(name)
            if sym is not None and sym.nodes:
                sym.set_value(_text(value))
    result = []
    for name, value in wanted:
        sym = kconf.syms.get(name)
        if sym is None or not sym.nodes:
            result.append(Blocked(name, value, f"{name} is not defined in this Zephyr tree"))
            continue
        if _reached(sym, value):
            continue
        if kconfiglib.expr_value(sym.direct_dep) == 0:
            reason = (f"{name} depends on {kconfiglib.expr_str(sym.direct_dep)}, which this "
                      "target does not meet")
        elif kconfiglib.expr_value(sym.rev_dep) and sym.str_value == "y":
            reason = f"{name} is forced to y by {kconfiglib.expr_str(sym.rev_dep)}"
        elif sym.visibility == 0:
            reason = f"{name} has no prompt here; only other options (select/default) set it"
        else:
            reason = f"{name} stays {sym.str_value or '(unset)'} on this target"
        result.append(Blocked(name, value, reason))
    return result
