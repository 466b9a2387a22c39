"""Licence and copyright tags of file headers, and the one-read hashing of files."""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zsec_west.sbom import hashing
from zsec_west.sbom.hashing import FileFacts, Unreadable, hash_files, read_facts, read_image_facts
from zsec_west.sbom.licenses import combine, license_ref_id, parse_license, scan_header, symbols


def test_header_with_license_and_several_notices():
    data = (b"/*\n * Copyright (c) 2018 Intel Corporation\n * Copyright 2020 NXP\n"
            b" * SPDX-FileCopyrightText: 2022 Foo Ltd\n *\n"
            b" * SPDX-License-Identifier: Apache-2.0\n */\nint x;\n")
    assert scan_header(data) == ("Apache-2.0", ("Copyright (c) 2018 Intel Corporation",
                                                "Copyright 2020 NXP", "Copyright 2022 Foo Ltd"))


def test_licence_text_is_not_mistaken_for_a_notice():
    data = (b"/* Copyright The Zephyr Project Contributors\n"
            b" * Redistributions of source code must retain the above\n"
            b" * copyright notice, this list of conditions\n"
            b" * SPDX-License-Identifier: BSD-3-Clause */\n")
    assert scan_header(data) == ("BSD-3-Clause", ("Copyright The Zephyr Project Contributors",))


@pytest.mark.parametrize("line,expected", [
    (b"# SPDX-License-Identifier: MIT\n", "MIT"),
    (b"// SPDX-License-Identifier: (Apache-2.0 OR MIT)\n", "(Apache-2.0 OR MIT)"),
    (b"/* SPDX-License-Identifier: GPL-2.0 */\n", "GPL-2.0"),
    (b"<!-- SPDX-License-Identifier: CC-BY-4.0 -->\r\n", "CC-BY-4.0"),
    (b"SPDX-License-Identifier:\n", None),
])
def test_tag_forms(line, expected):
    assert scan_header(line)[0] == expected


def test_only_the_first_20_lines_count():
    late = b"\n" * 20 + b"// SPDX-License-Identifier: MIT\n// Copyright (c) 2020 Late\n"
    assert scan_header(late) == (None, ())
    early = b"\n" * 19 + b"// SPDX-License-Identifier: MIT\n"
    assert scan_header(early)[0] == "MIT"


def _scan_line_by_line(data: bytes) -> tuple[str | None, tuple[str, ...]]:
    """The header scan as the convention states it, one line at a time (the reference the fast
    scan, which searches the whole header at once, must agree with)."""
    lines = data[:8192].split(b"\n")[:20]
    end = re.compile(r"\s*(\*/|-->|\*\)|\*+|#+)\s*$")
    tag = re.search(rb"SPDX-License-Identifier:[ \t]*([^\r\n]*)", b"\n".join(lines))
    license_text = end.sub("", tag.group(1).decode("utf-8", "replace")).strip() or None if tag \
        else None
    notice = re.compile(rb"^[\s/*#;!%'\"-]*((?:SPDX-FileCopyrightText:|copyright\b|\(c\)|\xc2\xa9)"
                        rb"[^\r\n]*)", re.I)
    licence_words = re.compile(r"^copyright\s+(notice|notices|holder|holders|owner|owners|and|"
                               r"law|laws|statement|license|licence|to|of|is|in|for)\b", re.I)
    notices: list[str] = []
    for raw in lines:
        found = notice.match(raw)
        if not found:
            continue
        line = end.sub("", found.group(1).decode("utf-8", "replace")).strip()
        if line.startswith("SPDX-FileCopyrightText:"):
            line = line.split(":", 1)[1].strip()
            if not line.lower().startswith(("copyright", "(c)", "©")):
                line = f"Copyright {line}"
        if line and not licence_words.match(line) and line not in notices:
            notices.append(line)
    return license_text, tuple(notices)


_HEADER_PARTS = [b"\n", b"\r\n", b" * ", b"// ", b"# ", b"/*", b"*/", b"  ", b"\t", b"-", b"\xc2\xa9 ",
                 b"Copyright ", b"copyright notice", b"COPYRIGHT (c) ", b"(C) 2020 ", b"(c)", b"Acme",
                 b"SPDX-FileCopyrightText: ", b"SPDX-License-Identifier: ", b"MIT", b"Apache-2.0 ",
                 b"OR ", b"x" * 40, b"\xff", b"\n\n\n\n\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_HEADER_PARTS), max_size=60), st.binary(max_size=30))
def test_header_scan_agrees_with_the_line_by_line_reading(parts, noise):
    data = b"".join(parts) + noise
    assert scan_header(data) == _scan_line_by_line(data)
    padded = b"x" * 8170 + data  # a header cut at the byte limit
    assert scan_header(padded) == _scan_line_by_line(padded)


def test_expressions_are_normalised_and_unknown_ids_become_references():
    assert parse_license("GPL-2.0").text == "GPL-2.0-only"
    assert parse_license("apache-2.0").text == "Apache-2.0"
    assert parse_license("GPL-2.0+").text == "GPL-2.0-or-later"
    unknown = parse_license("Acme-1.0 OR MIT")
    assert unknown.text == "LicenseRef-Acme-1.0 OR MIT"
    assert unknown.refs == (("LicenseRef-Acme-1.0", "Acme-1.0"),)
    broken = parse_license("Apache-2.0 AND")
    assert broken.text.startswith("LicenseRef-") and broken.refs[0][1] == "Apache-2.0 AND"
    assert parse_license("   ") is None
    assert license_ref_id("weird id/with spaces") == "LicenseRef-weird-id-with-spaces"


def test_combined_package_licence_and_its_symbols():
    combined = combine([parse_license("Apache-2.0"), parse_license("BSD-3-Clause OR MIT"),
                        parse_license("Apache-2.0"), parse_license("Foo")])
    assert combined.text == "Apache-2.0 AND (BSD-3-Clause OR MIT) AND LicenseRef-Foo"
    assert [str(s) for s in symbols(combined)] == ["Apache-2.0", "BSD-3-Clause",
                                                    "LicenseRef-Foo", "MIT"]
    with_exception = parse_license("GPL-3.0-or-later WITH GCC-exception-3.1")
    assert [str(s) for s in symbols(with_exception)] == \
        ["GPL-3.0-or-later WITH GCC-exception-3.1"]
    assert combine([]) is None


def test_facts_match_hashlib_and_header(tmp_path):
    path = tmp_path / "a.c"
    data = b"/* Copyright (c) 2024 Me\n * SPDX-License-Identifier: MIT */\n" + os.urandom(5000)
    path.write_bytes(data)
    facts = read_facts(str(path))
    assert isinstance(facts, FileFacts)
    assert facts.sha1 == hashlib.sha1(data).hexdigest()
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert (facts.size, facts.license, facts.copyrights) == (len(data), "MIT",
                                                            ("Copyright (c) 2024 Me",))


def test_big_files_are_read_in_blocks_with_the_same_digest(tmp_path):
    path = tmp_path / "big.a"
    data = os.urandom(3 * (1 << 20) + 17)
    path.write_bytes(data)
    facts = read_facts(str(path))
    assert facts.sha256 == hashlib.sha256(data).hexdigest() and facts.size == len(data)


@pytest.mark.parametrize("size", [0, 5000, 3 * (1 << 20) + 17])
def test_image_facts_add_sha512_from_the_same_read(tmp_path, size):
    path = tmp_path / "zephyr.signed.bin"
    data = os.urandom(size)
    path.write_bytes(data)
    facts, sha512 = read_image_facts(str(path))
    assert sha512 == hashlib.sha512(data).hexdigest()
    assert facts == read_facts(str(path)) and facts.sha256 == hashlib.sha256(data).hexdigest()
    assert read_image_facts(str(tmp_path / "gone.bin")) == (
        Unreadable(str(tmp_path / "gone.bin"), "missing"), None)


def test_unreadable_inputs_are_reported_not_raised(tmp_path):
    (tmp_path / "dir.h").mkdir()
    (tmp_path / "dangling.h").symlink_to(tmp_path / "nowhere")
    assert read_facts(str(tmp_path / "missing.c")) == Unreadable(str(tmp_path / "missing.c"),
                                                                 "missing")
    assert read_facts(str(tmp_path / "dir.h")).reason in ("not a regular file",
                                                          "unreadable: Is a directory")
    assert read_facts(str(tmp_path / "dangling.h")).reason == "missing"
    assert read_facts(str(tmp_path / "missing" / "under" / "file.c")).reason == "missing"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_permission_denied(tmp_path):
    path = tmp_path / "secret.c"
    path.write_text("x")
    path.chmod(0)
    assert read_facts(str(path)).reason.startswith("unreadable: ")


@pytest.mark.parametrize("workers", [1, 4])
def test_hash_files_reads_each_path_once_and_reports_progress(tmp_path, workers):
    paths = []
    for number in range(300):
        path = tmp_path / f"f{number}.h"
        path.write_bytes(f"// SPDX-License-Identifier: MIT\nint v{number};\n".encode())
        paths.append(str(path))
    paths.append(str(tmp_path / "gone.h"))
    seen: list[int] = []
    results = hash_files(paths + paths[:10], workers=workers, progress=seen.append)
    assert sum(seen) == len(paths) == len(results)
    assert isinstance(results[str(tmp_path / "gone.h")], Unreadable)
    sample = Path(paths[7]).read_bytes()
    assert results[paths[7]].sha1 == hashlib.sha1(sample).hexdigest()
    assert hash_files([]) == {}


def _many(tmp_path, count=300):
    paths = []
    for number in range(count):
        path = tmp_path / f"g{number}.c"
        path.write_bytes(f"/* Copyright (c) {number} Me\n * SPDX-License-Identifier: MIT */\n".encode()
                         + os.urandom(number * 13))
        paths.append(str(path))
    return paths + [str(tmp_path / "gone.c")]


def _after_the_helper_starts(monkeypatch, tmp_path, paths):
    """A helper for `paths` (else skip), a `meanwhile` that returns once the helper has hashed
    a chunk, and the paths this process hashed."""
    monkeypatch.setattr(hashing, "_SPLIT_FROM", 10)
    monkeypatch.setattr(hashing, "_spare_cpu", lambda: len(os.sched_getaffinity(0)) >= 2)
    if not hashing._can_split(len(paths)):
        pytest.skip("a helper process needs Linux and two CPUs")
    tmp_path.mkdir()
    parent, marker, here = os.getpid(), tmp_path / "helper-started", []
    batch = hashing._batch

    def recording(paths):
        if os.getpid() == parent:
            here.extend(paths)
            return batch(paths)
        found = batch(paths)
        marker.touch()
        return found

    def meanwhile():
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    monkeypatch.setattr(hashing, "_batch", recording)
    return meanwhile, here


def test_a_forked_helper_shares_the_chunks(tmp_path, monkeypatch):
    paths = _many(tmp_path)
    meanwhile, here = _after_the_helper_starts(monkeypatch, tmp_path / "marks", paths)
    seen: list[int] = []
    results = hash_files(paths, progress=seen.append, meanwhile=meanwhile)
    assert list(results) == paths and sum(seen) == len(paths)
    assert 0 < len(paths) - len(here) and set(here) < set(paths)  # the helper did its part
    assert results == hash_files(paths, workers=1)
    assert isinstance(results[paths[-1]], Unreadable)


def test_a_failing_helper_leaves_no_file_out(tmp_path, monkeypatch):
    paths = _many(tmp_path, 200)
    meanwhile, here = _after_the_helper_starts(monkeypatch, tmp_path / "marks", paths)

    def broken(facts):  # only the helper flattens facts (to send them)
        raise RuntimeError("helper breaks")

    monkeypatch.setattr(hashing, "_flat", broken)
    seen: list[int] = []
    assert hash_files(paths, progress=seen.append, meanwhile=meanwhile) == \
        hash_files(paths, workers=1)
    assert sum(seen) == len(paths) and set(here) == set(paths)  # all of it here in the end


def test_meanwhile_runs_once_whoever_hashes(tmp_path):
    calls: list[int] = []
    for workers in (None, 1, 3):
        hash_files([str(tmp_path / "x")], workers=workers, meanwhile=lambda: calls.append(1))
    hash_files([], meanwhile=lambda: calls.append(1))
    assert calls == [1, 1, 1, 1]


@pytest.mark.parametrize("cpus,load,spare", [(2, 1.0, True), (2, 1.6, False), (1, 0.0, False),
                                             (4, 3.2, True), (4, 3.6, False)])
def test_a_helper_only_where_a_cpu_is_to_spare(monkeypatch, cpus, load, spare):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert hashing._spare_cpu() is spare
