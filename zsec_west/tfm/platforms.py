"""Which TF-M platform (TFM_BOARD) a board maps to: the tree's Kconfig.tfm, else a shipped table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from zsec_west.errors import DataFileError, ZsecError
from zsec_west.files import shipped
from zsec_west.files.reading import read_input
from zsec_west.files.yamldoc import Checker, LineDict, LineList, located, parse_located

DATA_FILE = "tfm-boards.yaml"  # in zsec_west/data
KCONFIG_TFM = Path("modules/trusted-firmware-m/Kconfig.tfm")

_DEFAULT = re.compile(r'^\s*default\s+"(?P<value>[^"]*)"\s+if\s+(?P<expr>.+?)\s*(?:#.*)?$')
_SYMBOL = re.compile(r"(!?)\s*\b([A-Z][A-Z0-9_]*)\b")


@dataclass(frozen=True)
class PlatformRule:
    """`default "<platform>" if <symbols...>`: any of `symbols` selects the platform."""

    platform: str
    symbols: tuple[str, ...]
    line: int | None = None


@dataclass(frozen=True)
class PlatformTable:
    rules: tuple[PlatformRule, ...]
    source: str  # the Kconfig.tfm path, or the shipped table's description

    def lookup(self, symbols: Iterable[str]) -> str | None:
        """The platform of the first rule any of `symbols` satisfies (Kconfig's first default wins).

        A SoC rule also matches a more specific SoC symbol (SOC_NRF5340_CPUAPP matches
        SOC_NRF5340_CPUAPP_QKAA), since older board defconfigs name the package variant.
        """
        have = {s.removeprefix("CONFIG_") for s in symbols}
        for rule in self.rules:
            for symbol in rule.symbols:
                if symbol in have:
                    return rule.platform
                if symbol.startswith("SOC_") and any(h.startswith(symbol + "_") for h in have):
                    return rule.platform
        return None


def parse_kconfig_tfm(text: str, source: str) -> PlatformTable:
    """The `default ... if ...` lines of `config TFM_BOARD` in Kconfig.tfm."""
    rules: list[PlatformRule] = []
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if re.match(r"^(menu)?config\s+TFM_BOARD\s*$", stripped):
            inside = True
            continue
        if not inside:
            continue
        if re.match(r"^(menu)?config\s|^(choice|endchoice|if|endif|menu|endmenu|source)\b",
                    stripped):
            break
        match = _DEFAULT.match(line)
        if match and match.group("value"):
            symbols = tuple(name for neg, name in _SYMBOL.findall(match.group("expr")) if not neg)
            if symbols:
                rules.append(PlatformRule(match.group("value"), symbols, number))
    return PlatformTable(tuple(rules), source)


def _symbol_problem(value: str) -> str | None:
    return None if re.fullmatch(r"[A-Z][A-Z0-9_]*", value) else "not a Kconfig symbol name"


def parse_table(text: str, source: str) -> PlatformTable:
    """A platform table (the shipped one's format); errors name `file:line` and field."""
    data = parse_located(text, source)
    if not isinstance(data, LineDict) or not isinstance(data.get("platforms"), LineList):
        raise DataFileError("expected a mapping with a 'platforms' list", path=located(source, data))
    entries = data["platforms"]
    rules = []
    for index, entry in enumerate(entries):
        check = Checker(source, entry, f"entry {index + 1}", entries.line_of(index))
        check.only(("platform", "when"))
        platform = check.string("platform", required=True)
        symbols = check.strings("when", _symbol_problem)
        if not symbols:
            raise check.fail("when", "needs a list of Kconfig symbols")
        rules.append(PlatformRule(platform, symbols, entries.line_of(index)))
    return PlatformTable(tuple(rules), f"shipped table ({data.get('source', source)})")


@lru_cache(maxsize=1)
def shipped_table() -> PlatformTable:
    """The table in data/tfm-boards.yaml, validated."""
    return parse_table(shipped.read_text(DATA_FILE), shipped.label(DATA_FILE))


def load_table(zephyr_base: Path | None) -> PlatformTable:
    """Kconfig.tfm of the given tree when it has one with TFM_BOARD defaults, else the shipped table."""
    if zephyr_base is not None:
        path = zephyr_base / KCONFIG_TFM
        try:  # unreadable (missing, a FIFO, huge ...): the shipped table, which the report names
            text = read_input(path, "build").decode("utf-8", errors="replace")
        except ZsecError:
            text = ""
        if text:
            table = parse_kconfig_tfm(text, str(path))
            if table.rules:
                return table
    return shipped_table()


def display_platform(platform: str | None) -> str | None:
    """Zephyr-local platforms are long paths; `$(ZEPHYR_BASE)/modules/trusted-firmware-m/nordic/x`
    reads better as `nordic/x (in Zephyr)`. Others are shown as they are."""
    if not platform:
        return platform
    match = re.search(r"modules/trusted-firmware-m/(.+)$", platform.replace("\\", "/"))
    if match and (platform.startswith(("$(", "${")) or "/zephyr/" in platform.replace("\\", "/")):
        return f"{match.group(1)} (in Zephyr)"
    return platform
