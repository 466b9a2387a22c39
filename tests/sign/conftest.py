"""Shared fixtures for the MCUboot image tests: throwaway keys and the real imgtool as an oracle."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519

# The `shared` directory beside the repository holds published development keys (never copied here).
DEVKEYS = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "devkeys"

KEY_TYPES = ("rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519", "x25519")


def _generate(kind: str):
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[4:]))
    if kind == "ecdsa-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ecdsa-p384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return x25519.X25519PrivateKey.generate()


@dataclass(frozen=True)
class KeyPair:
    """A generated key and its PEM files (private PKCS#8 and public SPKI), as imgtool reads them."""

    kind: str
    private: object
    private_pem: Path
    public_pem: Path

    @property
    def public(self):
        return self.private.public_key()


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> dict[str, KeyPair]:
    """One key of every type, generated once per session (RSA generation is the slow part).

    "enc-rsa" is a second RSA-2048 key, so signing and encryption use different keys."""
    root = tmp_path_factory.mktemp("keys")
    out: dict[str, KeyPair] = {}
    for name, kind in [*((k, k) for k in KEY_TYPES), ("enc-rsa", "rsa-2048"), ("enc-p256", "ecdsa-p256")]:
        key = _generate(kind)
        priv = root / f"{name}.pem"
        pub = root / f"{name}.pub.pem"
        priv.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo))
        out[name] = KeyPair(kind, key, priv, pub)
    return out


def payload(size: int, seed: int = 1, zero_header: int = 0) -> bytes:
    """Deterministic pseudo-random firmware, optionally starting with `zero_header` zero bytes."""
    body = random.Random(seed).randbytes(size - zero_header)
    return bytes(zero_header) + body


def imgtool_cmd() -> list[str]:
    """The installed imgtool, run with this interpreter (works inside a venv)."""
    return [sys.executable, "-m", "imgtool.main"]


# Runs many imgtool invocations in one interpreter: the same click entry point as the console
# script, without paying ~0.25 s of start-up per call.
_BATCH_DRIVER = r"""
import contextlib, io, json, sys, traceback
import click
from imgtool.main import imgtool
results = []
for argv in json.load(sys.stdin):
    out = io.StringIO()
    rc = 0
    with contextlib.redirect_stdout(out):
        try:
            imgtool.main(args=argv, prog_name="imgtool", standalone_mode=False)
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 1
        except click.ClickException as exc:
            rc = exc.exit_code
            out.write("Error: " + exc.format_message())
        except Exception:
            rc = 99
            out.write(traceback.format_exc())
    results.append({"rc": rc, "out": out.getvalue()})
json.dump(results, sys.stdout)
"""


def run_imgtool_batch(argvs: list[list[str]], cwd: Path | None = None) -> list[dict]:
    """Run each argv through imgtool's CLI; returns [{"rc": int, "out": str}] in order."""
    if not argvs:
        return []
    proc = subprocess.run(
        [sys.executable, "-c", _BATCH_DRIVER], input=json.dumps(argvs), capture_output=True, text=True,
        cwd=cwd, timeout=600, env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"imgtool batch driver failed: {proc.stderr}")
    return json.loads(proc.stdout)


def run_imgtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """One real `imgtool` command-line invocation in a fresh process."""
    return subprocess.run([*imgtool_cmd(), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture(scope="session")
def devkeys_dir() -> Path:
    if not DEVKEYS.is_dir():
        pytest.skip(f"published development keys not available (expected {DEVKEYS})")
    return DEVKEYS


class Imgtool:
    """The oracle: `batch` for many invocations in one process, `run` for one fresh process."""

    batch = staticmethod(run_imgtool_batch)
    run = staticmethod(run_imgtool)
    cmd = staticmethod(imgtool_cmd)


@pytest.fixture(scope="session")
def imgtool() -> Imgtool:
    try:
        import imgtool as _imgtool  # noqa: F401
    except ImportError:
        pytest.skip("imgtool (the reference implementation) is not installed")
    return Imgtool()


@pytest.fixture(scope="session")
def make_payload():
    return payload
