"""`zsec check` / `west sec-check`: audit the Kconfig security settings of every domain of a build."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from zsec_west.cli.args import (
    CommandSpec,
    RunContext,
    add_build_dir_args,
    add_report_args,
    add_zephyr_base_arg,
    zephyr_base_fallback,
)

if TYPE_CHECKING:
    from zsec_west.builddir import Build

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
    parser.add_argument("--profile", default="base", metavar="NAME",
                        help="rule profile: base, strict or production (default: base)")
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
                        help="print a rule's rationale, references and fix, then exit")
    parser.add_argument("--list-rules", action="store_true",
                        help="print the rule catalogue (id, severity, profiles, title), then exit")
    add_report_args(parser)


def run(args: argparse.Namespace, ctx: RunContext) -> int:
    # Heavy imports only when the command runs (the registry imports every command's SPEC).
    from zsec_west.builddir import find_build_dir, load_build
    from zsec_west.check.audit import CheckOptions, load_catalogue, run_check
    from zsec_west.check.explain import explain, list_rules
    from zsec_west.check.fixes import write_fragments
    from zsec_west.cli.reporting import finish

    def options(build: Build | None) -> CheckOptions:
        return CheckOptions(
            profile=args.profile,
            domains=tuple(args.domain or ()),
            rule_files=tuple(args.rules),
            waivers=args.waivers,
            zephyr_base=zephyr_base_fallback(args, build.zephyr_base if build else None, os.environ),
            use_zephyr_db=not args.no_zephyr_db,
            west_topdir=Path(ctx.west_topdir) if ctx.west_topdir else None,
        )

    if args.explain or args.list_rules:
        catalogue, _, warnings, _ = load_catalogue(options(None), None)
        for warning in warnings:
            ctx.console.wrn(warning)
        if args.explain:
            text = explain(catalogue, args.explain)
        else:
            catalogue.profiles.chain(args.profile)  # an unknown --profile is a usage error
            text = list_rules(catalogue, args.profile if args.profile != "base" else None)
        ctx.console.emit(text, args.output)
        return 0

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
        fragments = write_fragments(result.fixes, args.fix)
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


SPEC = CommandSpec(
    name="check",
    west_name="sec-check",
    help="audit Kconfig security settings of every domain of a build",
    description=DESCRIPTION,
    add_arguments=add_arguments,
    run=run,
)
