"""`zsec sbom` / `west sec-sbom`: SPDX 2.3 (or CycloneDX 1.6) SBOMs of every image of a build,
and optionally offline vulnerability matching of their components."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import os
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
from zsec_west.errors import UsageError
from zsec_west.sbom.writers import SBOM_FORMATS

if TYPE_CHECKING:
    from zsec_west.builddir import Build
    from zsec_west.sbom.component import Component
    from zsec_west.sbom.vulns import VulnScan

DESCRIPTION = """\
Write an SBOM per image of a Zephyr build from what the build already left behind
(compile_commands.json, ninja's dependency log, the linker map, zephyr_modules.txt,
zephyr.meta): no `west spdx --init`, no pre-build step. Every file is mapped to a package
(the application, Zephyr, each module, the build's generated files, the toolchain) with
version, supplier, CPE and package URL; files get SHA-1/SHA-256 and their SPDX licence tags.
A sysbuild build gets one document per domain plus system.<ext> referencing them.

  zsec sbom -d build                         SPDX JSON in build/sbom/
  zsec sbom -d build --sbom-format spdx-tv   tag-value; cyclonedx for CycloneDX 1.6 JSON,
                                             spdx3-json for SPDX 3.0.1 JSON-LD
  zsec sbom -d build --output-dir out --format json -o report.json
  zsec sbom -d build --vulns --vuln-data nvd/ --fail-on high
  zsec sbom --conformance bsi-tr-03183-2 build/sbom/*.cdx.json

The report (what was written, counts, gaps, vulnerability findings) goes to stdout or
--output in --format; the SBOM documents go to --output-dir.
"""



def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_build_dir_args(parser)
    add_report_args(parser)
    group = parser.add_argument_group("SBOM")
    group.add_argument("--output-dir", metavar="DIR",
                       help="where the documents go (default: <build dir>/sbom)")
    group.add_argument("--sbom-format", choices=SBOM_FORMATS, default="spdx-json",
                       help="document format (default: spdx-json)")
    group.add_argument("--supplier", metavar="ORG",
                       help="organisation that supplies the application and its images "
                            "(default: from the application's repository)")
    group.add_argument("--author", metavar="ORG",
                       help="organisation named as the SBOM's creator (default: the supplier)")
    group.add_argument("--supplier-contact", metavar="EMAIL|URL",
                       help="e-mail or URL of the supplier, the creator of the application "
                            "(BSI TR-03183-2 component creator; CycloneDX and SPDX 3)")
    group.add_argument("--author-contact", metavar="EMAIL|URL",
                       help="e-mail or URL of the SBOM's author (BSI TR-03183-2 SBOM creator)")
    group.add_argument("--namespace-prefix", metavar="URI",
                       help="prefix of the SPDX document namespaces")
    group.add_argument("--jobs", type=int, metavar="N",
                       help="threads reading and hashing files; more help on network "
                            "storage (default: with thousands of files and a CPU to spare, a "
                            "second process shares the hashing; 1: one thread, no second "
                            "process)")
    conformance = parser.add_argument_group("conformance of existing SBOMs")
    conformance.add_argument("--conformance", choices=("bsi-tr-03183-2",), metavar="PROFILE",
                             help="check SBOM files (ours or another tool's) against a profile "
                                  "instead of writing SBOMs: bsi-tr-03183-2 (BSI TR-03183-2 "
                                  "v2.1); each missing field is a finding")
    conformance.add_argument("sbom_files", nargs="*", metavar="FILE",
                             help="the SBOM files to check (with --conformance)")
    vulns = parser.add_argument_group("vulnerabilities (offline)")
    vulns.add_argument("--vulns", action="store_true",
                       help="match the components against vulnerability data")
    vulns.add_argument("--vuln-data", action="append", metavar="PATH", default=None,
                       help="NVD CVE 2.0 JSON feed(s) or OSV records (file or directory; "
                            "repeatable; implies --vulns)")
    vulns.add_argument("--db", metavar="PATH",
                       help="the local vulnerability index to use or build (implies --vulns)")
    vulns.add_argument("--vex", metavar="FILE",
                       help="OpenVEX statements that settle matches (implies --vulns)")
    add_zephyr_base_arg(vulns, "whose west.yml vulnerability findings point at")
    vulns.add_argument("--vex-out", metavar="FILE",
                       help="write a VEX document with a statement per match (implies --vulns)")
    vulns.add_argument("--vex-format", choices=("openvex", "csaf"), default="openvex",
                       help="format of --vex-out: OpenVEX 0.2.0 (default) or CSAF 2.0 VEX")


def _created() -> _dt.datetime | None:
    """SOURCE_DATE_EPOCH (reproducible builds) fixes the documents' creation time."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        return None
    try:
        return _dt.datetime.fromtimestamp(int(value), _dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a Unix timestamp") from None


def _wants_vulns(args: argparse.Namespace) -> bool:
    return bool(args.vulns or args.vuln_data or args.db or args.vex or args.vex_out)


def _scan(components: list[Component], build: Build, args: argparse.Namespace,
          ctx: RunContext) -> VulnScan:
    """The vulnerability half, through its public API only."""
    from zsec_west.sbom.vulns import VulnOptions, scan

    tree = zephyr_base_fallback(args, build.zephyr_base, os.environ, ctx.west_topdir)
    manifest = tree / "west.yml" if tree is not None and (tree / "west.yml").is_file() else None
    options = VulnOptions(
        manifest=manifest,
        data=tuple(Path(p) for p in args.vuln_data or ()),
        db=Path(args.db) if args.db else None,
        vex_in=Path(args.vex) if args.vex else None,
        vex_out=Path(args.vex_out) if args.vex_out else None,
        vex_format=args.vex_format,
        write=False,  # --vex-out is written with the SBOM documents, as one set
    )
    return scan(components, build, options, ctx.console.progress)


def _conformance(args: argparse.Namespace, ctx: RunContext) -> int:
    from zsec_west.cli.reporting import finish
    from zsec_west.sbom.conformance import check_files

    if not args.sbom_files:
        raise UsageError("--conformance needs the SBOM files to check")
    return finish(check_files([Path(p) for p in args.sbom_files]), args, ctx)


def run(args: argparse.Namespace, ctx: RunContext) -> int:
    from zsec_west.builddir import find_build_dir, load_build
    from zsec_west.cli.reporting import finish
    from zsec_west.sbom.generate import DEFAULT_NAMESPACE, SbomOptions, generate, write_documents
    from zsec_west.sbom.summary import build_report

    if args.conformance:
        return _conformance(args, ctx)
    if args.sbom_files:
        raise UsageError(f"unexpected argument {args.sbom_files[0]!r} (SBOM files are checked "
                         "with --conformance)")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    build = load_build(find_build_dir(args.build_dir, ctx.build_dir_fmt))
    for note in build.notes:  # a domain read from outside the named directory
        ctx.console.inf(f"note: {note}")
    options = SbomOptions(
        output_dir=output_directory(args.output_dir, "--output-dir"),
        fmt=args.sbom_format, domains=tuple(args.domain or ()), supplier=args.supplier,
        author=args.author, namespace_prefix=args.namespace_prefix or DEFAULT_NAMESPACE,
        created=_created(), workers=args.jobs, author_contact=args.author_contact,
        supplier_contact=args.supplier_contact, write=False)
    result = generate(build, options, ctx.console.progress)
    # The documents and the VEX document are one set: written together after the scan.
    scan_result = _scan(result.components, build, args, ctx) if _wants_vulns(args) else None
    write_documents(result, scan_result.outputs if scan_result is not None else ())
    for document in result.documents:
        ctx.console.dbg(f"wrote {document.path}")
    ctx.console.dbg("time: " + ", ".join(f"{name} {seconds:.2f} s"
                                         for name, seconds in result.timings.items()))
    report = build_report(result, build.top)
    if scan_result is not None:
        for warning in scan_result.warnings:
            ctx.console.wrn(warning)
        report = report.with_changes(
            findings=(*report.findings, *scan_result),
            domains=tuple(d.domain for d in result.documents if d.domain != "system"),
            notes=(*report.notes, *scan_result.notes),
            facts=dataclasses.replace(report.facts, vulns=dict(scan_result.stats)))
    return finish(report, args, ctx)


SPEC = CommandSpec(
    name="sbom",
    west_name="sec-sbom",
    help="SPDX/CycloneDX SBOM per image of a build; offline vulnerability matching",
    description=DESCRIPTION,
    add_arguments=add_arguments,
    run=run,
)
