"""Rule evaluation semantics: absent means not applicable, `is not set` means n, combinators."""

from __future__ import annotations

import pytest

from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.rules.engine import Outcome, evaluate, matches
from zsec_west.rules.model import AllOf, AnyOf, Leaf

CONFIG = KconfigValues.parse("""\
CONFIG_ON=y
# CONFIG_OFF is not set
CONFIG_NUM=100
CONFIG_HEX=0x200
CONFIG_TEXT="root-rsa-2048.pem"
CONFIG_EMPTY=""
""")


@pytest.mark.parametrize("leaf, outcome", [
    (Leaf("ON", value="y"), Outcome.PASS),
    (Leaf("ON", value="n"), Outcome.FAIL),
    (Leaf("OFF", value="n"), Outcome.PASS),  # '# ... is not set' exists with value n
    (Leaf("OFF", value="y"), Outcome.FAIL),
    (Leaf("MISSING", value="n"), Outcome.NA),  # absent: never a pass, never a fail
    (Leaf("MISSING", value="y"), Outcome.NA),
    (Leaf("MISSING", value="n", if_absent="pass"), Outcome.PASS),
    (Leaf("NUM", min=100), Outcome.PASS),
    (Leaf("NUM", min=101), Outcome.FAIL),
    (Leaf("NUM", max=99), Outcome.FAIL),
    (Leaf("NUM", min=1, max=100), Outcome.PASS),
    (Leaf("NUM", value=100), Outcome.PASS),
    (Leaf("HEX", value=512), Outcome.PASS),  # hex compared numerically
    (Leaf("HEX", min=0x201), Outcome.FAIL),
    (Leaf("ON", min=1), Outcome.FAIL),  # a bool is not a number
    (Leaf("TEXT", value="root-rsa-2048.pem"), Outcome.PASS),
    (Leaf("TEXT", not_value=""), Outcome.PASS),
    (Leaf("EMPTY", not_value=""), Outcome.FAIL),
])
def test_leaf(leaf, outcome):
    assert evaluate(leaf, CONFIG).outcome is outcome


def test_any_passes_on_one_alternative_and_ignores_absent_names():
    renamed = AnyOf((Leaf("NEW_NAME", value="y"), Leaf("ON", value="y")))
    assert evaluate(renamed, CONFIG).outcome is Outcome.PASS
    failing = AnyOf((Leaf("NEW_NAME", value="y"), Leaf("OFF", value="y")))
    result = evaluate(failing, CONFIG)
    assert result.outcome is Outcome.FAIL and result.failing == (Leaf("OFF", value="y"),)
    assert evaluate(AnyOf((Leaf("A", value="y"), Leaf("B", value="y"))), CONFIG).outcome is Outcome.NA


def test_all_fails_on_one_part_and_needs_one_applicable_part():
    both = AllOf((Leaf("OFF", value="n"), Leaf("GONE", value="n")))
    assert evaluate(both, CONFIG).outcome is Outcome.PASS
    one_bad = AllOf((Leaf("OFF", value="n"), Leaf("ON", value="n")))
    result = evaluate(one_bad, CONFIG)
    assert result.outcome is Outcome.FAIL and result.failing == (Leaf("ON", value="n"),)
    assert evaluate(AllOf((Leaf("X", value="n"),)), CONFIG).outcome is Outcome.NA


def test_hardened_or_feature_off():
    rule = AnyOf((Leaf("GUARD", value="y"), Leaf("ON", value="n")))  # feature ON, no guard symbol
    assert evaluate(rule, CONFIG).outcome is Outcome.FAIL
    rule = AnyOf((Leaf("GUARD", value="y"), Leaf("OFF", value="n")))  # feature off
    assert evaluate(rule, CONFIG).outcome is Outcome.PASS


def test_matches_uses_the_display_value_for_text():
    assert matches(CONFIG["TEXT"], "root-rsa-2048.pem")
    assert not matches(CONFIG["NUM"], "y")
