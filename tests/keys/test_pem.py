"""Loading PEM keys: what goes wrong is said the way it is (issue 15, defect 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from zsec_west.cli.app import main
from zsec_west.errors import KeyFileError
from zsec_west.keys.pem import load_private_key, load_public_key


def _key(tmp_path: Path, password: bytes | None, fmt=serialization.PrivateFormat.PKCS8) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    path = tmp_path / "key.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, fmt, encryption))
    return path


@pytest.mark.parametrize("fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL])
def test_an_encrypted_key_with_an_empty_passphrase_says_so(tmp_path, fmt):
    """cryptography takes b"" for "no passphrase"; we used to say "key is not encrypted"."""
    path = _key(tmp_path, b"secret", fmt)
    with pytest.raises(KeyFileError, match="key is encrypted and the passphrase given is empty"):
        load_private_key(path, b"")
    with pytest.raises(KeyFileError, match="key is encrypted"):
        load_public_key(path, b"")


def test_an_empty_passphrase_variable_at_the_command_line(tmp_path, capsys, monkeypatch):
    path = _key(tmp_path, b"secret")
    monkeypatch.setenv("ZSEC_TEST_PW", "")
    assert main(["sign", "getpub", "-k", str(path), "--key-password-env", "ZSEC_TEST_PW"]) == 2
    err = capsys.readouterr().err
    assert err == f"zsec sign: error: {path}: key is encrypted and the passphrase given is empty\n"


def test_passphrases_that_do_not_fit(tmp_path):
    encrypted = _key(tmp_path, b"secret")
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_private_key(encrypted, b"not it")
    assert isinstance(load_private_key(encrypted, b"secret"), ec.EllipticCurvePrivateKey)
    plain = _key(tmp_path, None)
    with pytest.raises(KeyFileError, match="key is not encrypted but a passphrase was given"):
        load_private_key(plain, b"secret")
    assert isinstance(load_private_key(plain, b""), ec.EllipticCurvePrivateKey)  # empty: none given
