"""SARIF 2.1.0 for code scanning: rules with help text, results for failures and waivers.

Result identity must survive reruns on other machines (or GitHub shows duplicate alerts):
rule ids come from the catalogue, fingerprints hash rule, domain and subject only, and URIs
are made relative to the build directory or the source root.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import zsec_west
from zsec_west.findings import Finding, Report, Rule, Severity, Status
from zsec_west.report.common import evidence_phrase, one_line, ordered, relative_uri, rules_by_id

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "zsecFingerprint/v1"


def level(severity: Severity) -> str:
    """SARIF level: critical/high are errors, medium a warning, low/info notes."""
    if severity >= Severity.HIGH:
        return "error"
    if severity is Severity.MEDIUM:
        return "warning"
    return "note"


def _rule_name(rule: Rule) -> str:
    """A PascalCase identifier from the title (SARIF `name` is not meant for prose)."""
    words = re.findall(r"[A-Za-z0-9]+", rule.title)
    name = "".join(word[:1].upper() + word[1:] for word in words)
    return name or re.sub(r"[^A-Za-z0-9]", "", rule.id) or "Rule"


def _help(rule: Rule) -> dict[str, str]:
    text = [rule.rationale or rule.title]
    markdown = [rule.rationale or rule.title]
    if rule.fix:
        text.append(f"Fix: {rule.fix}")
        markdown.append(f"**Fix:** {rule.fix}")
    if rule.references:
        text.append("References:\n" + "\n".join(f"- {ref}" for ref in rule.references))
        markdown.append("**References:**\n\n" + "\n".join(
            f"- <{ref}>" if re.match(r"^https?://\S+$", ref) else f"- {ref}"
            for ref in rule.references))
    return {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)}


def _descriptor(rule: Rule) -> dict[str, Any]:
    tags = ["security"]
    for tag in (rule.category, rule.source):
        if tag and tag not in tags and tag != "zsec":
            tags.append(tag)
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _rule_name(rule),
        "shortDescription": {"text": one_line(rule.title) or rule.id},
        "fullDescription": {"text": one_line(rule.rationale) or one_line(rule.title) or rule.id},
        "help": _help(rule),
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "tags": tags,
            "security-severity": rule.severity.security_severity,
            "precision": "high",
        },
    }
    if rule.help_uri:
        descriptor["helpUri"] = rule.help_uri
    return descriptor


def _message(finding: Finding) -> str:
    title = one_line(finding.headline)
    message = one_line(finding.message)
    text = f"[{one_line(finding.domain)}] {title}"
    if message and message != title:
        text += f": {message}"
    evidence = evidence_phrase(finding)
    if evidence:
        text += f" ({evidence})"
    if finding.advice:  # advice for this build; the rule's general fix is in its help text
        text += f" Fix: {one_line(finding.advice)}"
    return text


def _result(finding: Finding, index: int, inputs: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": {"text": _message(finding)},
    }
    qualified = f"{finding.domain}/{finding.subject}" if finding.subject else finding.domain
    location: dict[str, Any] = {
        "logicalLocations": [{"name": finding.subject or finding.domain,
                              "fullyQualifiedName": qualified, "kind": "module"}],
    }
    if finding.location is not None:
        uri, base = relative_uri(finding.location.path, inputs)
        artifact: dict[str, Any] = {"uri": uri}
        if base:
            artifact["uriBaseId"] = base
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if finding.location.line and finding.location.line > 0:
            physical["region"] = {"startLine": finding.location.line}
        location["physicalLocation"] = physical
    result["locations"] = [location]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    properties: dict[str, Any] = {"domain": finding.domain, "severity": finding.severity.label}
    if finding.subject:
        properties["subject"] = finding.subject
    result["properties"] = properties
    if finding.status is Status.WAIVED:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": finding.waiver or "waived"}]
    return result


def document(report: Report) -> dict[str, Any]:
    """The SARIF log as Python values (what `render` serialises)."""
    rules = rules_by_id(report)
    index = {rule.id: position for position, rule in enumerate(rules)}
    driver: dict[str, Any] = {
        "name": zsec_west.TOOL_NAME,
        "version": zsec_west.__version__,
        "semanticVersion": zsec_west.__version__,
        "rules": [_descriptor(rule) for rule in rules],
    }
    # The project URL lives with the package metadata when there is one; no guessing here.
    information_uri = getattr(zsec_west, "PROJECT_URL", None)
    if information_uri:
        driver["informationUri"] = information_uri
    results = [_result(finding, index[finding.rule.id], report.inputs)
               for finding in ordered(report)
               if finding.status in (Status.FAIL, Status.WAIVED)]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.notes:
        invocation["toolExecutionNotifications"] = [
            {"level": "note", "message": {"text": one_line(note)}} for note in report.notes]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"zsec-{report.command}/"},
        "invocations": [invocation],
        "columnKind": "utf16CodeUnits",
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(report: Report, *, colour: bool = False) -> str:
    """The report as a SARIF 2.1.0 log; `colour` is ignored."""
    return json.dumps(document(report), indent=2) + "\n"
