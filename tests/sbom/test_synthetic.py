"""SBOMs of a build whose sources are all here (tests/sbom/workspace.py): real hashes,
licences, copyrights, package verification codes, and what happens when inputs go missing."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import shutil

import pytest
from spdx_tools.spdx.model import RelationshipType

from tests.sbom.helpers import assert_ntia, ntia, package, parse_valid, refs
from tests.sbom.workspace import make_workspace
from zsec_west.builddir import load_build
from zsec_west.sbom.generate import SbomOptions, generate

SUPPLIER = "Acme Corp"
CREATED = _dt.datetime(2024, 5, 1, 12, 0, tzinfo=_dt.timezone.utc)


def _options(**kwargs):
    return SbomOptions(supplier=SUPPLIER, created=CREATED, **kwargs)


def _files_by_name(document):
    contains = {}
    for relation in document.relationships:
        if relation.relationship_type == RelationshipType.CONTAINS:
            contains[relation.related_spdx_element_id] = relation.spdx_element_id
    packages = {p.spdx_id: p.name for p in document.packages}
    return {(packages[contains[f.spdx_id]], f.name): f for f in document.files}


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path / "ws")


def test_every_file_is_listed_with_real_digests_licence_and_copyright(ws):
    result = generate(load_build(ws.build), _options())
    path = result.documents[0].path
    assert path.name == "app.spdx.json"
    document = parse_valid(path)
    assert_ntia(path)
    files = _files_by_name(document)
    expected = {
        ("zephyr", "./kernel/sched.c"): ws.zephyr / "kernel" / "sched.c",
        ("zephyr", "./include/zephyr/kernel.h"): ws.zephyr / "include" / "zephyr" / "kernel.h",
        ("mbedtls", "./library/aes.c"): ws.modules["mbedtls"] / "library" / "aes.c",
        ("acmelib", "./include/acme.h"): ws.modules["acmelib"] / "include" / "acme.h",
        ("app", "./src/main.c"): ws.app / "src" / "main.c",
        ("app-build", "./zephyr/include/generated/zephyr/autoconf.h"):
            ws.build / "zephyr" / "include" / "generated" / "zephyr" / "autoconf.h",
        ("arm-zephyr-eabi-gcc", "./arm-zephyr-eabi/lib/gcc/arm-zephyr-eabi/12.2.0/thumb/libgcc.a"):
            ws.sdk / "arm-zephyr-eabi" / "lib" / "gcc" / "arm-zephyr-eabi" / "12.2.0" / "thumb"
            / "libgcc.a",
    }
    for key, real in expected.items():
        data = real.read_bytes()
        sums = {c.algorithm.name: c.value for c in files[key].checksums}
        assert sums == {"SHA1": hashlib.sha1(data).hexdigest(),
                        "SHA256": hashlib.sha256(data).hexdigest()}, key
    assert len(files) == len(ws.sources) + len(ws.headers)
    sched = files[("zephyr", "./kernel/sched.c")]
    assert str(sched.license_concluded) == "Apache-2.0"
    assert sched.copyright_text == "Copyright (c) 2018 Intel Corporation"
    aes = files[("mbedtls", "./library/aes.c")]
    assert str(aes.license_concluded) == "Apache-2.0 OR GPL-2.0-or-later"
    assert aes.copyright_text == "Copyright The Mbed TLS Contributors"
    assert files[("zephyr", "./lib/os/cbprintf.c")].copyright_text.__class__.__name__ == \
        "SpdxNoAssertion"


def test_packages_versions_suppliers_identifiers(ws):
    result = generate(load_build(ws.build), _options())
    document = parse_valid(result.documents[0].path)
    zephyr = package(document, "zephyr")
    assert zephyr.version == "3.6.0"
    assert refs(zephyr, "cpe23Type") == ["cpe:2.3:o:zephyrproject:zephyr:3.6.0:*:*:*:*:*:*:*"]
    assert refs(zephyr, "purl") == ["pkg:github/zephyrproject-rtos/zephyr@v3.6.0"]
    assert zephyr.supplier.name == "Zephyr Project"
    mbedtls = package(document, "mbedtls")  # module.yml external references on disk
    assert mbedtls.version == "3.6.2"
    assert refs(mbedtls, "cpe23Type") == ["cpe:2.3:a:arm:mbed_tls:3.6.2:*:*:*:*:*:*:*"]
    acme = package(document, "acmelib")  # a git checkout tagged v1.2.3
    assert acme.version == "1.2.3"
    assert acme.supplier.name == "github.com/acme-corp"
    assert refs(acme, "purl")[0].startswith("pkg:github/acme-corp/acmelib@")
    app = package(document, "app")
    assert (app.version, app.supplier.name) == ("2.0.1", SUPPLIER)
    assert package(document, "image:app").version == "2.0.1"
    toolchain = package(document, "arm-zephyr-eabi-gcc")
    assert toolchain.version == "12.2.0"
    assert toolchain.supplier.name == "Zephyr Project"  # the Zephyr SDK
    assert "pkg:github/zephyrproject-rtos/sdk-ng@v0.16.8" in refs(toolchain, "purl")
    assert "unused" not in {p.name for p in document.packages}
    assert "not used by this image: unused" in document.creation_info.document_comment
    assert [c.name for c in document.creation_info.creators] == ["zsec-west-0.1.0", SUPPLIER]
    assert document.creation_info.created == CREATED.replace(tzinfo=None)


def test_package_licences_verification_codes_and_license_refs(ws):
    result = generate(load_build(ws.build), _options())
    document = parse_valid(result.documents[0].path)
    files = _files_by_name(document)
    acme = package(document, "acmelib")
    assert str(acme.license_concluded) == "LicenseRef-Acme-1.0 AND LicenseRef-Acme-Proprietary"
    assert sorted(str(s) for s in acme.license_info_from_files) == \
        ["LicenseRef-Acme-1.0", "LicenseRef-Acme-Proprietary"]
    declared = {info.license_id: info.license_name for info in document.extracted_licensing_info}
    assert declared == {"LicenseRef-Acme-1.0": "Acme-1.0",
                        "LicenseRef-Acme-Proprietary": "LicenseRef-Acme-Proprietary"}
    assert acme.copyright_text == "Copyright 2021 Acme Corp\nCopyright (c) 2020 Acme Corp"
    for pkg in document.packages:
        if not pkg.files_analyzed:
            continue
        sha1s = sorted(next(c.value for c in f.checksums if c.algorithm.name == "SHA1")
                       for (name, _), f in files.items() if name == pkg.name)
        assert pkg.verification_code.value == \
            hashlib.sha1("".join(sha1s).encode()).hexdigest(), pkg.name
    toolchain = package(document, "arm-zephyr-eabi-gcc")
    assert str(toolchain.license_concluded) == "GPL-3.0-or-later WITH GCC-exception-3.1"
    image = package(document, "image:app")
    data = (ws.build / "zephyr" / "zephyr.bin").read_bytes()
    assert {c.algorithm.name: c.value for c in image.checksums}["SHA256"] == \
        hashlib.sha256(data).hexdigest()
    kinds = {(r.spdx_element_id, r.relationship_type.name, r.related_spdx_element_id)
             for r in document.relationships}
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", image.spdx_id) in kinds
    assert (image.spdx_id, "CONTAINS", package(document, "zephyr").spdx_id) in kinds
    assert (toolchain.spdx_id, "BUILD_TOOL_OF", image.spdx_id) in kinds
    assert (image.spdx_id, "DEPENDS_ON", toolchain.spdx_id) in kinds


def test_same_inputs_same_bytes(ws, tmp_path):
    build = load_build(ws.build)
    first = generate(build, _options(output_dir=tmp_path / "a")).documents[0].path.read_bytes()
    second = generate(build, _options(output_dir=tmp_path / "b")).documents[0].path.read_bytes()
    assert first == second
    (ws.app / "src" / "main.c").write_text("int main(void) { return 1; }\n")
    third = generate(build, _options(output_dir=tmp_path / "c")).documents[0].path.read_bytes()
    namespace = lambda raw: json.loads(raw)["documentNamespace"]  # noqa: E731
    assert namespace(third) != namespace(first)


def test_output_is_written_atomically(ws, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "app.spdx.json").write_text("old")
    generate(load_build(ws.build), _options(output_dir=out))
    assert sorted(p.name for p in out.iterdir()) == ["app.spdx.json"]
    assert json.loads((out / "app.spdx.json").read_text())["spdxVersion"] == "SPDX-2.3"


def test_vanished_and_unreadable_files_are_counted_not_listed(ws):
    (ws.modules["mbedtls"] / "include" / "mbedtls" / "aes.h").unlink()
    kernel_h = ws.zephyr / "include" / "zephyr" / "kernel.h"
    kernel_h.unlink()
    kernel_h.mkdir()  # something that is not a regular file
    result = generate(load_build(ws.build), _options())
    document = parse_valid(result.documents[0].path)
    assert_ntia(result.documents[0].path)
    names = {f.name for f in document.files}
    assert "./include/mbedtls/aes.h" not in names and "./include/zephyr/kernel.h" not in names
    assert "1 of 2 files" in package(document, "mbedtls").comment
    assert "1 missing" in package(document, "mbedtls").comment
    assert "not a regular file" in package(document, "zephyr").comment
    assert result.documents[0].missing_files == 2
    total = len(ws.sources) + len(ws.headers)
    assert f"app: 2 of {total} files the build used could not be read here; they are counted, " \
        "not listed" in result.gaps


def test_a_module_directory_that_is_gone(ws):
    shutil.rmtree(ws.modules["acmelib"])
    result = generate(load_build(ws.build), _options())
    document = parse_valid(result.documents[0].path)
    acme = package(document, "acmelib")
    assert not acme.files_analyzed
    assert "2 source tree not on this machine" in acme.comment
    assert any(g == "app: version of acmelib unknown (build with CONFIG_BUILD_OUTPUT_META=y to "
                    "record module revisions)" for g in result.gaps)
    assert any(g.startswith("app: supplier of acmelib unknown") for g in result.gaps)
    checker = ntia(result.documents[0].path)
    assert [name for name, _ in checker.components_without_versions] == ["acmelib"]


def test_no_compile_database_uses_the_dependency_log(tmp_path):
    ws = make_workspace(tmp_path / "ws", compile_commands=False, git_module=False)
    result = generate(load_build(ws.build), _options())
    document = parse_valid(result.documents[0].path)
    assert "compile_commands.json not found" in document.creation_info.creator_comment
    assert ".ninja_deps (7 targets)" in document.creation_info.creator_comment
    names = {f.name for f in document.files}
    assert {"./kernel/sched.c", "./library/aes.c", "./include/mbedtls/aes.h"} <= names
    assert any("compile_commands.json not found" in g for g in result.gaps)


def test_broken_compile_database_is_named_and_survived(ws):
    (ws.build / "compile_commands.json").write_text("[{")
    result = generate(load_build(ws.build), _options())
    assert any("compile_commands.json: not valid JSON" in g for g in result.gaps)
    document = parse_valid(result.documents[0].path)
    assert "./kernel/sched.c" in {f.name for f in document.files}


def test_nothing_but_metadata(tmp_path):
    ws = make_workspace(tmp_path / "ws", compile_commands=False, ninja_deps=False,
                        map_file=False, git_module=False)
    result = generate(load_build(ws.build), _options())
    document = parse_valid(result.documents[0].path)
    assert document.files == []
    assert {"zephyr", "mbedtls", "acmelib", "unused", "app"} <= {p.name for p in
                                                                 document.packages}
    assert any("no record of the compiled sources" in g for g in result.gaps)
    assert any("no linker map" in g for g in result.gaps)
    assert "packages come from metadata only" in document.creation_info.document_comment
