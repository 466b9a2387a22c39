"""`--fix DIR`: a Kconfig fragment per domain with the recommended values for its failing rules.

Each value is preceded by a comment with the rule id and why. Values that cannot take effect on
the target (unmet dependency, no prompt, forced by a select) are written commented out with the
reason, when the Zephyr tree can be loaded; failures that no Kconfig value fixes (a development
key, a bad image) are listed as comments with what to do instead. SB_CONFIG_* values go to
`sysbuild.conf`; TF-M's values go to its application's fragment, where CONFIG_TFM_* is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.builddir.model import SYSBUILD, Build, Domain
from zsec_west.check.kconftree import Blocked, TreeUnavailable, blocked_values, load_tree
from zsec_west.files.writing import atomic_write
from zsec_west.findings import Finding, Status
from zsec_west.rules.catalogue import Catalogue
from zsec_west.rules.engine import Outcome, config_of, evaluate
from zsec_west.rules.model import AllOf, AnyOf, CatalogueRule, Check, Expected, Leaf, format_value, leaves


@dataclass(frozen=True)
class Recommendation:
    symbol: str
    value: Expected
    rule_id: str
    why: str


@dataclass
class Fragment:
    """What goes into one file (`path` is set when it is written, else it is the bare file name)."""

    owner: Domain
    path: Path
    values: list[Recommendation] = field(default_factory=list)
    blocked: list[tuple[Recommendation, str]] = field(default_factory=list)
    manual: list[tuple[str, str]] = field(default_factory=list)  # (rule id, what to do)
    tree_note: str | None = None
    # finding fingerprint -> the symbols its rule asks for, in the rule's order
    asks: dict[str, list[str]] = field(default_factory=dict)

    def decided(self, symbol: str) -> tuple[Recommendation, str | None] | None:
        """The value this fragment gives `symbol`, and why it cannot be applied (None: it can)."""
        for rec in self.values:
            if rec.symbol == symbol:
                return rec, None
        for rec, reason in self.blocked:
            if rec.symbol == symbol:
                return rec, reason
        return None


def _target(leaf: Leaf) -> Expected | None:
    if leaf.value is not None:
        return leaf.value
    if leaf.min is not None:
        return leaf.min
    if leaf.max is not None:
        return leaf.max
    return None  # "anything but X" has no single recommended value


def recommend(check: Check, kconfig: KconfigValues) -> list[tuple[str, Expected]]:
    """Values that make `check` pass, preferring symbols this configuration has."""
    if isinstance(check, Leaf):
        target = _target(check)
        return [(check.symbol, target)] if target is not None else []
    if isinstance(check, AllOf):
        result: list[tuple[str, Expected]] = []
        for part in check.checks:
            if evaluate(part, kconfig).outcome is Outcome.FAIL:
                result += recommend(part, kconfig)
        return result
    assert isinstance(check, AnyOf)
    present = [part for part in check.checks if all(leaf.symbol in kconfig for leaf in leaves(part))]
    chosen = present[0] if present else check.checks[0]
    return recommend(chosen, kconfig)


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


def _file_name(domain: Domain) -> str:
    return "sysbuild.conf" if domain.kind == SYSBUILD else f"{domain.name}.conf"


def wanted_values(rule: CatalogueRule, owner: Domain) -> list[tuple[str, Expected]]:
    """What a failing Kconfig rule asks `owner`'s configuration to set: the rule's own
    `recommend` (a choice's better option), else values that make its check pass."""
    if rule.check is None:
        return []
    return list(rule.recommend) or recommend(rule.check, owner.kconfig)


def plan_fixes(build: Build, findings: Sequence[Finding], catalogue: Catalogue,
               out_dir: Path | None = None) -> list[Fragment]:
    """Group the failing findings' recommended values per fragment file (no I/O)."""
    out_dir = out_dir if out_dir is not None else Path()
    fragments: dict[str, Fragment] = {}
    for finding in findings:
        if finding.status is not Status.FAIL:
            continue
        domain = build.domain(finding.domain) if finding.domain in {d.name for d in build.all_domains()} else None
        rule = catalogue.get(finding.rule.id)
        if domain is None:
            continue
        owner = config_of(domain)
        fragment = fragments.setdefault(owner.name, Fragment(owner, out_dir / _file_name(owner)))
        if rule is None or rule.check is None:
            fix = finding.fix or finding.message
            entry = (finding.rule.id, f"{finding.subject}: {fix}" if finding.subject else fix)
            if entry not in fragment.manual:
                fragment.manual.append(entry)
            continue
        wanted = wanted_values(rule, owner)
        fragment.asks[finding.fingerprint] = [symbol for symbol, _ in wanted]
        if not wanted:
            fragment.manual.append((rule.id, rule.rule.fix or finding.message))
            continue
        why = _first_sentence(rule.rule.rationale)
        for symbol, value in wanted:
            if any(r.symbol == symbol for r in fragment.values):
                continue  # the first rule that asks for a symbol decides its value
            fragment.values.append(Recommendation(symbol, value, rule.id, f"{rule.rule.title}. {why}"))
    return list(fragments.values())


def check_dependencies(fragment: Fragment, zephyr_base: Path | None) -> None:
    """Move values kconfiglib says cannot be had on this target to `blocked`."""
    if not fragment.values:
        return
    if fragment.owner.kind == SYSBUILD:
        fragment.tree_note = "sysbuild values were not checked against the Kconfig tree"
        return
    try:
        kconf = load_tree(fragment.owner, zephyr_base)
    except TreeUnavailable as exc:
        fragment.tree_note = f"dependencies not checked: {exc}"
        return
    problems: list[Blocked] = blocked_values(kconf, [(r.symbol, r.value) for r in fragment.values])
    by_symbol = {b.symbol: b.reason for b in problems}
    kept = []
    for rec in fragment.values:
        if rec.symbol in by_symbol:
            fragment.blocked.append((rec, by_symbol[rec.symbol]))
        else:
            kept.append(rec)
    fragment.values = kept


def render_fragment(fragment: Fragment, command: str = "zsec check") -> str:
    """The fragment's text; `command` names the check as the user ran it (zsec or west)."""
    owner = fragment.owner
    prefix = owner.kconfig.prefix
    how = ("west build --sysbuild ... -- -DSB_EXTRA_CONF_FILE=<this file>" if owner.kind == SYSBUILD
           else f"west build ... -- -DEXTRA_CONF_FILE=<this file> (sysbuild: "
                f"-D{owner.name}_EXTRA_CONF_FILE=<this file>)")
    lines = [f"# Recommended values for the failing rules of domain '{owner.name}' ({command} --fix).",
             f"# Use with: {how}"]
    if fragment.tree_note:
        lines.append(f"# Note: {fragment.tree_note}.")
    for rec in fragment.values:
        lines += ["", f"# {rec.rule_id}: {rec.why}", f"{prefix}{rec.symbol}={format_value(rec.value)}"]
    for rec, reason in fragment.blocked:
        lines += ["", f"# {rec.rule_id}: cannot be applied on this target: {reason}.",
                  f"# {prefix}{rec.symbol}={format_value(rec.value)}"]
    if fragment.manual:
        lines += ["", "# Failures no Kconfig value fixes:"]
        lines += [f"#   {rule_id}: {' '.join(text.split())}" for rule_id, text in fragment.manual]
    return "\n".join(lines) + "\n"


def checked_fixes(build: Build, findings: Sequence[Finding], catalogue: Catalogue,
                  zephyr_base: Path | None) -> list[Fragment]:
    """Plan the fragments and check their values against the Kconfig tree (when reachable)."""
    fragments = plan_fixes(build, findings, catalogue)
    for fragment in fragments:
        check_dependencies(fragment, zephyr_base)
    return fragments


def write_fragments(fragments: Sequence[Fragment], out_dir: Path, command: str = "zsec check") -> list[Fragment]:
    """Write planned fragments into `out_dir` atomically; each `path` names its file after."""
    for fragment in fragments:
        fragment.path = out_dir / fragment.path.name
        atomic_write(fragment.path, render_fragment(fragment, command), create_dirs=True)  # --fix names a directory
    return list(fragments)


def write_fixes(build: Build, findings: Sequence[Finding], catalogue: Catalogue, out_dir: Path,
                zephyr_base: Path | None) -> list[Fragment]:
    """Plan, check against the Kconfig tree, and write every fragment atomically."""
    return write_fragments(checked_fixes(build, findings, catalogue, zephyr_base), out_dir)


# -- the same plan, as advice in the report ------------------------------------------------------

def _where(owner: Domain) -> str:
    if owner.kind == SYSBUILD:
        return "in sysbuild.conf (--fix DIR writes sysbuild.conf)"
    return ("in the image's configuration: its prj.conf or an extra .conf fragment "
            "(--fix DIR writes one per image)")


def advice_text(fragment: Fragment, finding: Finding) -> str | None:
    """Fix advice for a failing Kconfig finding, from the fragment `--fix` writes: the same
    symbols with the same values, or why a value cannot be applied. None: no Kconfig value."""
    symbols = fragment.asks.get(finding.fingerprint)
    if not symbols:
        return None
    prefix = fragment.owner.kconfig.prefix
    settable: list[str] = []
    blocked: list[str] = []
    others: list[str] = []
    for symbol in symbols:
        decided = fragment.decided(symbol)
        if decided is None:
            continue
        rec, reason = decided
        assignment = f"{prefix}{rec.symbol}={format_value(rec.value)}"
        if reason is not None:
            blocked.append(f"{assignment} cannot be applied on this target: {reason}")
        else:
            settable.append(assignment)
        if rec.rule_id != finding.rule.id:
            others.append(f"{assignment} as {rec.rule_id} asks")
    parts = []
    if settable:
        parts.append(f"Set {' and '.join(settable)} {_where(fragment.owner)}.")
    parts += [f"{text[:1].upper()}{text[1:]}." for text in blocked]
    if others:
        parts.append(f"The fragment sets {', '.join(others)}.")
    return " ".join(parts) or None


def with_advice(findings: Sequence[Finding], fragments: Sequence[Fragment]) -> list[Finding]:
    """`findings` with the `--fix` plan's advice on each failing Kconfig finding."""
    by_owner: dict[str, Fragment] = {}
    for planned in fragments:
        for fingerprint in planned.asks:
            by_owner[fingerprint] = planned
    result = []
    for finding in findings:
        owner = by_owner.get(finding.fingerprint)
        advice = advice_text(owner, finding) if owner is not None and finding.failed else None
        result.append(replace(finding, advice=advice) if advice else finding)
    return result
