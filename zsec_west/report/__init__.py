"""Reporters: a Report in, text out. They decide nothing about where the text goes."""

from __future__ import annotations

import importlib

from zsec_west.findings import Report

# format name -> module with `render(report: Report, *, colour: bool = False) -> str`
_REPORTERS = {
    "text": "zsec_west.report.text",
    "json": "zsec_west.report.json_report",
    "sarif": "zsec_west.report.sarif",
    "junit": "zsec_west.report.junit",
    "markdown": "zsec_west.report.markdown",
}

FORMATS = tuple(_REPORTERS)


def render(report: Report, fmt: str, *, colour: bool = False) -> str:
    if fmt not in _REPORTERS:
        raise ValueError(f"unknown report format {fmt!r}")
    module = importlib.import_module(_REPORTERS[fmt])
    return module.render(report, colour=colour and fmt == "text")
