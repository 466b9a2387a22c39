"""Key-type errors name the key file they are about (issue 15): with several keys on a command
line, "X25519 keys cannot sign" alone does not say which one."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x25519

from zsec_west.errors import KeyFileError, UsageError
from zsec_west.mcuboot.encryption import check_key_families
from zsec_west.mcuboot.signatures import signing_key_type


@pytest.mark.parametrize("key,problem", [
    (x25519.X25519PrivateKey.generate().public_key(), "X25519 keys cannot sign"),
    (ec.generate_private_key(ec.SECP521R1()).public_key(), "ecdsa-secp521r1 keys are not supported"),
    (rsa.generate_private_key(65537, 1024).public_key(), "rsa-1024 keys are not supported"),
])
def test_signing_key_type_names_the_key_file(key, problem):
    with pytest.raises(KeyFileError, match=problem) as caught:
        signing_key_type(key, "keys/odd.pem")
    assert str(caught.value).startswith("keys/odd.pem: ")
    with pytest.raises(KeyFileError) as unnamed:  # without a source, as before
        signing_key_type(key)
    assert unnamed.value.path is None


def test_key_family_mismatch_names_the_encryption_key_file():
    signer = ec.generate_private_key(ec.SECP256R1()).public_key()
    enc = x25519.X25519PrivateKey.generate().public_key()
    with pytest.raises(UsageError, match=r"signing \(ecdsa-p256\) and encryption \(x25519\)") as caught:
        check_key_families(signer, enc, "enc.pem")
    assert str(caught.value).startswith("enc.pem: ")
