"""TF-M's part of the one rule catalogue: the rules of data/rules/tfm.yaml and one rule per TF-M
advisory (TFM-TFMV-<n>, generated from data/tfm-advisories.yaml), and how `sec-tfm` evaluates
them. `sec-check` evaluates the same rules on TF-M domains (zsec_west.check.audit)."""

from __future__ import annotations

from functools import lru_cache

from zsec_west.builddir.model import TFM, Build, Domain
from zsec_west.errors import DataFileError
from zsec_west.files import shipped
from zsec_west.findings import Finding, Rule
from zsec_west.rules.catalogue import Catalogue, GeneratedRules, build_catalogue
from zsec_west.rules.engine import CheckContext, evaluate_domain
from zsec_west.rules.model import CatalogueRule
from zsec_west.rules.profiles import DEFAULT_PROFILE
from zsec_west.tfm.advisories import DATA_FILE, Advisory, load_advisories
from zsec_west.tfm.analysis import TfmAnalysis
from zsec_west.tfm.builtins import ADVISORY, TFM_BUILTINS, remember

ADVISORY_SOURCE = "tf-m-security-advisories"


def advisory_rule(advisory: Advisory) -> Rule:
    fixed = f"v{advisory.fixed}" if advisory.fixed else "a fixed release"
    commits = f" (fix commit {', '.join(advisory.fix_commits)})" if advisory.fix_commits else ""
    rationale = advisory.summary + (f" Affected: {advisory.range_text}; {advisory.note}."
                                    if advisory.note else f" Affected: {advisory.range_text}.")
    label = f"{advisory.id} ({advisory.cve})" if advisory.cve else advisory.id
    return Rule(id=f"TFM-{advisory.id}", title=f"Not affected by {label}",
                problem=f"{label}: {advisory.title}",
                severity=advisory.severity, category="advisory", rationale=rationale,
                fix=f"Update TF-M to {fixed} or later{commits}, or disable the affected "
                    "configuration.",
                references=(advisory.url, *([f"https://www.cve.org/CVERecord?id={advisory.cve}"]
                                            if advisory.cve else [])),
                source=ADVISORY_SOURCE, help_uri=advisory.url)


@lru_cache(maxsize=1)
def advisory_rules() -> GeneratedRules:
    """One catalogue rule per shipped TF-M advisory, evaluated by the `tfm-advisory` builtin."""
    rules = tuple(CatalogueRule(advisory_rule(advisory), None, domains=(TFM,),
                                builtin=ADVISORY, origin=advisory.origin)
                  for advisory in load_advisories())
    return GeneratedRules(shipped.label(DATA_FILE), rules)


@lru_cache(maxsize=1)
def package_catalogue() -> Catalogue:
    """The shipped catalogue with the advisory rules, as `sec-tfm` (which takes no rule files) sees it."""
    return build_catalogue(generated=[advisory_rules()])


def tfm_rules(catalogue: Catalogue, profile: str = DEFAULT_PROFILE) -> list[CatalogueRule]:
    """The TF-M rules: those evaluated only on TF-M domains, in `profile`."""
    rules = [rule for rule in catalogue.in_profile(TFM, profile) if rule.domains == (TFM,)]
    for rule in rules:
        if rule.builtin is not None and rule.builtin not in TFM_BUILTINS:
            raise DataFileError(f"rule {rule.id}: unknown TF-M builtin check '{rule.builtin}'",
                                path=rule.origin)
    return rules


def tfm_findings(build: Build, domain: Domain, analysis: TfmAnalysis | None = None,
                 warnings: list[str] | None = None, profile: str = DEFAULT_PROFILE) -> list[Finding]:
    """Every TF-M rule of `profile` on one TF-M domain (kind "tfm"; its .parent is the application
    image), passes and non-applicable ones included, with the profile's severities (a development
    key is critical in production, as in `check`). Rules that could not run go to `warnings`."""
    catalogue = package_catalogue()
    ctx = CheckContext(build, catalogue.profiles.chain(profile))
    if analysis is not None:
        remember(ctx, analysis)
    findings = evaluate_domain(domain, tfm_rules(catalogue, profile), ctx, TFM_BUILTINS)
    if warnings is not None:
        warnings.extend(ctx.warnings)
    return findings
