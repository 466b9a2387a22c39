"""Image versions (`maj.min.rev+build`), security counters and dependency lists, parsed as imgtool does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zsec_west.errors import UsageError

# imgtool accepts each part as a decimal without leading zeros; later parts are optional.
_VERSION_RE = re.compile(r"^(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\+(0|[1-9]\d*))?)?)?$")
_LIMITS = (("major", 0xFF), ("minor", 0xFF), ("revision", 0xFFFF), ("build", 0xFFFFFFFF))

U32_MAX = 0xFFFFFFFF


@dataclass(frozen=True, order=True)
class Version:
    """An MCUboot image version as stored in the header (u8, u8, u16, u32)."""

    major: int = 0
    minor: int = 0
    revision: int = 0
    build: int = 0

    def __post_init__(self) -> None:
        for (name, limit), value in zip(_LIMITS, (self.major, self.minor, self.revision, self.build), strict=False):
            if not 0 <= value <= limit:
                raise UsageError(f"version {name} {value} is out of range 0..{limit}")

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.revision}+{self.build}"

    @property
    def short(self) -> str:
        """`maj.min.rev` without the build number (as the boot record stores it)."""
        return f"{self.major}.{self.minor}.{self.revision}"

    def security_counter(self) -> int:
        """The value `--security-counter auto` derives: major<<24 + minor<<16 + revision."""
        return (self.major << 24) + (self.minor << 16) + self.revision


def parse_version(text: str) -> Version:
    """Parse `maj[.min[.rev[+build]]]` exactly as imgtool does; missing parts are 0."""
    match = _VERSION_RE.match(text) if isinstance(text, str) else None
    if not match:
        raise UsageError(
            f"invalid version {text!r}",
            hint="use maj.min.rev+build with later parts optional, e.g. 1.2.3+4",
        )
    return Version(*(int(part) if part else 0 for part in match.groups()))


def resolve_security_counter(value: int | str | None, version: Version) -> int | None:
    """The security counter to store: an int, `"auto"` (derived from `version`) or None (no TLV)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip().lower() == "auto":
            return version.security_counter()
        try:
            value = int(value, 0)
        except ValueError:
            raise UsageError(f"security counter {value!r} is not an integer or 'auto'") from None
    if isinstance(value, bool) or not 0 <= value <= U32_MAX:
        raise UsageError(f"security counter {value} is out of range 0..0xffffffff")
    return value


@dataclass(frozen=True)
class Dependency:
    """A DEPENDENCY TLV: this image needs image `image_id` at `version` or newer."""

    image_id: int
    version: Version

    def __post_init__(self) -> None:
        if not 0 <= self.image_id <= 0xFF:
            raise UsageError(f"dependency image id {self.image_id} is out of range 0..255")


_DEP_IMAGE_RE = re.compile(r"\((\d+)")
_DEP_VERSION_RE = re.compile(r",\s*([0-9.+]+)\)")


def parse_dependencies(text: str) -> tuple[Dependency, ...]:
    """Parse imgtool's `-d "(ID,VER),(ID,VER)"` syntax."""
    images = _DEP_IMAGE_RE.findall(text)
    versions = _DEP_VERSION_RE.findall(text)
    if not images:
        raise UsageError(f"invalid dependency list {text!r}", hint='use "(IMAGE_ID,VERSION), ..."')
    if len(images) != len(versions):
        raise UsageError(f"dependency list {text!r} has {len(images)} image ids but {len(versions)} versions")
    return tuple(Dependency(int(i), parse_version(v)) for i, v in zip(images, versions, strict=False))
