"""CSAF 2.0 VEX output: valid against the OASIS CSAF 2.0 schema (with the three FIRST CVSS
schemas registered under the URLs it references), and saying what OpenVEX says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BUILDS, SHARED
from zsec_west.builddir import load_build
from zsec_west.sbom.generate import SbomOptions, generate
from zsec_west.sbom.vulns import VulnOptions, scan

CSAF = SHARED / "fixtures" / "schemas" / "csaf-2.0"


def _validator():
    import jsonschema
    from referencing import Registry, Resource

    registry: Registry = Registry()
    for name in ("cvss-v2.0.json", "cvss-v3.0.json", "cvss-v3.1.json"):
        registry = registry.with_resource(f"https://www.first.org/cvss/{name}",
                                          Resource.from_contents(json.loads((CSAF / name).read_text())))
    schema = json.loads((CSAF / "csaf_json_schema.json").read_text())
    return jsonschema.Draft202012Validator(schema, registry=registry,
                                           format_checker=jsonschema.FormatChecker())


@pytest.mark.skipif(not (CSAF / "csaf_json_schema.json").is_file(), reason="../shared CSAF schemas not present")
def test_csaf_vex_of_the_sysbuild_example(tmp_path: Path) -> None:
    build = load_build(BUILDS["mcuboot-sysbuild"])
    result = generate(build, SbomOptions(output_dir=tmp_path / "sbom"))
    csaf_path, openvex_path = tmp_path / "vex.csaf.json", tmp_path / "vex.openvex.json"
    db = tmp_path / "db.sqlite"
    scan(result.components, build, VulnOptions(db=db, vex_out=csaf_path, vex_format="csaf"))
    scan(result.components, build, VulnOptions(db=db, vex_out=openvex_path))
    document = json.loads(csaf_path.read_text())
    errors = [e.message for e in _validator().iter_errors(document)]
    assert errors == []
    assert document["document"]["category"] == "csaf_vex"
    products = {p["product_id"]: p for p in document["product_tree"]["full_product_names"]}
    vulns = {v.get("cve"): v for v in document["vulnerabilities"]}
    tls = vulns["CVE-2025-27809"]
    (product,) = tls["product_status"]["known_not_affected"]
    assert products[product]["product_identification_helper"]["cpe"].startswith("cpe:2.3:a:arm:mbed_tls:3.6.2")
    assert tls["flags"] == [{"label": "vulnerable_code_not_present", "product_ids": [product]}]
    assert "linker map zephyr.map" in tls["threats"][0]["details"]
    # The same statuses as the OpenVEX document, vulnerability by vulnerability.
    openvex = json.loads(openvex_path.read_text())
    mapping = {"not_affected": "known_not_affected", "affected": "known_affected",
               "fixed": "fixed", "under_investigation": "under_investigation"}
    expected = {}
    for statement in openvex["statements"]:
        expected.setdefault(statement["vulnerability"]["name"], set()).add(mapping[statement["status"]])
    got = {}
    for vuln in document["vulnerabilities"]:
        name = vuln.get("cve") or vuln["ids"][0]["text"]
        got[name] = set(vuln["product_status"])
    assert got == expected
    affected = [v for v in document["vulnerabilities"] if "known_affected" in v["product_status"]]
    assert affected and all(v["remediations"] for v in affected)
