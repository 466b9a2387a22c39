"""TF-M output images (signed by the real imgtool) and the signing keys of a build."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from intelhex import IntelHex

from tests.hostile.harness import deadline
from tests.tfm.conftest import imgtool_sign, set_cache, set_kconfig
from zsec_west.builddir import load_build
from zsec_west.findings import Status
from zsec_west.tfm.analysis import analyse
from zsec_west.tfm.catalogue import tfm_findings
from zsec_west.tfm.images import collect_images, read_output


def analysis_of(build_dir: Path):
    build = load_build(build_dir)
    return analyse(build, build.domain("tfm"))


def by_rule(analysis, rule_id: str) -> list:
    return [f for f in tfm_findings(analysis.build, analysis.domain, analysis) if f.rule.id == rule_id]


def own_key(tmp_path: Path) -> Path:
    imgtool = shutil.which("imgtool")
    if imgtool is None:
        pytest.skip("imgtool is not installed")
    key = tmp_path / "own-p256.pem"
    subprocess.run([imgtool, "keygen", "-k", str(key), "-t", "ecdsa-p256"], check=True,
                   capture_output=True, timeout=60)
    return key


def test_signed_secure_image_with_the_dev_key(tfm_build, devkeys, payload):
    out = tfm_build / "tfm" / "bin" / "tfm_s_signed.bin"
    out.parent.mkdir(parents=True, exist_ok=True)
    imgtool_sign(devkeys / "tf-m" / "root-EC-P256.pem", payload, out, version="1.2.3+4",
                 counter="7")
    analysis = analysis_of(tfm_build)
    [image] = analysis.images.images
    assert image.role == "tfm/tfm_s_signed.bin" and image.size == out.stat().st_size
    [signed] = image.images
    assert signed.version == "1.2.3+4"
    assert signed.security_counter == 7
    assert signed.sw_type == "SPE"
    assert signed.key_source == "PUBKEY" and signed.key_type == "ecdsa-p256"
    assert signed.key_sha256 == "e30466f6b8470c1f29070b17f1e2d3e94d445e3f608087fdc711e4382bb538b6"
    assert "root-EC-P256.pem" in signed.dev_key
    assert signed.hash_ok is True and signed.signature_ok is True
    [finding] = by_rule(analysis, "TFM-IMAGE-DEV-KEY")
    assert finding.status is Status.FAIL
    assert finding.subject == "image:tfm/tfm_s_signed.bin"
    assert "SPE v1.2.3+4" in finding.message


def test_image_signed_with_an_own_key_passes(tfm_build, payload, tmp_path):
    out = tfm_build / "zephyr" / "zephyr_ns_signed.bin"
    imgtool_sign(own_key(tmp_path), payload, out, boot_record="NSPE")
    analysis = analysis_of(tfm_build)
    [signed] = analysis.images.images[0].images
    assert signed.dev_key is None and signed.sw_type == "NSPE"
    [finding] = by_rule(analysis, "TFM-IMAGE-DEV-KEY")
    assert finding.status is Status.PASS


def test_merged_hex_holds_both_images(tfm_build, devkeys, payload, tmp_path):
    secure = imgtool_sign(devkeys / "tf-m" / "root-EC-P256.pem", payload, tmp_path / "s.bin")
    nonsecure = imgtool_sign(devkeys / "tf-m" / "root-EC-P256_1.pem", payload, tmp_path / "ns.bin",
                             boot_record="NSPE", version="2.0.0")
    merged = IntelHex()
    merged.frombytes(bytes(range(256)) * 16, offset=0x10000000)  # a stand-in BL2, not an image
    merged.frombytes(secure.read_bytes(), offset=0x10080000)
    merged.frombytes(nonsecure.read_bytes(), offset=0x00100000)
    target = tfm_build / "zephyr" / "tfm_merged.hex"
    merged.write_hex_file(str(target))
    image = read_output("tfm_merged.hex", target)
    assert len(image.hex_ranges) == 3
    found = {(s.offset, s.sw_type, s.version) for s in image.images}
    assert found == {(0x10080000, "SPE", "0.0.0+0"), (0x00100000, "NSPE", "2.0.0+0")}
    ns = next(s for s in image.images if s.sw_type == "NSPE")
    assert "root-EC-P256_1.pem" in ns.dev_key
    failures = [f for f in by_rule(analysis_of(tfm_build), "TFM-IMAGE-DEV-KEY")
                if f.status is Status.FAIL]
    assert {f.subject for f in failures} == {"image:tfm_merged.hex@0x10080000",
                                             "image:tfm_merged.hex@0x100000"}


def test_older_install_outputs_layout_is_probed(tfm_build, devkeys, payload):
    out = tfm_build / "tfm" / "install" / "outputs" / "AN521" / "tfm_s_signed.bin"
    out.parent.mkdir(parents=True)
    imgtool_sign(devkeys / "tf-m" / "root-EC-P256.pem", payload, out)
    roles = [i.role for i in analysis_of(tfm_build).images.images]
    assert roles == ["tfm/tfm_s_signed.bin"]


def test_garbled_signed_image_is_a_note(tfm_build):
    (tfm_build / "zephyr" / "tfm_s_signed.bin").write_bytes(b"\x12" * 4096)
    analysis = analysis_of(tfm_build)
    assert analysis.images.images[0].problem == "no MCUboot image header found"
    assert any("tfm_s_signed.bin: no MCUboot image header found" in n for n in analysis.notes)


def test_key_files_judged_by_content_when_readable(tfm_build, devkeys, tmp_path):
    set_cache(tfm_build / "tfm" / "CMakeCache.txt",
              MCUBOOT_KEY_S=str(devkeys / "tf-m" / "root-EC-P256.pem"),
              MCUBOOT_KEY_NS=str(own_key(tmp_path)))
    analysis = analysis_of(tfm_build)
    keys = {k.role: k for k in analysis.keys}
    assert keys["S"].method == "content" and "root-EC-P256.pem" in keys["S"].dev_key
    assert keys["S"].setting == "tfm/CMakeCache.txt MCUBOOT_KEY_S"
    assert keys["NS"].method == "content" and keys["NS"].dev_key is None
    statuses = {f.subject: f.status for f in by_rule(analysis, "TFM-DEV-KEY")}
    assert statuses == {"key:S": Status.FAIL, "key:NS": Status.PASS}


def test_key_files_by_name_when_not_on_this_machine(tfm_build):
    # The fixture's paths are stale (/home/dev/...): the names are TF-M's default key names.
    analysis = analysis_of(tfm_build)
    keys = {k.role: k for k in analysis.keys}
    assert keys["S"].method == "file name" and keys["NS"].method == "file name"
    [s_finding] = [f for f in by_rule(analysis, "TFM-DEV-KEY") if f.subject == "key:S"]
    assert s_finding.status is Status.FAIL
    assert "by its file name root-EC-P256.pem" in s_finding.message
    assert s_finding.location is not None and s_finding.location.path.endswith(".config")


def test_unknown_key_name_is_not_applicable(tfm_build):
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", MCUBOOT_KEY_S="/secret/vault/product-s.pem",
              MCUBOOT_KEY_NS="/secret/vault/product-ns.pem")
    statuses = {f.subject: f.status for f in by_rule(analysis_of(tfm_build), "TFM-DEV-KEY")}
    assert statuses == {"key:S": Status.NOT_APPLICABLE, "key:NS": Status.NOT_APPLICABLE}


def test_exported_public_key_identifies_a_stale_key_path(tfm_build, devkeys, tmp_path):
    imgtool = shutil.which("imgtool") or pytest.skip("imgtool is not installed")
    bin_dir = tfm_build / "tfm" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    key = own_key(tmp_path)
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", MCUBOOT_KEY_S="/gone/root-EC-P256.pem")
    subprocess.run([imgtool, "getpub", "-k", str(key), "-e", "pem", "-o",
                    str(bin_dir / "image_s_signing_public_key.pem")], check=True,
                   capture_output=True, timeout=60)
    analysis = analysis_of(tfm_build)
    keys = {k.role: k for k in analysis.keys}
    # Its name says development key, but the key TF-M exported is our own: content wins.
    assert keys["S"].method == "exported public key" and keys["S"].dev_key is None
    assert {k.role for k in analysis.images.public_keys} == {"S"}


def test_single_image_layout_has_one_key(tfm_build):
    set_cache(tfm_build / "tfm" / "CMakeCache.txt", MCUBOOT_IMAGE_NUMBER="1")
    set_kconfig(tfm_build, TFM_MCUBOOT_IMAGE_NUMBER="1")
    analysis = analysis_of(tfm_build)
    assert [k.role for k in analysis.keys] == ["S"]


def test_collect_images_without_outputs(tfm_build):
    build = load_build(tfm_build)
    assert collect_images(build.default).images == []


def test_an_output_that_is_no_file_or_scattered_hex_is_described_not_read_whole(tmp_path):
    """issue 15: an output replaced by a FIFO is a problem of that output, not a hang; a .hex is
    read by segments (hexio), its ranges as the records place them."""
    fifo = tmp_path / "tfm_merged.hex"
    os.mkfifo(fifo)
    with deadline(20):
        output = read_output("tfm_merged.hex", fifo)
    assert output.problem is not None and "FIFO" in output.problem
    scattered = IntelHex()
    scattered.frombytes(b"\x11" * 16, offset=0)
    scattered.frombytes(b"\x22" * 16, offset=0xFFFFFFF0)  # 4 GiB apart
    path = tmp_path / "tfm_s_zephyr_ns.hex"
    scattered.tofile(str(path), "hex")
    output = read_output("tfm_s_zephyr_ns.hex", path)
    assert output.problem is None and output.hex_ranges == ((0, 16), (0xFFFFFFF0, 16))
