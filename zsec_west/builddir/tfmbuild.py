"""The TF-M sub-build (`build/tfm/`) of a non-secure application: its state, its CMake cache
as TF-M saw it, and the TF-M version (generated tfm_version.h, cache, source tree, metadata)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.builddir.cmakecache import CMakeCache
from zsec_west.builddir.model import Build, Domain
from zsec_west.builddir.tfmlayout import SigningLayout, load_layouts
from zsec_west.errors import BuildDirError, ZsecError
from zsec_west.files.reading import read_if_present
from zsec_west.versions import Version, is_release, parse, release_from_references, release_from_tag

VERSION_HEADER = Path("generated/secure_fw/spm/include/tfm_version.h")

# Cache entries worth showing: what Zephyr passes to TF-M and what decides its security.
EFFECTIVE_KEYS = (
    "TFM_PLATFORM", "CMAKE_BUILD_TYPE", "TFM_PROFILE", "TFM_ISOLATION_LEVEL",
    "CONFIG_TFM_SPM_BACKEND", "BL1", "BL2", "MCUBOOT_SIGNATURE_TYPE", "MCUBOOT_IMAGE_NUMBER",
    "MCUBOOT_HW_KEY", "MCUBOOT_BUILTIN_KEY", "MCUBOOT_KEY_S", "MCUBOOT_KEY_NS",
    "MCUBOOT_IMAGE_VERSION_S", "MCUBOOT_IMAGE_VERSION_NS", "MCUBOOT_SECURITY_COUNTER_S",
    "MCUBOOT_SECURITY_COUNTER_NS", "MCUBOOT_UPGRADE_STRATEGY", "MCUBOOT_HW_ROLLBACK_PROT",
    "MCUBOOT_ENC_IMAGES", "MCUBOOT_LOG_LEVEL", "TFM_DUMMY_PROVISIONING",
    "PLATFORM_DEFAULT_PROVISIONING", "CRYPTO_HW_ACCELERATOR", "TFM_EXCEPTION_INFO_DUMP",
    "TFM_SPM_LOG_LEVEL", "TFM_PARTITION_LOG_LEVEL", "TFM_FIH_PROFILE", "MCUBOOT_PATH",
)
_OUTPUT_NAMES = ("tfm_s.bin", "tfm_s.hex", "tfm_s.elf", "tfm_s_signed.bin", "bl2.bin")
_TFM_PROJECT = "Trusted Firmware M"
_TFM_MODULE = "trusted-firmware-m"


@dataclass(frozen=True)
class TfmVersionInfo:
    """The TF-M version and where it was read."""

    version: str | None
    full: str | None  # e.g. v2.1.1, or v2.2.2+g1a2b3c for a development build
    source: str | None
    notes: tuple[str, ...] = ()

    @property
    def parsed(self) -> Version | None:
        for text in (self.version, self.full):
            parsed = parse(text)
            if parsed is not None:
                return parsed
        return None


@dataclass
class SubBuild:
    """What build/tfm/ holds. `state`: missing, unreadable, configured (not built) or built."""

    path: Path
    state: str
    cache: CMakeCache | None = None
    problem: str | None = None
    version: TfmVersionInfo = field(default_factory=lambda: TfmVersionInfo(None, None, None))

    def value(self, name: str) -> str | None:
        return self.cache.value(name) if self.cache is not None else None

    def signing_layout(self, role: str) -> SigningLayout | None:
        """The slot geometry TF-M's signing of the `role` image ("S", "NS", "S_NS") used."""
        return next((layout for layout in load_layouts(self.path) if layout.kind == role.lower()), None)

    def secure_output(self, suffix: str) -> Path | None:
        """The unsigned secure image TF-M built (`bin/tfm_s.hex`, ...)."""
        path = self.path / "bin" / f"tfm_s{suffix}"
        return path if path.is_file() else None

    def effective(self) -> dict[str, str]:
        """The cache entries that make up TF-M's effective configuration, in a fixed order."""
        if self.cache is None:
            return {}
        found = {key: self.cache[key].value for key in EFFECTIVE_KEYS if key in self.cache}
        for name in sorted(self.cache):
            entry = self.cache[name]
            if name.startswith("TFM_PARTITION_") and entry.type == "BOOL":
                found[name] = entry.value
        return found


def header_version(path: Path) -> tuple[str | None, str | None]:
    """TFM_VERSION and TFM_VERSION_FULL of a generated tfm_version.h; (None, None) when there is
    none, BuildDirError when what is there is not a readable file."""
    data = read_if_present(path, "build", BuildDirError)
    if data is None:
        return None, None
    text = data.decode("utf-8", errors="replace")
    plain = re.search(r"^\s*#\s*define\s+TFM_VERSION\s+(\S+)", text, re.M)
    full = re.search(r"^\s*#\s*define\s+TFM_VERSION_FULL\s+(\S+)", text, re.M)
    return (plain.group(1).strip('"') if plain else None, full.group(1).strip('"') if full else None)


def _text(path: Path) -> str | None:
    """A file of the TF-M source tree as UTF-8 text; None when there is none. What is there but is
    no readable file (a FIFO, /dev/zero) is a BuildDirError; what is not UTF-8, UnicodeDecodeError."""
    data = read_if_present(path, "build", BuildDirError)
    return data.decode("utf-8") if data is not None else None


def _git_tags(git: Path) -> dict[str, str]:
    """tag name -> commit, from refs/tags and packed-refs (annotated tags as 'name^{}')."""
    tags: dict[str, str] = {}
    tag_dir = git / "refs" / "tags"
    if tag_dir.is_dir():
        for path in tag_dir.rglob("*"):
            if path.is_file():
                tags[path.relative_to(tag_dir).as_posix()] = (_text(path) or "").strip()
    last = None
    for line in (_text(git / "packed-refs") or "").splitlines():
        if line.startswith("^") and last:  # the commit an annotated tag points at
            tags[last + "^{}"] = line[1:].strip()
        elif " refs/tags/" in line:
            sha, _, ref_name = line.partition(" ")
            last = ref_name.removeprefix("refs/tags/")
            tags[last] = sha
    return tags


def _git_head(git: Path) -> str:
    head = (_text(git / "HEAD") or "").strip()
    if head.startswith("ref:"):
        head = (_text(git / head[4:].strip()) or "").strip()
    return head


def _git_tag(source: Path) -> str | None:
    """The tag (e.g. TF-Mv2.1.1) naming the checked-out commit, read from .git without git."""
    git = source / ".git"
    if not git.is_dir():
        return None
    try:
        head = _git_head(git)
        tags = _git_tags(git)
    except UnicodeDecodeError:
        return None
    if not head:
        return None
    for name, sha in sorted(tags.items()):
        if sha == head:
            return name.removesuffix("^{}")
    return None


def _source_version(source: Path) -> tuple[str | None, str | None]:
    """TFM_VERSION_MANUAL from cmake/version.cmake, and the git tag when there is one."""
    data = read_if_present(source / "cmake" / "version.cmake", "build", BuildDirError)
    match = re.search(r'TFM_VERSION_MANUAL\s+"([^"]+)"', data.decode("utf-8", errors="replace")) if data else None
    return match.group(1) if match else None, _git_tag(source)


def _source_dirs(sub: SubBuild, build: Build | None) -> list[Path]:
    candidates = [sub.value("CMAKE_HOME_DIRECTORY"), sub.value(f"{_TFM_PROJECT}_SOURCE_DIR")]
    if build is not None:
        candidates += [m.path for m in build.modules if m.name == _TFM_MODULE]
    return [Path(c) for c in candidates if c and Path(c).is_dir()]


def _meta_version(build: Build | None) -> str | None:
    """The version in the module's CPE/PURL (zephyr.meta, from TF-M's zephyr/module.yml)."""
    if build is None:
        return None
    for module in build.modules:
        if module.name == _TFM_MODULE:
            return release_from_references(module.external_references)
    return None


def _from_sources(sub: SubBuild, build: Build | None) -> TfmVersionInfo | None:
    for source in _source_dirs(sub, build):
        manual, tag = _source_version(source)
        release = release_from_tag(tag)
        if tag and release:
            return TfmVersionInfo(release, tag, f"git tag of {source}")
        if manual:
            return TfmVersionInfo(manual, None, f"{source}/cmake/version.cmake")
    return None


def find_version(sub: SubBuild, build: Build | None) -> TfmVersionInfo:
    """Generated header first (what the image prints at boot), then the cache, source, metadata."""
    version, full = header_version(sub.path / VERSION_HEADER)
    if version or full:
        return TfmVersionInfo(version or (full or "").lstrip("v"), full,
                              f"tfm/{VERSION_HEADER.as_posix()}")
    project = sub.value("CMAKE_PROJECT_VERSION")
    if project and sub.value("CMAKE_PROJECT_NAME") == _TFM_PROJECT:
        return TfmVersionInfo(project, None, "tfm/CMakeCache.txt (CMAKE_PROJECT_VERSION)")
    found = _from_sources(sub, build)
    if found is not None:
        return found
    meta = _meta_version(build)
    if meta:
        return TfmVersionInfo(meta, None, "zephyr.meta (trusted-firmware-m module references)")
    return TfmVersionInfo(None, None, None, (
        "the TF-M version could not be determined: no generated tfm_version.h, no TF-M project "
        "version in tfm/CMakeCache.txt, no TF-M source tree on this machine",))


def load_subbuild(domain: Domain, build: Build | None = None) -> SubBuild:
    """The TF-M domain's sub-build; a missing or broken one is described, not raised."""
    path = domain.build_dir
    if not (path / "CMakeCache.txt").is_file():
        sub = SubBuild(path, "missing",
                       problem="TF-M sub-build not found (tfm/CMakeCache.txt is missing): TF-M "
                               "was not configured here, so its effective configuration is "
                               "unknown")
    else:
        try:
            sub = SubBuild(path, "configured", domain.cache)
        except ZsecError as exc:
            sub = SubBuild(path, "unreadable", problem=f"TF-M sub-build cache unusable: {exc}")
        else:
            built = (path / VERSION_HEADER).is_file() or any(
                (path / "bin" / name).is_file() for name in _OUTPUT_NAMES)
            if built:
                sub.state = "built"
            else:
                sub.problem = ("TF-M sub-build configured but not built (no generated "
                               "tfm_version.h, no tfm/bin outputs)")
    sub.version = find_version(sub, build)
    return sub


def recorded_release(domain: Domain) -> str | None:
    """The TF-M release a TF-M domain's sub-build recorded (project version, tfm_version.h)."""
    try:
        value = domain.cache.value("CMAKE_PROJECT_VERSION")
    except BuildDirError:
        value = None
    if value and is_release(value):
        return value
    value, _ = header_version(domain.build_dir / VERSION_HEADER)
    return value if value and is_release(value) else None
