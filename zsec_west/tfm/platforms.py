"""Which TF-M platform (TFM_BOARD) a board maps to: the tree's Kconfig.tfm, else a shipped table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from zsec_west.errors import DataFileError

DATA_FILE = "data/tfm-boards.yaml"
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


@lru_cache(maxsize=1)
def shipped_table() -> PlatformTable:
    """The table in data/tfm-boards.yaml, validated."""
    text = resources.files("zsec_west").joinpath(DATA_FILE).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(f"not valid YAML: {exc}", path=DATA_FILE) from None
    if not isinstance(data, dict) or not isinstance(data.get("platforms"), list):
        raise DataFileError("expected a mapping with a 'platforms' list", path=DATA_FILE)
    rules = []
    for index, entry in enumerate(data["platforms"], start=1):
        if (not isinstance(entry, dict) or not isinstance(entry.get("platform"), str)
                or not isinstance(entry.get("when"), list) or not entry["when"]
                or not all(isinstance(s, str) and re.fullmatch(r"[A-Z][A-Z0-9_]*", s)
                           for s in entry["when"])):
            raise DataFileError(f"entry {index}: needs 'platform' and a 'when' list of Kconfig "
                                "symbols", path=DATA_FILE)
        rules.append(PlatformRule(entry["platform"], tuple(entry["when"])))
    return PlatformTable(tuple(rules), f"shipped table ({data.get('source', DATA_FILE)})")


def load_table(zephyr_base: Path | None) -> PlatformTable:
    """Kconfig.tfm of the given tree when it has one with TFM_BOARD defaults, else the shipped table."""
    if zephyr_base is not None:
        path = zephyr_base / KCONFIG_TFM
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
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
