"""CSAF 2.0 VEX (profile csaf_vex) of a scan: one product per component, one vulnerability per
flaw, with the same statuses, reasons and actions as the OpenVEX output (vex.py).

not_affected becomes known_not_affected with its justification as a flag (CSAF's labels are
OpenVEX's justifications) and the reason as an impact threat; affected becomes known_affected
with a remediation; fixed and under_investigation map one to one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from typing import Any

from zsec_west import TOOL_NAME, __version__
from zsec_west.sbom.vulns.vex import Entry, worst_status

_CVE = re.compile(r"^CVE-[0-9]{4}-[0-9]{4,}$")
_STATUS = {"not_affected": "known_not_affected", "affected": "known_affected",
           "fixed": "fixed", "under_investigation": "under_investigation"}
_FLAGS = {"component_not_present", "vulnerable_code_not_present",
          "vulnerable_code_not_in_execute_path", "vulnerable_code_cannot_be_controlled_by_adversary",
          "inline_mitigations_already_exist"}


def _timestamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = time.gmtime(int(epoch)) if epoch and epoch.isdigit() else time.gmtime()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)


def _products(entries: list[Entry]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """CSAF products for the entries' products, and product @id -> CSAF product id."""
    names: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    for entry in entries:
        ident = entry.product["@id"]
        if ident in ids:
            continue
        product_id = f"CSAFPID-{len(ids) + 1:04d}"
        ids[ident] = product_id
        helper: dict[str, Any] = {}
        identifiers = entry.product.get("identifiers", {})
        if "purl" in identifiers or ident.startswith("pkg:"):
            helper["purl"] = identifiers.get("purl", ident)
        if "cpe23" in identifiers:
            helper["cpe"] = identifiers["cpe23"]
        name = {"product_id": product_id, "name": ident}
        if helper:
            name["product_identification_helper"] = helper
        names.append(name)
    return names, ids


def _vulnerability(name: str, group: list[Entry], ids: dict[str, str]) -> dict[str, Any]:
    aliases = sorted({a for e in group for a in e.aliases})
    vuln: dict[str, Any] = {}
    if _CVE.match(name):
        vuln["cve"] = name
    others = [a for a in ([] if _CVE.match(name) else [name]) + aliases if a != vuln.get("cve")]
    if others:
        vuln["ids"] = [{"system_name": "zsec-west advisory table" if not a.startswith("GHSA-")
                        else "GitHub Security Advisory", "text": a} for a in others]
    status: dict[str, list[str]] = {}
    flags: dict[str, list[str]] = {}
    threats, remediations = [], []
    for entry in group:
        product = ids[entry.product["@id"]]
        chosen, domains = worst_status(entry)
        status.setdefault(_STATUS[chosen], []).append(product)
        texts = "; ".join(f"{d}: {entry.statuses[d][2]}" for d in domains if entry.statuses[d][2])
        if chosen == "not_affected":
            justification = {entry.statuses[d][1] for d in domains} & _FLAGS
            flags.setdefault(justification.pop() if len(justification) == 1
                             else "vulnerable_code_not_present", []).append(product)
            threats.append({"category": "impact", "details": texts or "not affected",
                            "product_ids": [product]})
        elif chosen == "affected":
            remediations.append({"category": "vendor_fix" if "Upgrade" in entry.action
                                 else "none_available",
                                 "details": entry.action or "No fix is recorded; assess and mitigate.",
                                 "product_ids": [product]})
            if texts:
                threats.append({"category": "impact", "details": texts, "product_ids": [product]})
    vuln["notes"] = [{"category": "description", "title": "Matched by zsec-west",
                      "text": f"{name} matched against the components of the build."}]
    vuln["product_status"] = status
    if flags:
        vuln["flags"] = [{"label": label, "product_ids": products}
                         for label, products in sorted(flags.items())]
    if threats:
        vuln["threats"] = threats
    if remediations:
        vuln["remediations"] = remediations
    return vuln


def document(entries: list[Entry], title: str = "VEX of a Zephyr build") -> dict[str, Any]:
    """The CSAF 2.0 VEX document of the entries (SOURCE_DATE_EPOCH fixes its dates)."""
    timestamp = _timestamp()
    products, ids = _products(entries)
    grouped: dict[str, list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.name, []).append(entry)
    vulnerabilities = [_vulnerability(name, group, ids) for name, group in sorted(grouped.items())]
    digest = hashlib.sha256(json.dumps(vulnerabilities, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "publisher": {"category": "other", "name": TOOL_NAME,
                          "namespace": "https://github.com/zsec-west"},
            "title": title,
            "notes": [{"category": "summary", "title": "How this was made",
                       "text": "Offline matching of the build's components against local "
                               "vulnerability data; not-affected statements say what the build "
                               "did not compile or link in."}],
            "tracking": {
                "id": f"zsec-vex-{digest}", "status": "final", "version": "1",
                "initial_release_date": timestamp, "current_release_date": timestamp,
                "revision_history": [{"date": timestamp, "number": "1",
                                      "summary": "Generated by zsec-west."}],
                "generator": {"engine": {"name": TOOL_NAME, "version": __version__}},
            },
        },
        "product_tree": {"full_product_names": products},
        "vulnerabilities": vulnerabilities,
    }


def text(entries: list[Entry]) -> str:
    return json.dumps(document(entries), indent=2) + "\n"
