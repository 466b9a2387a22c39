"""Text lines for people: the boards table of `tfm boards` (the report's facts are rendered by
zsec_west.report.tfm_text)."""

from __future__ import annotations

from zsec_west.tfm.boards import BoardScan
from zsec_west.tfm.platforms import display_platform


def board_lines(scan: BoardScan, zephyr_base: str | None) -> list[str]:
    """The `boards` listing."""
    lines = [f"Boards with a non-secure variant to run under TF-M, in {zephyr_base or '?'}"
             + (f" and {len(scan.roots) - 1} module board root(s)" if len(scan.roots) > 1 else "")]
    lines.append(f"TF-M platforms from {scan.platform_source}")
    lines.append("")
    if scan.boards:
        width = max(len(b.target) for b in scan.boards)
        origin_width = max(len(b.origin) for b in scan.boards)
        for board in scan.boards:
            platform = display_platform(board.tfm_platform) or "-"
            style = "" if board.style == "hwmv2" else "  (legacy board name)"
            lines.append(f"  {board.target.ljust(width)}  {board.origin.ljust(origin_width)}  "
                         f"{platform}{style}")
    else:
        lines.append("  none found")
    lines.append("")
    with_platform = sum(1 for b in scan.boards if b.tfm_platform)
    lines.append(f"{len(scan.boards)} non-secure target(s), {with_platform} with a known TF-M "
                 "platform")
    for problem in scan.problems:
        lines.append(f"problem: {problem.path}: {problem.message}")
    return lines
