"""The shipped JSON Schemas: valid schemas, one per document kind, and strict enough to catch a
broken document. (tests/conftest.py validates every JSON document the CLI writes in any test.)"""

from __future__ import annotations

import copy
import json
import re

import jsonschema
import pytest

from tests.conftest import BUILDS
from tests.jsonschemas import _REGISTRY, validate
from zsec_west.cli.app import main
from zsec_west.report import json_report
from zsec_west.report.schemas import BY_COMMAND, all_schemas, load


def test_every_schema_is_a_valid_2020_12_schema_with_an_id():
    schemas = all_schemas()
    assert set(BY_COMMAND.values()) | {"envelope", "report"} == {i.rsplit(":", 1)[1] for i in schemas}
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_unit_report_matches_the_report_schema(report):
    document = json.loads(json_report.render(report))
    validator = jsonschema.Draft202012Validator(load("report"), registry=_REGISTRY)
    assert list(validator.iter_errors(document)) == []


def _check_json(capsys, *extra: str) -> dict:
    main(["check", "-d", str(BUILDS["mcuboot-sysbuild"]), "--format", "json", *extra])
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("breakage, where", [
    (lambda d: d.pop("findings"), "(top)"),
    (lambda d: d["findings"][0].update(severity="severe"), "findings/0/severity"),
    (lambda d: d["findings"][0].update(fingerprint="xyz"), "findings/0/fingerprint"),
    (lambda d: d.update(schema_version=1), "schema_version"),
    (lambda d: d["tool"].update(name="other"), "tool/name"),
    (lambda d: d["facts"]["check"]["keys"][0].update(use="both"), "facts/check/keys/0/use"),
])
def test_a_broken_document_is_refused(capsys, breakage, where):
    document = _check_json(capsys)
    validate(document)
    broken = copy.deepcopy(document)
    breakage(broken)
    with pytest.raises(AssertionError, match=re.escape(f"at {where}:")):
        validate(broken)


def test_the_tfm_json_and_boards_listing_match(capsys):
    main(["tfm", "-d", str(BUILDS["tfm-ns"]), "--format", "json"])
    document = validate(capsys.readouterr().out)
    entry = document["facts"]["tfm"]["domains"][0]
    assert entry["bl2"]["security_counters"] == {"S": "1", "NS": "1"}
