"""`zsec check` / `west sec-check`: audit the Kconfig security settings of every domain of a build."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from zsec_west.cli.args import (
    CommandSpec,
    RunContext,
    add_build_dir_args,
    add_report_args,
    add_zephyr_base_arg,
    output_directory,
    zephyr_base_fallback,
)

if TYPE_CHECKING:
    from zsec_west.builddir import Build
    from zsec_west.check.audit import CheckOptions

DESCRIPTION = """\
Audit a Zephyr build against a security rule catalogue: the application, MCUboot, TF-M, other
sysbuild images and the sysbuild level itself. Rules cover secure boot, signing keys (checked by
content), memory protection, debug surface, entropy, TLS/crypto, firmware update, Bluetooth and
TF-M. When the build's Zephyr tree is reachable (or given with --zephyr-base), Zephyr's own
hardening database is merged in; our rule wins where both check the same symbol.

Profiles: base (mitigations on, insecure-by-design features off), strict (base without debug and
observability features), production (strict + verified boot, no development keys, no debug or
recovery surface).

Exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 bad input, 3 tool error.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_build_dir_args(parser)
    parser.add_argument("--profile", default=None, metavar="NAME",
                        help="rule profile: base, strict or production (default: base; with --list-rules, "
                             "only that profile's rules)")
    add_zephyr_base_arg(parser, "standing in for the build's ZEPHYR_BASE (for its hardening database and "
                                "Kconfig tree)")
    parser.add_argument("--no-zephyr-db", action="store_true",
                        help="do not merge Zephyr's hardening database even when it is reachable")
    parser.add_argument("--rules", action="append", metavar="FILE", type=Path, default=[],
                        help="an extra rule file, validated like the built-in catalogue (repeatable)")
    parser.add_argument("--waivers", metavar="FILE", type=Path,
                        help="waiver file: rule, optional domain, reason, expiry date per entry")
    parser.add_argument("--fix", metavar="DIR", type=Path,
                        help="write a Kconfig fragment per domain with the recommended values")
    parser.add_argument("--explain", metavar="RULE",
                        help="print a rule's rationale, references and fix, and with a build, what it found "
                             "there; then exit")
    parser.add_argument("--list-rules", action="store_true",
                        help="print the rule catalogue (id, severity, profiles, goal, problem) as text or "
                             "--format json, then exit")
    add_report_args(parser)


def run(args: argparse.Namespace, ctx: RunContext) -> int:
    # Heavy imports only when the command runs (the registry imports every command's SPEC).
    from zsec_west.builddir import find_build_dir, load_build
    from zsec_west.check.audit import CheckOptions, load_catalogue, run_check
    from zsec_west.check.explain import list_rules
    from zsec_west.check.fixes import write_fragments
    from zsec_west.cli.reporting import finish

    _refuse_conflicts(args)
    output_directory(args.fix, "--fix")
    profile = args.profile or "base"

    def options(build: Build | None) -> CheckOptions:
        return CheckOptions(
            profile=profile,
            domains=tuple(args.domain or ()),
            rule_files=tuple(args.rules),
            waivers=args.waivers,
            zephyr_base=zephyr_base_fallback(args, build.zephyr_base if build else None, os.environ,
                                             ctx.west_topdir),
            use_zephyr_db=not args.no_zephyr_db,
            west_topdir=Path(ctx.west_topdir) if ctx.west_topdir else None,
        )

    if args.list_rules:
        catalogue, _, warnings, _ = load_catalogue(options(None), None)
        for warning in warnings:
            ctx.console.wrn(warning)
        if args.profile:
            catalogue.profiles.chain(args.profile)  # an unknown --profile is a usage error
        ctx.console.emit(list_rules(catalogue, args.profile, args.format), args.output)
        return 0
    if args.explain:
        return _explain(args, ctx, options)

    build = load_build(find_build_dir(args.build_dir, ctx.build_dir_fmt))
    result = run_check(build, options(build))
    for warning in result.warnings:
        ctx.console.wrn(warning)
    for note in result.notes:
        ctx.console.inf(f"note: {note}")
    report = result.report
    if args.format == "text":
        report = report.with_changes(notes=())  # just printed on stderr; machine formats keep them
    if args.fix is not None:
        fragments = write_fragments(result.fixes, args.fix, ctx.console.command_name)
        for fragment in fragments:
            ctx.console.inf(f"wrote {fragment.path}: {len(fragment.values)} value(s)"
                            + (f", {len(fragment.blocked)} that cannot be applied"
                               if fragment.blocked else ""))
            for rec, reason in fragment.blocked:
                ctx.console.wrn(f"{fragment.owner.name}: {rec.rule_id} recommends "
                                f"{fragment.owner.kconfig.prefix}{rec.symbol}, which cannot be "
                                f"applied: {reason}")
            if fragment.tree_note:
                ctx.console.dbg(f"{fragment.path}: {fragment.tree_note}")
        if not fragments:
            ctx.console.inf("no failures with a Kconfig fix; nothing written")
    return finish(report, args, ctx)


def _refuse_conflicts(args: argparse.Namespace) -> None:
    """Options that do not go together are a usage error, not a silent choice."""
    from zsec_west.errors import UsageError

    if args.explain and args.list_rules:
        raise UsageError("--explain and --list-rules exclude each other: explain one rule, or list them all")
    if args.explain and args.fix is not None:
        raise UsageError("--explain and --fix exclude each other: --explain runs no check to fix")
    if args.list_rules and args.fix is not None:
        raise UsageError("--list-rules and --fix exclude each other: --list-rules runs no check to fix")
    if (args.explain or args.list_rules) and args.format not in ("text", "json"):
        what = "--explain" if args.explain else "--list-rules"
        raise UsageError(f"{what} writes text or json, not --format {args.format}")
    if args.explain and args.format == "json":
        raise UsageError("--explain writes text; for the catalogue as JSON use --list-rules --format json")


def _explain(args: argparse.Namespace, ctx: RunContext, options: Callable[[Build | None], CheckOptions]) -> int:
    """The rule from the catalogue, and when a build is given (or found), what it found there."""
    from zsec_west.builddir import find_build_dir, load_build
    from zsec_west.check.audit import load_catalogue, run_check
    from zsec_west.check.explain import explain, explain_results
    from zsec_west.errors import BuildDirError

    catalogue, _, warnings, _ = load_catalogue(options(None), None)
    for warning in warnings:
        ctx.console.wrn(warning)
    text = explain(catalogue, args.explain)
    build = None
    try:
        build = load_build(find_build_dir(args.build_dir, ctx.build_dir_fmt))
    except BuildDirError:
        if args.build_dir:  # asked for, so its absence is an error; otherwise the rule alone
            raise
    if build is not None:
        result = run_check(build, options(build))
        text += explain_results(result.report, args.explain)
    ctx.console.emit(text, args.output)
    return 0


SPEC = CommandSpec(
    name="check",
    west_name="sec-check",
    help="audit Kconfig security settings of every domain of a build",
    description=DESCRIPTION,
    add_arguments=add_arguments,
    run=run,
)
