"""BSI TR-03183-2 fields in CycloneDX 1.6 JSON.

Mapping (the guideline's own, with BSI's `bsi:component:*` property taxonomy): SBOM creator =
metadata.manufacturer (url or contact e-mail) or metadata.authors[].email; timestamp =
metadata.timestamp; SBOM-URI = serialNumber. Per component (metadata.component and every
component, except the `file` components nested in another, which list its files): creator =
manufacturer / supplier / authors with a URL or e-mail; file name = property
bsi:component:filename; dependencies = an entry in `dependencies` and a `compositions` aggregate
covering it; licences = licenses with acknowledgement concluded / declared; SHA-512 = a SHA-512
hash of the component or of its `distribution` external reference; executable / archive /
structured = bsi:component:executable / archive / structured; source URI = external reference
vcs or source-distribution; deployable URI = a `distribution` reference with a URL;
identifiers = cpe, purl or swid. A property `zsec:unknown` whose value starts with
'bsi-unknown:<field>:' states that a field cannot be known.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zsec_west.sbom.conformance.model import UNKNOWN_PREFIX, Outcome


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _props(item: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for prop in _list(item.get("properties")):
        if isinstance(prop, dict):
            found.setdefault(str(prop.get("name")), []).append(str(prop.get("value", "")))
    return found


def _stated(props: dict[str, list[str]], key: str) -> str | None:
    for value in props.get("zsec:unknown", []):
        if value.startswith(f"{UNKNOWN_PREFIX}{key}:"):
            return value.split(":", 2)[2].strip()
    return None


def _has_contact(entity: Any) -> bool:
    if not isinstance(entity, dict):
        return False
    urls = [u for u in _list(entity.get("url")) if str(u).startswith(("http://", "https://"))]
    mails = [c for c in _list(entity.get("contact")) if isinstance(c, dict) and "@" in str(c.get("email", ""))]
    return bool(urls or mails or "@" in str(entity.get("email", "")))


def _components(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    subject = (data.get("metadata") or {}).get("component")
    if isinstance(subject, dict):
        yield subject

    def walk(items: list[Any], nested: bool) -> Iterator[dict[str, Any]]:
        for item in items:
            if not isinstance(item, dict) or (nested and item.get("type") == "file"):
                continue
            yield item
            yield from walk(_list(item.get("components")), True)
    yield from walk(_list(data.get("components")), False)


def _licences(item: dict[str, Any], kind: str) -> bool:
    for entry in _list(item.get("licenses")):
        if not isinstance(entry, dict):
            continue
        inner = entry.get("license")
        licence: dict[str, Any] = inner if isinstance(inner, dict) else entry
        if licence.get("acknowledgement", "declared" if kind == "declared" else "") == kind and (
                entry.get("expression") or licence.get("id") or licence.get("name")):
            return True
    return False


def _covered(data: dict[str, Any], ref: str) -> tuple[bool, bool]:
    """(the component has a dependency entry, a composition states its completeness)."""
    listed = any(isinstance(d, dict) and d.get("ref") == ref for d in _list(data.get("dependencies")))
    stated = any(isinstance(c, dict) and c.get("aggregate") not in (None, "not_specified")
                 and ref in _list(c.get("dependencies")) + _list(c.get("assemblies"))
                 for c in _list(data.get("compositions")))
    return listed, stated


def _component(data: dict[str, Any], item: dict[str, Any], outcome: Outcome) -> None:
    name = str(item.get("name") or item.get("bom-ref") or "?")
    props = _props(item)
    stated = lambda key: _stated(props, key)  # noqa: E731
    outcome.judge("creator", name, any(_has_contact(item.get(k)) for k in ("manufacturer", "supplier"))
                  or any(_has_contact(a) for a in _list(item.get("authors"))), stated("creator"))
    outcome.judge("name", name, bool(item.get("name")))
    outcome.judge("version", name, bool(item.get("version")), stated("version"))
    outcome.judge("filename", name, bool(props.get("bsi:component:filename")), stated("filename"))
    listed, complete = _covered(data, str(item.get("bom-ref", "")))
    outcome.judge("dependencies", name, listed and complete, stated("dependencies"))
    outcome.judge("distribution-licences", name, _licences(item, "concluded"),
                  stated("distribution-licences"))
    outcome.judge("original-licences", name, _licences(item, "declared"), stated("original-licences"))
    refs = [r for r in _list(item.get("externalReferences")) if isinstance(r, dict)]
    hashes = _list(item.get("hashes")) + [h for r in refs if r.get("type") == "distribution"
                                           for h in _list(r.get("hashes"))]
    outcome.judge("sha512", name, any(isinstance(h, dict) and h.get("alg") == "SHA-512" for h in hashes),
                  stated("sha512"))
    for key in ("executable", "archive", "structured"):
        outcome.judge(key, name, bool(props.get(f"bsi:component:{key}")), stated(key))
    types = {r.get("type") for r in refs}
    outcome.judge("source-uri", name, bool(types & {"vcs", "source-distribution"}), stated("source-uri"))
    outcome.judge("deployable-uri", name, any(r.get("type") == "distribution" and r.get("url")
                                              and not str(r.get("url")).startswith("urn:zsec:")
                                              for r in refs), stated("deployable-uri"))
    outcome.judge("identifiers", name, bool(item.get("cpe") or item.get("purl") or item.get("swid")),
                  stated("identifiers"))


def check(data: dict[str, Any]) -> Outcome:
    outcome = Outcome()
    version = str(data.get("specVersion") or "")
    parts = version.split(".")
    modern = len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit() and \
        (int(parts[0]), int(parts[1])) >= (1, 6)
    outcome.judge("format", "the SBOM", modern)
    if not modern:
        outcome.notes["format"] = f"CycloneDX {version or '?'}; 1.6 or later is required"
    raw = data.get("metadata")
    metadata: dict[str, Any] = raw if isinstance(raw, dict) else {}
    meta_props = _props(metadata)
    creator = _has_contact(metadata.get("manufacturer")) or any(
        _has_contact(a) for a in _list(metadata.get("authors")))
    outcome.judge("sbom-creator", "the SBOM", creator, _stated(meta_props, "sbom-creator"))
    outcome.judge("timestamp", "the SBOM", bool(metadata.get("timestamp")))
    outcome.judge("sbom-uri", "the SBOM", bool(data.get("serialNumber")))
    for item in _components(data):
        _component(data, item, outcome)
    return outcome
