"""BSI TR-03183-2 fields in SPDX 3.0.1 JSON-LD.

Mapping: SBOM creator = CreationInfo.createdBy with an email or urlScheme external identifier;
timestamp = CreationInfo.created; SBOM-URI = the SpdxDocument's / Sbom's spdxId. Per
software_Package: creator = originatedBy (or suppliedBy) with such an identifier; version =
software_packageVersion; file name, SHA-512, executable / archive / structured = the
software_File its hasDistributionArtifact relationship names (its name; a sha512 Hash; the
executable / archive purposes; container = structured, firmware or other = unstructured);
dependencies = a contains or dependsOn relationship from it with `completeness`; licences =
hasConcludedLicense / hasDeclaredLicense; source URI = externalRef vcs or sourceArtifact (or
software_downloadLocation); deployable URI = externalRef binaryArtifact of its file;
identifiers = cpe22/cpe23/packageUrl/swid external identifiers. An Annotation whose statement
starts with 'bsi-unknown:<field>:' states that a field cannot be known.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from zsec_west.sbom.conformance.model import UNKNOWN_PREFIX, Outcome

_NO_ASSERTION = ("NoAssertionLicense", "NoAssertionElement")
_ID_TYPES = ("cpe22", "cpe23", "packageUrl", "swid")


def _id(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("spdxId") or value.get("@id") or "")
    return str(value or "")


def _short(value: Any) -> str:
    return str(value or "").rsplit("/", 1)[-1]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


class _Graph:
    def __init__(self, data: dict[str, Any]):
        graph = data.get("@graph")
        items = graph if isinstance(graph, list) else [data]
        self.by_id: dict[str, dict[str, Any]] = {}
        self.items = [i for i in items if isinstance(i, dict)]
        for item in self.items:
            self._index(item)
        self.rels: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.unknown: dict[tuple[str, str], str] = {}
        for item in self.items:
            kind = item.get("type")
            if kind == "Relationship":
                self.rels[(_id(item.get("from")), _short(item.get("relationshipType")))].append(item)
            elif kind == "Annotation" and str(item.get("statement", "")).startswith(UNKNOWN_PREFIX):
                key, _, why = item["statement"][len(UNKNOWN_PREFIX):].partition(":")
                self.unknown[(_id(item.get("subject")), key.strip())] = why.strip()

    def _index(self, item: dict[str, Any]) -> None:
        ident = _id(item)
        if ident:
            self.by_id[ident] = item
        for value in item.values():
            for inner in _list(value):
                if isinstance(inner, dict) and "type" in inner:
                    self._index(inner)

    def get(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        return self.by_id.get(str(value), {})

    def targets(self, source: str, kind: str) -> list[Any]:
        return [t for rel in self.rels.get((source, kind), []) for t in _list(rel.get("to"))]

    def stated(self, subjects: list[str], key: str) -> str | None:
        return next((self.unknown[(s, key)] for s in subjects if (s, key) in self.unknown), None)


def _contact(graph: _Graph, agents: list[Any]) -> bool:
    for agent in agents:
        for ext in _list(graph.get(agent).get("externalIdentifier")):
            kind = _short(ext.get("externalIdentifierType"))
            value = str(ext.get("identifier") or "")
            if (kind == "email" and "@" in value) or (
                    kind in ("urlScheme", "other") and value.startswith(("http://", "https://"))):
                return True
    return False


def _document(graph: _Graph, outcome: Outcome) -> list[str]:
    """The document-level fields; returns the ids the document-level statements may be on."""
    document = next((i for i in graph.items if i.get("type") == "SpdxDocument"), {})
    roots = [_id(r) for r in _list(document.get("rootElement"))]
    subjects = [_id(document), *roots]
    creation = graph.get(document.get("creationInfo")) if document else {}
    version = str(creation.get("specVersion") or "")
    modern = version.startswith("3.") and version != "3.0.0"
    outcome.judge("format", "the SBOM", modern)
    if not modern:
        outcome.notes["format"] = f"specVersion {version or 'missing'}; 3.0.1 or later is required"
    outcome.judge("sbom-creator", "the SBOM", _contact(graph, _list(creation.get("createdBy"))),
                  graph.stated(subjects, "sbom-creator"))
    outcome.judge("timestamp", "the SBOM", bool(creation.get("created")))
    outcome.judge("sbom-uri", "the SBOM", bool(_id(document)) and bool(roots))
    return subjects


def _file_fields(graph: _Graph, outcome: Outcome, name: str, ident: str) -> None:
    files = [graph.get(t) for t in graph.targets(ident, "hasDistributionArtifact")]
    file_ids = [_id(f) for f in files]
    subjects = [ident, *file_ids]
    named = [f for f in files if str(f.get("name") or "").strip()]
    outcome.judge("filename", name, bool(named), graph.stated(subjects, "filename"))
    hashes = [h for f in files for h in _list(f.get("verifiedUsing"))
              if _short(h.get("algorithm")) == "sha512" and h.get("hashValue")]
    outcome.judge("sha512", name, bool(hashes), graph.stated(subjects, "sha512"))
    purposes = {_short(p) for f in files for p in [f.get("software_primaryPurpose"),
                                                     *_list(f.get("software_additionalPurpose"))]}
    # Executable and archive: the purpose present says yes, absent says no (the guideline's
    # SPDX mapping); both need a file to be said of.
    outcome.judge("executable", name, bool(files), graph.stated(subjects, "executable"))
    outcome.judge("archive", name, bool(files), graph.stated(subjects, "archive"))
    outcome.judge("structured", name, bool(purposes & {"container", "firmware", "archive",
                                                       "filesystemImage", "diskImage"}),
                  graph.stated(subjects, "structured"))
    refs = [r for f in files for r in _list(f.get("externalRef"))
            if _short(r.get("externalRefType")) == "binaryArtifact"]
    outcome.judge("deployable-uri", name, bool(refs), graph.stated(subjects, "deployable-uri"))


def _licence(graph: _Graph, ident: str, kind: str) -> tuple[bool, str | None]:
    targets = graph.targets(ident, kind)
    real = [t for t in targets if not _id(t).endswith(_NO_ASSERTION)
            and graph.get(t).get("simplelicensing_licenseExpression")]
    if real:
        return True, None
    if targets:
        return False, "NOASSERTION: no licence could be concluded from the build"
    return False, None


def _package(graph: _Graph, outcome: Outcome, item: dict[str, Any]) -> None:
    ident, name = _id(item), str(item.get("name") or _id(item))
    stated = lambda key: graph.stated([ident], key)  # noqa: E731
    creators = _list(item.get("originatedBy")) + _list(item.get("suppliedBy"))
    outcome.judge("creator", name, _contact(graph, creators), stated("creator"))
    outcome.judge("name", name, bool(item.get("name")))
    outcome.judge("version", name, bool(item.get("software_packageVersion")), stated("version"))
    deps = graph.rels.get((ident, "contains"), []) + graph.rels.get((ident, "dependsOn"), [])
    outcome.judge("dependencies", name, any(r.get("completeness") for r in deps),
                  stated("dependencies"))
    for key, kind in (("distribution-licences", "hasConcludedLicense"),
                      ("original-licences", "hasDeclaredLicense")):
        present, why = _licence(graph, ident, kind)
        outcome.judge(key, name, present, stated(key) or why)
    _file_fields(graph, outcome, name, ident)
    refs = {_short(r.get("externalRefType")) for r in _list(item.get("externalRef"))}
    outcome.judge("source-uri", name, bool(refs & {"vcs", "sourceArtifact"})
                  or bool(item.get("software_downloadLocation")), stated("source-uri"))
    ids = {_short(e.get("externalIdentifierType")) for e in _list(item.get("externalIdentifier"))}
    outcome.judge("identifiers", name, bool(ids & set(_ID_TYPES)) or bool(item.get("software_packageUrl")),
                  stated("identifiers"))


def check(data: dict[str, Any]) -> Outcome:
    graph = _Graph(data)
    outcome = Outcome()
    _document(graph, outcome)
    for item in graph.items:
        if item.get("type") in ("software_Package", "ai_AIPackage", "dataset_DatasetPackage"):
            _package(graph, outcome, item)
    return outcome
