"""Signing as a library call (sign/signbuild.py): no command line, no argparse, the same images."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.sign_cli.conftest import files_in, imgtool, imgtool_inprocess
from tests.sign_cli.test_plan import APP, app_config, set_config
from tests.sign_cli.test_sign_build import ALIGN, HEADER, SLOT, header_fields, sysbuild  # noqa: F401
from zsec_west.errors import BuildDirError, KeyFileError, UsageError
from zsec_west.keys.encoding import Fingerprint
from zsec_west.keys.pem import load_public_key
from zsec_west.sign.overrides import ImageOverrides
from zsec_west.sign.request import Outputs, SignBuildRequest, SignFileRequest, Signing
from zsec_west.sign.signbuild import sign_build, sign_file

# What a script does: sign a sysbuild build with one key, then say what was written and which
# modules the call needed (argparse and the command-line package must not be among them).
LIBRARY_SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from zsec_west.sign.request import SignBuildRequest, Signing
    from zsec_west.sign.signbuild import sign_build

    run = sign_build(SignBuildRequest(build_dir=Path(sys.argv[1]), signing=Signing(key=sys.argv[2])))
    print(json.dumps({
        "outputs": [{"domain": o.domain, "variant": o.variant, "output": str(o.output), "size": o.size,
                     "version": o.version, "key_type": o.key_type, "key_sha256": o.key_sha256}
                    for o in run.outputs],
        "warnings": list(run.warnings),
        "argparse": "argparse" in sys.modules,
        "cli": sorted(m for m in sys.modules if m.startswith("zsec_west.cli") or m.startswith("west")),
    }))
""")


def test_a_script_signs_a_sysbuild_build_without_argparse(sysbuild: Path, keys):  # noqa: F811
    set_config(app_config(sysbuild), MCUBOOT_GENERATE_CONFIRMED_IMAGE="y")
    key = keys["rsa-2048"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", LIBRARY_SCRIPT, str(sysbuild), str(key)], cwd=sysbuild.parent,
                          env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["argparse"] is False and result["cli"] == []
    zdir = sysbuild / APP / "zephyr"
    plain, confirmed = zdir / "zephyr.signed.bin", zdir / "zephyr.signed.confirmed.bin"
    fingerprint = Fingerprint.of(load_public_key(key)).sha256
    assert [(o["domain"], o["variant"], o["output"], o["version"], o["key_type"], o["key_sha256"])
            for o in result["outputs"]] == [
        (APP, "signed", str(plain), "0.0.0+0", "rsa-2048", fingerprint),
        (APP, "signed.confirmed", str(confirmed), "0.0.0+0", "rsa-2048", fingerprint)]
    for path in (plain, confirmed):
        checked = imgtool("verify", "-k", key, path)  # the real imgtool executable
        assert checked.returncode == 0 and "Image was correctly validated" in checked.stdout, checked.stderr
        assert header_fields(path.read_bytes())[2] == HEADER  # ih_hdr_size
    data = confirmed.read_bytes()
    assert len(data) == SLOT == result["outputs"][1]["size"]
    # align 4 -> max_align 8: the 16-byte magic ends the slot, image_ok sits 8 bytes before it
    assert ALIGN == 4 and data[-16:] == bytes.fromhex("77c295f360d2ef7f3552500f2cb67980")
    assert data[-24] == 0x01 and data[-23:-16] == b"\xff" * 7


def test_nothing_is_written_when_one_image_fails(sysbuild: Path, keys, tmp_path: Path):  # noqa: F811
    """The encrypted variant's key is missing: the plain variant, built first, is not written either."""
    set_config(app_config(sysbuild), MCUBOOT_ENCRYPTION_KEY_FILE=f'"{tmp_path / "absent.pem"}"')
    with pytest.raises(KeyFileError, match="absent.pem"):
        sign_build(SignBuildRequest(sysbuild, signing=Signing(key=str(keys["rsa-2048"]))))
    assert not {"zephyr.signed.bin", "zephyr.signed.encrypted.bin"} & files_in(sysbuild / APP / "zephyr")


def test_overrides_win_over_extra_args_which_win_over_the_build(sysbuild: Path, keys):  # noqa: F811
    set_config(app_config(sysbuild), MCUBOOT_EXTRA_IMGTOOL_ARGS='"--version 2.0.0 --security-counter=7 -M64"')
    run = sign_build(SignBuildRequest(sysbuild, signing=Signing(key=str(keys["rsa-2048"])),
                                      overrides=ImageOverrides(version="3.1.4")))
    assert [o.version for o in run.outputs] == ["3.1.4+0"]
    info = json.loads(subprocess.run([sys.executable, "-m", "zsec_west.cli.app", "sign", "info", "--format", "json",
                                      run.outputs[0].output], capture_output=True, text=True,
                                     env=dict(os.environ, PYTHONPATH=str(ROOT))).stdout)
    counter = [t for a in info["tlv_areas"] for t in a["tlvs"] if t["name"] == "SEC_CNT"]
    assert counter[0]["security_counter"] == 7


def test_bad_extra_args_name_the_setting(sysbuild: Path, keys):  # noqa: F811
    set_config(app_config(sysbuild), MCUBOOT_EXTRA_IMGTOOL_ARGS='"--align 3"')
    with pytest.raises(BuildDirError) as caught:
        sign_build(SignBuildRequest(sysbuild, signing=Signing(key=str(keys["rsa-2048"]))))
    text = str(caught.value)
    assert "CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS in" in text and "--align" in text and "\n" not in text


def test_sign_file_is_imgtool_sign(tmp_path: Path, keys, firmware: Path):
    ours, theirs = tmp_path / "ours.bin", tmp_path / "theirs.bin"
    key = keys["ed25519"]
    code, output = imgtool_inprocess("sign", "-k", key, "-H", "0x200", "-S", "0x20000", "-v", "1.2.3+4", "--pad",
                                     firmware, theirs)
    assert code == 0, output
    run = sign_file(SignFileRequest(firmware, ours, Signing(key=str(key)),
                                    ImageOverrides(header_size=0x200, slot_size=0x20000, version="1.2.3+4",
                                                   pad=True)))
    assert ours.read_bytes() == theirs.read_bytes()
    (out,) = run.outputs
    assert (out.variant, out.size, out.signed, out.key_type) == ("explicit", 0x20000, True, "ed25519")


def test_sign_file_names_every_missing_parameter(tmp_path: Path, firmware: Path):
    with pytest.raises(UsageError, match="missing -S/--slot-size, -v/--version"):
        sign_file(SignFileRequest(firmware, tmp_path / "o.bin", overrides=ImageOverrides(header_size=0x200)))
    assert not (tmp_path / "o.bin").exists()


def test_vector_and_manifest_outputs(tmp_path: Path, keys, firmware: Path):
    basic = ImageOverrides(header_size=0x200, slot_size=0x20000, version="1.0.0")
    vector = tmp_path / "vector.bin"
    run = sign_file(SignFileRequest(firmware, vector, Signing(fixed_signature_pubkey=keys.public("ecdsa-p256")),
                                    basic, outputs=Outputs(vector_to_sign="digest")))
    assert run.images == () and run.outputs[0].vector == "digest" and len(vector.read_bytes()) == 32
    manifest = tmp_path / "m.json"
    run = sign_file(SignFileRequest(firmware, tmp_path / "o.bin", overrides=basic,
                                    outputs=Outputs(manifest=manifest)))
    assert len(run.hash_only) == 1 and run.manifest == manifest
    assert json.loads(manifest.read_text())["images"][0]["key"] is None


def test_explicit_signing_loads_no_build_model():
    """`zsec sign -H .. -S .. -v .. IN OUT` starts without the build-directory model."""
    script = ("import sys, zsec_west.cli.sign_images, zsec_west.sign.signbuild; "
              "print(sorted(m for m in sys.modules if m.startswith('zsec_west.builddir')))")
    done = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr
