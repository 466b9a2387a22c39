"""Every command on every malformed variant of every fixture file, under time and memory limits.

A run is one command on one case (tests/hostile/catalogue.py); the judge (judge.py) says what
every run must do. Runs that fail in areas other helpers own are expected failures (expected.py).
The last test checks that no run changed the templates the cases were linked from.
"""

from __future__ import annotations

import pytest

from tests.hostile import expected
from tests.hostile.conftest import case_runs, selected_groups, snapshot
from tests.hostile.judge import judge

RUNS = case_runs(selected_groups())


@pytest.mark.parametrize("case_run", [pytest.param(r, id=r.id, marks=expected.mark(r.id)) for r in RUNS])
def test_hostile_input(case_run, hostile, request):
    judge(case_run, hostile.outcome(case_run, request.session))


def test_nothing_was_clobbered(hostile):
    """Cases are hard links of the templates: a command that wrote into an input instead of
    replacing it (or a case that wrote through a link) would show here."""
    assert hostile.before, "no hostile run happened"
    for group, before in hostile.before.items():
        assert snapshot(hostile.templates[group]) == before, f"template {group} was changed"
