"""The SARIF reporter: schema-valid, what code scanning needs, identical across machines."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest

import zsec_west
from tests.conftest import SARIF_SCHEMA
from tests.report.conftest import sample_report
from zsec_west.findings import Finding, Location, Report, Rule, Severity, Status
from zsec_west.report import sarif
from zsec_west.report.common import relative_uri


def _load(report: Report) -> dict:
    return json.loads(sarif.render(report))


def _run(report: Report) -> dict:
    return _load(report)["runs"][0]


@pytest.fixture(scope="module")
def validator():
    if not SARIF_SCHEMA.is_file():
        pytest.skip("the SARIF 2.1.0 schema is not beside the project (shared/fixtures/schemas)")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_matches_golden(report, golden):
    document = _load(report)
    driver = document["runs"][0]["tool"]["driver"]
    driver["version"] = driver["semanticVersion"] = "VERSION"
    golden("report.sarif", json.dumps(document, indent=2) + "\n")


def test_valid_against_the_schema(report, validator):
    errors = sorted(validator.iter_errors(_load(report)), key=str)
    assert not errors, errors[0]


def test_empty_report_is_valid_and_still_written(validator):
    document = _load(Report("sbom"))
    assert not list(validator.iter_errors(document))
    assert document["runs"][0]["results"] == []


def test_validator_notices_a_broken_log(report, validator):
    document = _load(report)
    document["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(document))


def test_header_and_driver(report):
    document = _load(report)
    assert document["version"] == "2.1.0"
    assert document["$schema"] == sarif.SCHEMA_URI
    assert len(document["runs"]) == 1
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "zsec-west"
    assert driver["version"] == driver["semanticVersion"] == zsec_west.__version__
    assert run["automationDetails"]["id"] == "zsec-check/"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == list(report.notes)


def test_rules_describe_themselves(report):
    rules = {r["id"]: r for r in _run(report)["tool"]["driver"]["rules"]}
    assert set(rules) == {rule.id for rule in report.rules()}
    key = rules["ZSEC-SIGN-001"]
    assert key["name"] == "ImagesAreSignedWithAKeyOfYourOwn"
    assert key["shortDescription"]["text"] == "Images are signed with a key of your own"
    assert key["fullDescription"]["text"].startswith("The MCUboot development keys are public")
    assert "Fix: Generate a private key" in key["help"]["text"]
    assert "- CWE-321" in key["help"]["text"]
    assert "**Fix:**" in key["help"]["markdown"]
    assert "- <https://docs.mcuboot.com/imgtool.html>" in key["help"]["markdown"]
    assert key["helpUri"] == "https://docs.mcuboot.com/design.html"
    assert key["defaultConfiguration"]["level"] == "error"
    assert key["properties"]["tags"] == ["security", "signing"]
    assert key["properties"]["security-severity"] == "8.0"
    assert "helpUri" not in rules["ZSEC-KCONF-004"]
    assert rules["ZSEC-KCONF-001"]["properties"]["tags"] == ["security", "hardening",
                                                           "zephyr-hardening-db"]


def test_results_only_for_failures_and_waivers(report):
    results = _run(report)["results"]
    assert len(results) == 7 + 2
    suppressed = [r for r in results if "suppressions" in r]
    assert [(r["ruleId"], r["properties"]["domain"]) for r in suppressed] == [
        ("ZSEC-TFM-001", "app"), ("ZSEC-KCONF-001", "mcuboot")]
    assert suppressed[0]["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "nRF5340 TF-M profile small; ticket SEC-42"}]
    assert suppressed[1]["suppressions"][0]["justification"]  # never an empty justification


def test_rule_index_points_at_the_rule(report):
    run = _run(report)
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


@pytest.mark.parametrize("severity, level", [
    (Severity.CRITICAL, "error"), (Severity.HIGH, "error"), (Severity.MEDIUM, "warning"),
    (Severity.LOW, "note"), (Severity.INFO, "note")])
def test_level_follows_the_finding_severity(severity, level):
    rule = Rule("R-1", "t", Severity.LOW)
    finding = Finding(rule, "app", Status.FAIL, severity_override=severity)
    result = _run(Report("check", [finding]))["results"][0]
    assert result["level"] == level


def test_result_detail(report):
    results = _run(report)["results"]
    canaries = next(r for r in results if r["ruleId"] == "ZSEC-KCONF-001"
                    and r["properties"]["domain"] == "app")
    assert canaries["message"]["text"] == ("[app] Stack canaries are off: CONFIG_STACK_CANARIES "
                                           "is not set (actual: n, expected: y)")
    physical = canaries["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "app/prj.conf", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 12}
    finding = next(f for f in report.findings if f.rule.id == "ZSEC-KCONF-001" and f.domain == "app")
    assert canaries["partialFingerprints"] == {"zsecFingerprint/v1": finding.fingerprint}
    config = next(r for r in results if r["ruleId"] == "ZSEC-KCONF-003")
    assert config["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "zephyr/.config", "uriBaseId": "BUILDDIR"}
    assert "\x1b" not in config["message"]["text"]
    banner = next(r for r in results if r["ruleId"] == "ZSEC-KCONF-004")
    assert "region" not in banner["locations"][0]["physicalLocation"]  # line unknown
    shell = next(r for r in results if r["ruleId"] == "ZSEC-KCONF-002")
    assert "physicalLocation" not in shell["locations"][0]
    assert shell["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "app/CONFIG_SHELL"


def test_same_output_twice_and_on_another_machine():
    here = sarif.render(sample_report(PurePosixPath("/home/alice/zephyrproject")))
    assert here == sarif.render(sample_report(PurePosixPath("/home/alice/zephyrproject")))
    there = sarif.render(sample_report(PurePosixPath("/builds/ci/runner-7/ws")))
    assert here == there
    assert "alice" not in here and "runner-7" not in here


def test_fingerprints_distinguish_results(report):
    prints = [r["partialFingerprints"]["zsecFingerprint/v1"] for r in _run(report)["results"]]
    assert len(set(prints)) == len(prints)


def test_no_absolute_uris_when_paths_are_under_the_tree(report):
    for result in _run(report)["results"]:
        for location in result["locations"]:
            if "physicalLocation" in location:
                assert not location["physicalLocation"]["artifactLocation"]["uri"].startswith("/")


@pytest.mark.parametrize("path, inputs, expected", [
    ("/ws/build/zephyr/.config", {"build_dir": "/ws/build"}, ("zephyr/.config", "BUILDDIR")),
    ("/ws/build/zephyr/.config", {"build_dir": "/ws/build/"}, ("zephyr/.config", "BUILDDIR")),
    ("/ws/app/prj.conf", {"build_dir": "/ws/build"}, ("app/prj.conf", "%SRCROOT%")),
    ("/ws/app/prj.conf", {"build_dir": "/ws/build", "source_root": "/ws/app"},
     ("prj.conf", "%SRCROOT%")),
    ("/elsewhere/prj.conf", {"build_dir": "/ws/build"}, ("/elsewhere/prj.conf", None)),
    ("/elsewhere/prj.conf", {}, ("/elsewhere/prj.conf", None)),
    ("/etc/prj.conf", {"build_dir": "/build"}, ("/etc/prj.conf", None)),  # / is no source root
    ("boards/x.conf", {}, ("boards/x.conf", "%SRCROOT%")),
    ("boards\\x.conf", {}, ("boards/x.conf", "%SRCROOT%")),
    ("C:\\ws\\build\\zephyr\\.config", {"build_dir": "C:\\ws\\build"},
     ("zephyr/.config", "BUILDDIR")),
    ("C:\\ws\\app\\prj.conf", {"build_dir": "C:\\ws\\build"}, ("app/prj.conf", "%SRCROOT%")),
    ("D:\\other\\prj.conf", {"build_dir": "C:\\ws\\build"}, ("file:///D:/other/prj.conf", None)),
    ("/ws/buildx/f", {"build_dir": "/ws/build"}, ("buildx/f", "%SRCROOT%")),  # not a prefix match
])
def test_relative_uri(path, inputs, expected):
    assert relative_uri(path, inputs) == expected


def test_outside_path_is_kept_with_forward_slashes():
    rule = Rule("R-1", "t", Severity.HIGH)
    finding = Finding(rule, "app", Status.FAIL, location=Location("/opt/keys/k.pem"))
    artifact = _run(Report("sign", [finding]))["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]
    assert artifact == {"uri": "/opt/keys/k.pem"}
