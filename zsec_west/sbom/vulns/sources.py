"""The vulnerability data a user points `--vuln-data` at: files, directories and zips of NVD
2.0 JSON feeds (optionally gzipped) and OSV records, found, fingerprinted and read."""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from zsec_west.errors import DataFileError
from zsec_west.sbom.vulns.model import LoadResult
from zsec_west.sbom.vulns.nvd import is_nvd, read_nvd
from zsec_west.sbom.vulns.osv import is_osv, read_osv

_SUFFIXES = (".json", ".json.gz", ".zip")


def discover(paths: tuple[Path, ...]) -> list[Path]:
    """Every data file under `paths`, in a stable order. A missing path is an input error."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.name.lower().endswith(_SUFFIXES)
                           and not p.name.startswith("."))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise DataFileError("vulnerability data not found", path=path,
                                hint="pass an NVD 2.0 JSON feed, an OSV directory or an OSV .zip")
    return list(dict.fromkeys(p.resolve() for p in files))


def fingerprint(files: list[Path]) -> list[str]:
    """What decides whether an index is still current: path, size and modification time."""
    result = []
    for path in files:
        try:
            stat = path.stat()
        except OSError as exc:
            raise DataFileError(f"cannot read: {exc.strerror}", path=path) from None
        result.append(f"{path}|{stat.st_size}|{stat.st_mtime_ns}")
    return result


def read(path: Path) -> LoadResult:
    """All records of one data file. Unreadable or non-JSON files raise DataFileError naming the
    file (and the zip member); a JSON file that is neither NVD nor OSV is skipped with a warning."""
    result = LoadResult()
    if path.name.lower().endswith(".zip"):
        _read_zip(path, result)
        return result
    data = _load_json(path, _read_bytes(path), str(path))
    _dispatch(data, str(path), result)
    return result


def _read_bytes(path: Path) -> bytes:
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                return handle.read()
        return path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DataFileError(f"cannot read vulnerability data: {reason}", path=path) from None


def _load_json(path: Path, raw: bytes, origin: str):
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise DataFileError("not UTF-8 JSON", path=origin) from None
    except json.JSONDecodeError as exc:
        raise DataFileError(f"corrupt JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                            path=origin,
                            hint="the file is truncated or damaged; download it again") from None


def _dispatch(data, origin: str, result: LoadResult) -> None:
    if is_nvd(data):
        loaded = read_nvd(data, origin)
        result.vulnerabilities.extend(loaded.vulnerabilities)
        result.warnings.extend(loaded.warnings)
    elif is_osv(data) or (isinstance(data, list) and all(isinstance(d, dict) for d in data)):
        read_osv(data, origin, result)
    else:
        result.warnings.append(f"{origin}: neither an NVD 2.0 feed nor an OSV record; ignored")


def _members(archive: zipfile.ZipFile) -> Iterator[zipfile.ZipInfo]:
    for info in archive.infolist():
        name = info.filename.lower()
        if not info.is_dir() and name.endswith((".json", ".json.gz")):
            yield info


def _read_zip(path: Path, result: LoadResult) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataFileError(f"not a readable zip archive: {exc}", path=path) from None
    with archive:
        for info in _members(archive):
            origin = f"{path}:{info.filename}"
            try:
                raw = archive.read(info)
                if info.filename.lower().endswith(".gz"):
                    raw = gzip.decompress(raw)
            except (OSError, zipfile.BadZipFile, EOFError, gzip.BadGzipFile) as exc:
                raise DataFileError(f"cannot read archive member: {exc}", path=origin) from None
            _dispatch(_load_json(path, raw, origin), origin, result)
