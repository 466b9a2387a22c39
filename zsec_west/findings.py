"""One findings model for every command: rules, their results per domain, and a report."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum, IntEnum
from types import MappingProxyType
from typing import Any


class Severity(IntEnum):
    """How bad a failed rule is; ordered so that `>=` means 'at least as bad'."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (critical, high, medium, low, info)") from None

    @property
    def security_severity(self) -> str:
        """GitHub code scanning buckets: >=9 critical, >=7 high, >=4 medium, >0 low."""
        return {4: "9.5", 3: "8.0", 2: "5.5", 1: "3.0", 0: "0.0"}[int(self)]


class Status(str, Enum):
    """The outcome of one rule on one domain."""

    FAIL = "fail"
    PASS = "pass"
    NOT_APPLICABLE = "n/a"
    WAIVED = "waived"


@dataclass(frozen=True)
class Rule:
    """What is checked and why. `source` says whose rule it is (zsec, zephyr-hardening-db, ...)."""

    id: str
    title: str
    severity: Severity
    category: str = "general"
    rationale: str = ""
    fix: str = ""
    references: tuple[str, ...] = ()
    source: str = "zsec"
    help_uri: str | None = None
    problem: str = ""  # the failure stated as a problem; `title` states the goal

    @property
    def problem_text(self) -> str:
        """What a failure of this rule means, for a headline (the goal negated when not given)."""
        return self.problem or f"Not met: {self.title}"


@dataclass(frozen=True)
class Location:
    """The file a user would edit to change the outcome, and the line when known."""

    path: str
    line: int | None = None


@dataclass(frozen=True)
class Evidence:
    """What the build has, and what the rule wants."""

    actual: str | None = None
    expected: str | None = None


@dataclass(frozen=True)
class Finding:
    """A rule evaluated on one domain. Failures are findings with status FAIL."""

    rule: Rule
    domain: str
    status: Status
    message: str = ""
    evidence: Evidence = Evidence()
    location: Location | None = None
    subject: str = ""  # the symbol, file or package the result is about (keeps fingerprints stable)
    waiver: str | None = None  # why it is waived, when it is
    severity_override: Severity | None = None  # e.g. a dev key is critical only in production
    advice: str | None = None  # fix advice for this build (the key type to generate ...), else the rule's
    detail: str | None = None  # what makes this failure specific ("MCUboot root-rsa-2048.pem")

    @property
    def fix(self) -> str:
        """What to do about this result: advice for this build when known, else the rule's fix."""
        return self.advice if self.advice is not None else self.rule.fix

    @property
    def headline(self) -> str:
        """One line for people: the problem when it failed (or was waived), else the goal."""
        if self.status in (Status.FAIL, Status.WAIVED):
            text = self.rule.problem_text
            return f"{text} ({self.detail})" if self.detail else text
        return self.rule.title

    @property
    def severity(self) -> Severity:
        return self.severity_override if self.severity_override is not None else self.rule.severity

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def failed(self) -> bool:
        return self.status is Status.FAIL

    @property
    def fingerprint(self) -> str:
        """Stable across runs and machines: rule, domain and subject, never paths or values."""
        raw = "\0".join((self.rule.id, self.domain, self.subject))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Report:
    """Everything one command run found, plus what it looked at: a value, built once.

    `facts` is the command's own typed result (`zsec_west.facts`: what a check was run with, the
    SBOM documents written, the TF-M configuration); reporters render it, nothing pre-renders it.
    """

    command: str  # "check", "tfm", "sbom", ...
    findings: tuple[Finding, ...] = ()
    inputs: Mapping[str, Any] = field(default_factory=dict)  # build dir, profile, data files ...
    domains: tuple[str, ...] = ()  # in display order
    notes: tuple[str, ...] = ()  # gaps and warnings worth keeping in the report
    facts: Any = None  # one of zsec_west.facts' types, or None

    def __post_init__(self) -> None:
        # Accept any iterables from callers but keep the value immutable.
        object.__setattr__(self, "findings", tuple(self.findings))
        object.__setattr__(self, "domains", tuple(self.domains))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "inputs", MappingProxyType(dict(self.inputs)))

    def with_changes(self, **changes: Any) -> Report:
        """A copy with some fields replaced (the report itself never changes)."""
        return replace(self, **changes)

    @property
    def failures(self) -> list[Finding]:
        return sorted((f for f in self.findings if f.failed),
                      key=lambda f: (-int(f.severity), f.domain, f.rule.id, f.subject))

    def failures_at_or_above(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.failures if f.severity >= threshold]

    def rules(self) -> list[Rule]:
        """Each rule once, in order of first appearance."""
        seen: dict[str, Rule] = {}
        for finding in self.findings:
            seen.setdefault(finding.rule.id, finding.rule)
        return list(seen.values())

    def domain_order(self) -> list[str]:
        order = list(self.domains)
        for finding in self.findings:
            if finding.domain not in order:
                order.append(finding.domain)
        return order

    def counts(self, domain: str | None = None) -> dict[Status, int]:
        counts = {status: 0 for status in Status}
        for finding in self.findings:
            if domain is None or finding.domain == domain:
                counts[finding.status] += 1
        return counts


def exit_code(report: Report, fail_on: Severity, exit_zero: bool = False) -> int:
    """0 when nothing reaches the threshold (or --exit-zero), 1 otherwise."""
    if exit_zero:
        return 0
    return 1 if report.failures_at_or_above(fail_on) else 0
