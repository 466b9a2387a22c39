"""The SBOM's best-effort sources (issue 15): the CMake file API reply, the dependency log and
.d files, the SDK's sdk_version, module version files, an advisory table, configuration headers,
source files. What is missing or not text stays unknown, as before; a FIFO, /dev/zero or a file
beyond the limit is never waited for nor read whole: it is an error naming the file, or where the
source has a place for what could not be read (SBOM gaps, dependency problems), said there."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.hostile.harness import deadline
from zsec_west.errors import BuildDirError, DataFileError
from zsec_west.files import reading
from zsec_west.sbom.cconfig import ConfigUnknown, defined_macros
from zsec_west.sbom.deps import collect_deps
from zsec_west.sbom.gitinfo import read_at
from zsec_west.sbom.hashing import Unreadable, read_facts
from zsec_west.sbom.sources import load_codemodel
from zsec_west.sbom.toolchain import sdk_version
from zsec_west.sbom.vulns import curated


def _fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)  # nobody writes to it: a blocking open would wait forever
    return path


def test_a_file_api_reply_that_is_no_file_is_named(tmp_path: Path):
    reply = tmp_path / ".cmake" / "api" / "v1" / "reply"
    index = _fifo(reply / "index-2024.json")
    with deadline(20), pytest.raises(BuildDirError, match="FIFO") as caught:
        load_codemodel(tmp_path)
    assert str(caught.value).startswith(f"{index}: ")
    index.unlink()
    # The index names the codemodel file; an absolute name leaves the reply directory.
    index.write_text(json.dumps({"objects": [{"kind": "codemodel", "jsonFile": "/dev/zero"}]}))
    with deadline(20), pytest.raises(BuildDirError, match="is a device"):
        load_codemodel(tmp_path)
    for content in ("[" * 100_000, "1" * 5000, "\xff"):  # not JSON we can take: unknown, as before
        index.write_text(content, encoding="latin-1")
        assert load_codemodel(tmp_path) is None


def test_a_dependency_log_beyond_the_limit_is_a_problem_not_a_read(tmp_path: Path, monkeypatch):
    (tmp_path / "CMakeFiles").mkdir()
    (tmp_path / "CMakeFiles" / "main.c.obj.d").write_text("main.c.obj: /src/main.c /src/a.h\n")
    with open(tmp_path / ".ninja_deps", "wb") as log:
        log.truncate(2048)
    monkeypatch.setitem(reading.LIMITS, "build", 1024)
    found = collect_deps(tmp_path)
    assert found.source == ".d files" and found.deps == {"main.c.obj": ["/src/main.c", "/src/a.h"]}
    assert found.problem is not None and found.problem.startswith(".ninja_deps: is larger than")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_d_file_that_is_no_file_is_left_out_and_said(tmp_path: Path, kind: str):
    (tmp_path / "CMakeFiles").mkdir()
    (tmp_path / "CMakeFiles" / "main.c.obj.d").write_text("main.c.obj: /src/main.c\n")
    hostile = tmp_path / "CMakeFiles" / "other.c.obj.d"
    if kind == "fifo":
        _fifo(hostile)
    else:
        hostile.symlink_to("/dev/zero")
    with deadline(20):
        found = collect_deps(tmp_path)
    assert found.deps == {"main.c.obj": ["/src/main.c"]}
    assert found.problem is not None and str(hostile) in found.problem
    assert ("FIFO" if kind == "fifo" else "device") in found.problem


def test_sdk_version_and_module_version_files(tmp_path: Path):
    sdk = tmp_path / "zephyr-sdk-0.16.8"
    _fifo(sdk / "sdk_version")
    with deadline(20), pytest.raises(BuildDirError, match="FIFO"):
        sdk_version(str(sdk))
    (sdk / "sdk_version").unlink()
    (sdk / "sdk_version").write_bytes(b"\xff\xfe")  # not text: the directory's name says it
    assert sdk_version(str(sdk)) == "0.16.8"
    (sdk / "sdk_version").write_text("0.17.0\n")
    assert sdk_version(str(sdk)) == "0.17.0"
    module = tmp_path / "module"
    _fifo(module / "VERSION")
    with deadline(20), pytest.raises(BuildDirError, match="FIFO"):
        read_at(module, "VERSION", None)
    assert read_at(module, "missing.h", None) is None


def test_an_advisory_table_that_is_no_file_is_named(tmp_path: Path):
    table = _fifo(tmp_path / "advisories.yaml")
    with deadline(20), pytest.raises(DataFileError, match="FIFO") as caught:
        curated.load(table)
    assert str(caught.value).startswith(f"{table}: ")


def test_a_configuration_header_that_is_no_file_is_unknown(tmp_path: Path):
    header = _fifo(tmp_path / "config.h")
    with deadline(20), pytest.raises(ConfigUnknown, match="FIFO"):
        defined_macros(header, {})
    big = tmp_path / "big.h"
    with open(big, "wb") as handle:
        handle.truncate(5 << 20)
    with pytest.raises(ConfigUnknown, match="larger than 4 MiB"):
        defined_macros(big, {})


def test_a_source_file_that_is_a_fifo_is_not_hashed(tmp_path: Path):
    with deadline(20):
        facts = read_facts(str(_fifo(tmp_path / "main.c")))
    assert facts == Unreadable(str(tmp_path / "main.c"), "not a regular file")
