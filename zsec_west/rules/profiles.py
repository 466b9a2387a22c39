"""Profiles: named rule sets that extend one another (base <- strict <- production).

`base` and `strict` mean what they mean in Zephyr's hardening database; `production` adds what a
shipped product needs on top of strict (secure boot, no development keys, no debug surface).
Selecting a profile applies the rules of that profile and of every profile it extends.
"""

from __future__ import annotations

from dataclasses import dataclass

from zsec_west.errors import DataFileError, UsageError
from zsec_west.rules.model import ProfileDef

DEFAULT_PROFILE = "base"


@dataclass(frozen=True)
class Profiles:
    """The known profiles, by name."""

    by_name: dict[str, ProfileDef]

    @classmethod
    def merge(cls, ours: tuple[ProfileDef, ...], *others: tuple[ProfileDef, ...]) -> Profiles:
        """Our definitions first; another source may add profiles but not redefine ours."""
        by_name: dict[str, ProfileDef] = {}
        for profile in ours:
            by_name[profile.name] = profile
        for group in others:
            for profile in group:
                by_name.setdefault(profile.name, profile)
        result = cls(by_name)
        for name in by_name:
            result.chain(name)  # validates parents and cycles
        return result

    def names(self) -> list[str]:
        return sorted(self.by_name)

    def chain(self, name: str) -> tuple[str, ...]:
        """`name` and every profile it extends, nearest first."""
        if name not in self.by_name:
            raise UsageError(f"unknown profile '{name}' (known: {', '.join(self.names())})")
        result: list[str] = []
        current: str | None = name
        while current is not None:
            if current in result:
                raise DataFileError(f"profile '{name}' extends itself through "
                                    f"{' -> '.join(result + [current])}",
                                    path=self.by_name[name].source or None)
            profile = self.by_name.get(current)
            if profile is None:
                child = self.by_name[result[-1]]
                raise DataFileError(f"profile '{child.name}' extends unknown profile '{current}'",
                                    path=child.source or None)
            result.append(current)
            current = profile.extends
        return tuple(result)

    def includes(self, selected: str, rule_profiles: tuple[str, ...]) -> bool:
        """Whether a rule in `rule_profiles` applies when `selected` is chosen."""
        chain = self.chain(selected)
        return any(profile in chain for profile in rule_profiles)
