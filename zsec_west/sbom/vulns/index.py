"""The SQLite index of all vulnerability data: built once from the inputs, reused while their
paths, sizes and modification times (and the curated table's hash) stay the same.

A rebuild writes a temporary file beside the index and renames it into place, so an
interrupted build never leaves a half index behind.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, NamedTuple

from zsec_west.errors import DataFileError, ToolError, ZsecError
from zsec_west.files.reading import name_problem, os_problem
from zsec_west.files.writing import temporary_beside

try:
    import fcntl
except ImportError:  # Windows: no flock; concurrent cold builds there each build (and rename)
    fcntl = None  # type: ignore[assignment]
from zsec_west.sbom.gcpause import gc_paused
from zsec_west.sbom.vulns import sources
from zsec_west.sbom.vulns.curated import Table
from zsec_west.sbom.vulns.model import SOURCE_CURATED, CpeKey, PurlKey, Vulnerability
from zsec_west.sbom.vulns.rows import (
    Rows,
    curated_first_id,
    read_all,
    record_rows,
)

# 2: macros and verified columns (the advisory table's mbed TLS macros and unverified ranges).
SCHEMA_VERSION = 2
_MAX_WARNINGS = 100  # kept in the index; a feed full of bad records must not flood the terminal

# Per row: the bounds as written (for messages and the final check in Python) and as
# order-preserving keys for SQL. Rows SQL cannot judge (git ranges, version lists, bounds that
# are not versions, curated rows which also say "fixed") have no keys, so they always come back.
_RANGE = ("kind TEXT NOT NULL, exact TEXT, lo TEXT, lo_incl INTEGER, hi TEXT, hi_incl INTEGER, "
          "versions TEXT, lo_key TEXT, hi_key TEXT")
_TABLES = f"""
CREATE TABLE zsec_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE vuln (
    id INTEGER PRIMARY KEY, ident TEXT NOT NULL, source TEXT NOT NULL, origin TEXT NOT NULL,
    summary TEXT, description TEXT, aliases TEXT, score REAL, severity TEXT, refs TEXT,
    cwes TEXT, kconfig TEXT, paths TEXT, conditions TEXT, fixed TEXT, state TEXT, package TEXT,
    macros TEXT, verified INTEGER NOT NULL DEFAULT 1);
CREATE TABLE cpe_affects (
    vuln INTEGER NOT NULL, vendor TEXT NOT NULL, product TEXT NOT NULL, {_RANGE});
CREATE TABLE purl_affects (
    vuln INTEGER NOT NULL, ptype TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
    {_RANGE});
"""
# Created after the bulk insert: building a b-tree once is cheaper than maintaining it per row.
# The upper bound is part of the key: most rows of a product end below a current version, and
# the range scan on hi_key skips them without reading them.
_INDEXES = (
    "CREATE INDEX cpe_vendor_product ON cpe_affects (vendor, product, hi_key)",
    "CREATE INDEX purl_type_namespace_name ON purl_affects (ptype, namespace, name, hi_key)",
)
_COLUMNS = "vuln, kind, exact, lo, lo_incl, hi, hi_incl, versions"
# Rows that may concern version :v: an upper bound at or above it, or none (open or unknown).
_LOWER_OK = "(lo_key IS NULL OR lo_key < :v OR (lo_key = :v AND lo_incl = 1))"


def _concerns(table: str, where: str) -> str:
    return (f"SELECT {_COLUMNS} FROM {table} WHERE {where} AND hi_key >= :v"
            f" AND (hi_key > :v OR hi_incl = 1) AND {_LOWER_OK}"
            f" UNION ALL SELECT {_COLUMNS} FROM {table} WHERE {where} AND hi_key IS NULL"
            f" AND {_LOWER_OK}")


_CPE_QUERY = _concerns("cpe_affects", "vendor = :vendor AND product = :product")
_PURL_QUERY = _concerns("purl_affects", "ptype = :type AND namespace = :namespace AND name = :name")


class Row(NamedTuple):
    """One affected-versions statement for one package key (a named tuple: a query makes tens
    of thousands, and a tuple is made several times faster than a frozen dataclass)."""

    vuln: int
    kind: str
    exact: str | None
    lo: str | None
    lo_incl: bool
    hi: str | None
    hi_incl: bool
    versions: tuple[str, ...]


def default_path() -> Path:
    """$XDG_CACHE_HOME/zsec-west/vulns.sqlite (~/.cache/... when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.environ.get("LOCALAPPDATA")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "zsec-west" / "vulns.sqlite"


def _progress(factory: Callable[[str, int], Any] | None, label: str, total: int):
    return factory(label, total) if factory else nullcontext(None)


class VulnIndex:
    """Read access to a built index."""

    def __init__(self, path: Path):
        self.path = path
        self._conn = sqlite3.connect(_uri(path, "ro"), uri=True)
        meta = dict(self._conn.execute("SELECT key, value FROM zsec_meta"))
        self.warnings: list[str] = json.loads(meta.get("warnings", "[]"))
        self.records = int(meta.get("records", "0"))
        self.skipped = int(meta.get("skipped", "0"))  # malformed records left out
        # Few rows; the matcher lets these decide over broader NVD/OSV data. They come after
        # every file's rows: a range of row ids, not a scan of the whole table.
        first = int(meta.get("curated_first", "0"))
        self.curated_ids = frozenset(row[0] for row in self._conn.execute(
            "SELECT id FROM vuln WHERE id >= ? AND source = ?", (first, SOURCE_CURATED)))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> VulnIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows_for_cpe(self, key: CpeKey, version: str) -> list[Row]:
        """Rows of this vendor:product that may concern `version` (a `versions.sortable` key)."""
        cursor = self._conn.execute(
            _CPE_QUERY, {"vendor": key.vendor, "product": key.product, "v": version})
        return [_row(r) for r in cursor]

    def rows_for_purl(self, key: PurlKey, version: str) -> list[Row]:
        cursor = self._conn.execute(
            _PURL_QUERY, {"type": key.type, "namespace": key.namespace, "name": key.name,
                          "v": version})
        return [_row(r) for r in cursor]

    def knows(self, cpes: Iterable[CpeKey], purls: Iterable[PurlKey]) -> bool:
        """Whether any record names one of these packages (at any version)."""
        for cpe in cpes:
            if self._conn.execute("SELECT 1 FROM cpe_affects WHERE vendor = ? AND product = ?"
                                  " LIMIT 1", (cpe.vendor, cpe.product)).fetchone():
                return True
        for purl in purls:
            if self._conn.execute("SELECT 1 FROM purl_affects WHERE ptype = ? AND namespace = ?"
                                  " AND name = ? LIMIT 1", tuple(purl)).fetchone():
                return True
        return False

    def vulnerabilities(self, ids: Iterable[int]) -> dict[int, Vulnerability]:
        """The records behind rows, by row id."""
        wanted = sorted(set(ids))
        found: dict[int, Vulnerability] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            cursor = self._conn.execute(
                "SELECT id, ident, source, origin, summary, description, aliases, score, severity,"
                " refs, cwes, kconfig, paths, conditions, fixed, state, package, macros, verified"
                " FROM vuln"
                f" WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            for (rowid, ident, source, origin, summary, description, aliases, score, severity,
                 refs, cwes, kconfig, paths, conditions, fixed, state, package, macros,
                 verified) in cursor:
                found[rowid] = Vulnerability(
                    id=ident, source=source, origin=origin, summary=summary or "",
                    description=description or "", aliases=_unjs(aliases),
                    score=score, severity=severity, references=_unjs(refs),
                    cwes=_unjs(cwes), kconfig=_unjs(kconfig),
                    paths=_unjs(paths), conditions=conditions or "",
                    fixed=fixed or "", state=state or "published", package=package or "",
                    macros=_unjs(macros), verified=bool(verified))
        return found


def _row(values: tuple) -> Row:
    vuln, kind, exact, lo, lo_incl, hi, hi_incl, versions = values
    return Row(vuln, kind, exact, lo, bool(lo_incl), hi, bool(hi_incl),
               tuple(json.loads(versions)) if versions else ())


def _uri(path: Path, mode: str) -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


def inputs_fingerprint(files: list[Path], table: Table | None) -> str:
    return json.dumps({"schema": SCHEMA_VERSION, "files": sources.fingerprint(files),
                       "curated": table.digest if table else None}, sort_keys=True)


def existing_inputs(path: Path) -> str | None:
    """The fingerprint an index at `path` was built from; None when there is no index yet.

    A file that is not one of our indexes is refused rather than replaced (the user may have
    pointed --db at something else); an index from a newer zsec-west is refused too.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DataFileError(os_problem(exc), path=path) from None
    if not stat.S_ISREG(info.st_mode):
        raise DataFileError("--db must be a file", path=path)
    if info.st_size == 0:
        return None
    try:
        conn = sqlite3.connect(_uri(path, "ro"), uri=True)
        try:
            meta = dict(conn.execute("SELECT key, value FROM zsec_meta"))
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise DataFileError("not a zsec-west vulnerability index; refusing to replace it",
                            path=path, hint="pass another --db path or delete the file") from None
    try:
        schema = int(meta.get("schema_version", "0"))
    except ValueError:
        schema = 0
    if schema > SCHEMA_VERSION:
        raise DataFileError(
            f"vulnerability index has schema version {schema}, newer than this zsec-west reads "
            f"({SCHEMA_VERSION})", path=path,
            hint="upgrade zsec-west, or pass another --db to build a separate index")
    if schema < SCHEMA_VERSION:
        return ""  # an older layout: rebuild
    return meta.get("inputs", "")


def _check_db_path(path: Path) -> None:
    """A --db the OS cannot even look up is an input error naming it, not an internal one."""
    problem = name_problem(path)
    if problem:
        raise DataFileError(problem, path=path)


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on a file beside the index while (re)building it: concurrent runs
    on a shared --db (parallel CI jobs) wait here instead of each building the same index. The
    lock is the kernel's (flock): a holder that dies releases it, so a crashed build never
    blocks the next one; the lock file itself stays and means nothing without the lock."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise ToolError(f"cannot write the vulnerability index: {exc.strerror}", path=path,
                        hint="pass --db with a writable location") from None
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def open_index(db: Path | None, files: list[Path], table: Table | None,
               progress: Callable[[str, int], Any] | None = None) -> tuple[VulnIndex, bool]:
    """The index for these inputs at `db` (default cache path), built if missing or stale.
    Returns the index and whether it was (re)built by this call. Building happens under a lock
    beside the index; whoever waited for it looks again and reuses what the holder built."""
    path = db or default_path()
    _check_db_path(path)
    wanted = inputs_fingerprint(files, table)
    built = False
    if existing_inputs(path) != wanted:
        with _build_lock(path):
            if existing_inputs(path) != wanted:
                build(path, files, table, wanted, progress)
                built = True
    return VulnIndex(path), built


def build(path: Path, files: list[Path], table: Table | None, fingerprint: str,
          progress: Callable[[str, int], Any] | None = None) -> None:
    """Read every input and write a fresh index to `path` (atomically: a temporary file of
    files/writing.py's naming, so that one left by a killed build is removed by the next)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_beside(path)
    except OSError as exc:
        raise ToolError(f"cannot write the vulnerability index: {exc.strerror}", path=path,
                        hint="pass --db with a writable location") from None
    except ZsecError as exc:  # files/writing.py's words: permission, read-only, disk full ...
        raise type(exc)(f"cannot write the vulnerability index: {exc.message}", path=path,
                        hint="pass --db with a writable location") from None
    try:
        with gc_paused():  # the rows each worker sends are unpickled here: millions of tuples
            _write(tmp, files, table, fingerprint, progress)
        with open(tmp, "rb+") as handle:  # written without a journal: flush before the rename
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _unjs(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text and text != "[]" else ()


class _Writer:
    """Bulk insertion of normalised records; later duplicates of (source, id) replace earlier
    ones (an NVD 'modified' feed read after the yearly feeds wins)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.next_id = 1
        self.seen: dict[tuple[str, str], int] = {}
        self.superseded: list[int] = []

    def add(self, vulns: list[Vulnerability]) -> None:
        self.add_rows(record_rows(vulns, self.next_id))
        self.next_id += len(vulns)

    def add_rows(self, rows: Rows) -> None:
        """Insert rows made by record_rows (here or in a worker process)."""
        vuln_rows, cpe_rows, purl_rows = rows
        for row in vuln_rows:
            rowid, key = int(row[0]), (str(row[2]), str(row[1]))  # type: ignore[call-overload]
            previous = self.seen.get(key)  # (source, id)
            if previous is not None:
                self.superseded.append(previous)
            self.seen[key] = rowid
        self.conn.executemany(f"INSERT INTO vuln VALUES ({','.join('?' * 19)})", vuln_rows)
        self.conn.executemany(f"INSERT INTO cpe_affects VALUES ({','.join('?' * 12)})", cpe_rows)
        self.conn.executemany(f"INSERT INTO purl_affects VALUES ({','.join('?' * 13)})", purl_rows)

    def drop_superseded(self) -> None:
        if not self.superseded:
            return
        self.conn.execute("CREATE TEMP TABLE gone (id INTEGER PRIMARY KEY)")
        self.conn.executemany("INSERT OR IGNORE INTO gone VALUES (?)",
                              ((i,) for i in self.superseded))
        for table, column in (("vuln", "id"), ("cpe_affects", "vuln"), ("purl_affects", "vuln")):
            self.conn.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM gone)")


def _write(tmp: Path, files: list[Path], table: Table | None, fingerprint: str,
           progress: Callable[[str, int], Any] | None) -> None:
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a temporary file: the rename is the commit
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(_TABLES)
        conn.execute("BEGIN")
        writer = _Writer(conn)
        warnings: list[str] = []
        skipped = 0
        with _progress(progress, "indexing vulnerability data", len(files) + 1) as bar:
            for rows, found, dropped in read_all(files):
                writer.add_rows(rows)
                warnings.extend(found)
                skipped += dropped
                if bar is not None:
                    bar.advance()
            writer.next_id = curated_first_id(len(files))
            if table is not None:
                writer.add(list(table.advisories))
            if bar is not None:
                bar.advance()
        writer.drop_superseded()
        for statement in _INDEXES:
            conn.execute(statement)
        records = conn.execute("SELECT COUNT(*) FROM vuln").fetchone()[0]
        if len(warnings) > _MAX_WARNINGS:
            warnings[_MAX_WARNINGS:] = [f"... and {len(warnings) - _MAX_WARNINGS} more skipped records"]
        meta = {"schema_version": str(SCHEMA_VERSION), "inputs": fingerprint,
                "curated_first": str(curated_first_id(len(files))),
                "warnings": json.dumps(warnings), "records": str(records),
                "skipped": str(skipped),
                "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        conn.executemany("INSERT INTO zsec_meta VALUES (?, ?)", meta.items())
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()
