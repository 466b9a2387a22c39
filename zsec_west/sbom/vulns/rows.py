"""Index rows of normalised records, and reading the input files into rows on both cores.

Reading a feed (JSON parsing and normalising NVD/OSV records) is most of an index build; each
file is turned into rows in a worker process while the parent inserts the previous file's.
Row ids are unique without coordination: file number i owns ids from i * 2**32 + 1.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from zsec_west.errors import DataFileError, ZsecError
from zsec_west.sbom.gcpause import gc_paused
from zsec_west.sbom.vulns import sources
from zsec_west.sbom.vulns.model import SOURCE_CURATED, CpeKey, Vulnerability
from zsec_west.versions import sortable_of

KIND_RANGE, KIND_EXACT, KIND_VERSIONS, KIND_GIT = "range", "exact", "versions", "git"
_ID_SPAN = 1 << 32  # ids per input file

Row = tuple[object, ...]
Rows = tuple[list[Row], list[Row], list[Row]]  # vuln, cpe_affects, purl_affects


def _js(items: tuple[str, ...]) -> str:
    return json.dumps(items) if items else "[]"  # most lists are empty; skip the encoder


def curated_first_id(files: int) -> int:
    """The first row id of the curated table, after every file's id range."""
    return files * _ID_SPAN + 1


def record_rows(vulns: list[Vulnerability], first_id: int) -> Rows:
    """Rows for sqlite3 executemany: one tuple of column values each."""
    # Rows for sqlite3 executemany: one tuple of column values each.
    vuln_rows: list[tuple[object, ...]] = []
    cpe_rows: list[tuple[object, ...]] = []
    purl_rows: list[tuple[object, ...]] = []
    for rowid, vuln in enumerate(vulns, start=first_id):
        vuln_rows.append((
            rowid, vuln.id, vuln.source, vuln.origin, vuln.summary, vuln.description,
            _js(vuln.aliases), vuln.score, vuln.severity, _js(vuln.references),
            _js(vuln.cwes), _js(vuln.kconfig), _js(vuln.paths),
            vuln.conditions, vuln.fixed, vuln.state, vuln.package, _js(vuln.macros),
            int(vuln.verified)))
        keyed = vuln.source != SOURCE_CURATED  # curated rows always come back
        for affects in vuln.affects:
            package = affects.package
            head: tuple[object, ...]
            if isinstance(package, CpeKey):
                target, head = cpe_rows, (rowid, package.vendor, package.product)
            else:
                target, head = purl_rows, (rowid, package.type, package.namespace, package.name)
            versions = json.dumps(affects.versions) if affects.versions else None
            if affects.git_only:
                target.append((*head, KIND_GIT, None, None, None, None, None, versions,
                               None, None))
                continue
            if affects.exact != "*":
                # One version is the range [v, v] for SQL.
                exact_key = sortable_of(affects.exact) if keyed else None
                target.append((*head, KIND_EXACT, affects.exact, None, 1, None, 1, None,
                               exact_key, exact_key))
            for rng in affects.ranges:
                lower, upper = rng.lower, rng.upper
                lo_key = sortable_of(lower) if keyed and lower not in (None, "0") else None
                hi_key = sortable_of(upper) if keyed and upper is not None else None
                if (lower not in (None, "0") and lo_key is None) or (
                        upper is not None and hi_key is None):
                    lo_key = hi_key = None  # not comparable in SQL: let Python decide
                target.append((*head, KIND_RANGE, None, lower, int(rng.lower_inclusive), upper,
                               int(rng.upper_inclusive), None, lo_key, hi_key))
            if versions:
                target.append((*head, KIND_VERSIONS, None, None, None, None, None, versions,
                               None, None))
            if affects.exact == "*" and not affects.ranges and not versions:
                # '*' with no bounds: every version.
                target.append((*head, KIND_RANGE, None, None, 1, None, 0, None, None, None))
    return vuln_rows, cpe_rows, purl_rows


def _read_rows(job: tuple[Path, int]) -> tuple[Rows | None, list[str], int,
                                               tuple[str, str | None, str | None] | None]:
    """(rows, warnings, records skipped, error) of one input file; an input error comes back as
    a value (its keyword arguments do not survive pickling as an exception)."""
    path, first_id = job
    with gc_paused():
        try:
            loaded = sources.read(path)
        except ZsecError as exc:
            return None, [], 0, (exc.message, exc.path, exc.hint)
        return record_rows(loaded.vulnerabilities, first_id), loaded.warnings, loaded.skipped, None


def _workers(files: list[Path]) -> int:
    return min(os.cpu_count() or 1, 2, len(files))


def read_all(files: list[Path]) -> Iterator[tuple[Rows, list[str], int]]:
    """Each file's rows, warnings and count of skipped records, in input order (later
    duplicates must win)."""
    jobs = [(path, index * _ID_SPAN + 1) for index, path in enumerate(files)]
    if _workers(files) < 2:
        results: Iterator = map(_read_rows, jobs)
        yield from _checked(results)
        return
    with ProcessPoolExecutor(max_workers=_workers(files)) as pool:
        yield from _checked(pool.map(_read_rows, jobs))


def _checked(results: Iterator) -> Iterator[tuple[Rows, list[str], int]]:
    for rows, warnings, skipped, error in results:
        if error is not None:
            message, path, hint = error
            raise DataFileError(message, path=path, hint=hint)
        yield rows, warnings, skipped
