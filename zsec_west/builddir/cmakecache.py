"""CMakeCache.txt: every entry type, `;` lists, CMake truthiness."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from zsec_west.errors import BuildDirError
from zsec_west.files.reading import read_bytes

# NAME may be quoted and may contain colons in quotes; TYPE is any upper-case word
# (FILEPATH, PATH, STRING, BOOL, INTERNAL, STATIC, UNINITIALIZED, ...).
_ENTRY = re.compile(r'^(?:"(?P<qname>[^"]+)"|(?P<name>[^:=]+)):(?P<type>[A-Z]+)=(?P<value>.*)$')

_FALSE = {"", "0", "OFF", "NO", "FALSE", "N", "IGNORE", "NOTFOUND"}
_TRUE = {"1", "ON", "YES", "TRUE", "Y"}


def cmake_truthy(value: str) -> bool:
    """CMake's if() truthiness for a constant; anything unrecognised counts as false."""
    text = value.strip().upper()
    if text in _TRUE:
        return True
    if text in _FALSE or text.endswith("-NOTFOUND"):
        return False
    try:
        return float(text) != 0
    except ValueError:
        return False


@dataclass(frozen=True)
class CacheEntry:
    name: str
    type: str
    value: str
    line: int

    @property
    def as_list(self) -> list[str]:
        return [item for item in self.value.split(";") if item] if self.value else []

    @property
    def as_bool(self) -> bool:
        return cmake_truthy(self.value)


class CMakeCache(Mapping[str, CacheEntry]):
    """The entries of one CMakeCache.txt, by name."""

    def __init__(self, entries: dict[str, CacheEntry], path: Path | None = None):
        self._entries = entries
        self.path = path

    @classmethod
    def parse(cls, text: str, path: Path | None = None) -> CMakeCache:
        entries: dict[str, CacheEntry] = {}
        garbled = 0
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("//") or line.startswith("#"):
                continue
            match = _ENTRY.match(line)
            if not match:
                garbled += 1
                if garbled > 3 or "\0" in line:
                    raise BuildDirError(f"line {number} is not a CMake cache entry: {line[:60]!r}",
                                        path=path)
                continue
            name = match.group("qname") or match.group("name")
            entries[name] = CacheEntry(name, match.group("type"), match.group("value"), number)
        if not entries:
            raise BuildDirError("empty or not a CMake cache", path=path)
        return cls(entries, path)

    @classmethod
    def load(cls, path: Path) -> CMakeCache:
        # Through the input layer: a regular file (never a FIFO or /dev/zero), size-capped.
        data = read_bytes(path, BuildDirError,
                          missing="CMakeCache.txt not found; is this a CMake build directory?",
                          directory="is a directory, not a CMake cache", kind="build")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BuildDirError("not a text file (garbled CMake cache)", path=path) from None
        return cls.parse(text, path)

    def __getitem__(self, name: str) -> CacheEntry:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def value(self, name: str, default: str | None = None) -> str | None:
        entry = self._entries.get(name)
        return entry.value if entry else default

    def list(self, name: str) -> list[str]:
        entry = self._entries.get(name)
        return entry.as_list if entry else []

    def bool(self, name: str, default: bool = False) -> bool:
        entry = self._entries.get(name)
        return entry.as_bool if entry else default
