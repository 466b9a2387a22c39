"""Files written from their shape's template (jsontemplate.py) come out exactly as the model
libraries write them: each format's document with one file per shape in the model is the same
text, byte for byte, as with every file in the model, also for names and notices full of
characters JSON must escape."""

from __future__ import annotations

import copy
import datetime as _dt
import json
import re
from pathlib import Path

import pytest

from tests.sbom.helpers import parse_valid
from tests.sbom.workspace import make_workspace
from zsec_west.builddir import load_build
from zsec_west.sbom import cyclonedx_files, spdx2, spdx3_writer
from zsec_west.sbom.cyclonedx_writer import domain_bom
from zsec_west.sbom.document import DocumentInfo
from zsec_west.sbom.generate import SbomOptions, generate
from zsec_west.sbom.hashing import FileFacts
from zsec_west.sbom.jsontemplate import Template, TemplateError, compile_template, placeholder
from zsec_west.sbom.spdx_writer import build_domain_document

ODD = ["plain", "ünïcödé ✓", 'quote " and \\ backslash', "tab\tnew\nline", "nul \x00 bell \x07",
       "line sep \u2028 para \u2029", "%s {0} %(x)s", "\U0001f512 lock", "\x7f del"]


def _facts(number: int, license_text: str | None, notices: tuple[str, ...]) -> FileFacts:
    return FileFacts(f"/nowhere/{number}", f"{number:040x}", f"{number:064x}", number,
                     license_text, notices)


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    """The test workspace's plan, its packages padded with files of every shape and odd text."""
    root = tmp_path_factory.mktemp("templated")
    ws = make_workspace(root / "ws")
    result = generate(load_build(ws.build), SbomOptions(output_dir=root / "out"))
    plan = result.plans[0]
    number = 1000
    for package in plan.packages:
        for text in ODD:
            for license_text in (None, "MIT", "Apache-2.0 OR Weird-1.0"):
                for notices in ((), (f"Copyright {text}",), ("Copyright A", f"(c) {text}")):
                    number += 1
                    name = f"./odd/{text}/{number}.{'c' if number % 2 else 'txt'}"
                    package.files.append((name, _facts(number, license_text, notices)))
        package.files.sort(key=lambda item: item[0])
    return plan


INFO = DocumentInfo(name="app", namespace="https://example.org/spdxdocs/app-1",
                    created=_dt.datetime(2024, 5, 1, 12, 0), author="Acme Corp",
                    creator_comment="test", comment="a comment")


def test_spdx_2_3_json_is_the_same_with_every_file_in_the_model(plan, tmp_path) -> None:
    _, _, layout = build_domain_document(plan, INFO, every_file=False)
    templated = sum(not isinstance(entry, int) for entry in layout.files)
    assert templated > 0.8 * len(layout.files) and len(layout.files) > 400
    fast, ids = spdx2.domain_text(plan, INFO, "spdx-json")
    full, full_ids = spdx2.domain_text(plan, INFO, "spdx-json", every_file=True)
    assert fast == full and ids == full_ids
    path = tmp_path / "app.spdx.json"
    path.write_text(fast, encoding="utf-8")
    document = parse_valid(path)  # spdx-tools reads every file back and finds no fault
    assert len(document.files) == len(layout.files)
    assert "LicenseRef-Weird-1.0" in {info.license_id for info in document.extracted_licensing_info}


def test_spdx_3_is_the_same_with_every_file_in_the_model(plan) -> None:
    fast = spdx3_writer.domain_document(plan, INFO, "spdx3-json")
    full = spdx3_writer.domain_document(plan, INFO, "spdx3-json", every_file=True)
    assert fast.text == full.text and fast.package_ids == full.package_ids
    graph = json.loads(fast.text)["@graph"]
    files = [item for item in graph if item["type"] == "software_File"]
    assert len(files) == sum(len(p.files) for p in plan.packages) + 1  # and the image file
    ids = [item.get("spdxId", "") for item in graph]
    assert ids == sorted(ids)


def test_cyclonedx_files_are_what_json_dumps_writes(plan) -> None:
    text = domain_bom(plan, INFO)
    data = json.loads(text)
    assert json.dumps(data, indent=2, ensure_ascii=False) + "\n" == text
    by_ref = {c["bom-ref"]: c for c in data["components"]}
    for package in plan.packages:
        nested = by_ref[f"app:{package.key}"]["components"]
        assert [c["name"] for c in nested] == sorted(name for name, _ in package.files)


def test_cyclonedx_render_matches_json_dumps_at_any_depth(plan) -> None:
    entries = cyclonedx_files.file_entries(plan.packages[0], "app")
    data = {"components": [{"bom-ref": "a", "name": "x"}, {"bom-ref": "b"},
                           {"bom-ref": "c", "components": []}],
            "deeper": {"components": [{"bom-ref": "a"}]}}
    expected = copy.deepcopy(data)
    for component in expected["components"][:2]:
        component["components"] = [cyclonedx_files.file_component(*e) for e in entries]
    text = cyclonedx_files.render(data, {"a": entries, "b": entries})
    assert text == json.dumps(expected, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", ODD + [""])
def test_template_fill_encodes_as_json_does(value) -> None:
    element = {"id": "x", "list": [{"v": "y"}, 3], "fixed": "k"}
    for ascii_only in (False, True):
        def dumps(item, ascii_only=ascii_only):
            return json.dumps(item, ensure_ascii=ascii_only, sort_keys=True)
        template = compile_template(element, [(("id",), "x"), (("list", 0, "v"), "y")], dumps,
                                    ascii_only=ascii_only)
        changed = {"id": value, "list": [{"v": value + "!"}, 3], "fixed": "k"}
        assert template.fill([value, value + "!"]) == dumps(changed)


def test_template_refuses_what_it_cannot_reproduce() -> None:
    with pytest.raises(TemplateError):  # the path does not hold the value said
        compile_template({"id": "x"}, [(("id",), "y")], json.dumps)
    with pytest.raises(TemplateError):  # a slot lost by the serialiser
        compile_template({"id": "x"}, [(("id",), "x")], lambda item: '{"id": "x"}')
    with pytest.raises(TemplateError):  # a slot written twice
        Template.parse(json.dumps([placeholder(0), placeholder(0)]), 1)
    indented = Template.parse(json.dumps({"a": placeholder(0)}, indent=2), 1).indented("    ")
    assert indented.fill(["v"]) == '{\n      "a": "v"\n    }'


def test_placeholders_are_unguessable() -> None:
    assert re.fullmatch(r"\x00zsec-[0-9a-f]{16}-7\x00", placeholder(7))
    assert Path(__file__).read_text().count(placeholder(7)) == 0
