"""`--sign-command`: an external program signs what it gets on stdin; its answer is checked."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

import pytest

from tests.sign_cli.conftest import imgtool_verifies, snapshot
from tests.sign_cli.test_bad_input import assert_refused
from zsec_west.errors import ToolError
from zsec_west.keys.pem import load_public_key
from zsec_west.mcuboot.signatures import SignRequest
from zsec_west.sign.commandsigner import CommandSigner, signature_candidates

BASIC = ("-H", "0x200", "-S", "0x20000", "-v", "1.0.0")

# A stand-in signing service: signs stdin with a PEM key the way the contract says.
SIGNER = r'''
import base64, os, sys, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
mode = sys.argv[2]
data = sys.stdin.buffer.read()
if mode == "fail":
    sys.stderr.write("HSM says no\n"); sys.exit(3)
if mode == "sleep":
    time.sleep(30)
if mode == "garbage":
    sys.stdout.buffer.write(b"\x30\x45" + os.urandom(69)); sys.exit(0)
if mode == "empty":
    sys.exit(0)
assert os.environ["ZSEC_SIGN_INPUT"] in ("payload", "digest")
alg = hashes.SHA384() if os.environ["ZSEC_SIGN_HASH"] == "sha384" else hashes.SHA256()
if isinstance(key, rsa.RSAPrivateKey):
    sig = key.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
elif isinstance(key, ec.EllipticCurvePrivateKey):
    sig = key.sign(data, ec.ECDSA(alg))
    if mode == "rs":
        r, s = utils.decode_dss_signature(sig)
        size = (key.curve.key_size + 7) // 8
        sig = r.to_bytes(size, "big") + s.to_bytes(size, "big")
else:
    assert len(data) == 32 or os.environ["ZSEC_SIGN_INPUT"] == "payload"
    sig = key.sign(data)
sys.stdout.buffer.write(base64.b64encode(sig) + b"\n" if mode == "b64" else sig)
'''


@pytest.fixture(scope="module")
def signer_script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signer") / "signer.py"
    path.write_text(SIGNER)
    return path


def command(script: Path, key: Path, mode: str) -> str:
    return shlex.join([sys.executable, str(script), str(key), mode])


@pytest.mark.parametrize("key_type,mode", [("rsa-2048", "raw"), ("ecdsa-p256", "raw"), ("ecdsa-p384", "b64"),
                                           ("ecdsa-p256", "rs"), ("ed25519", "raw"), ("ed25519", "b64")])
def test_command_signs_images_imgtool_accepts(zsec, tmp_path, keys, firmware, signer_script, key_type, mode):
    out = tmp_path / "out.bin"
    run = zsec("sign", "--sign-command", command(signer_script, keys[key_type], mode),
               "--sign-command-pubkey", keys.public(key_type), *BASIC, firmware, out)
    assert run.code == 0, run.err
    assert imgtool_verifies(keys.public(key_type), out)


def test_pure_ed25519_gets_the_payload(zsec, tmp_path, keys, firmware, signer_script):
    out = tmp_path / "out.bin"
    run = zsec("sign", "--sign-command", command(signer_script, keys["ed25519"], "raw"), "-k", keys.public("ed25519"),
               *BASIC, "--pure", firmware, out)
    assert run.code == 0, run.err
    assert imgtool_verifies(keys.public("ed25519"), out)


def test_the_same_image_as_with_the_key_itself(zsec, tmp_path, keys, firmware, signer_script):
    """Ed25519 is deterministic: the command path must produce exactly the PEM path's bytes."""
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    assert zsec("sign", "-k", keys["ed25519"], *BASIC, firmware, a).code == 0
    assert zsec("sign", "--sign-command", command(signer_script, keys["ed25519"], "raw"), "-k",
                keys.public("ed25519"), *BASIC, firmware, b).code == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_dgst_works_as_documented(zsec, tmp_path, keys, firmware):
    out = tmp_path / "out.bin"
    cmd = f"openssl dgst -sha256 -sign {keys['ecdsa-p256']}"
    assert zsec("sign", "--sign-command", cmd, "-k", keys.public("ecdsa-p256"), *BASIC, firmware, out).code == 0
    assert imgtool_verifies(keys.public("ecdsa-p256"), out)
    rsa_out = tmp_path / "rsa.bin"
    cmd = (f"openssl dgst -sha256 -sign {keys['rsa-2048']} -sigopt rsa_padding_mode:pss "
           "-sigopt rsa_pss_saltlen:32")
    assert zsec("sign", "--sign-command", cmd, "-k", keys.public("rsa-2048"), *BASIC, firmware, rsa_out).code == 0
    assert imgtool_verifies(keys.public("rsa-2048"), rsa_out)


@pytest.mark.parametrize("mode,needle", [("fail", "exit code 3: HSM says no"), ("garbage", "not a valid ecdsa-p256"),
                                         ("empty", "printed no signature")])
def test_failing_commands(zsec, tmp_path, keys, firmware, signer_script, mode, needle):
    outdir = tmp_path / "out"
    outdir.mkdir()
    before = snapshot(firmware)
    run = zsec("sign", "--sign-command", command(signer_script, keys["ecdsa-p256"], mode),
               "-k", keys.public("ecdsa-p256"), *BASIC, firmware, outdir / "o.bin")
    assert_refused(run, outdir, before, needle, code=3)


def test_signature_by_another_key_is_rejected(zsec, tmp_path, keys, firmware, signer_script):
    outdir = tmp_path / "out"
    outdir.mkdir()
    other = tmp_path / "other.pem"
    from zsec_west.sign import keytools
    keytools.keygen(other, "ecdsa-p256")
    run = zsec("sign", "--sign-command", command(signer_script, other, "raw"), "-k", keys.public("ecdsa-p256"),
               *BASIC, firmware, outdir / "o.bin")
    assert_refused(run, outdir, snapshot(firmware), "not a valid", code=3)


def test_timeout_and_missing_program(keys, signer_script):
    public = load_public_key(keys.public("ed25519"))
    request = SignRequest(b"x" * 64, bytes(32), "sha256")
    slow = CommandSigner([sys.executable, str(signer_script), str(keys["ed25519"]), "sleep"], public, timeout=0.5)
    with pytest.raises(ToolError, match="did not finish within 0.5 s"):
        slow.sign(request)
    with pytest.raises(ToolError, match="not found"):
        CommandSigner("/no/such/signer --flag", public).sign(request)


def test_command_needs_a_public_key(zsec, tmp_path, firmware, signer_script, keys):
    run = zsec("sign", "--sign-command", command(signer_script, keys["ed25519"], "raw"), *BASIC, firmware,
               tmp_path / "o.bin")
    assert run.code == 2 and "--sign-command-pubkey" in run.err and not (tmp_path / "o.bin").exists()


def test_signature_candidates_decode_base64_and_raw_rs():
    assert signature_candidates(b"AAEC\n", "ed25519")[0] == b"\x00\x01\x02"
    raw = bytes(range(64))
    decoded = signature_candidates(raw, "ecdsa-p256")
    assert raw in decoded and any(c.startswith(b"\x30") for c in decoded)
