"""The rule file format: what it accepts, and errors that name file, line and field."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from zsec_west.errors import DataFileError
from zsec_west.findings import Severity
from zsec_west.rules.catalogue import build_catalogue, load_rule_file, package_files
from zsec_west.rules.model import AllOf, AnyOf, Leaf

GOOD = """\
rules:
  - id: ACME-NET-001
    title: No telnet
    severity: high
    category: network
    domains: [app]
    profiles: [strict]
    symbol: CONFIG_TELNET
    value: false
    rationale: Telnet sends passwords in the clear.
    references: [CWE-319]
  - id: ACME-NET-002
    title: Guard or no feature
    severity: low
    when: {symbol: NETWORKING, value: y}
    any:
      - {symbol: A, value: y}
      - all:
          - {symbol: B, min: 2, max: 4}
          - {symbol: C, not_value: ""}
    rationale: Because.
  - id: ACME-SB-001
    title: Sysbuild thing
    severity: info
    symbol: SB_CONFIG_THING
    value: 0x10
    rationale: Because.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_parses_into_checks(tmp_path):
    rules = {r.id: r for r in load_rule_file(write(tmp_path, GOOD)).rules}
    one, two, three = rules["ACME-NET-001"], rules["ACME-NET-002"], rules["ACME-SB-001"]
    assert one.check == Leaf("TELNET", value="n")  # prefix stripped, YAML false -> n
    assert one.domains == ("app",) and one.profiles == ("strict",)
    assert one.rule.severity is Severity.HIGH and one.rule.source == "user"
    assert one.rule.fix == "Set CONFIG_TELNET=n in the image's prj.conf or an extra .conf " \
                           "fragment (--fix DIR writes one)."
    assert isinstance(two.check, AnyOf) and isinstance(two.check.checks[1], AllOf)
    assert two.check.checks[1].checks[0] == Leaf("B", min=2, max=4)
    assert two.when == Leaf("NETWORKING", value="y")
    assert two.domains == ("any",) and two.profiles == ("base",)
    # Written as SB_CONFIG_: the rule defaults to the sysbuild domain.
    assert three.check == Leaf("THING", value=16) and three.domains == ("sysbuild",)
    assert three.rule.fix == "Set SB_CONFIG_THING=16 in sysbuild.conf."


@pytest.mark.parametrize("mutation, line, field, words", [
    (("severity: high", "severity: urgent"), 4, "severity", "unknown severity"),
    (("    rationale: Telnet sends passwords in the clear.\n", ""), 2, "rationale", "missing"),
    (("domains: [app]", "domains: [apps]"), 6, "domains", "unknown domain kind"),
    (("value: false", "valeu: false"), 9, "valeu", "unknown field"),
    (("symbol: CONFIG_TELNET", "symbol: 'not a symbol'"), 8, "symbol", "not a Kconfig symbol"),
    (("{symbol: B, min: 2, max: 4}", "{symbol: B, min: 5, max: 4}"), 19, "any.all.max", "below"),
    (("{symbol: C, not_value: \"\"}", "{symbol: C, value: y, not_value: n}"), 20,
     "any.all.not_value", "exclude"),
    (("id: ACME-SB-001", "id: ACME-NET-001"), 22, "id", "already used at line 2"),
    (("id: ACME-NET-002", "id: acme net"), 12, "id", "is not a rule id"),
])
def test_schema_errors_name_file_line_and_field(tmp_path, mutation, line, field, words):
    old, new = mutation
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(DataFileError) as info:
        load_rule_file(path)
    text = str(info.value)
    assert text.startswith(f"{path}: line {line}, field '{field}'"), text
    assert words in text


def test_duplicate_yaml_keys_and_syntax_errors_are_located(tmp_path):
    path = write(tmp_path, GOOD.replace("    category: network\n",
                                        "    category: network\n    category: other\n", 1))
    with pytest.raises(DataFileError, match=r"line 6: duplicate key 'category' \(first at line 5\)"):
        load_rule_file(path)
    path = write(tmp_path, "rules:\n  - id: [unclosed\n")
    with pytest.raises(DataFileError, match=rf"{re.escape(str(path))}: line \d+"):
        load_rule_file(path)


def test_missing_and_empty_files_are_clear_errors(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        load_rule_file(tmp_path / "nope.yaml")
    with pytest.raises(DataFileError, match="file is empty"):
        load_rule_file(write(tmp_path, ""))


def test_user_rule_with_a_package_id_replaces_it(tmp_path):
    path = write(tmp_path, """\
rules:
  - id: ZSEC-DBG-012
    title: Boot banner allowed but short
    severity: info
    symbol: BOOT_BANNER
    value: y
    rationale: We like banners.
""")
    catalogue = build_catalogue([path])
    rule = catalogue.get("ZSEC-DBG-012")
    assert rule is not None and rule.rule.severity is Severity.INFO and rule.rule.source == "user"
    assert sum(1 for r in catalogue.own if r.id == "ZSEC-DBG-012") == 1
    assert any(str(path) in source for source in catalogue.sources)


def test_unknown_profile_in_a_user_rule_is_rejected(tmp_path):
    path = write(tmp_path, GOOD.replace("profiles: [strict]", "profiles: [paranoid]"))
    with pytest.raises(DataFileError, match="unknown profile 'paranoid'"):
        build_catalogue([path])


# -- the shipped catalogue ---------------------------------------------------------------------

def own_rules():
    return [rule for f in package_files() for rule in f.rules]


def test_catalogue_has_at_least_60_documented_rules():
    rules = own_rules()
    assert len(rules) >= 60
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert len(rule.rule.rationale) > 40, rule.id
        assert rule.rule.references, rule.id
        assert rule.rule.fix, rule.id
        assert rule.rule.source == "zsec"


def test_catalogue_covers_every_family():
    # ZSEC-<FAMILY>-<n>; the TF-M rules keep the ids sec-tfm has always shown (TFM-<WHAT>).
    families = Counter("TFM" if rule.domains == ("tfm",) else rule.id.split("-")[1]
                       for rule in own_rules())
    for family, minimum in {"BOOT": 6, "KEY": 3, "IMG": 2, "MEM": 8, "DBG": 12, "RNG": 3,
                            "TLS": 8, "UPD": 4, "BT": 5, "TFM": 4}.items():
        assert families[family] >= minimum, (family, families[family])


def test_catalogue_checks_old_and_new_mbedtls_names():
    symbols = {leaf for r in own_rules() if r.id.startswith("ZSEC-TLS") for leaf in r.symbols()}
    assert {"MBEDTLS_TLS_VERSION_1_0", "MBEDTLS_CIPHER_DES_ENABLED", "MBEDTLS_MAC_MD5_ENABLED",
            "PSA_WANT_ALG_MD5", "PSA_WANT_ALG_SHA_1", "MBEDTLS_SSL_EXTENDED_MASTER_SECRET"} <= symbols


def test_production_profile_extends_strict_and_base():
    catalogue = build_catalogue()
    assert catalogue.profiles.chain("production") == ("production", "strict", "base")
    production_only = [r.id for r in catalogue.own if r.profiles == ("production",)]
    assert "ZSEC-BOOT-001" in production_only and "ZSEC-BOOT-009" in production_only
    assert catalogue.profiles.includes("production", ("strict",))
    assert not catalogue.profiles.includes("base", ("strict",))
