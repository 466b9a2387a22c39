"""The rows Zephyr's own hardenconfig derives from the Kconfig tree rather than from its table.

Zephyr 4.x dropped the "experimental" block of `hardened.csv`: hardenconfig instead walks the
whole Kconfig tree and adds a row (recommended `n`) for every symbol definition with a `select`
of EXPERIMENTAL or DEPRECATED. It looks at the statement, not at its condition, so
`BT_LLL_VENDOR_NORDIC` (`select EXPERIMENTAL if !ENTROPY_HAS_DRIVER`) is reported on an nRF52840
that has an entropy driver. The later generation (the `hardening.yaml` database) also counts
NOT_SECURE, and only selects whose condition holds. Zephyr 3.x listed experimental options in
its CSV instead, so there is nothing to derive. As in hardenconfig, a row shows only when the
symbol differs from `n` and has a visible prompt.

This needs the build's Zephyr tree (loaded with kconfiglib); without it the check says that it
was skipped and reports nothing as passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zsec_west.builddir.model import Domain
from zsec_west.check.kconftree import TreeUnavailable, load_tree
from zsec_west.check.zephyrdb import ZephyrDb, load_zephyr_db
from zsec_west.errors import DataFileError
from zsec_west.findings import Evidence, Finding, Severity, Status
from zsec_west.rules.engine import CheckContext, config_of, make_finding
from zsec_west.rules.model import CatalogueRule

STATEMENT, ACTIVE = "statement", "active"  # how a `select` counts (see the module docstring)
_MARKERS = {STATEMENT: ("EXPERIMENTAL", "DEPRECATED"), ACTIVE: ("EXPERIMENTAL", "DEPRECATED", "NOT_SECURE")}


@dataclass(frozen=True)
class MarkerRule:
    """How the tree's own hardenconfig finds marked symbols."""

    counting: str  # STATEMENT or ACTIVE
    markers: tuple[str, ...]


@dataclass(frozen=True)
class MarkedSymbol:
    name: str
    marker: str
    value: str
    defined_at: str  # file:line of the definition with the select


def marker_rule(db: ZephyrDb | None) -> MarkerRule | None:
    """What the tree whose database is `db` derives from Kconfig markers; None for Zephyr 3.x."""
    if db is None:
        return None
    if db.kind == "yaml":
        return MarkerRule(ACTIVE, _MARKERS[ACTIVE])
    if any(rule.rule.category == "zephyr/experimental" for rule in db.rules):
        return None  # 3.x: hardened.csv itself lists the experimental options
    return MarkerRule(STATEMENT, _MARKERS[STATEMENT])


def _selects_marker(kconf, node, rule: MarkerRule) -> str | None:  # kconfiglib.Kconfig, MenuNode
    import kconfiglib

    for target, cond in node.selects:
        for name in rule.markers:
            marker = kconf.syms.get(name)
            if marker is None or not marker.nodes:
                continue
            if rule.counting == STATEMENT:
                # hardenconfig's own test: the marker is the target (or, literally, the condition)
                if marker in (target, cond):
                    return name
            elif target is marker and kconfiglib.expr_value(cond) != 0:
                return name
    return None


def _where(filename: str, base: Path | None) -> str:
    if base is not None:
        try:
            return Path(filename).relative_to(base).as_posix()
        except ValueError:
            pass
    return filename


def marked_symbols(kconf, rule: MarkerRule, base: Path | None = None) -> tuple[list[MarkedSymbol], int]:
    """(the marked symbols hardenconfig would print as FAIL, how many marked definitions exist)."""
    import kconfiglib

    failing: list[MarkedSymbol] = []
    seen: set[str] = set()
    marked = 0
    for node in kconf.node_iter():
        sym = node.item
        if not isinstance(sym, kconfiglib.Symbol) or not node.selects:
            continue
        marker = _selects_marker(kconf, node, rule)
        if marker is None:
            continue
        marked += 1
        if sym.str_value in ("n", "") or sym.visibility == 0 or sym.name in seen:
            continue
        seen.add(sym.name)
        failing.append(MarkedSymbol(sym.name, marker, sym.str_value, f"{_where(node.filename, base)}:{node.linenr}"))
    return failing, marked


_DB_KEY = "zephyr_db"


def remember_database(ctx: CheckContext, db: ZephyrDb) -> None:
    """The database of `ctx.zephyr_base` the run has already read (for its catalogue): the check
    uses it rather than reading the tree's database again."""
    ctx.cache[_DB_KEY] = db


def _database(ctx: CheckContext, base: Path) -> ZephyrDb | None:
    if _DB_KEY not in ctx.cache:
        try:
            ctx.cache[_DB_KEY] = load_zephyr_db(base)
        except DataFileError:
            ctx.cache[_DB_KEY] = None
    return ctx.cache[_DB_KEY]


def check_kconfig_markers(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    """Builtin `kconfig-markers`: enabled options the tree marks experimental, deprecated or not secure."""
    owner = config_of(domain)
    subject = "kconfig-markers"
    base = ctx.zephyr_base
    if base is None:
        return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                             "skipped: the build's Zephyr tree is not reachable, so the options it "
                             "marks experimental, deprecated or not secure were not checked "
                             "(give the tree with --zephyr-base)", subject)]
    how = marker_rule(_database(ctx, base))
    if how is None:
        return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                             f"the Zephyr tree {base} derives no hardening rows from Kconfig markers "
                             "(Zephyr 3.x lists experimental options in hardened.csv)", subject)]
    try:
        kconf = load_tree(owner, base)
    except TreeUnavailable as exc:
        ctx.warnings.append(f"domain {domain.name}: {rule.id} could not be checked: {exc}")
        return []
    failing, marked = marked_symbols(kconf, how, base)
    names = " or ".join(how.markers)
    if not failing:
        return [make_finding(rule, domain, ctx, Status.PASS,
                             f"no enabled option with a prompt selects {names} "
                             f"({marked} marked definitions in {base})", subject, Evidence("none", "none"))]
    findings = []
    for hit in failing:
        full = owner.kconfig.full_name(hit.name)
        how_counted = "" if how.counting == ACTIVE else " (whatever the condition of the select)"
        findings.append(make_finding(
            rule, domain, ctx, Status.FAIL,
            f"{full}={hit.value}; it selects {hit.marker}{how_counted} at {hit.defined_at}, so Zephyr's "
            "hardenconfig recommends n", full, Evidence(hit.value, "n"), hit.name,
            Severity.MEDIUM if hit.marker == "NOT_SECURE" else None, detail=f"{full}, {hit.marker}"))
    return findings
