"""What the hostile suite finds in the areas other helpers own, as expected failures.

Each entry is one run of tests/hostile/test_hostile_runs.py (case :: command) that does not hold
yet, with the code site and what happens. They are marked `xfail(strict=True)`: when a fix makes
a run pass, the suite fails until its entry is removed here. Entries are grouped by the area (and
the issue) that owns the code. Nothing here is in zsec_west/files, keys, rules, check, tfm/boards,
tfm/workspace, cli/app.py, west_commands.py, errors.py, findings.py or versions.py: what the suite
found there is fixed.

The property tests (test_properties.py) keep their expected failures in PROPERTIES, each with an
explicit example that shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

BUILDDIR = "builddir (issue 10)"
SIGN = "sign (issue 11)"
MCUBOOT = "mcuboot (issue 11)"
SBOM = "sbom (issue 12)"

# run id -> (area, "site: what is wrong; what happens")
EXPECTED: dict[str, tuple[str, str]] = {
    'sys37/B/hello_world/zephyr/zephyr.signed.bin:symlink-loop::sign-build': (SIGN, "sign/signbuild.py:130: Path.resolve() of OUTFILE, a symlink loop (the build directory model no longer raises on it); exit 3, internal error RuntimeError"),
    'sys37/B/hello_world/zephyr/zephyr.bin:sparse-huge::sbom': (SBOM, 'sbom/hashing.py: images are hashed whole, without the 1 GiB image limit (a 64 GiB sparse zephyr.bin); killed by SIGXCPU after 10 s of CPU'),
    'sys37/B/hello_world/zephyr/zephyr.signed.bin:sparse-huge::sbom': (SBOM, 'sbom/hashing.py: images are hashed whole, without the 1 GiB image limit (a 64 GiB sparse zephyr.signed.bin); killed by SIGXCPU after 10 s of CPU'),
    'sys37/B/hello_world/zephyr/zephyr.map:whitespace-run::sbom': (SBOM, "sbom/linkmap.py:112: parse_link_map's _INPUT regex backtracks on a line with a long run of blanks; killed by SIGXCPU after 10 s of CPU"),
    'argv/sign -d huge:as-given::sign_-d_huge': (SIGN, 'cli/sign_images.py:41: -d VALUE: Path.is_dir() raises ENAMETOOLONG for a long value; exit 3, internal error OSError'),
    'argv/sign --sign-command-timeout inf:as-given::sign_--sign-command-timeout_inf': (SIGN, 'sign/commandsigner.py:117: --sign-command-timeout inf/nan reach subprocess.run(timeout=); exit 3, internal error OverflowError'),
    'argv/sign --sign-command-timeout nan:as-given::sign_--sign-command-timeout_nan': (SIGN, 'sign/commandsigner.py:117: --sign-command-timeout inf/nan reach subprocess.run(timeout=); exit 3, internal error ValueError'),
    'firmware/in.bin:garbage::sign': (SIGN, "sign/imagebuild.py:138: the input image's header-area error does not name the input file; exit 2, the error does not name the file: the first 512 bytes (header area) are not all zero (byte 0x0 is 0x70) "),
    'firmware/in.bin:garbage::sign-confirm': (SIGN, "sign/imagebuild.py:138: the input image's header-area error does not name the input file; exit 2, the error does not name the file: the first 512 bytes (header area) are not all zero (byte 0x0 is 0x70) "),
    'sys37/B/hello_world/zephyr/zephyr.bin:garbage::sign-build': (SIGN, "sign/imagebuild.py:138: the input image's header-area error does not name the input file; exit 2, the error does not name the file: the first 512 bytes (header area) are not all zero (byte 0x0 is 0x2a) "),
    'firmware/in.bin:empty::sign': (SIGN, "sign/imagebuild.py:195: the 'input shorter than the header' error does not name the input file; exit 2, the error does not name the file: input of 0 bytes is shorter than the header size 512"),
    'firmware/in.bin:empty::sign-confirm': (SIGN, "sign/imagebuild.py:195: the 'input shorter than the header' error does not name the input file; exit 2, the error does not name the file: input of 0 bytes is shorter than the header size 512"),
    'sys37/B/hello_world/zephyr/zephyr.bin:empty::sign-build': (SIGN, "sign/imagebuild.py:195: the 'input shorter than the header' error does not name the input file; exit 2, the error does not name the file: input of 0 bytes is shorter than the header size 512"),
    'sys37/B/hello_world/zephyr/.config:extra-args-key-tlv::sign-build': (SIGN, 'sign (plan/overrides): CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS="--custom-tlv-file 0xa0 <the signing key>" is obeyed (defect 1); exit 0, both images signed with the private key in TLV 0xa0, no warning'),
    'sys37/B/hello_world/zephyr/zephyr.dts:huge-cells::sign-build': (SIGN, 'sign/imagebuild.py:238: a 0xfff00000-byte slot in zephyr.dts with the confirmed image on: the image is padded to the slot in memory (defect 3); exit 3, internal error MemoryError (after a SystemError about exported buffers)'),
    'argv/sign -S huge --pad:as-given::sign_-S_huge_--pad': (SIGN, 'sign/imagebuild.py:238: the image is built whole and padded to -S: a 1.5 GiB input or -S 0xfff00000 --pad is a MemoryError; exit 3, internal error MemoryError'),
    'firmware/in.bin:sparse-huge::sign': (SIGN, 'sign/imagebuild.py:238: the image is built whole and padded to -S: a 1.5 GiB input or -S 0xfff00000 --pad is a MemoryError; exit 3, internal error MemoryError'),
    'firmware/in.bin:sparse-huge::sign-confirm': (SIGN, 'sign/imagebuild.py:238: the image is built whole and padded to -S: a 1.5 GiB input or -S 0xfff00000 --pad is a MemoryError; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr/zephyr.bin:sparse-huge::sign-build': (SIGN, "sign/imagebuild.py:204: a 64 GiB zephyr.bin is measured, not refused at the 1 GiB image limit, and the error does not name it; exit 2: payload of 68719476224 bytes does not fit a 32-bit size"),
    'paths/sign --fix-sig:dev-zero::sign_--fix-sig': (SIGN, 'sign/keyring.py:112: --fix-sig read with Path.read_bytes: no size limit, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'paths/sign --fix-sig:lone-surrogate::sign_--fix-sig': (SIGN, 'sign/keyring.py:112: --fix-sig read with Path.read_bytes: no size limit, NUL/surrogate paths; exit 3, internal error UnicodeEncodeError'),
    'paths/sign --fix-sig:nul-byte::sign_--fix-sig': (SIGN, 'sign/keyring.py:112: --fix-sig read with Path.read_bytes: no size limit, NUL/surrogate paths; exit 3, internal error ValueError'),
    'keys/key.pem:dev-zero::getpub': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'keys/key.pem:dev-zero::sign': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'keys/key.pem:dev-zero::verify': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'keys/key.pem:fifo::getpub': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; blocks (no CPU) until killed at 10 s'),
    'keys/key.pem:fifo::sign': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; blocks (no CPU) until killed at 10 s'),
    'keys/key.pem:fifo::verify': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; blocks (no CPU) until killed at 10 s'),
    'keys/key.pem:sparse-huge::getpub': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'keys/key.pem:sparse-huge::sign': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'keys/key.pem:sparse-huge::verify': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'paths/sign -k:dev-zero::sign_-k': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'paths/sign -k:lone-surrogate::sign_-k': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error UnicodeEncodeError'),
    'paths/sign -k:nul-byte::sign_-k': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error ValueError'),
    'paths/sign getpub -k:dev-zero::sign_getpub_-k': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'paths/sign getpub -k:lone-surrogate::sign_getpub_-k': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error UnicodeEncodeError'),
    'paths/sign getpub -k:nul-byte::sign_getpub_-k': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error ValueError'),
    'paths/sign verify -k:dev-zero::sign_verify_-k': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'paths/sign verify -k:lone-surrogate::sign_verify_-k': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error UnicodeEncodeError'),
    'paths/sign verify -k:nul-byte::sign_verify_-k': (SIGN, 'sign/keysource.py:94: PEM keys read with Path.read_bytes: no size limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error ValueError'),
    'keys/key.pem:p521::getpub': (SIGN, 'sign/keytools.py:101: getpub of a key type MCUboot does not support: KeyError; exit 3, internal error KeyError'),
    'keys/key.pem:rsa-1024::getpub': (SIGN, 'sign/keytools.py:101: getpub of a key type MCUboot does not support: KeyError; exit 3, internal error KeyError'),
    'keys/key.pem:rsa-4096::getpub': (SIGN, 'sign/keytools.py:101: getpub of a key type MCUboot does not support: KeyError; exit 3, internal error KeyError'),
    'keys/key.pem:secp256k1::getpub': (SIGN, 'sign/keytools.py:101: getpub of a key type MCUboot does not support: KeyError; exit 3, internal error KeyError'),
    'paths/sign keygen -k:name-too-long::sign_keygen_-k': (SIGN, 'sign/keytools.py:60: keygen -k: Path.exists() raises ENAMETOOLONG for a long name; exit 3, internal error OSError'),
    'paths/sign keygen -k:path-too-long::sign_keygen_-k': (SIGN, 'sign/keytools.py:60: keygen -k: Path.exists() raises ENAMETOOLONG for a long name; exit 3, internal error OSError'),
    'paths/sign --custom-tlv-file:dev-zero::sign_--custom-tlv-file': (SIGN, 'sign/overrides.py:102: --custom-tlv-file read with Path.read_bytes: no size limit, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'paths/sign --custom-tlv-file:lone-surrogate::sign_--custom-tlv-file': (SIGN, 'sign/overrides.py:102: --custom-tlv-file read with Path.read_bytes: no size limit, NUL/surrogate paths; exit 3, internal error UnicodeEncodeError'),
    'paths/sign --custom-tlv-file:nul-byte::sign_--custom-tlv-file': (SIGN, 'sign/overrides.py:102: --custom-tlv-file read with Path.read_bytes: no size limit, NUL/surrogate paths; exit 3, internal error ValueError'),
    'firmware-hex/in.hex:symlink-loop::sign': (SIGN, 'sign/signbuild.py:130: Path.resolve() of INFILE/OUTFILE: RuntimeError on a symlink loop, ValueError/UnicodeEncodeError on NUL/surrogates; exit 3, internal error RuntimeError'),
    'firmware/in.bin:symlink-loop::sign': (SIGN, 'sign/signbuild.py:130: Path.resolve() of INFILE/OUTFILE: RuntimeError on a symlink loop, ValueError/UnicodeEncodeError on NUL/surrogates; exit 3, internal error RuntimeError'),
    'firmware/in.bin:symlink-loop::sign-confirm': (SIGN, 'sign/signbuild.py:130: Path.resolve() of INFILE/OUTFILE: RuntimeError on a symlink loop, ValueError/UnicodeEncodeError on NUL/surrogates; exit 3, internal error RuntimeError'),
    'paths/sign INFILE:lone-surrogate::sign_INFILE': (SIGN, 'sign/signbuild.py:130: Path.resolve() of INFILE/OUTFILE: RuntimeError on a symlink loop, ValueError/UnicodeEncodeError on NUL/surrogates; exit 3, internal error UnicodeEncodeError'),
    'paths/sign INFILE:nul-byte::sign_INFILE': (SIGN, 'sign/signbuild.py:130: Path.resolve() of INFILE/OUTFILE: RuntimeError on a symlink loop, ValueError/UnicodeEncodeError on NUL/surrogates; exit 3, internal error ValueError'),
    'paths/sign INFILE:symlink-loop::sign_INFILE': (SIGN, 'sign/signbuild.py:130: Path.resolve() of INFILE/OUTFILE: RuntimeError on a symlink loop, ValueError/UnicodeEncodeError on NUL/surrogates; exit 3, internal error RuntimeError'),
    'paths/sign OUTFILE:lone-surrogate::sign_OUTFILE': (SIGN, 'sign/signbuild.py:130: Path.resolve() of INFILE/OUTFILE: RuntimeError on a symlink loop, ValueError/UnicodeEncodeError on NUL/surrogates; exit 3, internal error UnicodeEncodeError'),
    'paths/sign OUTFILE:nul-byte::sign_OUTFILE': (SIGN, 'sign/signbuild.py:130: Path.resolve() of INFILE/OUTFILE: RuntimeError on a symlink loop, ValueError/UnicodeEncodeError on NUL/surrogates; exit 3, internal error ValueError'),
    'paths/sign OUTFILE:symlink-loop::sign_OUTFILE': (SIGN, 'sign/signbuild.py:130: Path.resolve() of INFILE/OUTFILE: RuntimeError on a symlink loop, ValueError/UnicodeEncodeError on NUL/surrogates; exit 3, internal error RuntimeError'),
    'paths/sbom --vex:dev-zero::sbom_--vex': (SBOM, 'sbom/jsonfile.py:16: VEX (and SBOM) JSON read with Path.read_text + json.loads: no size, depth or integer limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'paths/sbom --vex:lone-surrogate::sbom_--vex': (SBOM, 'sbom/jsonfile.py:16: VEX (and SBOM) JSON read with Path.read_text + json.loads: no size, depth or integer limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error UnicodeEncodeError'),
    'paths/sbom --vex:nul-byte::sbom_--vex': (SBOM, 'sbom/jsonfile.py:16: VEX (and SBOM) JSON read with Path.read_text + json.loads: no size, depth or integer limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error ValueError'),
    'vex/vex.json:deep-nesting::vex': (SBOM, 'sbom/jsonfile.py:16: VEX (and SBOM) JSON read with Path.read_text + json.loads: no size, depth or integer limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error RecursionError'),
    'vex/vex.json:dev-zero::vex': (SBOM, 'sbom/jsonfile.py:16: VEX (and SBOM) JSON read with Path.read_text + json.loads: no size, depth or integer limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'vex/vex.json:fifo::vex': (SBOM, 'sbom/jsonfile.py:16: VEX (and SBOM) JSON read with Path.read_text + json.loads: no size, depth or integer limit, blocks on a FIFO, NUL/surrogate paths; blocks (no CPU) until killed at 10 s'),
    'vex/vex.json:huge-int::vex': (SBOM, 'sbom/jsonfile.py:16: VEX (and SBOM) JSON read with Path.read_text + json.loads: no size, depth or integer limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error ValueError'),
    'vex/vex.json:sparse-huge::vex': (SBOM, 'sbom/jsonfile.py:16: VEX (and SBOM) JSON read with Path.read_text + json.loads: no size, depth or integer limit, blocks on a FIFO, NUL/surrogate paths; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr/zephyr.map:fifo::sbom': (SBOM, 'sbom/linkmap.py:138: the link map is opened with Path.open(): blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'sys37/B/hello_world/zephyr/zephyr.map:dev-zero::sbom': (SBOM, 'sbom/linkmap.py:97: the link map is read without a size limit; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr/zephyr.map:sparse-huge::sbom': (SBOM, 'sbom/linkmap.py:97: the link map is read without a size limit; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr_modules.txt:whitespace-run::sbom': (SBOM, 'sbom/planner.py:66: Path.is_dir() on a module path from zephyr_modules.txt raises ENAMETOOLONG; exit 3, internal error OSError'),
    'tfm41/B/zephyr_modules.txt:whitespace-run::sbom': (SBOM, 'sbom/planner.py:66: Path.is_dir() on a module path from zephyr_modules.txt raises ENAMETOOLONG; exit 3, internal error OSError'),
    'sys37/B/hello_world/compile_commands.json:deep-nesting::sbom': (SBOM, 'sbom/sources.py:109: load_compile_commands: json.loads(Path.read_text()) without size or depth limit; exit 3, internal error RecursionError'),
    'sys37/B/hello_world/compile_commands.json:sparse-huge::sbom': (SBOM, 'sbom/sources.py:109: load_compile_commands: json.loads(Path.read_text()) without size or depth limit; exit 3, internal error MemoryError'),
    'tfm41/B/compile_commands.json:deep-nesting::sbom': (SBOM, 'sbom/sources.py:109: load_compile_commands: json.loads(Path.read_text()) without size or depth limit; exit 3, internal error RecursionError'),
    'tfm41/B/compile_commands.json:sparse-huge::sbom': (SBOM, 'sbom/sources.py:109: load_compile_commands: json.loads(Path.read_text()) without size or depth limit; exit 3, internal error MemoryError'),
    'tfm41/B/build.ninja:dev-zero::sbom': (SBOM, 'sbom/sources.py:148: read_build_ninja reads with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/build.ninja:fifo::sbom': (SBOM, 'sbom/sources.py:148: read_build_ninja reads with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/build.ninja:sparse-huge::sbom': (SBOM, 'sbom/sources.py:148: read_build_ninja reads with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr/zephyr.meta:fullwidth-digits::sbom': (SBOM, "sbom/spdx_writer.py:295: fullwidth digits in zephyr.meta reach an SPDX CPE; SPDX validation fails as a tool error (exit 3) not naming zephyr.meta; exit 2, the error does not name the file: SPDX document 'mcuboot' failed validation: externalPackageRef locator "),
    'tfm41/B/zephyr/zephyr.meta:fullwidth-digits::sbom': (SBOM, "sbom/spdx_writer.py:295: fullwidth digits in zephyr.meta reach an SPDX CPE; SPDX validation fails as a tool error (exit 3) not naming zephyr.meta; exit 2, the error does not name the file: SPDX document 'tfm_ipc' failed validation: externalPackageRef locator "),
    'sys37/B/zephyr_modules.txt:sparse-huge::sbom': (SBOM, 'sbom/vulns/findings.py:146: Locator reads zephyr_modules.txt with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'paths/sbom --db:name-too-long::sbom_--db': (SBOM, 'sbom/vulns/index.py:194: --db: Path.exists() raises ENAMETOOLONG; exit 3, internal error OSError'),
    'paths/sbom --db:path-too-long::sbom_--db': (SBOM, 'sbom/vulns/index.py:194: --db: Path.exists() raises ENAMETOOLONG; exit 3, internal error OSError'),
    'paths/sbom --db:lone-surrogate::sbom_--db': (SBOM, 'sbom/vulns/index.py:239: --db: a NUL byte or lone surrogate in the path reaches tempfile.mkstemp; exit 3, internal error UnicodeEncodeError'),
    'paths/sbom --db:nul-byte::sbom_--db': (SBOM, 'sbom/vulns/index.py:239: --db: a NUL byte or lone surrogate in the path reaches tempfile.mkstemp; exit 3, internal error ValueError'),
    'feeds/nvd.json:nvd-bad-record::nvd': (SBOM, "sbom/vulns/nvd.py:74: one NVD record whose 'descriptions' is not a list aborts the scan (defect 5); exit 3, internal error TypeError"),
    'osv/osv/OSV-2099-1.json:sparse-huge::osv': (SBOM, 'sbom/vulns/rows.py:113: a feed file beyond every limit is read whole in a worker: MemoryError; exit 3, internal error MemoryError'),
    'osv-zip/osv.zip:zip-bomb::osv-zip': (SBOM, 'sbom/vulns/sources.py:110: OSV zip members decompressed without a bound (defect 3); exit 3, internal error MemoryError'),
    'paths/sbom --vuln-data:name-too-long::sbom_--vuln-data': (SBOM, 'sbom/vulns/sources.py:24: --vuln-data: Path.is_dir() raises ENAMETOOLONG; exit 3, internal error OSError'),
    'paths/sbom --vuln-data:path-too-long::sbom_--vuln-data': (SBOM, 'sbom/vulns/sources.py:24: --vuln-data: Path.is_dir() raises ENAMETOOLONG; exit 3, internal error OSError'),
    'nvd-gz/nvd.json.gz:gz-bomb::nvd-gz': (SBOM, 'sbom/vulns/sources.py:65: .json.gz decompressed without a bound (defect 3); exit 3, internal error MemoryError'),
    'feeds/nvd.json:sparse-huge::nvd': (SBOM, 'sbom/vulns/sources.py:66: feed files read with Path.read_bytes: no size limit; exit 3, internal error MemoryError'),
    'feeds/nvd.json:deep-nesting::nvd': (SBOM, 'sbom/vulns/sources.py:74: json.loads without depth or integer limit (files/reading.loads_json has both); exit 3, internal error RecursionError'),
    'feeds/nvd.json:huge-int::nvd': (SBOM, 'sbom/vulns/sources.py:74: json.loads without depth or integer limit (files/reading.loads_json has both); exit 3, internal error ValueError'),
    'osv-zip/osv.zip:zip-member-deep::osv-zip': (SBOM, 'sbom/vulns/sources.py:74: json.loads without depth or integer limit (files/reading.loads_json has both); exit 3, internal error RecursionError'),

}

PROPERTIES: dict[str, str] = {
    "nvd": f"{SBOM}: sbom/vulns/nvd.py: a record whose 'descriptions' is not a list raises TypeError and ends "
           "the whole load (defect 5)",
}


def mark(run_id: str) -> list[Any]:
    """The xfail mark of a run of the hostile suite, if it is expected to fail."""
    found = EXPECTED.get(run_id)
    return [pytest.mark.xfail(strict=True, reason=f"{found[0]}: {found[1]}")] if found else []


def property_mark(name: str) -> Callable[[Any], Any]:
    reason = PROPERTIES.get(name)
    if reason is None:
        return lambda test: test
    return pytest.mark.xfail(strict=True, reason=reason)
