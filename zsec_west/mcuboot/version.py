"""What MCUboot adds on top of an image version (zsec_west.versions.ImageVersion): the security
counter and DEPENDENCY lists, parsed as imgtool does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zsec_west.errors import UsageError
from zsec_west.versions import ImageVersion, parse_image_version

U32_MAX = 0xFFFFFFFF


def resolve_security_counter(value: int | str | None, version: ImageVersion) -> int | None:
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
    version: ImageVersion

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
    return tuple(Dependency(int(i), parse_image_version(v)) for i, v in zip(images, versions, strict=False))
