"""The one loader of shipped data (files/shipped.py) and the line-numbered errors of the tables
it feeds: every data file is read through files/yamldoc, and a broken entry names file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsec_west.builddir.domains import load_domains
from zsec_west.errors import BuildDirError, DataFileError
from zsec_west.files import shipped
from zsec_west.files.yamldoc import LineDict, YamlSyntaxError, load_yaml, parse_yaml
from zsec_west.keys.devkeys import parse_devkeys
from zsec_west.tfm.advisories import parse_advisories
from zsec_west.tfm.platforms import parse_table as parse_platforms

DATA = Path(__file__).resolve().parents[1] / "zsec_west" / "data"


def test_every_shipped_yaml_file_loads_with_line_numbers():
    names = [p.relative_to(DATA).as_posix() for p in sorted(DATA.rglob("*.yaml"))]
    assert "rules/tfm.yaml" in names and "tfm-advisories.yaml" in names and len(names) >= 15
    for name in names:
        document = shipped.document(name)
        assert isinstance(document, LineDict) and document.line >= 1, name
        assert shipped.read_text(name) == (DATA / name).read_text(encoding="utf-8")


def test_names_and_labels():
    assert shipped.names("rules")[0] == "rules/bluetooth.yaml"
    assert all(name.startswith("rules/") and name.endswith(".yaml") for name in shipped.names("rules"))
    assert shipped.label("vulns/keywords.yaml") == "zsec_west/data/vulns/keywords.yaml"


def test_a_missing_shipped_file_is_named():
    with pytest.raises(DataFileError) as caught:
        shipped.read_text("nope.yaml")
    assert caught.value.path == "zsec_west/data/nope.yaml" and "reinstall" in caught.value.message


def test_repeated_keys_are_refused_in_our_files_and_tolerated_in_the_tools():
    text = "a: 1\nb: 2\na: 3\n"
    with pytest.raises(YamlSyntaxError, match="duplicate key 'a'"):
        parse_yaml(text, "ours.yaml")
    assert parse_yaml(text, "west.yml", strict=False) == {"a": 3, "b": 2}


def test_load_yaml_names_unreadable_files(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        load_yaml(tmp_path / "missing.yaml")
    with pytest.raises(DataFileError, match="is a directory"):
        load_yaml(tmp_path)
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DataFileError, match="not a UTF-8 text file"):
        load_yaml(tmp_path / "bin.yaml")


# -- tables that had no line numbers before ---------------------------------------------------

DEVKEYS = """\
keys:
- name: A
  origin: mcuboot
  use: signing
  type: ecdsa-p256
  file: a.pem
  sha256: {digest}
"""


@pytest.mark.parametrize("change, line, problem", [
    (("{digest}", "xyz"), 7, "field 'sha256': not a sha256 digest"),
    (("  use: signing\n", ""), 2, "field 'use' is required"),
    (("  file: a.pem\n", "  file: a.pem\n  colour: red\n"), 7, "field 'colour': unknown field"),
    (("  sha256: {digest}\n", ""), 2, "needs at least one of sha256"),
])
def test_devkey_table_errors_name_file_and_line(change, line, problem):
    text = DEVKEYS.replace(*change).replace("{digest}", "ab" * 32)
    with pytest.raises(DataFileError) as caught:
        parse_devkeys(text, "devkeys.yaml")
    assert caught.value.path == f"devkeys.yaml:{line}" and problem in caught.value.message


def test_devkey_table_indexes_every_digest():
    index = parse_devkeys(DEVKEYS.replace("{digest}", "AB" * 32), "devkeys.yaml")
    assert index["ab" * 32].file == "a.pem"


def test_platform_table_errors_name_file_and_line():
    text = "platforms:\n- {platform: a/b, when: [BOARD_X]}\n- {platform: c/d, when: [board_y]}\n"
    with pytest.raises(DataFileError) as caught:
        parse_platforms(text, "tfm-boards.yaml")
    assert caught.value.path == "tfm-boards.yaml:3" and "not a Kconfig symbol name" in caught.value.message
    assert parse_platforms(text.replace("board_y", "BOARD_Y"), "t").lookup(["CONFIG_BOARD_Y"]) == "c/d"


def test_advisory_errors_name_the_line():
    good = shipped.read_text("tfm-advisories.yaml")
    broken = good.replace("cve: CVE-2021-27562", "cve: 2021-27562")
    with pytest.raises(DataFileError) as caught:
        parse_advisories(broken)
    line = next(n for n, text in enumerate(broken.splitlines(), start=1) if "cve: 2021-27562" in text)
    assert caught.value.path == f"zsec_west/data/tfm-advisories.yaml:{line}"
    assert "TFMV-2: field 'cve'" in caught.value.message


def test_domains_yaml_errors_name_the_line(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "CMakeCache.txt").write_text("")
    (tmp_path / "domains.yaml").write_text("default: app\ndomains:\n  - name: app\n    build_dir: /x\n"
                                           "flash_order: [app, nope]\n")
    with pytest.raises(BuildDirError) as caught:
        load_domains(tmp_path / "domains.yaml")
    assert "line 5: flash_order names unknown domains ['nope']" in str(caught.value)
    (tmp_path / "domains.yaml").write_text("default: app\ndomains: [\n")
    with pytest.raises(BuildDirError, match="not valid YAML at line 3"):
        load_domains(tmp_path / "domains.yaml")
