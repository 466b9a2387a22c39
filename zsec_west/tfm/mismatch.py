"""Where the TF-M sub-build disagrees with the application's .config: a stale or hand-configured
sub-build means the secure image is not what the configuration says."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from zsec_west.builddir.cmakecache import cmake_truthy
from zsec_west.builddir.tfmbuild import SubBuild
from zsec_west.tfm.facts import PARTITIONS, TfmConfig


@dataclass(frozen=True)
class Mismatch:
    """Where the TF-M sub-build disagrees with the application's .config."""

    setting: str
    zephyr: str
    tfm: str


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
