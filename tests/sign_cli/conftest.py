"""Fixtures for `zsec sign`: fresh keys, firmware stand-ins, an in-process runner and a SoftHSM token."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from zsec_west.sign import keytools

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
IMGTOOL = shutil.which("imgtool") or str(Path(sys.executable).with_name("imgtool"))


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def zsec(capsys, monkeypatch):
    """zsec(*args) -> Run: the real `zsec` front end, in process, never at a terminal."""
    from zsec_west.cli.app import main

    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str | Path) -> Run:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def run_subprocess(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None,
                   text: bool = True) -> subprocess.CompletedProcess:
    """`zsec ...` in a child process (for raw stdout and a stdin that is not a terminal)."""
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "zsec_west.cli.app", *map(str, args)], cwd=cwd or ROOT,
                          env=full_env, capture_output=True, text=text, stdin=subprocess.DEVNULL, timeout=120)


def imgtool(*args: str | Path) -> subprocess.CompletedProcess:
    if not Path(IMGTOOL).exists():
        pytest.skip("imgtool is not installed")
    return subprocess.run([IMGTOOL, *map(str, args)], capture_output=True, text=True, timeout=120)


def imgtool_inprocess(*args: str | Path) -> tuple[int, str]:
    """imgtool's click command run in this process (much faster than a child for many calls)."""
    try:
        from click.testing import CliRunner
        from imgtool.main import imgtool as imgtool_cli
    except ImportError:
        pytest.skip("imgtool is not installed")
    result = CliRunner().invoke(imgtool_cli, [str(a) for a in args])
    return result.exit_code, result.output


def imgtool_verifies(key: Path, image: Path) -> bool:
    """`imgtool verify -k KEY IMAGE` accepts the image."""
    code, output = imgtool_inprocess("verify", "-k", key, image)
    return code == 0 and "Image was correctly validated" in output


class FreshKeys:
    """keys["ecdsa-p256"] -> a private PEM made on first use and shared by the session."""

    def __init__(self, directory: Path):
        self.directory = directory

    def __getitem__(self, key_type: str) -> Path:
        path = self.directory / f"{key_type}.pem"
        if not path.exists():
            keytools.keygen(path, key_type)
        return path

    def public(self, key_type: str) -> Path:
        from cryptography.hazmat.primitives import serialization

        from zsec_west.keys.pem import load_public_key

        path = self.directory / f"{key_type}.pub.pem"
        if not path.exists():
            path.write_bytes(load_public_key(self[key_type]).public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        return path


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> FreshKeys:
    return FreshKeys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def firmware(tmp_path: Path) -> Path:
    """A Zephyr-like .bin: a zeroed 0x200-byte header area, then 3000 random-looking bytes."""
    path = tmp_path / "zephyr.bin"
    body = b"".join(hashlib.sha256(i.to_bytes(4, "little")).digest() for i in range(94))[:3000]
    path.write_bytes(bytes(0x200) + body)
    return path


def mcuboot_built_with(build: Path, key: Path) -> None:
    """Make a copy of the sysbuild fixture look as if its MCUboot had been built with `key`: its
    sysbuild and MCUboot key settings name it (the application's own setting is left alone)."""
    for config, name in ((build / "zephyr" / ".config", "SB_CONFIG_BOOT_SIGNATURE_KEY_FILE"),
                         (build / "mcuboot" / "zephyr" / ".config", "CONFIG_BOOT_SIGNATURE_KEY_FILE")):
        text, count = re.subn(rf"^{name}=.*$", f'{name}="{key}"', config.read_text(), flags=re.M)
        assert count == 1, (config, name)
        config.write_text(text)


def snapshot(*paths: Path) -> dict[Path, bytes | None]:
    return {p: p.read_bytes() if p.exists() else None for p in paths}


def files_in(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()}


@dataclass(frozen=True)
class Token:
    module: Path
    label: str
    pin: str
    conf: Path

    def uri(self, obj: str, **query: str) -> str:
        params = {"pin-value": self.pin, "module-path": str(self.module), **query}
        return f"pkcs11:token={self.label};object={obj}?" + "&".join(f"{k}={v}" for k, v in params.items() if v)


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory) -> Token:
    """A SoftHSM2 token in a temporary directory with an RSA-2048 (rsa), a P-256 (ec) and an
    Ed25519 (ed) key pair generated inside it; one token per test module (key generation is slow)."""
    util, tool = shutil.which("softhsm2-util"), shutil.which("pkcs11-tool")
    if not SOFTHSM_MODULE.exists() or util is None:
        pytest.skip("SoftHSM2 is not installed (libsofthsm2.so, softhsm2-util)")
    if tool is None:
        pytest.skip("pkcs11-tool (opensc) is not installed")
    base = tmp_path_factory.mktemp("softhsm")
    tokens = base / "tokens"
    tokens.mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = dict(os.environ, SOFTHSM2_CONF=str(conf))
    token = Token(SOFTHSM_MODULE, "zsec-test", "4711", conf)
    subprocess.run([util, "--init-token", "--free", "--label", token.label, "--pin", token.pin, "--so-pin", "0000"],
                   check=True, capture_output=True, env=env)
    for label, key_id, spec in (("rsa", "01", "rsa:2048"), ("ec", "02", "EC:prime256v1"), ("ed", "03", "EC:edwards25519")):
        done = subprocess.run([tool, "--module", str(SOFTHSM_MODULE), "--token-label", token.label, "--login",
                               "--pin", token.pin, "--keypairgen", "--key-type", spec, "--label", label, "--id", key_id],
                              capture_output=True, env=env, text=True)
        if done.returncode != 0 and label != "ed":
            raise AssertionError(done.stderr)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))  # SoftHSM reads it when the module is initialised
        yield token


def export_token_public_key(token: Token, label: str, dest: Path) -> Path:
    """The public key as pkcs11-tool reads it from the token (DER), saved as PEM for imgtool."""
    from cryptography.hazmat.primitives import serialization

    der = dest.with_suffix(".der")
    subprocess.run([shutil.which("pkcs11-tool") or "pkcs11-tool", "--module", str(token.module), "--token-label",
                    token.label, "--read-object", "--type", "pubkey", "--label", label, "-o", str(der)],
                   check=True, capture_output=True, env=dict(os.environ, SOFTHSM2_CONF=str(token.conf)))
    key = serialization.load_der_public_key(der.read_bytes())
    dest.write_bytes(key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return dest
