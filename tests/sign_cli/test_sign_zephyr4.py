"""`zsec sign --build-dir` on the Zephyr 4.1.99 sysbuild build, against the imgtool command that
build itself ran (its POST_BUILD step in hello_world/build.ninja)."""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.conftest import BUILDS, SHARED
from tests.sign_cli.conftest import imgtool_inprocess, imgtool_verifies
from zsec_west.mcuboot.header import ImageHeader

FIXTURE = BUILDS["mcuboot-sysbuild-4.1"]
RECORDED = FIXTURE / "hello_world" / "imgtool-sign.cmdline"
REAL_BUILDS_DOC = SHARED / "docs" / "real-builds.md"


def build_command() -> list[str]:
    """The build's own `imgtool.py sign ... zephyr.bin zephyr.signed.bin`: from build.ninja when the
    copy has it, else as recorded beside it from the real build.ninja (the copy is trimmed)."""
    ninja = (FIXTURE / "hello_world" / "build.ninja").read_text(encoding="utf-8")
    found = re.search(r"\S*imgtool\.py sign [^&\n]*zephyr\.signed\.bin", ninja)
    text = found.group(0) if found else RECORDED.read_text(encoding="utf-8")
    words = shlex.split(text)
    return words[words.index("sign") + 1:]


def option(words: list[str], name: str) -> str:
    return words[words.index(name) + 1]


def test_recorded_command_is_the_one_the_real_build_ran():
    if not REAL_BUILDS_DOC.is_file():
        pytest.skip("the shared notes on the real builds are not beside the project")
    doc = REAL_BUILDS_DOC.read_text(encoding="utf-8")
    section = doc[doc.index("### Signing command in build.ninja"):]
    block = section[section.index("```") + 3:]
    block = block[:block.index("```")]
    assert " ".join(block.split()) == " ".join(RECORDED.read_text(encoding="utf-8").split())


@pytest.fixture
def rsa_devkey() -> Path:
    key = SHARED / "fixtures" / "devkeys" / "mcuboot" / "root-rsa-2048.pem"
    if not key.is_file():
        pytest.skip("the shared development keys are not beside the project")
    return key


def _copy(tmp_path: Path) -> Path:
    build = tmp_path / "mcuboot-sysbuild"
    shutil.copytree(FIXTURE, build)
    # A stand-in for the binary the copy leaves out: the ROM start offset (header area) zeroed as
    # the linker leaves it, then a payload that is not a multiple of the alignment, on purpose.
    (build / "hello_world" / "zephyr" / "zephyr.bin").write_bytes(bytes(0x200) + bytes(range(251)) * 97)
    return build


def _signature_window(ours: bytes, theirs: bytes) -> list[int]:
    """Offsets where two signatures of the same image differ (RSA-PSS is randomised)."""
    assert len(ours) == len(theirs)
    return [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]


@pytest.mark.parametrize("pad", [False, True], ids=["as-built", "padded"])
def test_sign_from_the_41_build_matches_its_own_imgtool_command(zsec, tmp_path, rsa_devkey, pad):
    words = build_command()
    header_size = int(option(words, "--header-size"), 0)
    slot_size = int(option(words, "--slot-size"), 0)
    align = int(option(words, "--align"), 0)
    assert (header_size, slot_size, align) == (0x200, 483328, 4)  # what the 4.1.99 build used
    build = _copy(tmp_path)
    extra = ["--pad"] if pad else []
    run = zsec("sign", "--build-dir", build, "-k", rsa_devkey, "--allow-dev-key", *extra)
    assert run.code == 0, run.err
    signed = build / "hello_world" / "zephyr" / "zephyr.signed.bin"
    assert imgtool_verifies(rsa_devkey, signed)
    ours = signed.read_bytes()
    header = ImageHeader.unpack(ours)[0]
    assert header.hdr_size == header_size
    # Real imgtool, with the build's own options, on the same input.
    theirs_path = tmp_path / "imgtool.signed.bin"
    code, output = imgtool_inprocess(
        "sign", "--version", option(words, "--version"), "--header-size", option(words, "--header-size"),
        "--slot-size", option(words, "--slot-size"), "--align", option(words, "--align"), *extra,
        "--key", rsa_devkey, build / "hello_world" / "zephyr" / "zephyr.bin", theirs_path)
    assert code == 0, output
    theirs = theirs_path.read_bytes()
    differing = _signature_window(ours, theirs)
    assert differing and differing[-1] - differing[0] < 256  # only the RSA-2048 signature differs
    if pad:  # the slot size and the alignment shape the trailer at the end of the slot
        assert len(ours) == slot_size and ours[-16:] == theirs[-16:]


def test_copy_is_read_and_written_not_the_original(zsec, tmp_path, rsa_devkey):
    """domains.yaml names absolute paths; with the original there too, only the copy is used."""
    original = tmp_path / "original"
    shutil.copytree(FIXTURE, original)
    (original / "hello_world" / "zephyr" / "zephyr.bin").write_bytes(bytes(0x200) + b"\x55" * 4096)
    config = original / "hello_world" / "zephyr" / ".config"
    config.write_text(config.read_text().replace('CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION="0.0.0+0"',
                                                 'CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION="9.9.9+9"'))
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in original.rglob("*") if p.is_file()}
    copy = _copy(tmp_path)
    domains = copy / "domains.yaml"
    domains.write_text(domains.read_text().replace("/home/dev/zephyrproject/builds/mcuboot-sysbuild",
                                                   str(original)))
    assert str(original / "hello_world") in domains.read_text()
    run = zsec("sign", "--build-dir", copy, "-k", rsa_devkey, "--allow-dev-key")
    assert run.code == 0, run.err
    assert "outside" not in run.err
    signed = copy / "hello_world" / "zephyr" / "zephyr.signed.bin"
    assert str(ImageHeader.unpack(signed.read_bytes())[0].version) == "0.0.0+0"  # the copy's .config
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in original.rglob("*") if p.is_file()}
    assert after == before  # nothing read into the result, nothing written there


def test_a_domain_only_the_recorded_path_has_is_named(zsec, tmp_path, rsa_devkey):
    original = tmp_path / "original"
    shutil.copytree(FIXTURE, original)
    (original / "hello_world" / "zephyr" / "zephyr.bin").write_bytes(bytes(0x200) + b"\x01" * 4096)
    copy = _copy(tmp_path)
    shutil.rmtree(copy / "hello_world")
    domains = copy / "domains.yaml"
    domains.write_text(domains.read_text().replace("/home/dev/zephyrproject/builds/mcuboot-sysbuild",
                                                   str(original)))
    run = zsec("sign", "--build-dir", copy, "-k", rsa_devkey, "--allow-dev-key")
    assert run.code == 0, run.err
    assert f"is read from {original / 'hello_world'}" in run.err
    assert f"writing {original / 'hello_world' / 'zephyr' / 'zephyr.signed.bin'}, outside" in run.err
