"""`zsec tfm` / `west sec-tfm`: TF-M in a build (configuration, services, signing, advisories) and
the boards of a workspace that can run Zephyr under TF-M."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from zsec_west.cli.args import (
    CommandSpec,
    RunContext,
    add_action,
    add_actions,
    add_build_dir_args,
    add_format_arg,
    add_output_arg,
    add_report_args,
    add_zephyr_base_arg,
)

if TYPE_CHECKING:
    from zsec_west.builddir import Build
    from zsec_west.tfm.report import WorkspaceSource
    from zsec_west.tfm.workspace import Workspace

DESCRIPTION = """\
Report how TF-M is used by a Zephyr build: the TF-M platform, profile, isolation level and SPM
model, BL2 and its signing keys, provisioning, the PSA services (secure partitions) the
application gets, the TF-M version and the published TF-M security advisories (TFMV-1..9) that
apply, the output images with their version, security counter and signing key, and the
secure / non-secure memory split. The configuration is read from the application's .config and
from the TF-M sub-build (build/tfm), and differences between them are reported. For a build
without TF-M it says whether the board could use it and which non-secure target to build.

  zsec tfm -d build                    the report (text; --format json|sarif|junit|markdown)
  zsec tfm -d build --fail-on high     exit 1 on high or critical findings (dummy keys, ...)
  zsec tfm boards                      non-secure board targets of the workspace, with TF-M platform
  zsec tfm boards --zephyr-base ~/zephyrproject/zephyr --format json
"""

BOARD_FORMATS = ("text", "json")


def _add_report(parser: argparse.ArgumentParser) -> None:
    add_build_dir_args(parser)
    parser.add_argument("--profile", default="base", metavar="NAME",
                        help="rule profile whose TF-M rules and severities apply: base, strict or production "
                             "(default: base; a development key is critical in production, as in check)")
    add_report_args(parser)
    add_zephyr_base_arg(parser, "to read TF-M board support from")


def _add_boards(parser: argparse.ArgumentParser) -> None:
    add_build_dir_args(parser, domains=False,
                       help="a build whose ZEPHYR_BASE to scan (default: none; see --zephyr-base)")
    add_zephyr_base_arg(parser, "to scan for boards")
    add_format_arg(parser, BOARD_FORMATS, help="output format")
    add_output_arg(parser, help="write the list to FILE instead of standard output")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = add_actions(parser, default="report", dest="action")
    add_action(actions, "report", "TF-M in the build (the default action)", _add_report)
    add_action(actions, "boards", "the non-secure board targets of a Zephyr tree that TF-M supports", _add_boards)


def _workspace_source(args: argparse.Namespace, ctx: RunContext, build: Build | None = None,
                      required: bool = True) -> WorkspaceSource:
    from zsec_west.tfm.workspace import resolve_workspace

    def resolve() -> Workspace | None:
        return resolve_workspace(explicit=args.zephyr_base, env_base=os.environ.get("ZEPHYR_BASE"),
                                 west_topdir=ctx.west_topdir, cwd=Path.cwd(), build=build,
                                 required=required)

    return resolve


def _run_boards(args: argparse.Namespace, ctx: RunContext) -> int:
    from zsec_west.builddir import find_build_dir, load_build
    from zsec_west.report.envelope import envelope
    from zsec_west.tfm.boards import scan_boards
    from zsec_west.tfm.platforms import load_table
    from zsec_west.tfm.text import board_lines

    build = load_build(find_build_dir(args.build_dir, ctx.build_dir_fmt)) if args.build_dir else None
    workspace = _workspace_source(args, ctx, build)()
    assert workspace is not None  # required=True: resolve_workspace raises rather than return None
    table = load_table(workspace.zephyr_base)
    scan = scan_boards(workspace.roots, table)
    for problem in scan.problems:
        ctx.console.wrn(f"{problem.path}: {problem.message}")
    if args.format == "json":
        document = {
            **envelope("tfm boards", {"zephyr_base": workspace.zephyr_base,
                                      "build_dir": build.top if build is not None else None}),
            "zephyr_base": str(workspace.zephyr_base),
            "zephyr_base_from": workspace.source,
            "platform_source": scan.platform_source,
            "board_roots": [{"origin": r.origin, "path": str(r.path)} for r in scan.roots],
            "boards": [b.as_dict() for b in scan.boards],
            "problems": [{"path": p.path, "message": p.message} for p in scan.problems],
        }
        text = json.dumps(document, indent=2) + "\n"
    else:
        text = "\n".join(board_lines(scan, str(workspace.zephyr_base))) + "\n"
    ctx.console.emit(text, args.output)
    known = sum(1 for b in scan.boards if b.tfm_platform)
    ctx.console.summary(f"zsec tfm boards: {len(scan.boards)} non-secure target(s), {known} with a "
                        f"TF-M platform, {len(scan.problems)} problem(s)")
    return 0


def run(args: argparse.Namespace, ctx: RunContext) -> int:
    if args.action == "boards":
        return _run_boards(args, ctx)
    from zsec_west.builddir import find_build_dir, load_build
    from zsec_west.cli.reporting import finish
    from zsec_west.tfm.report import build_report

    build = load_build(find_build_dir(args.build_dir, ctx.build_dir_fmt))
    report = build_report(build, args.domain, _workspace_source(args, ctx, build), args.profile)
    return finish(report, args, ctx)


SPEC = CommandSpec(
    name="tfm",
    west_name="sec-tfm",
    help="TF-M in a build: configuration, PSA services, signing, advisories; TF-M capable boards",
    description=DESCRIPTION,
    add_arguments=add_arguments,
    run=run,
    default_action="report",
)
