"""One Markdown table cell, safe whatever it holds (shared by the reporter and the facts)."""

from __future__ import annotations

import re

from zsec_west.report.common import clean

# Characters that would end a cell, start markup or open an HTML tag inside a table cell.
_SPECIAL = re.compile(r"([\\|`*_\[\]<>#~])")


def cell(value: object) -> str:
    """`value` safe inside a GitHub-flavoured table cell; newlines become <br>."""
    lines = [_SPECIAL.sub(r"\\\1", " ".join(line.split()))
             for line in clean(value).split("\n")]
    return "<br>".join(line for line in lines if line) or " "
