"""Is the vulnerable code of a matched advisory in the image at all? Decided from the build:
the sources the SBOM says were compiled, else the domain's Kconfig.

Curated advisories say what they need (`kconfig`, `paths`); for NVD/OSV records the shipped
keyword table (data/vulns/keywords.yaml) maps words of the description to the same, and the
reason then says it was inferred from the description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from zsec_west.builddir import TFM
from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.builddir.tfmbuild import load_subbuild
from zsec_west.errors import ZsecError
from zsec_west.files import shipped
from zsec_west.files.yamldoc import Checker, parse_located
from zsec_west.sbom.component import Component
from zsec_west.sbom.vulns.curated import Package, path_problem, symbol_problem
from zsec_west.sbom.vulns.model import Vulnerability
from zsec_west.tfm.advisories import Lookup, load_advisories
from zsec_west.tfm.advisories import assess as assess_tfm_advisory
from zsec_west.versions import parse

KEYWORDS = "vulns/keywords.yaml"
NOT_PRESENT = "vulnerable_code_not_present"


@dataclass(frozen=True)
class Verdict:
    """Whether the vulnerable part is built into the image: True, False, or None (no data)."""

    built: bool | None
    reason: str = ""
    justification: str = ""  # OpenVEX justification when not built
    inferred: bool = False


@dataclass(frozen=True)
class Keyword:
    name: str
    packages: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]
    kconfig: tuple[str, ...]
    paths: tuple[str, ...]


def _no_value(name: str) -> bool | str | None:
    return None


@dataclass(frozen=True)
class DomainFacts:
    """What applicability needs from a domain: its name, kind and Kconfig (None if unreadable),
    and for TF-M advisories the TF-M configuration (cache) and the Kconfig that drives it."""

    name: str
    kind: str
    kconfig: KconfigValues | None
    tfm_cache: Lookup = _no_value
    tfm_kconfig: Lookup = _no_value


def _kconfig_lookup(kconfig: KconfigValues | None) -> Lookup:
    if kconfig is None:
        return _no_value

    def value(name: str) -> bool | str | None:
        found = kconfig.value(name)
        return found if found is None or isinstance(found, (bool, str)) else str(found)
    return value


def domain_facts(build, name: str) -> DomainFacts:
    """The domain called `name` of `build`; Kconfig None when it cannot be read."""
    try:
        domain = build.domain(name)
    except ZsecError:
        return DomainFacts(name, "", None)
    try:
        kconfig = domain.kconfig
    except ZsecError:
        kconfig = None
    try:
        kind = domain.kind
    except ZsecError:
        kind = ""
    cache: Lookup = _no_value
    drives = kconfig
    if kind == TFM:
        cache = load_subbuild(domain, build).value
        try:
            drives = domain.parent.kconfig if domain.parent is not None else kconfig
        except ZsecError:
            drives = None
    return DomainFacts(name, kind, kconfig, cache, _kconfig_lookup(drives))


def load_keywords(text: str, path: Path | str) -> tuple[Keyword, ...]:
    data = parse_located(text, path)
    top = Checker(path, data, "keyword table", 1)
    top.only(("schema", "keywords"))
    if data.get("schema") != 1:
        raise top.fail("schema", "must be 1")
    entries = data.get("keywords")
    if not isinstance(entries, list):
        raise top.fail("keywords", "must be a list")
    result = []
    for entry in entries:
        check = Checker(path, entry, "keyword", top.node.line_of("keywords"))
        check.only(("name", "packages", "patterns", "kconfig", "paths"))
        name = check.string("name", required=True)
        check.what = f"keyword {name}"
        patterns = []
        for text_pattern in check.strings("patterns"):
            try:
                patterns.append(re.compile(text_pattern))
            except re.error as exc:
                raise check.fail("patterns", f"{text_pattern!r} is not a regular expression: {exc}") from None
        if not patterns:
            raise check.fail("patterns", "needs at least one pattern")
        kconfig = check.strings("kconfig", symbol_problem)
        paths = check.strings("paths", path_problem)
        if not kconfig and not paths:
            raise check.fail(None, "needs 'kconfig' or 'paths'")
        result.append(Keyword(name, check.strings("packages"), tuple(patterns), kconfig, paths))
    return tuple(result)


@lru_cache(maxsize=1)
def shipped_keywords() -> tuple[Keyword, ...]:
    return load_keywords(shipped.read_text(KEYWORDS), shipped.label(KEYWORDS))


def _relevant(symbols: tuple[str, ...], facts: DomainFacts) -> tuple[str, ...]:
    """The TF-M domain shares the non-secure app's .config: only its TF-M symbols describe
    the TF-M image (CONFIG_MBEDTLS there says nothing about TF-M's own mbed TLS)."""
    if facts.kind != "tfm":
        return symbols
    return tuple(s for s in symbols
                 if all(p.startswith(("TFM_", "BUILD_WITH_TFM")) for p in s.lstrip("!").split("|")))


def _kconfig(symbols: tuple[str, ...], facts: DomainFacts) -> tuple[bool, str] | None:
    """(all conditions hold, why); None when the domain's Kconfig is unknown or nothing to test."""
    symbols = _relevant(symbols, facts)
    if not symbols or facts.kconfig is None:
        return None
    config = facts.kconfig
    held = []
    for condition in symbols:
        if condition.startswith("!"):
            name = condition[1:]
            if config.enabled(name):
                return False, f"CONFIG_{name} is enabled in {facts.name}"
            held.append(f"CONFIG_{name} is not set")
            continue
        names = condition.split("|")
        on = [n for n in names if config.enabled(n)]
        if not on:
            if len(names) == 1:
                return False, f"CONFIG_{names[0]} is not enabled in {facts.name}"
            return False, (f"none of {', '.join('CONFIG_' + n for n in names)} is enabled in "
                           f"{facts.name}")
        held.append(f"CONFIG_{on[0]}=y")
    return True, ", ".join(held)


def _places(paths: tuple[str, ...]) -> str:
    return " or ".join(f"in {p}" if p.endswith("/") else p if "." in p.rsplit("/", 1)[-1]
                       else f"{p}*" for p in paths)


def _listed(files: list[str]) -> str:
    return files[0] + (f" (+{len(files) - 1} more)" if len(files) > 1 else "")


def _paths(paths: tuple[str, ...], component: Component) -> tuple[bool, str] | None:
    """(a vulnerable source is in the image, why); None when the compiled files are unknown.

    Compiled is not present: with a linker map, a source counts only when its object gave the
    image code or data (not compiled to empty sections, not left in its archive)."""
    if not paths or not component.compiled_files:
        return None
    hits = [f for f in component.compiled_files if f.startswith(paths)]
    if not hits:
        return False, (f"none of the {len(component.compiled_files)} {component.name} sources "
                       f"compiled into {component.domain} is {_places(paths)}")
    if component.linked_files is None:
        return True, f"{_listed(hits)} is compiled"
    linked = set(component.linked_files)
    present = [f for f in hits if f in linked]
    if present:
        return True, f"{_listed(present)} is compiled and linked into the image ({component.link_map})"
    return False, (f"{_listed(hits)} is compiled but gives the image no code or data: the "
                   f"linker map {component.link_map} shows it not linked or with empty sections")


def _macros(macros: tuple[str, ...], component: Component) -> tuple[bool, str] | None:
    """(every feature macro is defined, why); None when the configuration is unknown."""
    if not macros or component.macros is None:
        return None
    missing = [m for m in macros if m not in component.macros]
    where = component.macros_from or "the configuration header"
    if missing:
        return False, f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not defined in {where}"
    return True, f"{', '.join(macros)} defined in {where}"


def _decide(kconfig: tuple[str, ...], paths: tuple[str, ...], component: Component,
            facts: DomainFacts, macros: tuple[str, ...] = ()) -> tuple[bool, str] | None:
    """The build's own records decide: the sources in the image and the feature macros both
    must allow the flaw; Kconfig is the fallback when neither is known."""
    decided = [d for d in (_paths(paths, component), _macros(macros, component)) if d is not None]
    against = next((d for d in decided if not d[0]), None)
    if against is not None:
        return against
    if decided:
        return True, "; ".join(why for _, why in decided)
    return _kconfig(kconfig, facts)


def assess(vuln: Vulnerability, component: Component, facts: DomainFacts,
           package: Package | None = None,
           keywords: tuple[Keyword, ...] | None = None) -> Verdict:
    """Whether `vuln`'s vulnerable code is built into `component` in its domain."""
    if package is not None and package.kconfig and not component.compiled_files:
        # The whole package is left out (an SBOM may list a module the image does not use).
        decided = _kconfig(package.kconfig, facts)
        if decided is not None and not decided[0]:
            return Verdict(False, decided[1], NOT_PRESENT)
    if vuln.kconfig or vuln.paths or vuln.macros:
        decided = _decide(vuln.kconfig, vuln.paths, component, facts, vuln.macros)
        if decided is None:
            return Verdict(None)
        built, why = decided
        return Verdict(built, why, "" if built else NOT_PRESENT)
    return _infer(vuln, component, facts, package.name if package else "", keywords)


def tfm_advisory_verdict(vuln: Vulnerability, component: Component,
                         facts: DomainFacts) -> Verdict | None:
    """A TF-M advisory judged as `zsec tfm` judges it (version range, then each configuration
    it names: platform, isolation, model ...), on the domain's TF-M cache and Kconfig. None
    when `vuln` is not one of the TF-M advisories."""
    advisory = next((a for a in load_advisories() if a.id == vuln.id), None)
    if advisory is None:
        return None
    verdict = assess_tfm_advisory(advisory, parse(component.version or ""), facts.tfm_cache,
                                  facts.tfm_kconfig)
    if verdict.affected is False:
        return Verdict(False, verdict.reason, NOT_PRESENT)
    return Verdict(verdict.affected, verdict.reason)


def _infer(vuln: Vulnerability, component: Component, facts: DomainFacts, package: str,
           keywords: tuple[Keyword, ...] | None) -> Verdict:
    text = f"{vuln.summary}\n{vuln.description}"
    matched: list[tuple[Keyword, str]] = []
    for keyword in keywords if keywords is not None else shipped_keywords():
        if package not in keyword.packages:
            continue
        for pattern in keyword.patterns:
            hit = pattern.search(text)
            if hit:
                matched.append((keyword, hit.group(0)))
                break
    if not matched:
        return Verdict(None)
    reasons = []
    for keyword, word in matched:
        decided = _decide(keyword.kconfig, keyword.paths, component, facts)
        if decided is None:
            return Verdict(None)
        built, why = decided
        if built:
            return Verdict(True, f"inferred from the description ('{word}'): {why}", inferred=True)
        reasons.append(why)
    words = ", ".join(f"'{word}'" for _, word in matched)
    return Verdict(False, f"inferred from the description ({words}): {'; '.join(dict.fromkeys(reasons))}",
                   NOT_PRESENT, inferred=True)
