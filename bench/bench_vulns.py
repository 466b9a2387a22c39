"""Benchmark: offline vulnerability matching, zsec's SQLite index vs a naive pure-Python scan.

Generates a synthetic NVD CVE API 2.0 feed (default 250,000 records split into yearly files as
NVD ships them; several cpeMatch entries per CVE with version ranges, exact versions, AND
configurations with non-vulnerable platforms; vendors/products drawn with a popularity skew from
a few thousand names; each CVE's ranges end near the product's release of that year) and an SBOM
of 2,000 components (80% current releases, 20% older). Then, each phase in its own process so
that its peak RSS is its own:

  build   zsec: read every feed file and write the index (once per data set)
  query   zsec: match all components against the index (what every later run costs), and the
          same through the public scan() API
  peer    naive: json.load each file, then one linear pass over every cpeMatch with the
          components in a dict (load and scan timed separately); plus a per-component nested
          loop over all records, timed on a sample and scaled to all components (labelled)

Both sides use the same version comparison, and the affected (component, CVE) pairs are checked
to be identical before any ratio is printed.

    python bench/bench_vulns.py [--records 250000] [--components 2000] [--files 25] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zsec_west.sbom.vulns.identifiers import parse_cpe  # noqa: E402
from zsec_west.versions import Range, key  # noqa: E402

WORDS = ("buffer overflow in the parser allows remote attackers to cause a denial of service "
         "or possibly execute arbitrary code via a crafted request when the server processes "
         "untrusted input in the handler function integer underflow memory corruption").split()


# --- data generation --------------------------------------------------------------------------

def _names(rng: random.Random, count: int, prefix: str) -> list[str]:
    syllables = ["al", "be", "cor", "da", "el", "fi", "go", "hu", "in", "jo", "ka", "lu", "mi",
                 "no", "or", "pa", "qu", "ri", "so", "tu", "ur", "vi", "wa", "xe", "yo", "ze"]
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
                  + rng.choice(["", "_" + prefix, "-" + prefix, ""]))
    return sorted(names)


def catalogue(seed: int) -> list[tuple[str, str]]:
    """(vendor, product) pairs: 1,200 vendors, 3,000 products."""
    rng = random.Random(seed)
    vendors = _names(rng, 1200, "inc")
    products = _names(rng, 3000, "lib")
    return [(rng.choice(vendors), product) for product in products]


def _version(rng: random.Random, year: int) -> str:
    """The release a product had in `year`: products move on, so a CVE's range ends near the
    release of its year and a current component is past most old ranges (as in real data)."""
    step = max(year - 2000, 0)
    return f"{step // 5}.{(step % 5) * 2 + rng.randint(0, 1)}.{rng.randint(0, 9)}"


def _match(rng: random.Random, vendor: str, product: str, year: int) -> dict:
    criteria = f"cpe:2.3:a:{vendor}:{product}:*:*:*:*:*:*:*:*"
    match = {"vulnerable": True, "criteria": criteria,
             "matchCriteriaId": f"{rng.getrandbits(128):032X}"}
    roll = rng.random()
    low, high = sorted((_version(rng, year - rng.randint(1, 8)), _version(rng, year + rng.choice((0, 0, 1)))),
                       key=key)
    if roll < 0.45:
        match.update(versionStartIncluding=low, versionEndExcluding=high)
    elif roll < 0.60:
        match["versionEndExcluding"] = high
    elif roll < 0.70:
        match["versionEndIncluding"] = high
    elif roll < 0.77:
        match.update(versionStartExcluding=low, versionEndIncluding=high)
    elif roll < 0.995:
        match["criteria"] = f"cpe:2.3:a:{vendor}:{product}:{_version(rng, year - rng.randint(0, 3))}:*:*:*:*:*:*:*"
    return match  # else: '*' without bounds, every version (rare in real feeds)


def record(rng: random.Random, number: int, year: int, products: list[tuple[str, str]],
           weights: list[float]) -> dict:
    configurations = []
    for _ in range(1 if rng.random() < 0.8 else 2):
        vendor, product = rng.choices(products, weights)[0]
        matches = [_match(rng, vendor, product, year) for _ in range(rng.randint(1, 5))]
        if rng.random() < 0.3:  # a related product of the same vendor
            other = rng.choices(products, weights)[0][1]
            matches.append(_match(rng, vendor, other, year))
        config: dict = {"nodes": [{"operator": "OR", "negate": False, "cpeMatch": matches}]}
        if rng.random() < 0.1:
            config["operator"] = "AND"
            config["nodes"].append({"operator": "OR", "negate": False, "cpeMatch": [
                {"vulnerable": False, "criteria": "cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*",
                 "matchCriteriaId": f"{rng.getrandbits(128):032X}"}]})
        configurations.append(config)
    score = round(rng.uniform(1.0, 10.0), 1)
    ident = f"CVE-{year}-{number:05d}"
    return {"cve": {
        "id": ident, "sourceIdentifier": "cve@mitre.org",
        "published": f"{year}-03-01T12:00:00.000", "lastModified": f"{year}-04-01T12:00:00.000",
        "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": " ".join(rng.choices(WORDS, k=30)).capitalize() + "."}],
        "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary", "cvssData": {
            "version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "baseScore": score, "baseSeverity": "HIGH"}, "exploitabilityScore": 3.9,
            "impactScore": 5.9}]},
        "weaknesses": [{"source": "nvd@nist.gov", "type": "Primary",
                        "description": [{"lang": "en", "value": f"CWE-{rng.randint(20, 1300)}"}]}],
        "configurations": configurations,
        "references": [{"url": f"https://example.org/advisories/{ident}", "source": "cve@mitre.org"},
                       {"url": f"https://example.org/fix/{ident}", "source": "cve@mitre.org",
                        "tags": ["Patch"]}]}}


def generate(workdir: Path, records: int, files: int, components: int, seed: int) -> None:
    products = catalogue(seed)
    rng = random.Random(seed + 1)
    # Popularity skew: a few products collect many CVEs (as real feeds do).
    weights = [1.0 / (rank + 10) ** 0.8 for rank in range(len(products))]
    rng.shuffle(weights)
    feeds = workdir / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    per_file = -(-records // files)
    made = 0
    for index in range(files):
        year = 2000 + index
        count = min(per_file, records - made)
        items = [record(rng, n, year, products, weights) for n in range(count)]
        made += count
        doc = {"resultsPerPage": count, "startIndex": 0, "totalResults": count,
               "format": "NVD_CVE", "version": "2.0", "timestamp": f"{year}-12-31T00:00:00.000",
               "vulnerabilities": items}
        (feeds / f"nvdcve-2.0-{year}.json").write_text(json.dumps(doc), encoding="utf-8")
    chosen = rng.sample(products, components)
    # Most components are current releases; one in five is years behind.
    sbom = [{"name": product,
             "version": _version(rng, 2000 + files if rng.random() < 0.8 else rng.randint(2000, 2000 + files)),
             "cpe": f"cpe:2.3:a:{vendor}:{product}:{{v}}:*:*:*:*:*:*:*"} for vendor, product in chosen]
    for item in sbom:
        item["cpe"] = item["cpe"].replace("{v}", item["version"])
    (workdir / "components.json").write_text(json.dumps(sbom), encoding="utf-8")


# --- phases (each runs in its own process) ----------------------------------------------------

def _components(workdir: Path):
    from zsec_west.sbom.component import Component
    return [Component(c["name"], c["version"], "app", cpes=(c["cpe"],))
            for c in json.loads((workdir / "components.json").read_text())]


def phase_build(workdir: Path) -> dict:
    from zsec_west.sbom.vulns import sources
    from zsec_west.sbom.vulns.index import open_index
    files = sources.discover((workdir / "feeds",))
    start = time.perf_counter()
    index, built = open_index(workdir / "index.sqlite", files, None)
    elapsed = time.perf_counter() - start
    assert built
    records = index.records
    index.close()
    return {"seconds": elapsed, "records": records,
            "index_mib": (workdir / "index.sqlite").stat().st_size / 2**20}


def phase_query(workdir: Path) -> dict:
    from zsec_west.builddir import load_build
    from zsec_west.sbom.vulns import VulnOptions, scan
    from zsec_west.sbom.vulns.curated import shipped
    from zsec_west.sbom.vulns.index import VulnIndex
    from zsec_west.sbom.vulns.matching import AFFECTED, find, identity
    components = _components(workdir)
    table = shipped()
    start = time.perf_counter()
    pairs = set()
    with VulnIndex(workdir / "index.sqlite") as index:
        for component in components:
            for match in find(index, identity(component, table), index.curated_ids):
                if match.status == AFFECTED:
                    pairs.add((component.name, match.canonical))
    query = time.perf_counter() - start
    # The same through the public API (index reused: fingerprint check, findings, applicability).
    build = load_build(ROOT / "tests" / "data" / "builds" / "hello")
    start = time.perf_counter()
    result = scan(components, build, VulnOptions(data=(workdir / "feeds",), db=workdir / "index.sqlite",
                                                 use_curated=False))
    api = time.perf_counter() - start
    assert not result.index_built, "the index should have been reused"
    (workdir / "pairs-index.json").write_text(json.dumps(sorted(pairs)))
    return {"seconds": query, "api_seconds": api, "affected_pairs": len(pairs),
            "findings": len(result)}


def _naive_hits(match: dict, version) -> bool:
    cpe = parse_cpe(match["criteria"])
    if cpe.version != "*" and not any(k in match for k in (
            "versionStartIncluding", "versionStartExcluding", "versionEndIncluding", "versionEndExcluding")):
        return key(cpe.full_version) == version
    rng = Range(match.get("versionStartIncluding") or match.get("versionStartExcluding"),
                "versionStartExcluding" not in match,
                match.get("versionEndIncluding") or match.get("versionEndExcluding"),
                "versionEndIncluding" in match)
    return bool(rng.contains(version))


def _peer_scan(records: list[dict], by_product: dict, pairs: set) -> None:
    """The sensible peer: one pass over the records, components looked up by vendor:product."""
    for item in records:
        cve = item["cve"]
        for config in cve.get("configurations", []):
            for node in config["nodes"]:
                for match in node["cpeMatch"]:
                    if not match.get("vulnerable"):
                        continue
                    cpe = parse_cpe(match["criteria"])
                    for c in by_product.get((cpe.vendor, cpe.product), ()):
                        if _naive_hits(match, c["key"]):
                            pairs.add((c["name"], cve["id"]))


def _peer_nested(records: list[dict], sampled: list[dict]) -> None:
    """The textbook loop: for each component, walk every record."""
    for c in sampled:
        vendor_product = parse_cpe(c["cpe"])
        for item in records:
            for config in item["cve"].get("configurations", []):
                for node in config["nodes"]:
                    for match in node["cpeMatch"]:
                        if match.get("vulnerable"):
                            cpe = parse_cpe(match["criteria"])
                            if (cpe.vendor, cpe.product) == (vendor_product.vendor, vendor_product.product):
                                _naive_hits(match, c["key"])


def phase_peer(workdir: Path, sample: int) -> dict:
    comps = json.loads((workdir / "components.json").read_text())
    by_product: dict[tuple[str, str], list[dict]] = {}
    for c in comps:
        cpe = parse_cpe(c["cpe"])
        c["key"] = key(c["version"])
        by_product.setdefault((cpe.vendor, cpe.product), []).append(c)
    sampled = comps[:sample]
    load = scan_time = nested = 0.0
    pairs: set = set()
    for path in sorted((workdir / "feeds").glob("*.json")):
        start = time.perf_counter()
        data = json.loads(path.read_text(encoding="utf-8"))
        load += time.perf_counter() - start
        start = time.perf_counter()
        _peer_scan(data["vulnerabilities"], by_product, pairs)
        scan_time += time.perf_counter() - start
        start = time.perf_counter()
        _peer_nested(data["vulnerabilities"], sampled)
        nested += time.perf_counter() - start
        del data
    (workdir / "pairs-peer.json").write_text(json.dumps(sorted(pairs)))
    return {"load_seconds": load, "scan_seconds": scan_time,
            "nested_sample_seconds": nested, "nested_sample": len(sampled),
            "nested_all_seconds_est": nested * len(comps) / max(len(sampled), 1),
            "affected_pairs": len(pairs)}


# --- driver -----------------------------------------------------------------------------------

def child(phase: str, workdir: Path, extra: list[str]) -> tuple[dict, int]:
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, __file__, "--phase", phase, "--workdir", str(workdir),
                                 *extra], stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
        if code != 0:
            raise SystemExit(f"phase {phase} failed ({code}):\n{proc.stderr.read().decode()}")
    return json.loads(text), usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--components", type=int, default=2_000)
    parser.add_argument("--files", type=int, default=25)
    parser.add_argument("--sample", type=int, default=10, help="components timed in the nested-loop peer")
    parser.add_argument("--seed", type=int, default=20260)
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    parser.add_argument("--phase", choices=("build", "query", "peer"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = {"build": lambda: phase_build(args.workdir), "query": lambda: phase_query(args.workdir),
                  "peer": lambda: phase_peer(args.workdir, args.sample)}[args.phase]()
        print(json.dumps(result))
        return
    holder = None if args.keep else tempfile.TemporaryDirectory(prefix="zsec-bench-vulns-")
    workdir = args.keep or Path(holder.name)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        generate(workdir, args.records, args.files, args.components, args.seed)
        feed_mib = sum(p.stat().st_size for p in (workdir / "feeds").glob("*.json")) / 2**20
        matches = sum(len(c["cpeMatch"]) for p in [sorted((workdir / "feeds").glob("*.json"))[0]]
                      for item in json.loads(p.read_text())["vulnerabilities"]
                      for cfg in item["cve"]["configurations"] for c in cfg["nodes"])
        print(f"data: {args.records:,} NVD 2.0 records in {args.files} files ({feed_mib:,.0f} MiB, "
              f"~{matches / (args.records / args.files):.1f} cpeMatch per CVE), "
              f"{args.components:,} components; generated in {time.perf_counter() - start:.1f} s")
        build, build_rss = child("build", workdir, [])
        query, query_rss = child("query", workdir, [])
        peer, peer_rss = child("peer", workdir, ["--sample", str(args.sample)])
        ours = set(map(tuple, json.loads((workdir / "pairs-index.json").read_text())))
        theirs = set(map(tuple, json.loads((workdir / "pairs-peer.json").read_text())))
        if ours != theirs:
            raise SystemExit(f"results differ: {len(ours - theirs)} only in the index, "
                             f"{len(theirs - ours)} only in the naive scan")
        mib = 2**20
        print(f"results agree: {len(ours):,} affected (component, CVE) pairs")
        print(f"zsec index build     {build['seconds']:8.2f} s   peak RSS {build_rss / mib:6.0f} MiB"
              f"   ({build['records']:,} records, index {build['index_mib']:.0f} MiB)")
        print(f"zsec query           {query['seconds']:8.2f} s   peak RSS {query_rss / mib:6.0f} MiB"
              f"   ({args.components:,} components)")
        print(f"zsec scan() API      {query['api_seconds']:8.2f} s   (index reused; {query['findings']:,} findings)")
        print(f"naive JSON load      {peer['load_seconds']:8.2f} s   peak RSS {peer_rss / mib:6.0f} MiB"
              f"   (one file at a time)")
        print(f"naive linear scan    {peer['scan_seconds']:8.2f} s   (one pass, components in a dict)")
        print(f"naive nested loop    {peer['nested_all_seconds_est']:8.1f} s   (estimated: "
              f"{peer['nested_sample_seconds']:.2f} s for {peer['nested_sample']} components x "
              f"{args.components // max(peer['nested_sample'], 1)})")
        print(f"ratio query vs naive linear scan:        {peer['scan_seconds'] / query['seconds']:7.1f}x faster")
        print(f"ratio query vs naive load + scan:        "
              f"{(peer['load_seconds'] + peer['scan_seconds']) / query['seconds']:7.1f}x faster")
        print(f"ratio query vs nested loop (estimated):  {peer['nested_all_seconds_est'] / query['seconds']:7.0f}x faster")
        print(f"first run (build + query) vs naive load + scan: "
              f"{(build['seconds'] + query['seconds']) / (peer['load_seconds'] + peer['scan_seconds']):.2f}x the time")
    finally:
        if holder is not None:
            holder.cleanup()


if __name__ == "__main__":
    main()
