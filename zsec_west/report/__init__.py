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
    "html": "zsec_west.report.html",
}

FORMATS = tuple(_REPORTERS)


def render(report: Report, fmt: str, *, colour: bool = False, width: int = 100, detail: int = 0) -> str:
    """`report` in format `fmt`. Colour, width and detail (-1 summary, 0 default, 1 details)
    shape the text report; the other formats always carry everything."""
    if fmt not in _REPORTERS:
        raise ValueError(f"unknown report format {fmt!r}")
    module = importlib.import_module(_REPORTERS[fmt])
    if fmt == "text":
        return module.render(report, colour=colour, width=width, detail=detail)
    return module.render(report)
