"""Runs of the hostile suite that do not hold yet, as expected failures (none today).

Each entry is one run of tests/hostile/test_hostile_runs.py (case :: command) with the code site
and what happens. They are marked `xfail(strict=True)`: when a fix makes a run pass, the suite
fails until its entry is removed here, so the list never claims more failures than there are.
A new hostile case that finds a defect nobody can fix at once goes here, grouped by the area (and
the issue) that owns the code, instead of being left out of the catalogue.

The property tests (test_properties.py) keep their expected failures in PROPERTIES, each with an
explicit example that shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

BUILDDIR = "builddir (issue 10)"
SIGN = "sign (issue 11)"
MCUBOOT = "mcuboot (issue 11)"
SBOM = "sbom (issue 12)"

# run id -> (area, "site: what is wrong; what happens")
EXPECTED: dict[str, tuple[str, str]] = {

}

PROPERTIES: dict[str, str] = {

}


def mark(run_id: str) -> list[Any]:
    """The xfail mark of a run of the hostile suite, if it is expected to fail."""
    found = EXPECTED.get(run_id)
    return [pytest.mark.xfail(strict=True, reason=f"{found[0]}: {found[1]}")] if found else []


def property_mark(name: str) -> Callable[[Any], Any]:
    reason = PROPERTIES.get(name)
    if reason is None:
        return lambda test: test
    return pytest.mark.xfail(strict=True, reason=reason)
