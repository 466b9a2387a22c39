"""TF-M as the application's Kconfig configures it: the Zephyr side of a TF-M build."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.keys.paths import file_name


@dataclass(frozen=True)
class PartitionSpec:
    """A TF-M secure partition (a PSA service the non-secure application can call)."""

    key: str
    symbol: str  # Kconfig symbol without CONFIG_, also the TF-M CMake option
    service: str


# The partitions Zephyr's Kconfig.tfm.partitions offers, in its order.
PARTITIONS = (
    PartitionSpec("crypto", "TFM_PARTITION_CRYPTO", "PSA Crypto"),
    PartitionSpec("its", "TFM_PARTITION_INTERNAL_TRUSTED_STORAGE", "PSA Internal Trusted Storage"),
    PartitionSpec("ps", "TFM_PARTITION_PROTECTED_STORAGE", "PSA Protected Storage"),
    PartitionSpec("attestation", "TFM_PARTITION_INITIAL_ATTESTATION", "PSA Initial Attestation"),
    PartitionSpec("platform", "TFM_PARTITION_PLATFORM", "TF-M Platform service"),
    PartitionSpec("fwu", "TFM_PARTITION_FIRMWARE_UPDATE", "PSA Firmware Update"),
)

_PROFILES = {
    "SMALL": "profile_small", "MEDIUM": "profile_medium", "AROTLESS": "profile_medium_arotless",
    "LARGE": "profile_large",
}
_BUILD_TYPES = {
    "RELEASE": "Release", "RELWITHDEBINFO": "RelWithDebInfo", "MINSIZEREL": "MinSizeRel",
    "DEBUG": "Debug",
}
_EXPAND = re.compile(r"\$\{(CONFIG_[A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class KeyFile:
    """A signing key the build names: `configured` as written, `path` with ${CONFIG_...} expanded."""

    role: str  # "S" (secure image, or the combined image) or "NS"
    symbol: str
    configured: str
    path: str

    @property
    def name(self) -> str:
        return file_name(self.path)


@dataclass(frozen=True)
class PartitionState:
    key: str
    symbol: str
    service: str
    enabled: bool | None  # None: the symbol is not in this .config (older Zephyr)


@dataclass(frozen=True)
class LogLevels:
    """TF-M log levels as chosen in Kconfig (names like INFO, DEBUG, SILENCE, OFF)."""

    bl2: str | None
    spm: str | None
    partition: str | None
    silenced: bool  # TFM_LOG_LEVEL_SILENCE


@dataclass(frozen=True)
class TfmConfig:
    """CONFIG_TFM_* of one application image, typed. Absent symbols stay None."""

    enabled: bool
    platform: str | None
    profile: str | None  # profile_small ... ; None = not set (base configuration)
    profile_choice: str | None  # NOT_SET, SMALL, MEDIUM, AROTLESS, LARGE
    isolation_level: int | None
    model: str | None  # IPC or SFN
    bl1: bool
    bl2: bool | None
    signature_type: str | None
    key_files: tuple[KeyFile, ...]
    security_counter: int | None
    image_number: int | None
    version_s: str | None
    version_ns: str | None
    dummy_provisioning: bool | None
    build_type: str | None
    log: LogLevels
    exception_info_dump: bool | None
    partitions: tuple[PartitionState, ...]
    rom_start_offset: int | None
    test_suites: tuple[str, ...]  # regression / PSA arch test suites built into the images
    use_ns_app: bool


def expand(value: str, kconfig: KconfigValues) -> str:
    """`${CONFIG_X}` inside a Kconfig string replaced by X's value (CMake does this later)."""

    def sub(match: re.Match[str]) -> str:
        symbol = kconfig.value(match.group(1))
        if symbol is None:
            return match.group(0)
        if isinstance(symbol, bool):
            return "y" if symbol else "n"
        return str(symbol)

    return _EXPAND.sub(sub, value)


def _choice(kconfig: KconfigValues, prefix: str, names: list[str]) -> str | None:
    for name in names:
        if kconfig.enabled(prefix + name):
            return name
    return None


def _bool(kconfig: KconfigValues, name: str) -> bool | None:
    value = kconfig.value(name)
    return value if isinstance(value, bool) else None


def read_config(kconfig: KconfigValues) -> TfmConfig:
    """The TF-M configuration the application's .config asks for."""
    profile_choice = _choice(kconfig, "TFM_PROFILE_TYPE_",
                             ["NOT_SET", "SMALL", "MEDIUM", "AROTLESS", "LARGE"])
    profile = kconfig.string("TFM_PROFILE") or _PROFILES.get(profile_choice or "")
    build_choice = _choice(kconfig, "TFM_CMAKE_BUILD_TYPE_", list(_BUILD_TYPES))
    model = "IPC" if kconfig.enabled("TFM_IPC") else "SFN" if kconfig.enabled("TFM_SFN") else None
    bl2 = _bool(kconfig, "TFM_BL2")
    image_number = kconfig.int("TFM_MCUBOOT_IMAGE_NUMBER")
    keys = []
    for role, symbol in (("S", "TFM_KEY_FILE_S"), ("NS", "TFM_KEY_FILE_NS")):
        raw = kconfig.string(symbol)
        if raw:
            keys.append(KeyFile(role, symbol, raw, expand(raw, kconfig)))
    partitions = tuple(PartitionState(p.key, p.symbol, p.service, _bool(kconfig, p.symbol))
                       for p in PARTITIONS)
    suites = []
    if kconfig.enabled("TFM_REGRESSION_S"):
        suites.append("secure regression tests (TFM_REGRESSION_S)")
    if kconfig.enabled("TFM_REGRESSION_NS"):
        suites.append("non-secure regression tests (TFM_REGRESSION_NS)")
    psa_test = _choice(kconfig, "TFM_PSA_TEST_", ["CRYPTO", "PROTECTED_STORAGE",
                                                  "INTERNAL_TRUSTED_STORAGE", "STORAGE",
                                                  "INITIAL_ATTESTATION"])
    if psa_test:
        suites.append(f"PSA arch test suite {psa_test.lower()} (TFM_PSA_TEST_{psa_test})")
    return TfmConfig(
        enabled=kconfig.enabled("BUILD_WITH_TFM"),
        platform=kconfig.string("TFM_BOARD"),
        profile=profile or None,
        profile_choice=profile_choice,
        isolation_level=kconfig.int("TFM_ISOLATION_LEVEL"),
        model=model,
        bl1=kconfig.enabled("TFM_BL1"),
        bl2=bl2,
        signature_type=kconfig.string("TFM_MCUBOOT_SIGNATURE_TYPE"),
        key_files=tuple(keys),
        security_counter=kconfig.int("TFM_IMAGE_SECURITY_COUNTER"),
        image_number=image_number,
        version_s=kconfig.string("TFM_IMAGE_VERSION_S"),
        version_ns=kconfig.string("TFM_IMAGE_VERSION_NS"),
        dummy_provisioning=_bool(kconfig, "TFM_DUMMY_PROVISIONING"),
        build_type=_BUILD_TYPES.get(build_choice or ""),
        log=LogLevels(
            bl2=_choice(kconfig, "TFM_BL2_LOG_LEVEL_", ["DEBUG", "INFO", "WARNING", "ERROR", "OFF"]),
            spm=_choice(kconfig, "TFM_SPM_LOG_LEVEL_", ["DEBUG", "INFO", "ERROR", "SILENCE"]),
            partition=_choice(kconfig, "TFM_PARTITION_LOG_LEVEL_",
                              ["DEBUG", "INFO", "ERROR", "SILENCE"]),
            silenced=kconfig.enabled("TFM_LOG_LEVEL_SILENCE"),
        ),
        exception_info_dump=_bool(kconfig, "TFM_EXCEPTION_INFO_DUMP"),
        partitions=partitions,
        rom_start_offset=kconfig.int("ROM_START_OFFSET"),
        test_suites=tuple(suites),
        use_ns_app=kconfig.enabled("TFM_USE_NS_APP"),
    )


def config_facts(config: TfmConfig) -> dict[str, object]:
    """The configuration as plain data for Report.facts."""
    return {
        "build_with_tfm": config.enabled,
        "platform": config.platform,
        "profile": config.profile,
        "isolation_level": config.isolation_level,
        "model": config.model,
        "bl1": config.bl1,
        "bl2": config.bl2,
        "signature_type": config.signature_type,
        "key_files": [{"role": k.role, "symbol": f"CONFIG_{k.symbol}", "configured": k.configured,
                       "path": k.path} for k in config.key_files],
        "image_security_counter": config.security_counter,
        "image_number": config.image_number,
        "image_version_s": config.version_s,
        "image_version_ns": config.version_ns,
        "dummy_provisioning": config.dummy_provisioning,
        "cmake_build_type": config.build_type,
        "log_levels": {"bl2": config.log.bl2, "spm": config.log.spm,
                       "partition": config.log.partition, "silenced": config.log.silenced},
        "exception_info_dump": config.exception_info_dump,
        "partitions": [{"key": p.key, "symbol": f"CONFIG_{p.symbol}", "service": p.service,
                        "enabled": p.enabled} for p in config.partitions],
        "rom_start_offset": config.rom_start_offset,
        "test_suites": list(config.test_suites),
        "use_ns_app": config.use_ns_app,
    }
