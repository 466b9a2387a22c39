"""Every fixture loads with the right domains, boards, Kconfig values and partitions."""

import pytest

from tests.conftest import BUILDS
from zsec_west.builddir import load_build
from zsec_west.errors import BuildDirError


def test_plain_build():
    build = load_build(BUILDS["hello"])
    assert not build.is_sysbuild and build.sysbuild is None
    assert [(d.name, d.kind) for d in build.all_domains()] == [("hello_world", "app")]
    app = build.default
    assert app.board == "qemu_cortex_m3"
    assert app.zephyr_version == "3.7.1"
    assert app.kconfig.enabled("BOOT_BANNER")
    assert app.kconfig.int("FAULT_DUMP") == 2
    assert app.devicetree.flash.reg == (0, 0x40000)
    assert [m.name for m in build.modules] == [
        "cmsis", "mbedtls", "mcuboot", "picolibc", "tinycrypt", "trusted-firmware-m", "zcbor"]
    mbedtls = next(m for m in build.modules if m.name == "mbedtls")
    assert "pkg:github/Mbed-TLS/mbedtls@V3.6.2" in mbedtls.external_references
    assert app.kconfig_env["BOARD"] == "qemu_cortex_m3"
    assert app.kconfig_env["srctree"].endswith("/zephyr")
    assert app.app_source_dir.endswith("samples/hello_world")


def test_sysbuild_build(build_copy):
    build = load_build(build_copy("mcuboot-sysbuild"))
    assert build.is_sysbuild
    kinds = [(d.name, d.kind) for d in build.all_domains()]
    assert kinds == [("sysbuild", "sysbuild"), ("hello_world", "app"), ("mcuboot", "mcuboot")]
    assert build.sysbuild.kconfig.enabled("BOOTLOADER_MCUBOOT")
    assert build.default.name == "hello_world"
    assert build.domain("mcuboot").kconfig.enabled("BOOT_VALIDATE_SLOT0")
    assert build.domain("mcuboot").devicetree.code_partition.label == "boot_partition"
    assert build.domain("hello_world").board == "nrf52840dk/nrf52840"
    assert [d.name for d in build.select(["mcuboot"])] == ["mcuboot"]
    with pytest.raises(Exception, match="no domain 'nope'"):
        build.select(["nope"])


def test_tfm_build_has_a_tfm_domain():
    build = load_build(BUILDS["tfm-ns"])
    assert [(d.name, d.kind) for d in build.all_domains()] == [("tfm_ipc", "app"), ("tfm", "tfm")]
    tfm = build.domain("tfm")
    assert tfm.cache.value("TFM_PLATFORM") == "arm/mps2/an521"
    assert tfm.kconfig.int("TFM_ISOLATION_LEVEL") == 1  # TF-M is configured from the app's Kconfig
    assert tfm.board == "mps2/an521/cpu0/ns"


def test_location_prefers_the_conf_file_that_set_it(build_copy):
    build_dir = build_copy("hello")
    conf = build_dir / "prj.conf"
    conf.write_text("CONFIG_PRINTK=y\n# CONFIG_BOOT_BANNER is not set\n")
    cache = build_dir / "CMakeCache.txt"
    text = cache.read_text().replace(
        "CONF_FILE:STRING=/home/dev/zephyrproject/zephyr/samples/hello_world/prj.conf",
        f"CONF_FILE:STRING={conf}")
    cache.write_text(text)
    app = load_build(build_dir).default
    assert app.location("PRINTK").path == str(conf) and app.location("PRINTK").line == 1
    assert app.location("CONFIG_BOOT_BANNER").line == 2
    fallback = app.location("FAULT_DUMP")
    assert fallback.path.endswith("zephyr/.config") and fallback.line is not None


def test_outputs_are_discovered(build_copy):
    top = build_copy("mcuboot-sysbuild")
    zdir = top / "hello_world" / "zephyr"
    (zdir / "zephyr.bin").write_bytes(b"\0" * 16)
    (zdir / "zephyr.signed.bin").write_bytes(b"\0" * 16)
    app = load_build(top).domain("hello_world")
    assert [a.role for a in app.outputs] == ["bin", "signed.bin"]
    assert app.output("signed.bin") == zdir / "zephyr.signed.bin"


def test_paths_with_spaces_and_non_ascii(build_copy):
    build_dir = build_copy("mcuboot-sysbuild", "bûild dir with spaces")
    build = load_build(build_dir)
    assert build.domain("mcuboot").build_dir == build_dir / "mcuboot"


def test_missing_domain_directory(build_copy):
    top = build_copy("mcuboot-sysbuild")
    import shutil
    shutil.rmtree(top / "mcuboot")
    with pytest.raises(BuildDirError, match="domain 'mcuboot'"):
        load_build(top)


def test_unreadable_config(build_copy):
    top = build_copy("hello")
    config = top / "zephyr" / ".config"
    config.write_bytes(b"\x00\xff" * 50)
    with pytest.raises(BuildDirError) as err:
        _ = load_build(top).default.kconfig
    assert ".config" in str(err.value)


def test_each_sysbuild_image_lists_its_own_modules(build_copy):
    from zsec_west.builddir.modules import module_variable

    build = load_build(build_copy("mcuboot-sysbuild"))
    mcuboot = build.domain("mcuboot")
    names = [m.name for m in mcuboot.modules()]
    assert names[:3] == ["cmsis", "mbedtls", "mcuboot"] and "hal_nordic" in names
    assert next(m for m in mcuboot.modules() if m.name == "mcuboot").path.endswith("/bootloader/mcuboot")
    (mcuboot.build_dir / "zephyr_modules.txt").unlink()
    assert mcuboot.modules() == []
    assert module_variable("trusted-firmware-m", "MODULE_DIR") == "ZEPHYR_TRUSTED_FIRMWARE_M_MODULE_DIR"


def test_module_yml_or_module_yaml_is_read(tmp_path):
    from zsec_west.builddir.modules import read_module_yml

    module = tmp_path / "acme"
    (module / "zephyr").mkdir(parents=True)
    assert read_module_yml(module) is None
    (module / "zephyr" / "module.yaml").write_text("name: acme\nbuild: {settings: {board_root: .}}\n")
    assert read_module_yml(module)["name"] == "acme"
    (module / "zephyr" / "module.yml").write_text("name: [broken\n")
    assert read_module_yml(module)["name"] == "acme"  # the unreadable one is passed over
