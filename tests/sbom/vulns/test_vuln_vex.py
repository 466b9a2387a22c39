"""OpenVEX out (one statement per match, in the 0.2.0 shape) and in (waives not_affected/fixed)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import BUILDS
from tests.sbom.vulns.conftest import mbedtls, zephyr
from zsec_west.errors import DataFileError
from zsec_west.findings import Status
from zsec_west.sbom.vulns import VulnOptions, scan

NVD = Path(__file__).parent / "data" / "nvd-small.json"

# The parts of the OpenVEX 0.2.0 document shape a consumer relies on (written from the spec).
_PRODUCT = {"type": "object", "required": ["@id"],
            "properties": {"@id": {"type": "string", "minLength": 1},
                           "identifiers": {"type": "object",
                                           "properties": {"purl": {"type": "string"},
                                                          "cpe23": {"type": "string"}}}}}
OPENVEX_SHAPE = {
    "type": "object",
    "required": ["@context", "@id", "author", "timestamp", "version", "statements"],
    "properties": {
        "@context": {"const": "https://openvex.dev/ns/v0.2.0"},
        "@id": {"type": "string", "pattern": "^https://"},
        "author": {"type": "string", "minLength": 1},
        "timestamp": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"},
        "version": {"type": "integer", "minimum": 1},
        "statements": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["vulnerability", "products", "status"],
            "properties": {
                "vulnerability": {"type": "object", "required": ["name"],
                                  "properties": {"name": {"type": "string"},
                                                 "aliases": {"type": "array",
                                                             "items": {"type": "string"}}}},
                "products": {"type": "array", "minItems": 1, "items": _PRODUCT},
                "status": {"enum": ["not_affected", "affected", "fixed", "under_investigation"]},
                "justification": {"enum": ["component_not_present", "vulnerable_code_not_present",
                                           "vulnerable_code_not_in_execute_path",
                                           "vulnerable_code_cannot_be_controlled_by_adversary",
                                           "inline_mitigations_already_exist"]},
            },
            "allOf": [
                {"if": {"properties": {"status": {"const": "not_affected"}}},
                 "then": {"anyOf": [{"required": ["justification"]},
                                    {"required": ["impact_statement"]}]}},
                {"if": {"properties": {"status": {"const": "affected"}}},
                 "then": {"required": ["action_statement"]}},
            ],
        }},
    },
}


def test_vex_out_has_a_statement_per_match(tmp_path: Path, hello_build, db,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "build.vex.json"
    components = [zephyr("hello_world", BUILDS["hello"]), mbedtls("hello_world")]
    result = scan(components, hello_build, VulnOptions(data=(NVD,), db=db, vex_out=out))
    document = json.loads(out.read_text())
    jsonschema.validate(document, OPENVEX_SHAPE)
    assert document["timestamp"] == "2023-11-14T22:13:20Z"
    statements = {(s["vulnerability"]["name"], s["products"][0]["@id"]): s
                  for s in document["statements"]}
    zephyr_id = "pkg:github/zephyrproject-rtos/zephyr@v3.7.1"
    bt = statements[("CVE-2026-2411", zephyr_id)]
    assert bt["status"] == "not_affected"
    assert bt["justification"] == "vulnerable_code_not_present"
    assert "subsys/bluetooth/host/" in bt["impact_statement"]
    assert statements[("CVE-2099-0003", zephyr_id)]["status"] == "affected"
    assert "action_statement" in statements[("CVE-2099-0003", zephyr_id)]
    assert statements[("CVE-2024-3077", zephyr_id)]["status"] == "fixed"
    assert statements[("CVE-2024-3077", zephyr_id)]["vulnerability"]["aliases"] == ["GHSA-gmfv-4vfh-2mh8"]
    # "fixed" comes from the curated table only: a full NVD feed would add a statement for every
    # CVE ever fixed in the product.
    assert ("CVE-2099-0001", zephyr_id) not in statements
    # Every finding has its statement.
    for finding in result:
        assert any(name == finding.rule.id for name, _ in statements)
    # Same inputs, same document (stable id under SOURCE_DATE_EPOCH).
    scan(components, hello_build, VulnOptions(data=(NVD,), db=db, vex_out=out))
    assert json.loads(out.read_text())["@id"] == document["@id"]


def test_vex_round_trip_waives_not_affected(tmp_path: Path, hello_build, db) -> None:
    out = tmp_path / "first.vex.json"
    components = [zephyr("hello_world", BUILDS["hello"])]
    first = scan(components, hello_build, VulnOptions(data=(NVD,), db=db, vex_out=out))
    second = scan(components, hello_build, VulnOptions(data=(NVD,), db=db, vex_in=out))
    before = {f.rule.id: f for f in first}
    after = {f.rule.id: f for f in second}
    assert set(before) == set(after)
    for ident, finding in before.items():
        if finding.status is Status.NOT_APPLICABLE:
            assert after[ident].status is Status.WAIVED
            assert after[ident].waiver.startswith("VEX first.vex.json statements[")
            assert "vulnerable_code_not_present" in after[ident].waiver
        else:  # affected stays affected: a VEX 'affected' statement waives nothing
            assert after[ident].status is finding.status is Status.FAIL


def test_hand_written_vex_suppresses_for_matching_products_only(tmp_path: Path, hello_build, db) -> None:
    vex = tmp_path / "team.vex.json"
    vex.write_text(json.dumps({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.org/vex/1",
        "author": "product security", "timestamp": "2099-01-01T00:00:00Z", "version": 1,
        "statements": [
            {"vulnerability": {"name": "CVE-2099-0003"},
             "products": [{"@id": "cpe:2.3:o:zephyrproject:zephyr:3.7.1:*:*:*:*:*:*:*"}],
             "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
             "impact_statement": "the scheduler path needs CONFIG_SCHED_DEADLINE, which we do not use"},
            {"vulnerability": {"name": "CVE-2099-0007"},
             "products": [{"@id": "pkg:github/zephyrproject-rtos/zephyr@v3.6.0"}],
             "status": "not_affected", "justification": "vulnerable_code_not_present"},
            {"vulnerability": {"name": "CVE-2099-0002", "aliases": ["GHSA-zzzz-zzzz-zzzz"]},
             "products": [{"@id": "urn:example:image",
                           "subcomponents": [{"@id": "pkg:github/zephyrproject-rtos/zephyr"}]}],
             "status": "fixed"},
        ]}))
    found = {f.rule.id: f for f in scan([zephyr("hello_world")], hello_build,
                                        VulnOptions(data=(NVD,), db=db, vex_in=vex))}
    assert found["CVE-2099-0003"].status is Status.WAIVED
    assert "CONFIG_SCHED_DEADLINE" in found["CVE-2099-0003"].waiver
    assert found["CVE-2099-0007"].status is Status.FAIL  # the statement is for 3.6.0
    assert found["CVE-2099-0002"].status is Status.WAIVED  # subcomponent, any version


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not valid JSON"),
    ('{"@context": "https://example.org", "statements": []}', "not an OpenVEX document"),
    ('{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"products": [{"@id": "x"}],'
     ' "status": "fixed"}]}', "statements\\[0\\]: 'vulnerability' needs a name"),
    ('{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "X"},'
     ' "products": [{"@id": "x"}], "status": "ok"}]}', "statements\\[0\\]: status 'ok'"),
    ('{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "X"},'
     ' "products": [], "status": "fixed"}]}', "'products' must be a non-empty list"),
])
def test_bad_vex_input(tmp_path: Path, hello_build, db, content: str, problem: str) -> None:
    vex = tmp_path / "bad.vex.json"
    vex.write_text(content)
    with pytest.raises(DataFileError, match=problem) as caught:
        scan([zephyr("hello_world")], hello_build, VulnOptions(db=db, vex_in=vex))
    assert caught.value.path == str(vex)


def test_round_trip_for_a_component_without_identifiers(tmp_path: Path, db) -> None:
    from zsec_west.builddir import load_build
    from zsec_west.sbom.component import Component

    build = load_build(BUILDS["tfm-ns"])
    tfm = [Component("tf-m", "2.1.1", "tfm")]
    out = tmp_path / "tfm.vex.json"
    first = {f.rule.id: f for f in scan(tfm, build, VulnOptions(db=db, vex_out=out))}
    assert first["CVE-2025-53022"].status is Status.NOT_APPLICABLE
    products = {s["products"][0]["@id"] for s in json.loads(out.read_text())["statements"]}
    assert products == {"pkg:generic/tf-m@2.1.1"}
    again = {f.rule.id: f for f in scan(tfm, build, VulnOptions(db=db, vex_in=out))}
    assert again["CVE-2025-53022"].status is Status.WAIVED
