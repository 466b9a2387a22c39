"""Applicability from the link: a source counts as in the image only when the final link map
shows its object giving the image code or data. Run end to end, SBOM then scan, on the
sysbuild example, whose MCUboot compiles every mbed TLS file but links the TLS ones empty."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zsec_west.builddir import load_build
from zsec_west.findings import Status
from zsec_west.sbom.generate import SbomOptions, generate
from zsec_west.sbom.linkmap import read_link_map
from zsec_west.sbom.vulns import VulnOptions, scan

ROOT = Path(__file__).resolve().parents[3]
SYSBUILD = ROOT / "examples" / "nrf52840-mcuboot"
MCUBOOT_MAP = SYSBUILD / "mcuboot" / "zephyr" / "zephyr.map"
SHARED_MAP = ROOT / ".." / "shared" / "fixtures" / "builds" / "mcuboot-sysbuild" / "mcuboot" / \
    "zephyr" / "zephyr.map"
TLS = "modules/mbedtls/libmodules__mbedtls.a(ssl_tls.c.obj)"


def _scan(build_dir: Path, tmp_path: Path):
    build = load_build(build_dir)
    result = generate(build, SbomOptions(output_dir=tmp_path / "sbom"))
    return result, scan(result.components, build, VulnOptions(db=tmp_path / "vulns.sqlite"))


def test_the_real_map_says_what_each_object_gave_the_image() -> None:
    parsed = read_link_map(MCUBOOT_MAP)
    assert parsed is not None and parsed.decides
    # Pulled in (--whole-archive) but compiled to nothing: every loaded section is empty.
    assert parsed.sizes["modules/mbedtls/libmodules__mbedtls.a(ssl_cache.c.obj)"] == 0
    assert parsed.sizes[TLS] == 0
    assert parsed.sizes["modules/mbedtls/libmbedTLSBase.a(rsa.c.obj)"] > 0
    objects = "modules/mbedtls/CMakeFiles/modules__mbedtls.dir/home/x/library/ssl_tls.c.obj"
    assert parsed.contribution(objects) == 0
    assert parsed.contribution("modules/mbedtls/CMakeFiles/mbedTLSBase.dir/a/library/rsa.c.obj") > 0
    # An archive the link never loaded: none of its objects is in the image.
    assert parsed.contribution("zephyr/lib/posix/options/CMakeFiles/lib__posix__options.dir/x.c.obj") == 0
    # app/libapp.a although the objects sit under CMakeFiles/app.dir (ARCHIVE_OUTPUT_DIRECTORY).
    assert parsed.contribution("CMakeFiles/app.dir/home/x/boot/zephyr/main.c.obj") > 0
    # An object of no CMake target: the map cannot tell.
    assert parsed.contribution("somewhere/else.o") is None


@pytest.mark.skipif(not SHARED_MAP.is_file(), reason="../shared fixtures not present")
def test_the_example_carries_the_real_map() -> None:
    assert MCUBOOT_MAP.read_bytes() == SHARED_MAP.read_bytes()


def test_a_map_of_another_layout_decides_nothing(tmp_path: Path) -> None:
    lld = tmp_path / "zephyr.map"
    lld.write_text("             VMA              LMA     Size Align Out     In      Symbol\n"
                   "               0                0      100     4 text\n")
    parsed = read_link_map(lld)
    assert parsed is not None and not parsed.decides


def test_tls_advisory_is_not_applicable_to_mcuboot_by_its_link_map(tmp_path: Path) -> None:
    result, findings = _scan(SYSBUILD, tmp_path)
    mbedtls = next(c for c in result.components if c.domain == "mcuboot" and c.name == "mbedtls")
    assert "library/ssl_cache.c" in mbedtls.compiled_files
    assert mbedtls.link_map == "zephyr.map"
    assert "library/ssl_cache.c" not in mbedtls.linked_files
    assert "library/rsa.c" in mbedtls.linked_files
    tls = next(f for f in findings if f.rule.id == "CVE-2025-27809" and f.domain == "mcuboot")
    assert tls.status is Status.NOT_APPLICABLE
    assert "is compiled but gives the image no code or data" in tls.message
    assert "linker map zephyr.map" in tls.message


def test_tls_advisory_stays_affected_when_the_tls_files_give_code(tmp_path: Path,
                                                                  build_copy) -> None:
    copy = build_copy("mcuboot-sysbuild")
    path = copy / "mcuboot" / "zephyr" / "zephyr.map"
    text = path.read_text(encoding="utf-8")
    # Place a function of ssl_tls.c.obj in the `text` output section, as a link with TLS
    # configured in would (the real map has only its empty sections, all discarded).
    head, memory = text.split("Linker script and memory map", 1)
    placed = (" .text.mbedtls_ssl_setup\n"
              "                0x00007000      0x1f4 modules/mbedtls/libmodules__mbedtls.a(ssl_tls.c.obj)\n")
    memory, count = re.subn(r"^(text\s+0x[0-9a-f]+\s+0x[0-9a-f]+\n)", lambda m: m.group(1) + placed,
                            memory, count=1, flags=re.M)
    assert count == 1
    path.write_text(head + "Linker script and memory map" + memory, encoding="utf-8")
    result, findings = _scan(copy, tmp_path)
    mbedtls = next(c for c in result.components if c.domain == "mcuboot" and c.name == "mbedtls")
    assert "library/ssl_tls.c" in mbedtls.linked_files
    tls = next(f for f in findings if f.rule.id == "CVE-2025-27809" and f.domain == "mcuboot")
    assert tls.status is Status.FAIL
    assert "library/ssl_tls.c is compiled and linked into the image (zephyr.map)" in tls.message


def test_without_a_map_compiled_still_counts(tmp_path: Path, build_copy) -> None:
    copy = build_copy("mcuboot-sysbuild")
    (copy / "mcuboot" / "zephyr" / "zephyr.map").unlink()
    result, findings = _scan(copy, tmp_path)
    mbedtls = next(c for c in result.components if c.domain == "mcuboot" and c.name == "mbedtls")
    assert mbedtls.linked_files is None
    tls = next(f for f in findings if f.rule.id == "CVE-2025-27809" and f.domain == "mcuboot")
    assert tls.status is Status.FAIL and "is compiled]" in tls.message
