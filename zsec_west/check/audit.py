"""One `check` run: load the catalogue, evaluate every selected domain, apply waivers -> Report.

This is the pure core of `zsec check` / `west sec-check`: typed options in, a Report out, warnings
returned as strings for the front end to print.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.builddir.locate import find_west_topdir
from zsec_west.builddir.model import Build, Domain
from zsec_west.check.fixes import Fragment, checked_fixes, with_advice
from zsec_west.check.imagechecks import check_image_devkey, check_image_format, check_image_key_match, images
from zsec_west.check.kconfmarkers import check_kconfig_markers, remember_database
from zsec_west.check.keychecks import (
    check_encryption_key,
    check_key_file,
    check_key_match,
    check_signing_key,
    key_refs,
)
from zsec_west.check.waivers import EXPIRED_RULE_ID, apply_waivers, load_waivers
from zsec_west.check.zephyrdb import ZephyrDb, load_zephyr_db
from zsec_west.errors import BuildDirError, DataFileError, InputError, ZsecError
from zsec_west.facts import CheckFacts, ImageFact, KeyFact
from zsec_west.files.reading import is_dir
from zsec_west.findings import Finding, Report
from zsec_west.rules.catalogue import Catalogue, build_catalogue
from zsec_west.rules.engine import Builtin, CheckContext, evaluate_domain
from zsec_west.rules.model import CatalogueRule
from zsec_west.rules.profiles import DEFAULT_PROFILE
from zsec_west.tfm.builtins import TFM_BUILTINS
from zsec_west.tfm.catalogue import advisory_rules


def _reported_by_waivers(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    """ZSEC-WAIVER-001 is not a per-domain check: apply_waivers reports expired waivers."""
    return []


# The builtin checks sec-check runs: key files and signed images (this package), and TF-M's.
BUILTINS: dict[str, Builtin] = {
    "signing-key": check_signing_key,
    "encryption-key": check_encryption_key,
    "key-file": check_key_file,
    "key-match": check_key_match,
    "image-devkey": check_image_devkey,
    "image-key-match": check_image_key_match,
    "image-format": check_image_format,
    "expired-waiver": _reported_by_waivers,
    "kconfig-markers": check_kconfig_markers,
    **TFM_BUILTINS,
}


@dataclass(frozen=True)
class CheckOptions:
    """Everything a run can be told, as values (the CLI maps its flags onto this)."""

    profile: str = DEFAULT_PROFILE
    domains: tuple[str, ...] = ()
    rule_files: tuple[Path, ...] = ()
    waivers: Path | None = None
    zephyr_base: Path | None = None  # stands in for the build's ZEPHYR_BASE
    use_zephyr_db: bool = True
    west_topdir: Path | None = None
    today: dt.date | None = None


@dataclass
class CheckRun:
    report: Report
    catalogue: Catalogue
    zephyr_base: Path | None
    warnings: list[str] = field(default_factory=list)  # something is wrong with an input
    notes: list[str] = field(default_factory=list)  # worth knowing, nothing to fix
    fixes: list[Fragment] = field(default_factory=list)  # what `--fix DIR` writes (not yet written)


def zephyr_tree(build: Build | None, option: Path | None) -> tuple[Path | None, str | None]:
    """The reachable Zephyr tree (the option, else the build's ZEPHYR_BASE), and a note if none."""
    if option is not None:
        if not is_dir(option):
            raise InputError("--zephyr-base: not a directory", path=option)
        return option.resolve(), None
    recorded = build.zephyr_base if build is not None else None
    if recorded is None:
        return None, None
    if is_dir(recorded):
        return recorded, None
    return None, (f"the build's ZEPHYR_BASE ({recorded}) is not on this machine; Zephyr's hardening "
                  "database was not loaded and the options its Kconfig tree marks experimental, "
                  "deprecated or not secure were not checked (give the tree with --zephyr-base)")


def load_catalogue(options: CheckOptions, build: Build | None
                   ) -> tuple[Catalogue, Path | None, list[str], list[str]]:
    """Our rules, the user's, and the reachable Zephyr tree's database (a broken one is skipped).

    Returns the catalogue, the Zephyr tree used, warnings and notes.
    """
    warnings: list[str] = []
    notes: list[str] = []
    base, note = zephyr_tree(build, options.zephyr_base)
    if note:
        notes.append(note)
    database: ZephyrDb | None = None
    if base is not None and options.use_zephyr_db:
        try:
            database = load_zephyr_db(base)
        except DataFileError as exc:
            warnings.append(f"Zephyr's hardening database is broken and was skipped: {exc}")
        else:
            if database is None:
                notes.append(f"the Zephyr tree {base} has no hardening database")
    catalogue = build_catalogue(list(options.rule_files), database, generated=[advisory_rules()],
                                builtins=BUILTINS)
    return catalogue, base, warnings, notes


def _check_domain(domain: Domain, catalogue: Catalogue, profile: str,
                  ctx: CheckContext) -> list[Finding]:
    """Every rule of the profile that applies to the domain's kind (TF-M's on TF-M domains)."""
    return evaluate_domain(domain, catalogue.in_profile(domain.kind, profile), ctx, BUILTINS)


def key_and_image_facts(domains: list[Domain], ctx: CheckContext
                        ) -> tuple[tuple[KeyFact, ...], tuple[ImageFact, ...]]:
    """The key files and signed images the checks looked at (read once per run, cached)."""
    keys: list[KeyFact] = []
    found: list[ImageFact] = []
    for domain in domains:
        try:
            refs = key_refs(domain, ctx)
            signed = images(domain, ctx)
        except (ZsecError, OSError):  # reported by the checks themselves
            continue
        for ref in refs:
            dev = ref.by_content or ref.by_name
            keys.append(KeyFact(domain.name, ref.setting, ref.use, ref.shown, ref.state, ref.detail,
                                ref.fingerprint.sha256 if ref.fingerprint else None,
                                dev.name if dev else None,
                                "content" if ref.by_content else "file name" if ref.by_name else None))
        for image in signed:
            found.append(ImageFact(domain.name, image.role, image.shown, image.signed, image.tlv,
                                   image.digest_hex or None, image.devkey.name if image.devkey else None,
                                   image.error))
    return tuple(keys), tuple(found)


def run_check(build: Build, options: CheckOptions) -> CheckRun:
    catalogue, base, warnings, notes = load_catalogue(options, build)
    notes = build.notes + notes
    chain = catalogue.profiles.chain(options.profile)
    selected = build.select(list(options.domains) or None)
    topdir = options.west_topdir or find_west_topdir(base, build.top, Path(os.getcwd()))
    ctx = CheckContext(build, chain, topdir, base)
    if isinstance(catalogue.zephyr, ZephyrDb):  # read once per run, for the catalogue and the marker check
        remember_database(ctx, catalogue.zephyr)
    domains = [d.name for d in selected]
    findings: list[Finding] = []
    for domain in selected:
        try:
            findings += _check_domain(domain, catalogue, options.profile, ctx)
        except BuildDirError as exc:
            warnings.append(f"domain {domain.name} skipped: {exc}")
            domains.remove(domain.name)
    warnings += ctx.warnings
    if selected and not domains:
        raise BuildDirError(f"no domain of this build could be checked ({warnings[-1]})",
                            path=build.top)
    if options.waivers is not None:
        waivers = load_waivers(options.waivers)
        expired_rule = catalogue.get(EXPIRED_RULE_ID)
        assert expired_rule is not None, "the waiver rule is part of the package catalogue"
        known = {r.id.upper() for r in catalogue.all_rules()} | {f.rule.id.upper() for f in findings}
        result = apply_waivers(findings, waivers, options.today or dt.date.today(),
                               expired_rule.rule, known, domains[0] if domains else "build")
        findings = list(result.findings)
        warnings += result.warnings
    # Fix advice comes from the plan `--fix` writes, so the report and the fragments agree.
    fixes = checked_fixes(build, findings, catalogue, base)
    findings = with_advice(findings, fixes)
    inputs = {
        "build_dir": str(build.top),
        "board": build.default.board_target,
        "zephyr_version": build.zephyr_version,
        "west_command": build.west_command,  # Zephyr 4.x build_info.yml
        "profile": options.profile,
        "profile_chain": list(chain),
        "rule_sources": list(catalogue.sources),
        "zephyr_db": str(catalogue.zephyr.path) if catalogue.zephyr else None,
        "zephyr_base": str(base) if base else None,
        "waivers": str(options.waivers) if options.waivers else None,
        "domains": [{"name": d.name, "kind": d.kind} for d in selected if d.name in domains],
    }
    keys, images = key_and_image_facts([d for d in selected if d.name in domains], ctx)
    facts = CheckFacts(str(build.top), options.profile, tuple(chain), tuple(catalogue.sources), keys, images)
    report = Report("check", tuple(findings), inputs, tuple(domains), tuple(warnings + notes), facts)
    return CheckRun(report, catalogue, base, warnings, notes, fixes)
