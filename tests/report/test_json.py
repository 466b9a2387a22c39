"""The JSON reporter: versioned, complete (passes too), deterministic, always serialisable."""

from __future__ import annotations

import json
import random
from pathlib import Path

import zsec_west
from tests.report.conftest import ODD_FACTS
from zsec_west.findings import Finding, Report, Rule, Severity, Status
from zsec_west.report import json_report
from zsec_west.report.common import jsonable

FINDING_KEYS = {"rule_id", "title", "severity", "status", "domain", "message", "evidence",
                "location", "fix", "references", "category", "source", "subject",
                "fingerprint", "waiver", "headline", "detail"}


def _load(report: Report) -> dict:
    return json.loads(json_report.render(report))


def test_matches_golden(report, golden):
    document = _load(report)
    assert document["tool"]["version"] == zsec_west.__version__
    document["tool"]["version"] = "VERSION"  # a release must not invalidate the golden file
    golden("report.json", json.dumps(document, indent=2) + "\n")


def test_header(report):
    document = _load(report)
    assert document["schema_version"] == "1"
    assert document["tool"] == {"name": "zsec-west", "version": zsec_west.__version__}
    assert document["command"] == "check"
    assert document["inputs"]["build_dir"] == "/ws/build"
    assert document["notes"] == list(report.notes)


def test_every_result_is_there_passes_included(report):
    findings = _load(report)["findings"]
    assert len(findings) == len(report.findings)
    assert {f["status"] for f in findings} == {"fail", "pass", "n/a", "waived"}
    for finding in findings:
        assert set(finding) == FINDING_KEYS
        assert set(finding["evidence"]) == {"actual", "expected"}


def test_domain_counts(report):
    domains = {d["name"]: d["counts"] for d in _load(report)["domains"]}
    assert list(domains) == ["app", "mcuboot", "tfm", "hci_ipc"]
    assert domains["app"] == {"fail": 6, "waived": 1, "pass": 1, "n/a": 1}
    assert domains["hci_ipc"] == {"fail": 0, "waived": 0, "pass": 0, "n/a": 0}
    assert _load(report)["counts"]["fail"] == 7


def test_finding_fields(report):
    findings = _load(report)["findings"]
    dev_key = next(f for f in findings if f["rule_id"] == "ZSEC-SIGN-001" and f["domain"] == "mcuboot")
    assert dev_key["severity"] == "critical"  # the override, not the rule's default (high)
    assert dev_key["location"] == {"path": "/ws/build/mcuboot/zephyr/.config", "line": 77}
    assert dev_key["evidence"] == {"actual": "root-rsa-2048.pem (dev key)", "expected": "a private key"}
    assert dev_key["references"] == ["https://docs.mcuboot.com/imgtool.html", "CWE-321"]
    assert dev_key["category"] == "signing"
    assert len(dev_key["fingerprint"]) == 32
    waived = next(f for f in findings if f["status"] == "waived" and f["domain"] == "app")
    assert waived["waiver"] == "nRF5340 TF-M profile small; ticket SEC-42"
    shell = next(f for f in findings if f["rule_id"] == "ZSEC-KCONF-002" and f["domain"] == "app")
    assert shell["location"] is None


def test_order_is_deterministic_whatever_the_insertion_order(report):
    before = json_report.render(report)
    shuffled = list(report.findings)
    random.Random(7).shuffle(shuffled)
    assert json_report.render(report.with_changes(findings=shuffled)) == before
    findings = _load(report)["findings"]
    app = [f for f in findings if f["domain"] == "app"]
    assert [f["status"] for f in app] == ["fail"] * 6 + ["waived", "pass", "n/a"]
    assert [f["severity"] for f in app[:6]] == ["critical", "critical", "high", "medium", "low", "info"]
    assert [r["id"] for r in _load(report)["rules"]] == sorted(r.id for r in report.rules())


def test_rules_carry_their_catalogue_data(report):
    rules = {r["id"]: r for r in _load(report)["rules"]}
    assert rules["ZSEC-SIGN-001"]["severity"] == "high"
    assert rules["ZSEC-SIGN-001"]["help_uri"] == "https://docs.mcuboot.com/design.html"
    assert rules["ZSEC-KCONF-001"]["source"] == "zephyr-hardening-db"


def test_facts_made_serialisable():
    facts = jsonable(ODD_FACTS)
    assert facts["where"] == "boards/x.overlay"
    assert facts["symbols"] == ["CONFIG_A", "CONFIG_B"]
    assert facts["partition"] == {"label": "slot0", "path": "slot0.bin"}
    assert facts["colour"] == "red"
    assert facts["digest"] == "01ff"
    assert facts["pair"] == [1, 2]


def test_jsonable_survives_cycles_odd_keys_and_unknown_objects():
    loop: dict = {"name": "loop"}
    loop["self"] = loop
    class Opaque:
        def __str__(self) -> str:
            return "opaque thing"

    value = jsonable({"loop": loop, Path("k"): {1, "a"}, 3: Opaque(), "n": complex(1, 2)})
    json.dumps(value)
    assert value["3"] == "opaque thing"
    assert value["n"] == "(1+2j)"
    assert value["loop"]["self"] == "<cycle>"
    assert value["k"] == [1, "a"]
    shared = ["x"]
    assert jsonable([shared, shared]) == [["x"], ["x"]]  # repeated is not a cycle


def test_inputs_with_paths_serialise():
    rule = Rule("R", "t", Severity.LOW)
    report = Report("sbom", [Finding(rule, "app", Status.PASS)], inputs={"build_dir": Path("b") / "c"})
    assert _load(report)["inputs"] == {"build_dir": "b/c"}


def test_output_is_ascii_and_one_document(report):
    output = json_report.render(report)
    output.encode("ascii")
    assert output.endswith("}\n")
    assert "\\u001b" in output  # control characters escaped, not dropped: JSON keeps the data
