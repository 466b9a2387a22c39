"""A domain's final Kconfig (`zephyr/.config`): typed values, with the line each came from."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from zsec_west.errors import BuildDirError
from zsec_west.files.reading import read_bytes

KValue = bool | int | str

_SET = re.compile(r"^(?P<name>[A-Za-z0-9_]+)=(?P<value>.*)$")
_UNSET = re.compile(r"^# (?P<name>[A-Za-z0-9_]+) is not set$")


@dataclass(frozen=True)
class Symbol:
    """One line of .config. `raw` is the text after '=' ('n' for '# X is not set')."""

    name: str  # without the prefix
    raw: str
    line: int

    @property
    def value(self) -> KValue:
        return typed_value(self.raw)

    @property
    def display(self) -> str:
        """The value as `hardenconfig` shows it: y, n, 2, 0x200, text without quotes."""
        raw = self.raw
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            return _unquote(raw)
        return raw


def _unquote(raw: str) -> str:
    return raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")


def typed_value(raw: str) -> KValue:
    """y/m -> True, n -> False, "text" -> str, decimal/hex -> int."""
    if raw in ("y", "m"):
        return True
    if raw == "n":
        return False
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return _unquote(raw)
    try:
        return int(raw, 0) if raw.lower().startswith(("0x", "-0x")) else int(raw)
    except ValueError:
        return raw


class KconfigValues(Mapping[str, Symbol]):
    """Symbols of one .config, keyed by name without prefix (CONFIG_ or SB_CONFIG_)."""

    def __init__(self, symbols: dict[str, Symbol], path: Path | None, prefix: str):
        self._symbols = symbols
        self.path = path
        self.prefix = prefix

    @classmethod
    def parse(cls, text: str, path: Path | None = None, prefix: str | None = None) -> KconfigValues:
        symbols: dict[str, Symbol] = {}
        junk: list[int] = []
        detected = prefix
        for number, raw_line in enumerate(text.splitlines(), start=1):
            line = raw_line.rstrip()
            if not line:
                continue
            unset = _UNSET.match(line)
            if unset:
                full, raw = unset.group("name"), "n"
            elif line.startswith("#"):
                continue
            else:
                match = _SET.match(line)
                if not match:
                    junk.append(number)
                    continue
                full, raw = match.group("name"), match.group("value")
            if detected is None:
                detected = "SB_CONFIG_" if full.startswith("SB_CONFIG_") else "CONFIG_"
            if not full.startswith(detected):
                junk.append(number)
                continue
            name = full[len(detected):]
            symbols[name] = Symbol(name, raw, number)
        if junk:
            raise BuildDirError(
                f"line {junk[0]} is not a Kconfig assignment"
                + (f" (and {len(junk) - 1} more)" if len(junk) > 1 else ""),
                path=path, hint="the .config is damaged; rebuild with `west build -p`",
            )
        return cls(symbols, path, detected or (prefix or "CONFIG_"))

    @classmethod
    def load(cls, path: Path, prefix: str | None = None) -> KconfigValues:
        data = read_bytes(path, BuildDirError, missing="Kconfig output not found; did the build configure?",
                          directory="is a directory, not a Kconfig output", kind="build")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BuildDirError("not a text file", path=path) from None
        values = cls.parse(text, path, prefix)
        if not values._symbols:  # Kconfig writes every symbol; read as "nothing enabled" it would mislead
            raise BuildDirError("holds no Kconfig symbols (empty or not a .config)", path=path,
                                hint="the .config is damaged; rebuild with `west build -p`")
        return values

    @classmethod
    def empty(cls, prefix: str = "CONFIG_") -> KconfigValues:
        return cls({}, None, prefix)

    def __getitem__(self, name: str) -> Symbol:
        return self._symbols[self._strip(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._strip(name) in self._symbols

    def __iter__(self) -> Iterator[str]:
        return iter(self._symbols)

    def __len__(self) -> int:
        return len(self._symbols)

    def _strip(self, name: str) -> str:
        for prefix in (self.prefix, "CONFIG_", "SB_CONFIG_"):
            if name.startswith(prefix) and name[len(prefix):] in self._symbols:
                return name[len(prefix):]
        return name

    def value(self, name: str, default: KValue | None = None) -> KValue | None:
        """The typed value, or `default` when the symbol is absent (unset means absent)."""
        symbol = self._symbols.get(self._strip(name))
        return symbol.value if symbol else default

    def enabled(self, name: str) -> bool:
        """True only for y/m."""
        return self.value(name) is True

    def string(self, name: str) -> str | None:
        value = self.value(name)
        return value if isinstance(value, str) else None

    def int(self, name: str) -> int | None:
        value = self.value(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def full_name(self, name: str) -> str:
        return f"{self.prefix}{self._strip(name)}"
