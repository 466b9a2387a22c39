"""SBOMs of the real (copied) builds: stale paths, no sources here, metadata only.

That is the normal "CI artifact" case: packages are listed with versions and identifiers from
the metadata, files that cannot be read are counted as a gap and never listed with made-up
hashes.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from spdx_tools.spdx.model import RelationshipType

from tests.sbom.helpers import assert_ntia, ntia, package, parse_valid, refs
from zsec_west.builddir import load_build
from zsec_west.errors import UsageError
from zsec_west.sbom.generate import SbomOptions, generate

ZEPHYR_CPE = "cpe:2.3:o:zephyrproject:zephyr:3.7.1:*:*:*:*:*:*:*"
ZEPHYR_COMMIT = "afc1c5bfe1d2fe75117c1e3dce5fa53e3c9bfdd5"


def test_hello_world_plain_build(build_copy):
    build = build_copy("hello")
    result = generate(load_build(build), SbomOptions())
    assert [d.path.name for d in result.documents] == ["hello_world.spdx.json"]
    path = result.documents[0].path
    assert path.parent == build / "sbom"
    document = parse_valid(path)
    assert_ntia(path)

    zephyr = package(document, "zephyr")
    assert zephyr.version == "3.7.1"
    assert refs(zephyr, "cpe23Type") == [ZEPHYR_CPE]
    assert f"pkg:github/zephyrproject-rtos/zephyr@{ZEPHYR_COMMIT}" in refs(zephyr, "purl")
    assert zephyr.supplier.name == "Zephyr Project"
    assert zephyr.download_location == \
        f"git+https://github.com/zephyrproject-rtos/zephyr@{ZEPHYR_COMMIT}"
    # Every module the image used carries a package URL at its recorded commit.
    picolibc = package(document, "picolibc")
    assert picolibc.version == "764ef4e401a8f4c6a86ab723533841f072885a5b"
    assert refs(picolibc, "purl") == \
        ["pkg:github/zephyrproject-rtos/picolibc@764ef4e401a8f4c6a86ab723533841f072885a5b"]
    assert picolibc.originator.name == "picolibc project"
    assert "dirty" in picolibc.comment
    # Nothing is readable here: no file is listed, the packages say how many are missing.
    assert document.files == []
    assert not picolibc.files_analyzed and picolibc.verification_code is None
    assert "942 of 942 files" in picolibc.comment
    # Modules the build knew but the image did not use are not packages.
    names = {p.name for p in document.packages}
    assert {"mbedtls", "mcuboot", "tinycrypt", "zcbor"}.isdisjoint(names)
    assert "not used by this image: mbedtls, mcuboot" in document.creation_info.document_comment
    assert "compile_commands.json (1025 entries)" in document.creation_info.creator_comment
    assert any("could not be read here" in gap for gap in result.gaps)
    toolchain = package(document, "arm-none-eabi-gcc")
    assert toolchain.version == "12.2.1"
    assert refs(toolchain, "cpe23Type") == ["cpe:2.3:a:gnu:gcc:12.2.1:*:*:*:*:*:*:*"]


def test_components_for_vulnerability_matching(build_copy):
    result = generate(load_build(build_copy("hello")), SbomOptions())
    document = parse_valid(result.documents[0].path)
    by_name = {c.name: c for c in result.components}
    zephyr = by_name["zephyr"]
    assert (zephyr.version, zephyr.domain, zephyr.revision) == ("3.7.1", "hello_world",
                                                               ZEPHYR_COMMIT)
    assert zephyr.spdx_id == package(document, "zephyr").spdx_id
    assert zephyr.cpes == (ZEPHYR_CPE,)
    assert "kernel/sched.c" in zephyr.compiled_files
    assert len(by_name["picolibc"].compiled_files) == 942
    assert by_name["toolchain"].cpes == ("cpe:2.3:a:gnu:gcc:12.2.1:*:*:*:*:*:*:*",)
    # The sample lies inside Zephyr: its subpath PURL stays in the SBOM, not in matching.
    assert by_name["hello_world"].purls == ()
    assert any("#samples/hello_world" in p for p in refs(package(document, "hello_world"),
                                                          "purl"))


def test_sysbuild_gives_a_document_per_domain_and_a_system_document(build_copy):
    build = build_copy("mcuboot-sysbuild")
    image = build / "hello_world" / "zephyr" / "zephyr.signed.bin"
    image.write_bytes(b"\x3d\xb8\xf3\x96" + bytes(1000))
    out = build / "out"
    result = generate(load_build(build), SbomOptions(output_dir=out))
    names = sorted(d.path.name for d in result.documents)
    assert names == ["hello_world.spdx.json", "mcuboot.spdx.json", "system.spdx.json"]
    for name in names:
        parse_valid(out / name)
        assert_ntia(out / name)

    mcuboot = parse_valid(out / "mcuboot.spdx.json")
    mbedtls = package(mcuboot, "mbedtls")
    # module.yml `security: external-references` (recorded in zephyr.meta) win over the table.
    assert refs(mbedtls, "cpe23Type") == ["cpe:2.3:a:arm:mbed_tls:3.6.2:*:*:*:*:*:*:*"]
    assert "pkg:github/Mbed-TLS/mbedtls@V3.6.2" in refs(mbedtls, "purl")
    assert mbedtls.version == "3.6.2"
    assert package(mcuboot, "mcuboot-boot-zephyr")  # MCUboot's app dir is not called "zephyr"
    assert refs(package(mcuboot, "zephyr"), "cpe23Type") == [ZEPHYR_CPE]

    system = parse_valid(out / "system.spdx.json")
    external = {ref.document_ref_id: ref for ref in system.creation_info.external_document_refs}
    assert set(external) == {"DocumentRef-hello-world", "DocumentRef-mcuboot"}
    for ref_id, file_name in (("DocumentRef-hello-world", "hello_world.spdx.json"),
                              ("DocumentRef-mcuboot", "mcuboot.spdx.json")):
        data = (out / file_name).read_bytes()
        assert external[ref_id].checksum.value == hashlib.sha1(data).hexdigest()
        domain_doc = parse_valid(out / file_name)
        assert external[ref_id].document_uri == domain_doc.creation_info.document_namespace
    app_image = package(system, "image:hello_world")
    sha256 = [c.value for c in app_image.checksums if c.algorithm.name == "SHA256"]
    assert sha256 == [hashlib.sha256(image.read_bytes()).hexdigest()]
    assert app_image.file_name == "hello_world/zephyr/zephyr.signed.bin"
    assert package(system, "image:mcuboot").checksums == []  # the copy has no MCUboot binaries
    described = {(r.spdx_element_id, r.related_spdx_element_id) for r in system.relationships
                 if r.relationship_type == RelationshipType.DESCRIBED_BY}
    assert ("SPDXRef-Image-hello-world", "DocumentRef-hello-world:SPDXRef-DOCUMENT") in described
    # Flash order from domains.yaml: MCUboot first.
    images = [r.related_spdx_element_id for r in system.relationships
              if r.relationship_type == RelationshipType.CONTAINS]
    assert images == ["SPDXRef-Image-mcuboot", "SPDXRef-Image-hello-world"]


def test_domain_selection(build_copy):
    build = load_build(build_copy("mcuboot-sysbuild"))
    result = generate(build, SbomOptions(domains=("mcuboot",)))
    assert [d.path.name for d in result.documents] == ["mcuboot.spdx.json"]
    with pytest.raises(UsageError, match="no image of its own"):
        generate(build, SbomOptions(domains=("sysbuild",)))
    with pytest.raises(UsageError, match="no domain 'nope'"):
        generate(build, SbomOptions(domains=("nope",)))


def test_tfm_build_lists_tfm_with_its_version_and_reports_what_is_unknown(build_copy):
    build = build_copy("tfm-ns")
    result = generate(load_build(build), SbomOptions())
    names = sorted(d.path.name for d in result.documents)
    assert names == ["system.spdx.json", "tfm.spdx.json", "tfm_ipc.spdx.json"]
    tfm = parse_valid(build / "sbom" / "tfm.spdx.json")
    tfm_package = package(tfm, "trusted-firmware-m")
    assert tfm_package.version == "2.1.1"
    assert refs(tfm_package, "cpe23Type") == \
        ["cpe:2.3:a:arm:trusted_firmware-m:2.1.1:*:*:*:*:*:*:*"]
    assert {"mbedtls", "mcuboot"} <= {p.name for p in tfm.packages}  # BL2 and crypto
    # This copy has no zephyr.meta: module versions are unknown. The NTIA checker flags
    # exactly the packages the report names as gaps, nothing is invented.
    checker = ntia(build / "sbom" / "tfm_ipc.spdx.json")
    flagged = sorted(name for name, _ in checker.components_without_versions)
    reported = sorted(gap.split("version of ")[1].split(" unknown")[0] for gap in result.gaps
                      if gap.startswith("tfm_ipc: version of"))
    assert flagged == reported == ["cmsis", "mbedtls", "picolibc"]
    assert not checker.components_without_suppliers
    assert_ntia(build / "sbom" / "system.spdx.json")


def test_tag_value_parses_back(build_copy):
    build = build_copy("mcuboot-sysbuild")
    result = generate(load_build(build), SbomOptions(fmt="spdx-tv"))
    assert sorted(d.path.name for d in result.documents) == \
        ["hello_world.spdx", "mcuboot.spdx", "system.spdx"]
    for document in result.documents:
        parsed = parse_valid(document.path)
        assert parsed.creation_info.spdx_version == "SPDX-2.3"
    assert_ntia(build / "sbom" / "hello_world.spdx")


def test_cyclonedx(build_copy):
    build = build_copy("mcuboot-sysbuild")
    result = generate(load_build(build), SbomOptions(fmt="cyclonedx"))
    assert sorted(d.path.name for d in result.documents) == \
        ["hello_world.cdx.json", "mcuboot.cdx.json", "system.cdx.json"]
    bom = json.loads((build / "sbom" / "hello_world.cdx.json").read_text())
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"
    assert bom["metadata"]["component"]["type"] == "firmware"
    zephyr = next(c for c in bom["components"] if c["name"] == "zephyr")
    assert zephyr["cpe"] == ZEPHYR_CPE and zephyr["version"] == "3.7.1"
    assert zephyr["purl"].startswith("pkg:github/zephyrproject-rtos/zephyr@")
    assert zephyr["supplier"]["name"] == "Zephyr Project"
    system = json.loads((build / "sbom" / "system.cdx.json").read_text())
    links = [ref["url"] for c in system["components"] for ref in c.get("externalReferences", [])
             if ref["type"] == "bom"]
    assert len(links) == 2 and all(link.startswith("urn:cdx:") for link in links)
    serials = {json.loads((build / "sbom" / n).read_text())["serialNumber"]
               for n in ("hello_world.cdx.json", "mcuboot.cdx.json")}
    assert {link[len("urn:cdx:"):].rsplit("/", 1)[0] for link in links} == \
        {s[len("urn:uuid:"):] for s in serials}
