"""The shipped advisory table (data/vulns/advisories.yaml): packages and their advisories,
validated on load so that a broken entry names its file, line and field."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from zsec_west.errors import DataFileError
from zsec_west.files import shipped as data_files
from zsec_west.files.reading import read_input_text
from zsec_west.files.yamldoc import Checker, parse_located
from zsec_west.sbom.vulns.identifiers import parse_purl
from zsec_west.sbom.vulns.model import SOURCE_CURATED, Affects, CpeKey, PurlKey, Vulnerability
from zsec_west.versions import Range, parse

if TYPE_CHECKING:
    from zsec_west.tfm.advisories import Advisory

SCHEMA = 1
SHIPPED = "vulns/advisories.yaml"
_SEVERITIES = ("critical", "high", "medium", "low")
_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+$")
_SYMBOL = re.compile(r"^!?[A-Z0-9_]+(\|[A-Z0-9_]+)*$")
_MACRO = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ADVISORY_FIELDS = ("id", "aliases", "package", "summary", "severity", "cvss", "affected",
                    "versions", "fixed", "kconfig", "paths", "macros", "conditions", "state",
                    "verified", "source", "note", "references")


@dataclass(frozen=True)
class Package:
    """Who a component is: names, CPE vendor:product pairs and purls (without version)."""

    name: str
    names: tuple[str, ...]
    cpes: tuple[CpeKey, ...]
    purls: tuple[PurlKey, ...]
    kconfig: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    packages: tuple[Package, ...]
    advisories: tuple[Vulnerability, ...]
    digest: str  # of the file's text, so the index notices an edited table



def prose(*parts: str | None) -> str:
    """Text fragments as sentences: each given one ends with a full stop."""
    sentences = [part.strip() for part in parts if part and part.strip()]
    return " ".join(s if s.endswith((".", "!", "?")) else f"{s}." for s in sentences)

def shipped_text() -> str:
    return data_files.read_text(SHIPPED)


@lru_cache(maxsize=1)
def shipped() -> Table:
    """The shipped table, with TF-M's advisories taken from the one TF-M advisory file."""
    table = parse_table(shipped_text(), data_files.label(SHIPPED))
    from zsec_west.tfm.advisories import DATA_FILE as TFM_ADVISORIES
    from zsec_west.tfm.advisories import load_advisories

    tfm = next((p for p in table.packages if p.name == "tf-m"), None)
    if tfm is None:
        return table
    ids = {a.id for a in table.advisories}
    derived = tuple(_from_tfm(a, tfm) for a in load_advisories() if a.id not in ids)
    tfm_text = data_files.read_text(TFM_ADVISORIES)
    digest = hashlib.sha256((table.digest + tfm_text).encode()).hexdigest()
    return Table(table.packages, table.advisories + derived, digest)


def _from_tfm(advisory: Advisory, package: Package) -> Vulnerability:
    """A TF-M advisory (zsec_west/tfm/advisories.py) as a vulnerability of the tf-m package."""
    low = str(advisory.introduced) if advisory.introduced else "0"
    if advisory.last_affected is not None:
        ranges = (Range(low, True, str(advisory.last_affected), True),)
    else:
        ranges = (Range(low, True, str(advisory.fixed) if advisory.fixed else None, False),)
    symbols: list[str] = []
    words: list[str] = []
    for condition in advisory.conditions:
        test = condition.kconfig
        if test is not None and isinstance(test.expected, bool):
            wanted = test.expected != test.negate  # the symbol must be enabled
            symbols.append(test.name if wanted else f"!{test.name}")
        else:
            words.append(condition.describe)
    conditions = "; ".join(words)
    keys: list[CpeKey | PurlKey] = [*package.cpes, *package.purls]
    return Vulnerability(
        id=advisory.id, source=SOURCE_CURATED, origin=f"zsec_west/data/tfm-advisories.yaml:{advisory.id}",
        summary=advisory.title,
        description=prose(advisory.summary, conditions and f"Only when: {conditions}", advisory.note),
        aliases=(advisory.cve,) if advisory.cve else (), severity=advisory.severity.label,
        references=tuple(filter(None, (advisory.url, advisory.source))),
        affects=tuple(Affects(key, ranges=ranges) for key in keys),
        kconfig=tuple(symbols), conditions=conditions,
        fixed=", ".join(filter(None, (str(advisory.fixed) if advisory.fixed else "",
                                       *advisory.fix_commits))),
        verified=advisory.verified, package=package.name)


def load(path: Path) -> Table:
    return parse_table(read_input_text(path, "yaml", DataFileError), path)


def version_problem(value: str) -> str | None:
    return None if value == "0" or parse(value) else "is not a version"


def symbol_problem(value: str) -> str | None:
    if value.lstrip("!").startswith("CONFIG_"):
        return "write Kconfig symbols without the CONFIG_ prefix"
    return None if _SYMBOL.match(value) else "is not a Kconfig symbol ('A', '!A' or 'A|B')"


def macro_problem(value: str) -> str | None:
    return None if _MACRO.match(value) else "is not a C macro name"


def path_problem(value: str) -> str | None:
    if value.startswith("/") or ".." in value.split("/"):
        return "must be relative to the package root"
    return None


def parse_table(text: str, path: Path | str) -> Table:
    data = parse_located(text, path)
    top = Checker(path, data, "advisory table", 1)
    top.only(("schema", "packages", "advisories"))
    if data.get("schema") != SCHEMA:
        raise top.fail("schema", f"must be {SCHEMA} (this zsec-west reads schema {SCHEMA})")
    packages = _packages(path, data.get("packages"), top)
    by_name = {p.name: p for p in packages}
    advisories = data.get("advisories") or []
    if not isinstance(advisories, list):
        raise top.fail("advisories", "must be a list")
    result: list[Vulnerability] = []
    seen: dict[str, int] = {}
    for entry in advisories:
        vuln = _advisory(path, entry, by_name, top)
        line = entry.line
        if vuln.id in seen:
            raise DataFileError(f"advisory {vuln.id}: duplicate id (first at line {seen[vuln.id]})",
                                path=f"{path}:{line}")
        seen[vuln.id] = line
        result.append(vuln)
    return Table(tuple(packages), tuple(result), hashlib.sha256(text.encode()).hexdigest())


def _packages(path, raw, top) -> list[Package]:
    if not isinstance(raw, list) or not raw:
        raise top.fail("packages", "must be a non-empty list")
    packages = []
    for entry in raw:
        check = Checker(path, entry, "package", top.node.line_of("packages"))
        check.only(("name", "names", "cpe", "purl", "kconfig"))
        name = check.string("name", required=True)
        check.what = f"package {name}"
        cpes = []
        for text in check.strings("cpe"):
            vendor, sep, product = text.partition(":")
            if not sep or not vendor or not product or ":" in product:
                raise check.fail("cpe", f"item {text!r} must be 'vendor:product'")
            cpes.append(CpeKey(vendor.lower(), product.lower()))
        purls = []
        for text in check.strings("purl"):
            parsed = parse_purl(text)
            if parsed is None or parsed[1] is not None:
                raise check.fail("purl", f"item {text!r} must be a package URL without version")
            purls.append(parsed[0])
        names = tuple(n.lower() for n in check.strings("names")) or (name.lower(),)
        packages.append(Package(name, names, tuple(cpes), tuple(purls),
                                check.strings("kconfig", symbol_problem)))
    return packages


def _advisory(path, entry, packages: dict[str, Package], top) -> Vulnerability:
    check = Checker(path, entry, "advisory", top.node.line_of("advisories"))
    check.only(_ADVISORY_FIELDS)
    ident = check.string("id", required=True,
                         check=lambda v: None if _ID.match(v) else "is not an advisory id")
    check.what = f"advisory {ident}"
    package_name = check.string("package", required=True)
    if package_name not in packages:
        raise check.fail("package", f"unknown package {package_name!r} "
                                    f"(known: {', '.join(sorted(packages))})")
    package = packages[package_name]
    summary = check.string("summary", required=True)
    source = check.string("source", required=True)
    severity = check.string("severity", check=lambda v: None if v in _SEVERITIES else
                            f"must be one of {', '.join(_SEVERITIES)}") or None
    cvss = entry.get("cvss")
    if cvss is not None and (isinstance(cvss, bool) or not isinstance(cvss, (int, float))
                             or not 0 <= cvss <= 10):
        raise check.fail("cvss", "must be a number from 0 to 10")
    if cvss is None and severity is None:
        raise check.fail(None, "needs 'severity' or 'cvss'")
    state = check.string("state", default="published",
                         check=lambda v: None if v in ("published", "embargoed")
                         else "must be 'published' or 'embargoed'")
    ranges = _ranges(path, entry, check)
    versions = check.strings("versions", version_problem)
    if state == "published" and not ranges and not versions:
        raise check.fail(None, "needs 'affected' or 'versions' (or state: embargoed)")
    fixed = check.string("fixed") or ", ".join(r.upper for r in ranges
                                              if r.upper and not r.upper_inclusive)
    verified = entry.get("verified", True)
    if not isinstance(verified, bool):
        raise check.fail("verified", "must be true or false")
    note = check.string("note")
    if not verified and not note:
        raise check.fail("verified", "an unverified entry needs a 'note' saying what is unconfirmed")
    keys: list[CpeKey | PurlKey] = [*package.cpes, *package.purls]
    # An embargoed advisory has no ranges yet: it must not turn into "every version".
    affects = tuple(Affects(key, ranges=tuple(ranges), versions=versions) for key in keys
                    if ranges or versions)
    conditions = check.string("conditions")
    return Vulnerability(
        id=ident, source=SOURCE_CURATED, origin=f"{path}:{entry.line}", summary=summary,
        description=prose(summary, conditions and f"Only when: {conditions}", note),
        aliases=check.strings("aliases", lambda v: None if _ID.match(v) else "is not an id"),
        score=float(cvss) if cvss is not None else None, severity=severity,
        references=(*check.strings("references"), source),
        affects=affects, kconfig=check.strings("kconfig", symbol_problem),
        paths=check.strings("paths", path_problem), macros=check.strings("macros", macro_problem),
        conditions=conditions, fixed=fixed, state=state, verified=verified,
        package=package.name)


def _ranges(path, entry, check) -> list[Range]:
    raw = entry.get("affected")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise check.fail("affected", "must be a list of ranges")
    ranges = []
    for item in raw:
        sub = Checker(path, item, f"{check.what}: affected range",
                               entry.line_of("affected"))
        sub.only(("introduced", "fixed", "last_affected"))
        introduced = sub.string("introduced", default="0", check=version_problem)
        fixed = sub.string("fixed", check=version_problem)
        last = sub.string("last_affected", check=version_problem)
        if fixed and last:
            raise sub.fail("last_affected", "give 'fixed' or 'last_affected', not both")
        upper = fixed or last or None
        rng = Range(introduced, True, upper, bool(last))
        # Both bounds passed version_problem, so both parse; "0" means "from the start".
        low, high = parse(introduced), parse(upper)
        if introduced != "0" and low is not None and high is not None and low.key > high.key:
            raise sub.fail("introduced", f"{introduced} is after the end of the range ({upper})")
        ranges.append(rng)
    return ranges


def package_for(name: str, cpes: tuple[CpeKey, ...], purls: tuple[PurlKey, ...],
                table: Table | None = None) -> Package | None:
    """The curated package a component is, by name, CPE vendor:product or purl."""
    table = table or shipped()
    lowered = name.lower()
    for package in table.packages:
        if lowered in package.names or set(cpes) & set(package.cpes) or set(purls) & set(package.purls):
            return package
    return None
