"""What every reporter needs: one finding order, clean strings, JSON-safe values, relative paths."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import os
import re
from collections.abc import Mapping
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from zsec_west.findings import Finding, Report, Rule, Status

# Display and sort order of statuses: what needs attention first.
STATUS_ORDER = (Status.FAIL, Status.WAIVED, Status.PASS, Status.NOT_APPLICABLE)
STATUS_LABELS = {
    Status.FAIL: "failed",
    Status.PASS: "passed",
    Status.NOT_APPLICABLE: "not applicable",
    Status.WAIVED: "waived",
}

# C0 controls (bar tab and newline), DEL, C1 controls, lone surrogates and non-characters:
# they corrupt XML and terminals (an ESC in a Kconfig string could recolour the user's screen).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Whole escape sequences go first, so no "[31m" debris is left behind.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def clean(text: object) -> str:
    """`text` as a string without control characters; CR LF and CR become LF."""
    if text is None:
        return ""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _ANSI.sub("", value))


def one_line(text: object) -> str:
    """`clean(text)` with runs of whitespace (newlines included) collapsed to one space."""
    return " ".join(clean(text).split())


def finding_key(report: Report) -> Any:
    """A sort key: domain order, then status order, worst severity, rule id, subject."""
    domains = {name: index for index, name in enumerate(report.domain_order())}
    statuses = {status: index for index, status in enumerate(STATUS_ORDER)}

    def key(finding: Finding) -> tuple:
        return (domains.get(finding.domain, len(domains)), finding.domain,
                statuses[finding.status], -int(finding.severity), finding.rule.id,
                finding.subject, finding.message)

    return key


def ordered(report: Report, domain: str | None = None,
            status: Status | None = None) -> list[Finding]:
    """The report's findings in the one order every reporter uses, optionally filtered."""
    chosen = [f for f in report.findings
              if (domain is None or f.domain == domain) and (status is None or f.status is status)]
    return sorted(chosen, key=finding_key(report))


def rules_by_id(report: Report) -> list[Rule]:
    """Every rule in the report once, sorted by id (so rule indexes are stable)."""
    return sorted(report.rules(), key=lambda rule: rule.id)


def counts(report: Report, domain: str | None = None) -> dict[str, int]:
    """Counts keyed by the status value ("fail", "pass", "n/a", "waived"), in STATUS_ORDER."""
    raw = report.counts(domain)
    return {status.value: raw[status] for status in STATUS_ORDER}


def counts_phrase(report: Report, domain: str | None = None) -> str:
    """'2 failed, 5 passed, 1 not applicable, 0 waived'."""
    raw = report.counts(domain)
    order = (Status.FAIL, Status.PASS, Status.NOT_APPLICABLE, Status.WAIVED)
    return ", ".join(f"{raw[status]} {STATUS_LABELS[status]}" for status in order)


def evidence_phrase(finding: Finding) -> str:
    """'actual: X, expected: Y' with whichever halves are known; '' when neither is."""
    parts = []
    if finding.evidence.actual is not None:
        parts.append(f"actual: {one_line(finding.evidence.actual)}")
    if finding.evidence.expected is not None:
        parts.append(f"expected: {one_line(finding.evidence.expected)}")
    return ", ".join(parts)


def display_path(path: str) -> str:
    """A path as a person reads it: relative when it lies below the current directory."""
    try:
        pure = PurePath(path)
        if pure.is_absolute():
            return str(pure.relative_to(os.getcwd()))
    except (ValueError, OSError):
        pass
    return path


def location_text(finding: Finding) -> str:
    """'path:line', 'path', or '' — relative to the current directory when below it."""
    if finding.location is None:
        return ""
    path = one_line(display_path(finding.location.path))
    return f"{path}:{finding.location.line}" if finding.location.line else path


def jsonable(value: Any, _stack: tuple[int, ...] = ()) -> Any:
    """`value` made of dicts, lists, strings, numbers, booleans and None only.

    Command facts hold whatever their producer found handy (paths, sets, dataclasses, enums);
    a report must still serialise, so anything unknown degrades to its string form.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value, _stack)
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if id(value) in _stack:  # a cycle: say so rather than recurse forever
        return "<cycle>"
    stack = (*_stack, id(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name, None), stack)
                for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(jsonable(k, stack)): jsonable(v, stack) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [jsonable(item, stack) for item in value]
        return sorted(items, key=lambda item: (type(item).__name__, repr(item)))
    if isinstance(value, (list, tuple)):
        return [jsonable(item, stack) for item in value]
    return str(value)


def _pure(path: str) -> PurePath:
    if re.match(r"^[A-Za-z]:[\\/]", path) or "\\" in path:
        return PureWindowsPath(path)
    return PurePosixPath(path)


def _relative_to(path: PurePath, base: str | None) -> str | None:
    if not base:
        return None
    root = _pure(str(base))
    if type(root) is not type(path) or not root.is_absolute():
        return None
    try:
        rel = path.relative_to(root)
    except ValueError:
        return None
    return rel.as_posix()


# uriBaseId for paths inside the build directory; %SRCROOT% is what GitHub code scanning knows.
BUILD_DIR_BASE = "BUILDDIR"
SOURCE_ROOT_BASE = "%SRCROOT%"


def relative_uri(path: str, inputs: Mapping[str, Any]) -> tuple[str, str | None]:
    """A URI for `path` that does not depend on where the tree sits on this machine.

    Inside the build directory: relative to it (base BUILDDIR). Inside the source root
    (inputs["source_root"], else the build directory's parent, where `west build` usually
    runs): relative to that (base %SRCROOT%). Relative paths are taken as source-relative.
    Anything else stays as given, with forward slashes.
    """
    pure = _pure(clean(path))
    if not pure.is_absolute():
        return pure.as_posix(), SOURCE_ROOT_BASE
    build_dir = inputs.get("build_dir")
    rel = _relative_to(pure, str(build_dir) if build_dir else None)
    if rel is not None:
        return rel, BUILD_DIR_BASE
    source_root = inputs.get("source_root")
    if not source_root and build_dir:
        parent = _pure(str(build_dir)).parent
        # A build directory at the filesystem root has no meaningful parent to be relative to.
        if parent != type(parent)(parent.anchor):
            source_root = str(parent)
    rel = _relative_to(pure, str(source_root) if source_root else None)
    if rel is not None:
        return rel, SOURCE_ROOT_BASE
    if isinstance(pure, PureWindowsPath):
        return "file:///" + pure.as_posix(), None
    return pure.as_posix(), None
