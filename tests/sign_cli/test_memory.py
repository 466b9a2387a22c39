"""`zsec sign` holds one copy of the firmware (issue 4): the .bin is read straight into the image
buffer, which is written out as is; --manifest hashes the input file in chunks instead of keeping it."""

from __future__ import annotations

import hashlib
import json
import os
import tracemalloc
from pathlib import Path

import pytest

MIB = 1 << 20
ARGS = ("-H", "0x200", "--pad-header", "-S", hex(5 * MIB), "-v", "1.2.3")


def _peak(run) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("extra", [(), ("--pad",), ("--manifest", "MANIFEST")])
def test_sign_reads_the_input_into_the_output_buffer(zsec, keys, tmp_path: Path, extra):
    infile, outfile = tmp_path / "in.bin", tmp_path / "out.bin"
    data = os.urandom(4 * MIB)
    infile.write_bytes(data)
    key = keys["ecdsa-p256"]
    extra = tuple(tmp_path / "m.json" if arg == "MANIFEST" else arg for arg in extra)
    zsec("sign", "-k", key, *ARGS, infile, tmp_path / "warm.bin")  # imports and caches outside the count
    run, peak = _peak(lambda: zsec("sign", "-k", key, *ARGS, *extra, infile, outfile))
    assert run.code == 0, run.err
    out = outfile.read_bytes()
    assert out[0x200:0x200 + len(data)] == data
    assert len(out) <= peak < len(out) + MIB // 2  # one image, not input + image (+ a copy to write)
    assert zsec("sign", "verify", "-k", key, outfile).code == 0


def test_manifest_still_records_the_input(zsec, keys, tmp_path: Path):
    infile, outfile, manifest = tmp_path / "in.bin", tmp_path / "out.bin", tmp_path / "m.json"
    data = os.urandom(MIB)
    infile.write_bytes(data)
    run = zsec("sign", "-k", keys["ecdsa-p256"], *ARGS, "--manifest", manifest, infile, outfile)
    assert run.code == 0, run.err
    entry = json.loads(manifest.read_text())["images"][0]
    assert entry["input"] == {"path": str(infile), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert entry["output"]["sha256"] == hashlib.sha256(outfile.read_bytes()).hexdigest()
