"""The vulnerability data a user points `--vuln-data` at: files, directories and zips of NVD
2.0 JSON feeds (optionally gzipped) and OSV records, found, fingerprinted and read."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Protocol

from zsec_west.errors import DataFileError
from zsec_west.files.reading import (
    MIB,
    exists,
    is_dir,
    is_file,
    limit_of,
    loads_json,
    open_input,
    os_problem,
    read_input,
    read_stream_limited,
)
from zsec_west.sbom.vulns.model import LoadResult
from zsec_west.sbom.vulns.nvd import is_nvd, read_nvd
from zsec_west.sbom.vulns.osv import is_osv, read_osv

_SUFFIXES = (".json", ".json.gz", ".zip")


def discover(paths: tuple[Path, ...]) -> list[Path]:
    """Every data file under `paths`, in a stable order. A missing path is an input error."""
    files: list[Path] = []
    for path in paths:
        if is_dir(path):
            found = sorted(p for p in path.rglob("*")
                           if is_file(p) and p.name.lower().endswith(_SUFFIXES)
                           and not p.name.startswith("."))
            if not found:  # a wrong directory must not pass as "no known vulnerabilities"
                raise DataFileError(f"no vulnerability data files ({', '.join(_SUFFIXES)}) in this "
                                    "directory", path=path)
            files.extend(found)
        elif exists(path):
            files.append(path)  # not a regular file: read() refuses it with the reason
        else:
            raise DataFileError("vulnerability data not found", path=path,
                                hint="pass an NVD 2.0 JSON feed, an OSV directory or an OSV .zip")
    # One file named twice (a link, a relative and an absolute path) is read once; messages
    # name it as given (a link to /dev/zero is reported as the link the user named).
    unique: dict[str, Path] = {}
    for found_path in files:
        unique.setdefault(os.path.realpath(found_path), Path(os.path.abspath(found_path)))
    return list(unique.values())


def fingerprint(files: list[Path]) -> list[str]:
    """What decides whether an index is still current: path, size and modification time."""
    result = []
    for path in files:
        try:
            stat = path.stat()
        except OSError as exc:
            raise DataFileError(os_problem(exc), path=path) from None
        result.append(f"{path}|{stat.st_size}|{stat.st_mtime_ns}")
    return result


def read(path: Path) -> LoadResult:
    """All records of one data file. Unreadable or non-JSON files raise DataFileError naming the
    file (and the zip member); a JSON file that is neither NVD nor OSV is skipped with a warning;
    a broken record is skipped, counted and named in a warning."""
    result = LoadResult()
    if path.name.lower().endswith(".zip"):
        _read_zip(path, result)
        return result
    data = loads_json(_read_bytes(path), path, DataFileError)
    _dispatch(data, str(path), result)
    return result


# Deflate expands text about 5 to 30 times (NVD and OSV JSON: 10 to 25); a bomb about 1,000
# times. Past BOMB_FLOOR bytes of output, more than BOMB_RATIO bytes out per byte in is refused
# long before the output limit, so that a small archive cannot fill memory.
BOMB_RATIO = 250
BOMB_FLOOR = 64 * MIB


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Bounded:
    """A decompressing stream that fails once its output passes the feed limit, or grows
    BOMB_RATIO times beyond what it consumed (`consumed()`: compressed bytes read so far)."""

    def __init__(self, stream: _Reader, consumed: Callable[[], int], source: str | Path,
                 what: str):
        self.stream, self.consumed, self.source, self.what = stream, consumed, source, what
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        block = self.stream.read(size)
        self.total += len(block)
        if self.total > BOMB_FLOOR and self.total > BOMB_RATIO * max(self.consumed(), 1):
            raise DataFileError(f"{self.what} expands more than {BOMB_RATIO} times (a "
                                "decompression bomb?); refusing it", path=self.source)
        return block


def _decompressed(stream: _Reader, consumed: Callable[[], int], source: str | Path,
                  what: str, chunk: int = 4 * MIB) -> bytes:
    bounded = _Bounded(stream, consumed, source, what)
    return read_stream_limited(bounded, limit_of("feed"), source, what, chunk=chunk)  # type: ignore[arg-type]


# A zip member's inflater reads as many compressed bytes as output was asked for: small steps
# keep what it consumed close to what it produced, so a bomb is caught near BOMB_FLOOR.
_ZIP_STEP = 64 * 1024


def _read_bytes(path: Path) -> bytes:
    if not path.name.lower().endswith(".gz"):
        return read_input(path, "feed", DataFileError)
    try:
        with open_input(path, "feed", DataFileError) as handle, \
                gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
            return _decompressed(unzipped, handle.tell, path, "the gzip data")
    except (OSError, EOFError, zlib.error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DataFileError(f"cannot read vulnerability data: {reason}", path=path) from None


def _dispatch(data, origin: str, result: LoadResult) -> None:
    if is_nvd(data):
        loaded = read_nvd(data, origin)
        result.vulnerabilities.extend(loaded.vulnerabilities)
        result.warnings.extend(loaded.warnings)
        result.skipped += loaded.skipped
    elif is_osv(data) or (isinstance(data, list) and all(isinstance(d, dict) for d in data)):
        read_osv(data, origin, result)
    else:
        result.warnings.append(f"{origin}: neither an NVD 2.0 feed nor an OSV record; ignored")


def _members(archive: zipfile.ZipFile) -> Iterator[zipfile.ZipInfo]:
    for info in archive.infolist():
        name = info.filename.lower()
        if not info.is_dir() and name.endswith((".json", ".json.gz")):
            yield info


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, origin: str,
                 handle: IO[bytes]) -> bytes:
    if info.file_size > limit_of("feed"):
        raise DataFileError(f"the archive member expands to more than "
                            f"{limit_of('feed') // MIB} MiB; refusing it", path=origin)
    with archive.open(info) as member:
        # The archive's file position is how far into this member the inflater has read.
        raw = _decompressed(member, lambda: handle.tell() - info.header_offset, origin,
                            "the archive member", _ZIP_STEP)
    if info.filename.lower().endswith(".gz"):
        inner = gzip.GzipFile(fileobj=io.BytesIO(raw), mode="rb")
        raw = _decompressed(inner, lambda: len(raw), origin, "the gzip data")
    return raw


def _read_zip(path: Path, result: LoadResult) -> None:
    try:
        with open_input(path, "feed", DataFileError) as handle:
            try:
                archive = zipfile.ZipFile(handle)
            except (OSError, zipfile.BadZipFile, EOFError) as exc:
                raise DataFileError(f"not a readable zip archive: {exc}", path=path) from None
            with archive:
                for info in _members(archive):
                    origin = f"{path}:{info.filename}"
                    try:
                        raw = _read_member(archive, info, origin, handle)
                    except (OSError, zipfile.BadZipFile, EOFError, zlib.error,
                            NotImplementedError, RuntimeError) as exc:
                        raise DataFileError(f"cannot read archive member: {exc}",
                                            path=origin) from None
                    _dispatch(loads_json(raw, origin, DataFileError), origin, result)
    except OSError as exc:
        raise DataFileError(f"cannot read vulnerability data: {os_problem(exc)}", path=path) from None
