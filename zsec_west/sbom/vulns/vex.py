"""OpenVEX 0.2.0: read statements that waive matches (`--vex`), write one statement per match
(`--vex-out`)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zsec_west import TOOL_NAME, __version__
from zsec_west.errors import DataFileError
from zsec_west.sbom.jsonfile import read_json
from zsec_west.sbom.vulns.identifiers import parse_cpe, parse_purl
from zsec_west.sbom.vulns.model import CpeKey, PurlKey
from zsec_west.versions import same

CONTEXT = "https://openvex.dev/ns/v0.2.0"
STATUSES = ("not_affected", "affected", "fixed", "under_investigation")
JUSTIFICATIONS = ("component_not_present", "vulnerable_code_not_present",
                  "vulnerable_code_not_in_execute_path",
                  "vulnerable_code_cannot_be_controlled_by_adversary",
                  "inline_mitigations_already_exist")
WAIVING = ("not_affected", "fixed")


@dataclass(frozen=True)
class ProductRef:
    """A product of a VEX statement, reduced to what we can compare with a component."""

    cpe: CpeKey | None = None
    purl: PurlKey | None = None
    version: str | None = None  # None: every version

    def matches(self, cpes: tuple[CpeKey, ...], purls: tuple[PurlKey, ...], version: str) -> bool:
        if not ((self.cpe and self.cpe in cpes) or (self.purl and self.purl in purls)):
            return False
        return self.version is None or same(self.version, version)


@dataclass(frozen=True)
class VexStatement:
    """One statement of an input document."""

    names: frozenset[str]  # the vulnerability's name and aliases
    products: tuple[ProductRef, ...]
    status: str
    justification: str
    impact: str
    where: str  # file and statement index, for the waiver text

    def waiver(self) -> str:
        parts = [self.status]
        if self.justification:
            parts.append(self.justification)
        if self.impact:
            parts.append(self.impact)
        return f"VEX {self.where}: " + ": ".join(parts)


def _product_refs(entry: Any) -> list[ProductRef]:
    """A product (object with @id/identifiers/subcomponents, or a bare id in older documents)."""
    refs: list[ProductRef] = []
    ids: list[str] = []
    if isinstance(entry, str):
        ids.append(entry)
    elif isinstance(entry, dict):
        if isinstance(entry.get("@id"), str):
            ids.append(entry["@id"])
        identifiers = entry.get("identifiers")
        if isinstance(identifiers, dict):
            ids.extend(str(v) for k, v in identifiers.items() if k in ("purl", "cpe23", "cpe22"))
        for sub in entry.get("subcomponents") or []:
            refs.extend(_product_refs(sub))
    for ident in ids:
        cpe = parse_cpe(ident)
        if cpe is not None:
            version = None if cpe.version in ("*", "-") else cpe.full_version
            refs.append(ProductRef(cpe=cpe.key, version=version))
            continue
        purl = parse_purl(ident)
        if purl is not None:
            refs.append(ProductRef(purl=purl[0], version=purl[1]))
    return refs


def _read_document(path: Path) -> Any:
    return read_json(path, "VEX document")


def _vulnerability_names(vuln: Any) -> set[str]:
    """A statement's vulnerability: a name, or an object with name, @id and aliases."""
    if isinstance(vuln, str):
        return {vuln}
    names: set[str] = set()
    if isinstance(vuln, dict):
        names.update(vuln[key] for key in ("name", "@id") if isinstance(vuln.get(key), str))
        names.update(a for a in vuln.get("aliases") or [] if isinstance(a, str))
    return names


def _read_statement(raw: Any, where: str, path: Path) -> VexStatement:
    if not isinstance(raw, dict):
        raise DataFileError(f"{where} is not an object", path=path)
    names = _vulnerability_names(raw.get("vulnerability"))
    if not names:
        raise DataFileError(f"{where}: 'vulnerability' needs a name", path=path)
    status = raw.get("status")
    if status not in STATUSES:
        raise DataFileError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}",
                            path=path)
    justification = raw.get("justification") or ""
    if justification and justification not in JUSTIFICATIONS:
        raise DataFileError(f"{where}: unknown justification {justification!r}", path=path)
    products = raw.get("products")
    if not isinstance(products, list) or not products:
        raise DataFileError(f"{where}: 'products' must be a non-empty list", path=path)
    refs = [ref for product in products for ref in _product_refs(product)]
    return VexStatement(frozenset(n.strip() for n in names), tuple(refs), status, justification,
                        str(raw.get("impact_statement") or ""), f"{path.name} {where}")


def load(path: Path) -> list[VexStatement]:
    """The statements of an OpenVEX document; a malformed document or statement raises
    DataFileError naming the file and the statement index."""
    data = _read_document(path)
    if not isinstance(data, dict) or not str(data.get("@context", "")).startswith(
            "https://openvex.dev/ns"):
        raise DataFileError("not an OpenVEX document (no https://openvex.dev/ns @context)",
                            path=path)
    statements = data.get("statements")
    if not isinstance(statements, list):
        raise DataFileError("'statements' must be a list", path=path)
    return [_read_statement(raw, f"statements[{index}]", path) for index, raw in enumerate(statements)]


def find_waiver(statements: list[VexStatement], ids: set[str], cpes: tuple[CpeKey, ...],
                purls: tuple[PurlKey, ...], version: str) -> VexStatement | None:
    """The last statement saying this vulnerability is not_affected/fixed for this product."""
    found = None
    for statement in statements:
        if statement.names & ids and any(p.matches(cpes, purls, version)
                                         for p in statement.products):
            found = statement if statement.status in WAIVING else None
    return found


@dataclass
class Entry:
    """What one scan says about one vulnerability in one product, across domains."""

    name: str
    aliases: tuple[str, ...]
    product: dict[str, Any]
    statuses: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # domain -> (status, justification, text)
    action: str = ""


def product_of(name: str, version: str, cpes: tuple[str, ...], purls: tuple[str, ...]) -> dict:
    """A VEX product for a component: its purl (else CPE, else a generic purl) with identifiers."""
    identifiers: dict[str, str] = {}
    if purls:
        identifiers["purl"] = purls[0]
    if cpes:
        identifiers["cpe23"] = cpes[0]
    ident = purls[0] if purls else cpes[0] if cpes else f"pkg:generic/{name}@{version}"
    product: dict[str, Any] = {"@id": ident}
    if identifiers:
        product["identifiers"] = identifiers
    return product


def worst_status(entry: Entry) -> tuple[str, list[str]]:
    """One status per vulnerability and product: the worst across the domains, and the
    domains that have it."""
    values = {s for s, _, _ in entry.statuses.values()}
    status = next(s for s in ("affected", "under_investigation", "not_affected", "fixed")
                  if s in values)
    return status, sorted(d for d, (s, _, _) in entry.statuses.items() if s == status)


def _statement(entry: Entry, timestamp: str) -> dict:
    statuses = entry.statuses
    status, domains = worst_status(entry)
    statement: dict[str, Any] = {
        "vulnerability": {"name": entry.name, **({"aliases": list(entry.aliases)} if entry.aliases else {})},
        "timestamp": timestamp,
        "products": [entry.product],
        "status": status,
    }
    texts = [statuses[d][2] for d in domains if statuses[d][2]]
    if status == "not_affected":
        justifications = {statuses[d][1] for d in domains if statuses[d][1]}
        statement["justification"] = (justifications.pop() if len(justifications) == 1
                                      else "vulnerable_code_not_present")
        statement["impact_statement"] = "; ".join(f"{d}: {statuses[d][2]}" for d in domains)
    elif status == "affected":
        statement["action_statement"] = entry.action or "No fix is recorded; assess and mitigate."
    elif texts:
        statement["status_notes"] = "; ".join(dict.fromkeys(texts))
    statement.setdefault("status_notes", f"domains: {', '.join(domains)}")
    return statement


def document(entries: list[Entry]) -> dict:
    """The OpenVEX document for the entries (SOURCE_DATE_EPOCH fixes the timestamp)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = time.gmtime(int(epoch)) if epoch and epoch.isdigit() else time.gmtime()
    timestamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)
    statements = [_statement(e, timestamp) for e in entries]
    digest = hashlib.sha256(json.dumps(statements, sort_keys=True).encode()).hexdigest()
    return {
        "@context": CONTEXT,
        "@id": f"https://openvex.dev/docs/public/vex-{digest}",
        "author": TOOL_NAME,
        "timestamp": timestamp,
        "version": 1,
        "tooling": f"{TOOL_NAME} {__version__}",
        "statements": statements,
    }


def text(entries: list[Entry]) -> str:
    return json.dumps(document(entries), indent=2) + "\n"
