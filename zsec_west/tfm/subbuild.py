"""The TF-M sub-build (`build/tfm/`): its configuration as TF-M saw it, its version, its state."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.builddir.cmakecache import CMakeCache, cmake_truthy
from zsec_west.builddir.model import Build, Domain
from zsec_west.errors import ZsecError
from zsec_west.sbom.versions import release_from_references
from zsec_west.tfm.advisories import TfmVersion
from zsec_west.tfm.facts import PARTITIONS, TfmConfig

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


@dataclass(frozen=True)
class VersionInfo:
    """The TF-M version and where it was read."""

    version: str | None
    full: str | None  # e.g. v2.1.1, or v2.2.2+g1a2b3c for a development build
    source: str | None
    notes: tuple[str, ...] = ()

    @property
    def parsed(self) -> TfmVersion | None:
        for text in (self.version, self.full):
            if text:
                parsed = TfmVersion.parse(text)
                if parsed is not None:
                    return parsed
        return None


@dataclass(frozen=True)
class Mismatch:
    """Where the TF-M sub-build disagrees with the application's .config."""

    setting: str
    zephyr: str
    tfm: str


@dataclass
class SubBuild:
    """What build/tfm/ holds. `state`: missing, unreadable, configured (not built) or built."""

    path: Path
    state: str
    cache: CMakeCache | None = None
    problem: str | None = None
    version: VersionInfo = field(default_factory=lambda: VersionInfo(None, None, None))

    def value(self, name: str) -> str | None:
        return self.cache.value(name) if self.cache is not None else None

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
    """TFM_VERSION and TFM_VERSION_FULL of a generated tfm_version.h; (None, None) if unreadable."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, None
    plain = re.search(r"^\s*#\s*define\s+TFM_VERSION\s+(\S+)", text, re.M)
    full = re.search(r"^\s*#\s*define\s+TFM_VERSION_FULL\s+(\S+)", text, re.M)
    return (plain.group(1).strip('"') if plain else None, full.group(1).strip('"') if full else None)


def _git_tag(source: Path) -> str | None:
    """The tag (e.g. TF-Mv2.1.1) naming the checked-out commit, read from .git without git."""
    git = source / ".git"
    if not git.is_dir():
        return None
    try:
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if head.startswith("ref:"):
            ref = git / head[4:].strip()
            head = ref.read_text(encoding="utf-8").strip() if ref.is_file() else ""
        tags: dict[str, str] = {}
        tag_dir = git / "refs" / "tags"
        if tag_dir.is_dir():
            for path in tag_dir.rglob("*"):
                if path.is_file():
                    tags[path.relative_to(tag_dir).as_posix()] = path.read_text("utf-8").strip()
        packed = git / "packed-refs"
        last = None
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                if line.startswith("^") and last:  # the commit an annotated tag points at
                    tags[last + "^{}"] = line[1:].strip()
                elif " refs/tags/" in line:
                    sha, _, ref_name = line.partition(" ")
                    last = ref_name.removeprefix("refs/tags/")
                    tags[last] = sha
    except (OSError, UnicodeDecodeError):
        return None
    if not head:
        return None
    for name, sha in sorted(tags.items()):
        if sha == head:
            return name.removesuffix("^{}")
    return None


def _source_version(source: Path) -> tuple[str | None, str | None]:
    """TFM_VERSION_MANUAL from cmake/version.cmake, and the git tag when there is one."""
    manual = None
    try:
        text = (source / "cmake" / "version.cmake").read_text(encoding="utf-8", errors="replace")
        match = re.search(r'TFM_VERSION_MANUAL\s+"([^"]+)"', text)
        manual = match.group(1) if match else None
    except OSError:
        pass
    return manual, _git_tag(source)


def _source_dirs(sub: SubBuild, build: Build | None) -> list[Path]:
    candidates = [sub.value("CMAKE_HOME_DIRECTORY"), sub.value("Trusted Firmware M_SOURCE_DIR")]
    if build is not None:
        candidates += [m.path for m in build.modules if m.name == "trusted-firmware-m"]
    return [Path(c) for c in candidates if c and Path(c).is_dir()]


def _meta_version(build: Build | None) -> str | None:
    """The version in the module's CPE/PURL (zephyr.meta, from TF-M's zephyr/module.yml)."""
    if build is None:
        return None
    for module in build.modules:
        if module.name == "trusted-firmware-m":
            return release_from_references(module.external_references)
    return None


def find_version(sub: SubBuild, build: Build | None) -> VersionInfo:
    """Generated header first (what the image prints at boot), then the cache, source, metadata."""
    header = sub.path / VERSION_HEADER
    version, full = header_version(header)
    if version or full:
        return VersionInfo(version or (full or "").lstrip("v"), full, f"tfm/{VERSION_HEADER.as_posix()}")
    project = sub.value("CMAKE_PROJECT_VERSION")
    if project and sub.value("CMAKE_PROJECT_NAME") == "Trusted Firmware M":
        return VersionInfo(project, None, "tfm/CMakeCache.txt (CMAKE_PROJECT_VERSION)")
    for source in _source_dirs(sub, build):
        manual, tag = _source_version(source)
        if tag and TfmVersion.parse(tag.replace("TF-M", "")):
            return VersionInfo(str(TfmVersion.parse(tag.replace("TF-M", ""))), tag,
                               f"git tag of {source}")
        if manual:
            return VersionInfo(manual, None, f"{source}/cmake/version.cmake")
    meta = _meta_version(build)
    if meta:
        return VersionInfo(meta, None, "zephyr.meta (trusted-firmware-m module references)")
    return VersionInfo(None, None, None, ("the TF-M version could not be determined: no "
                                          "generated tfm_version.h, no TF-M project version in "
                                          "tfm/CMakeCache.txt, no TF-M source tree on this machine",))


def load_subbuild(domain: Domain, build: Build | None = None) -> SubBuild:
    """The TF-M domain's sub-build; a missing or broken one is described, not raised."""
    path = domain.build_dir
    if not (path / "CMakeCache.txt").is_file():
        sub = SubBuild(path, "missing",
                       problem="TF-M sub-build not found (tfm/CMakeCache.txt is missing): TF-M "
                               "was not configured here, so its effective configuration is "
                               "unknown")
        sub.version = find_version(sub, build)
        return sub
    try:
        cache = domain.cache
    except ZsecError as exc:
        sub = SubBuild(path, "unreadable", problem=f"TF-M sub-build cache unusable: {exc}")
        sub.version = find_version(sub, build)
        return sub
    built = (path / VERSION_HEADER).is_file() or any(
        (path / "bin" / name).is_file() for name in _OUTPUT_NAMES)
    sub = SubBuild(path, "built" if built else "configured", cache)
    if not built:
        sub.problem = ("TF-M sub-build configured but not built (no generated tfm_version.h, "
                       "no tfm/bin outputs)")
    sub.version = find_version(sub, build)
    return sub


def _norm_path(value: str) -> str:
    return value.replace("\\", "/").rstrip("/")


def _platform_equal(zephyr: str, tfm: str) -> bool:
    # Zephyr-local platforms are written $(ZEPHYR_BASE)/modules/... in Kconfig; CMake sees the
    # expanded absolute path, so compare the part after the variable.
    z, t = _norm_path(zephyr), _norm_path(tfm)
    if "$(" in z or "${" in z:
        tail = re.sub(r"^.*?[)}]", "", z)
        return t.endswith(tail)
    return z == t


def _onoff(value: bool | None) -> str | None:
    return None if value is None else ("ON" if value else "OFF")


def compare(config: TfmConfig, sub: SubBuild) -> list[Mismatch]:
    """Settings the application asks for that the TF-M sub-build did not get."""
    if sub.cache is None:
        return []
    cache = sub.cache
    found: list[Mismatch] = []

    def check(setting: str, zephyr: str | None, key: str,
              equal: Callable[[str, str], bool] | None = None) -> None:
        if zephyr is None or key not in cache:
            return
        tfm = cache[key].value
        same = equal(zephyr, tfm) if equal else zephyr.strip().lower() == tfm.strip().lower()
        if not same:
            found.append(Mismatch(setting, zephyr, f"{key}={tfm}"))

    def same_bool(a: str, b: str) -> bool:
        return (a == "ON") == cmake_truthy(b)

    check("platform (CONFIG_TFM_BOARD)", config.platform, "TFM_PLATFORM", _platform_equal)
    check("build type (CONFIG_TFM_CMAKE_BUILD_TYPE_*)", config.build_type, "CMAKE_BUILD_TYPE")
    if config.profile_choice is not None:
        check("profile (CONFIG_TFM_PROFILE_TYPE_*)", config.profile or "", "TFM_PROFILE")
    if config.isolation_level is not None:
        check("isolation level (CONFIG_TFM_ISOLATION_LEVEL)", str(config.isolation_level),
              "TFM_ISOLATION_LEVEL")
    check("SPM model (CONFIG_TFM_IPC / CONFIG_TFM_SFN)", config.model, "CONFIG_TFM_SPM_BACKEND")
    check("BL2 (CONFIG_TFM_BL2)", _onoff(config.bl2), "BL2", same_bool)
    check("dummy provisioning (CONFIG_TFM_DUMMY_PROVISIONING)", _onoff(config.dummy_provisioning),
          "TFM_DUMMY_PROVISIONING", same_bool)
    check("exception info dump (CONFIG_TFM_EXCEPTION_INFO_DUMP)",
          _onoff(config.exception_info_dump), "TFM_EXCEPTION_INFO_DUMP", same_bool)
    if config.bl2:
        check("signature type (CONFIG_TFM_MCUBOOT_SIGNATURE_TYPE)", config.signature_type,
              "MCUBOOT_SIGNATURE_TYPE")
        if config.image_number is not None:
            check("image number (CONFIG_TFM_MCUBOOT_IMAGE_NUMBER)", str(config.image_number),
                  "MCUBOOT_IMAGE_NUMBER")
        for key in config.key_files:
            check(f"{key.role} signing key (CONFIG_{key.symbol})", key.path,
                  "MCUBOOT_KEY_S" if key.role == "S" else "MCUBOOT_KEY_NS",
                  lambda a, b: _norm_path(a) == _norm_path(b))
        check("secure image version (CONFIG_TFM_IMAGE_VERSION_S)", config.version_s,
              "MCUBOOT_IMAGE_VERSION_S")
        check("non-secure image version (CONFIG_TFM_IMAGE_VERSION_NS)", config.version_ns,
              "MCUBOOT_IMAGE_VERSION_NS")
        if config.log.bl2:
            check("BL2 log level (CONFIG_TFM_BL2_LOG_LEVEL_*)", config.log.bl2, "MCUBOOT_LOG_LEVEL")
    if config.log.spm:
        check("SPM log level (CONFIG_TFM_SPM_LOG_LEVEL_*)", f"TFM_SPM_LOG_LEVEL_{config.log.spm}",
              "TFM_SPM_LOG_LEVEL")
    if config.log.partition:
        check("partition log level (CONFIG_TFM_PARTITION_LOG_LEVEL_*)",
              f"TFM_PARTITION_LOG_LEVEL_{config.log.partition}", "TFM_PARTITION_LOG_LEVEL")
    states = {p.symbol: p.enabled for p in config.partitions}
    for spec in PARTITIONS:
        check(f"{spec.service} partition (CONFIG_{spec.symbol})", _onoff(states.get(spec.symbol)),
              spec.symbol, same_bool)
    return found
