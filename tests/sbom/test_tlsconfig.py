"""The mbed TLS configuration header a compile used, read for its feature macros."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsec_west.sbom.cconfig import ConfigUnknown, defined_macros
from zsec_west.sbom.sources import CompileUnit
from zsec_west.sbom.tlsconfig import read_tls_config


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    include = tmp_path / "boot" / "include"
    include.mkdir(parents=True)
    (include / "config-rsa.h").write_text(
        "/* RSA only */\n#define MBEDTLS_RSA_C\n#define MBEDTLS_PKCS1_V21\n"
        "#undef MBEDTLS_PKCS1_V15\n")
    (include / "mcuboot-mbedtls-cfg.h").write_text(
        "#if defined(CONFIG_BOOT_SIGNATURE_TYPE_RSA)\n"
        "#include \"config-rsa.h\"\n"
        "#elif defined(CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256) || \\\n"
        "      (CONFIG_BOOT_SIGNATURE_KEY_SIZE >= 256)\n"
        "#define MBEDTLS_ECP_C\n"
        "#else\n#error \"no signature\"\n#endif\n"
        "#ifndef MBEDTLS_SSL_TLS_C\n#define MBEDTLS_SHA256_C // hashing only\n#endif\n"
        "#if 0\n#define MBEDTLS_SSL_CLI_C\n#endif\n")
    autoconf = tmp_path / "build" / "autoconf.h"
    autoconf.parent.mkdir()
    autoconf.write_text("#define CONFIG_BOOT_SIGNATURE_TYPE_RSA 1\n#define CONFIG_BOOT_SIGNATURE_KEY_SIZE 2048\n")
    return include, autoconf


def test_header_with_kconfig_conditions_and_includes(tmp_path: Path) -> None:
    include, autoconf = _tree(tmp_path)
    macros, read = defined_macros(include / "mcuboot-mbedtls-cfg.h", {"MBEDTLS_PKCS1_V15": "1"},
                                  (include,), (autoconf,))
    assert {"MBEDTLS_RSA_C", "MBEDTLS_PKCS1_V21", "MBEDTLS_SHA256_C"} <= macros
    assert "MBEDTLS_PKCS1_V15" not in macros  # #undef wins over the -D
    assert "MBEDTLS_ECP_C" not in macros and "MBEDTLS_SSL_CLI_C" not in macros
    assert read == ("mcuboot-mbedtls-cfg.h", "config-rsa.h")


def test_the_other_branch_and_error(tmp_path: Path) -> None:
    include, autoconf = _tree(tmp_path)
    autoconf.write_text("#define CONFIG_BOOT_SIGNATURE_KEY_SIZE 256\n")
    macros, _ = defined_macros(include / "mcuboot-mbedtls-cfg.h", {}, (include,), (autoconf,))
    assert "MBEDTLS_ECP_C" in macros and "MBEDTLS_RSA_C" not in macros
    autoconf.write_text("")
    with pytest.raises(ConfigUnknown, match="#error"):
        defined_macros(include / "mcuboot-mbedtls-cfg.h", {}, (include,), (autoconf,))


@pytest.mark.parametrize("text, why", [
    ("#if FOO(1)\n#endif\n", "cannot evaluate"),
    ("#include MBEDTLS_USER_CONFIG\n", "names a macro"),
    ("#include \"missing.h\"\n", "is not here"),
    ("#if 1\n", "without #endif"),
    ("#define V abc\n#if V > 2\n#endif\n", "not a number"),
])
def test_what_cannot_be_told_is_unknown_not_guessed(tmp_path: Path, text: str, why: str) -> None:
    header = tmp_path / "cfg.h"
    header.write_text(text)
    with pytest.raises(ConfigUnknown, match=why):
        defined_macros(header, {}, (tmp_path,))


def test_read_from_the_compile_command(tmp_path: Path) -> None:
    include, autoconf = _tree(tmp_path)
    unit = CompileUnit("/rec/mbedtls/library/ssl_tls.c", "/rec/build",
                       defines=('MBEDTLS_CONFIG_FILE="mcuboot-mbedtls-cfg.h"', "KERNEL"),
                       include_dirs=("/rec/boot/include", "/rec/nowhere"),
                       include_files=("/rec/build/autoconf.h",))
    local = {"/rec/boot/include": include, "/rec/build/autoconf.h": autoconf}
    config = read_tls_config(unit, local.get)
    assert config.header == "mcuboot-mbedtls-cfg.h"
    assert config.macros is not None and "MBEDTLS_RSA_C" in config.macros
    missing = read_tls_config(unit, lambda recorded: None)
    assert missing.macros is None and "is not on this machine" in missing.note
