"""The Zephyr side (.config) and the TF-M side (build/tfm) of a TF-M build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.hostile.harness import deadline
from tests.tfm.conftest import set_cache, set_kconfig
from zsec_west.builddir import load_build
from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.builddir.tfmbuild import VERSION_HEADER, load_subbuild
from zsec_west.errors import BuildDirError
from zsec_west.tfm.facts import expand, read_config
from zsec_west.tfm.mismatch import compare


def tfm_domain(build_dir: Path):
    build = load_build(build_dir)
    return build, build.domain("tfm")


def test_read_config_of_the_real_build(tfm_build):
    build, domain = tfm_domain(tfm_build)
    config = read_config(domain.parent.kconfig)
    assert config.enabled
    assert config.platform == "arm/mps2/an521"
    assert config.profile is None and config.profile_choice == "NOT_SET"
    assert config.isolation_level == 1
    assert config.model == "IPC"
    assert config.bl2 is True and config.signature_type == "EC-P256"
    assert config.image_number == 2
    assert config.dummy_provisioning is True
    assert config.build_type == "MinSizeRel"
    assert (config.log.bl2, config.log.spm, config.log.partition) == ("INFO", "INFO", "INFO")
    assert config.exception_info_dump is True
    enabled = {p.key for p in config.partitions if p.enabled}
    assert enabled == {"crypto", "its", "ps", "platform"}
    assert {p.key: p.enabled for p in config.partitions}["fwu"] is False
    # The literal ${CONFIG_TFM_MCUBOOT_SIGNATURE_TYPE} in the value is expanded.
    keys = {k.role: k for k in config.key_files}
    assert "${CONFIG_TFM_MCUBOOT_SIGNATURE_TYPE}" in keys["S"].configured
    assert keys["S"].path.endswith("bl2/ext/mcuboot/root-EC-P256.pem")
    assert keys["NS"].name == "root-EC-P256_1.pem"


def test_expand_leaves_unknown_symbols_and_renders_bools():
    kconfig = KconfigValues.parse('CONFIG_A="x"\nCONFIG_B=y\nCONFIG_C=3\n')
    assert expand("${CONFIG_A}/${CONFIG_B}/${CONFIG_C}/${CONFIG_D}", kconfig) == "x/y/3/${CONFIG_D}"


def test_profile_and_debug_choices(tfm_build):
    set_kconfig(tfm_build, TFM_PROFILE_TYPE_NOT_SET=None, TFM_PROFILE_TYPE_MEDIUM="y",
                TFM_CMAKE_BUILD_TYPE_MINSIZEREL=None, TFM_CMAKE_BUILD_TYPE_DEBUG="y",
                TFM_REGRESSION_S="y")
    _, domain = tfm_domain(tfm_build)
    config = read_config(domain.parent.kconfig)
    assert config.profile == "profile_medium"
    assert config.build_type == "Debug"
    assert config.test_suites and "TFM_REGRESSION_S" in config.test_suites[0]


def test_subbuild_of_the_real_build(tfm_build):
    build, domain = tfm_domain(tfm_build)
    sub = load_subbuild(domain, build)
    assert sub.state == "built" and sub.problem is None
    assert sub.version.version == "2.1.1"
    assert sub.version.full == "v2.1.1"
    assert sub.version.source.endswith("tfm_version.h")
    effective = sub.effective()
    assert effective["TFM_PLATFORM"] == "arm/mps2/an521"
    assert effective["TFM_ISOLATION_LEVEL"] == "1"
    assert effective["MCUBOOT_HW_KEY"] == "OFF"
    assert effective["TFM_PARTITION_FIRMWARE_UPDATE"] == "OFF"
    assert effective["TFM_PARTITION_NS_AGENT_TZ"] == "ON"
    assert compare(read_config(domain.parent.kconfig), sub) == []


def test_half_built_subbuild_takes_the_version_from_the_cache(tfm_build):
    (tfm_build / "tfm" / VERSION_HEADER).unlink()
    build, domain = tfm_domain(tfm_build)
    sub = load_subbuild(domain, build)
    assert sub.state == "configured"
    assert "configured but not built" in sub.problem
    assert sub.version.version == "2.1.1"
    assert "CMAKE_PROJECT_VERSION" in sub.version.source


def test_missing_subbuild_is_described_not_raised(tfm_build):
    shutil.rmtree(tfm_build / "tfm")
    build, domain = tfm_domain(tfm_build)
    sub = load_subbuild(domain, build)
    assert sub.state == "missing"
    assert "tfm/CMakeCache.txt is missing" in sub.problem
    assert sub.version.version is None
    assert "could not be determined" in sub.version.notes[0]
    assert sub.effective() == {}


def test_garbled_subbuild_cache_is_unreadable(tfm_build):
    (tfm_build / "tfm" / "CMakeCache.txt").write_bytes(b"\x00\xff garbage\n" * 10)
    build, domain = tfm_domain(tfm_build)
    sub = load_subbuild(domain, build)
    assert sub.state == "unreadable"
    assert "CMakeCache.txt" in sub.problem
    # The generated header is still there and still names the version.
    assert sub.version.version == "2.1.1"


def test_version_from_the_source_tree_and_its_git_tag(tfm_build, tmp_path):
    (tfm_build / "tfm" / VERSION_HEADER).unlink()
    source = tmp_path / "trusted-firmware-m"
    (source / "cmake").mkdir(parents=True)
    (source / "cmake" / "version.cmake").write_text('set(TFM_VERSION_MANUAL "2.2.2")\n')
    cache = tfm_build / "tfm" / "CMakeCache.txt"
    set_cache(cache, CMAKE_PROJECT_NAME="other", CMAKE_HOME_DIRECTORY=str(source))
    build, domain = tfm_domain(tfm_build)
    sub = load_subbuild(domain, build)
    assert sub.version.version == "2.2.2"
    assert sub.version.source.endswith("cmake/version.cmake")
    # A checkout sitting exactly on a release tag: the tag wins.
    git = source / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    sha = "1" * 40
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(sha + "\n")
    (git / "packed-refs").write_text(f"# pack-refs\n{'2' * 40} refs/tags/TF-Mv2.2.1\n^{sha}\n")
    build, domain = tfm_domain(tfm_build)
    sub = load_subbuild(domain, build)
    assert sub.version.version == "2.2.1"
    assert sub.version.full == "TF-Mv2.2.1"


def test_version_from_the_module_references_zephyr_meta_recorded(tfm_build):
    (tfm_build / "tfm" / VERSION_HEADER).unlink()
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", CMAKE_PROJECT_NAME="other",
              CMAKE_HOME_DIRECTORY="/nowhere/trusted-firmware-m")
    (tfm_build / "zephyr" / "zephyr.meta").write_text(
        "modules:\n- name: trusted-firmware-m\n  security:\n    external-references:\n"
        "    - cpe:2.3:a:arm:trusted_firmware-m:2.1.1:*:*:*:*:*:*:*\n"
        "    - pkg:github/TrustedFirmware-M/trusted-firmware-m@TF-Mv2.1.1\n", encoding="utf-8")
    build, domain = tfm_domain(tfm_build)
    version = load_subbuild(domain, build).version
    assert (version.version, version.source) == (
        "2.1.1", "zephyr.meta (trusted-firmware-m module references)")


def test_compare_names_each_disagreement(tfm_build):
    cache = tfm_build / "tfm" / "CMakeCache.txt"
    set_cache(cache, TFM_ISOLATION_LEVEL="2", TFM_DUMMY_PROVISIONING="OFF",
              MCUBOOT_KEY_S="/elsewhere/my-key.pem", TFM_PARTITION_FIRMWARE_UPDATE="ON",
              TFM_PLATFORM="arm/mps3/corstone300/an547")
    build, domain = tfm_domain(tfm_build)
    mismatches = {m.setting.split(" (")[0]: m for m in
                  compare(read_config(domain.parent.kconfig), load_subbuild(domain, build))}
    assert set(mismatches) == {"platform", "isolation level", "dummy provisioning",
                               "S signing key", "PSA Firmware Update partition"}
    assert mismatches["isolation level"].zephyr == "1"
    assert mismatches["isolation level"].tfm == "TFM_ISOLATION_LEVEL=2"


def test_zephyr_local_platform_path_matches_its_expansion(tfm_build):
    set_kconfig(tfm_build,
                TFM_BOARD='"$(ZEPHYR_BASE)/modules/trusted-firmware-m/nordic/nrf5340_cpuapp"')
    set_cache(tfm_build / "tfm" / "CMakeCache.txt",
              TFM_PLATFORM="/home/dev/zephyrproject/zephyr/modules/trusted-firmware-m/nordic/nrf5340_cpuapp")
    build, domain = tfm_domain(tfm_build)
    assert compare(read_config(domain.parent.kconfig), load_subbuild(domain, build)) == []


def test_tfm_source_files_that_are_no_files_are_named_not_waited_for(tfm_build, tmp_path):
    """issue 15: version.cmake, .git/HEAD or the ref it names as a FIFO or /dev/zero."""
    (tfm_build / "tfm" / VERSION_HEADER).unlink()
    source = tmp_path / "trusted-firmware-m"
    (source / "cmake").mkdir(parents=True)
    os.mkfifo(source / "cmake" / "version.cmake")
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", CMAKE_PROJECT_NAME="other", CMAKE_HOME_DIRECTORY=str(source))
    build, domain = tfm_domain(tfm_build)
    with deadline(20), pytest.raises(BuildDirError, match="FIFO") as caught:
        load_subbuild(domain, build)
    assert str(caught.value).startswith(f"{source / 'cmake' / 'version.cmake'}: ")
    (source / "cmake" / "version.cmake").unlink()
    (source / ".git").mkdir()
    os.mkfifo(tmp_path / "ref")
    for head in ("ref: /dev/zero\n", f"ref: {tmp_path / 'ref'}\n"):  # an absolute "ref" leaves .git
        (source / ".git" / "HEAD").write_text(head)
        build, domain = tfm_domain(tfm_build)
        with deadline(20), pytest.raises(BuildDirError, match="is a device|FIFO"):
            load_subbuild(domain, build)
    (source / ".git" / "HEAD").write_bytes(b"\xff\xfe not UTF-8\n")  # not text: no tag, as before
    build, domain = tfm_domain(tfm_build)
    assert load_subbuild(domain, build).version.full is None
