"""CPE 2.3 names and package URLs, reduced to the keys the index is searched by."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from zsec_west.sbom.vulns.model import CpeKey, PurlKey

_CPE_SPLIT = re.compile(r"(?<!\\):")
_UNESCAPE = re.compile(r"\\(.)")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^@/]*@)?(?P<host>[^/:?#]+)(?::\d+)?(?P<path>/[^?#]*)?")


def unquote(text: str) -> str:
    """Percent-decoding of purl segments (kept local: this package never imports urllib)."""
    return _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]).decode("latin-1"), text)


@dataclass(frozen=True)
class Cpe:
    """The fields of a CPE 2.3 formatted string that matching needs ('*' = any, '-' = n/a)."""

    part: str
    vendor: str
    product: str
    version: str
    update: str

    @property
    def key(self) -> CpeKey:
        return CpeKey(self.vendor, self.product)

    @property
    def full_version(self) -> str:
        """'1.14.0' plus the update field when it names one ('rc1' -> '1.14.0-rc1')."""
        if self.update not in ("*", "-", "") and self.version not in ("*", "-"):
            return f"{self.version}-{self.update}"
        return self.version


def parse_cpe(text: object) -> Cpe | None:
    """'cpe:2.3:o:zephyrproject:zephyr:3.7.1:-:*:*:*:*:*:*' -> Cpe; None if not CPE 2.3."""
    if not isinstance(text, str) or not text.startswith("cpe:2.3:"):
        return None
    return _parse_cpe(text)


@lru_cache(maxsize=65536)
def _parse_cpe(text: str) -> Cpe | None:
    # Cached: a feed repeats the same criteria (a product with '*' version) many times.
    if "\\" in text:
        fields = [_UNESCAPE.sub(r"\1", value) for value in _CPE_SPLIT.split(text)]
    else:
        fields = text.split(":")
    if len(fields) < 6:
        return None
    values = [value.lower() for value in fields[2:7]]
    while len(values) < 5:
        values.append("*")
    part, vendor, product, version, update = values
    if part not in ("a", "o", "h", "*") or not vendor or not product:
        return None
    return Cpe(part, vendor, product, version or "*", update or "*")


def parse_purl(text: str) -> tuple[PurlKey, str | None] | None:
    """'pkg:github/Mbed-TLS/mbedtls@V3.6.2' -> (PurlKey('github', 'mbed-tls', 'mbedtls'), 'V3.6.2')."""
    if not isinstance(text, str) or not text.startswith("pkg:"):
        return None
    rest = text[4:].lstrip("/")
    rest = rest.split("#", 1)[0].split("?", 1)[0]
    version: str | None = None
    if "@" in rest:
        rest, version = rest.rsplit("@", 1)
        version = unquote(version) or None
    segments = [unquote(s) for s in rest.strip("/").split("/") if s]
    if len(segments) < 2:
        return None
    ptype = segments[0].lower()
    name = segments[-1].lower()
    namespace = "/".join(segments[1:-1]).lower()
    return PurlKey(ptype, namespace, name), version


def purl_from_repo(url: str) -> PurlKey | None:
    """An OSV GIT range's repo URL -> the purl key a component from that repository carries.

    github.com repositories become `pkg:github/owner/name` (what Zephyr's SBOM code emits);
    others `pkg:git/host/path/name`.
    """
    if not isinstance(url, str) or not url:
        return None
    match = _URL.match(url.strip())
    if not match:
        return None
    path = (match.group("path") or "").strip("/")
    if path.endswith(".git"):
        path = path[:-4]
    segments = [s for s in path.split("/") if s]
    host = match.group("host").lower()
    if not host or not segments:
        return None
    if host == "github.com" and len(segments) >= 2:
        return PurlKey("github", segments[0].lower(), segments[1].lower())
    return PurlKey("git", "/".join([host, *segments[:-1]]).lower(), segments[-1].lower())


# purl types for OSV ecosystems whose records name packages without a purl.
ECOSYSTEM_PURL_TYPES = {
    "pypi": "pypi", "npm": "npm", "crates.io": "cargo", "go": "golang", "maven": "maven",
    "nuget": "nuget", "packagist": "composer", "rubygems": "gem", "hex": "hex", "pub": "pub",
    "conancenter": "conan", "github actions": "github",
}


def purl_from_package(ecosystem: str, name: str) -> PurlKey | None:
    """An OSV `package{ecosystem, name}` without a purl -> a purl key (best effort)."""
    if not ecosystem or not name:
        return None
    base = ecosystem.split(":", 1)[0].strip().lower()
    ptype = ECOSYSTEM_PURL_TYPES.get(base, base.replace(" ", "-"))
    segments = name.lower().split("/")
    if ptype == "maven" and ":" in name:
        group, artifact = name.lower().split(":", 1)
        return PurlKey(ptype, group, artifact)
    return PurlKey(ptype, "/".join(segments[:-1]), segments[-1])
