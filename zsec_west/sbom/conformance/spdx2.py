"""SPDX 2.x JSON against BSI TR-03183-2 v2.1: the format itself is no longer accepted (SPDX
3.0.1 or later), and some fields have no place in SPDX 2 at all; the others are looked for where
SPDX 2.3 keeps them, so the report names everything a move to SPDX 3 or CycloneDX must add."""

from __future__ import annotations

from typing import Any

from zsec_west.sbom.conformance.model import Outcome

_NOT_IN_SPDX2 = ("dependencies", "executable", "archive", "structured")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _contact(text: str) -> bool:
    return "@" in text or "http://" in text or "https://" in text


def check(data: dict[str, Any]) -> Outcome:
    outcome = Outcome()
    outcome.judge("format", "the SBOM", False)
    outcome.notes["format"] = f"{data.get('spdxVersion')}; SPDX 3.0.1 or later is required"
    raw = data.get("creationInfo")
    creation: dict[str, Any] = raw if isinstance(raw, dict) else {}
    creators = [str(c) for c in _list(creation.get("creators")) if not str(c).startswith("Tool:")]
    outcome.judge("sbom-creator", "the SBOM", any(_contact(c) for c in creators))
    outcome.judge("timestamp", "the SBOM", bool(creation.get("created")))
    outcome.judge("sbom-uri", "the SBOM", bool(data.get("documentNamespace")))
    for package in _list(data.get("packages")):
        if not isinstance(package, dict):
            continue
        name = str(package.get("name") or package.get("SPDXID"))
        creator = f"{package.get('originator', '')} {package.get('supplier', '')}"
        outcome.judge("creator", name, _contact(creator))
        outcome.judge("name", name, bool(package.get("name")))
        outcome.judge("version", name, bool(package.get("versionInfo")))
        outcome.judge("filename", name, bool(package.get("packageFileName")))
        outcome.judge("sha512", name, any(c.get("algorithm") == "SHA512"
                                          for c in _list(package.get("checksums"))))
        concluded = str(package.get("licenseConcluded") or "NOASSERTION")
        declared = str(package.get("licenseDeclared") or "NOASSERTION")
        outcome.judge("distribution-licences", name, concluded not in ("NOASSERTION", "NONE"))
        outcome.judge("original-licences", name, declared not in ("NOASSERTION", "NONE"))
        for key in _NOT_IN_SPDX2:
            outcome.judge(key, name, False)
        refs = {r.get("referenceType") for r in _list(package.get("externalRefs"))}
        outcome.judge("identifiers", name, bool(refs & {"cpe23Type", "cpe22Type", "purl", "swid"}))
        location = str(package.get("downloadLocation") or "NOASSERTION")
        outcome.judge("source-uri", name, location not in ("NOASSERTION", "NONE"))
        outcome.judge("deployable-uri", name, False)
    for key in _NOT_IN_SPDX2:
        outcome.notes[key] = "SPDX 2 has no field for it"
    return outcome
