"""Custom TLVs never carry private key material (issue 15, defect 1): whoever supplies the TLV
content (a build's EXTRA_IMGTOOL_ARGS or the command line), a private key inside a signed image
is public the moment the image ships."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.sign.conftest import payload
from zsec_west.errors import InputError
from zsec_west.sign.overrides import ImageOverrides
from zsec_west.sign.request import SignFileRequest, Signing
from zsec_west.sign.signbuild import sign_file

HEADER, SLOT = 0x200, 0x20000


def _sign(tmp_path: Path, key: Path, **values) -> object:
    firmware = tmp_path / "in.bin"
    firmware.write_bytes(payload(4096, zero_header=HEADER))
    overrides = ImageOverrides.from_values({"header_size": HEADER, "slot_size": SLOT, "version": "1.0.0", **values})
    return sign_file(SignFileRequest(firmware, tmp_path / "out.bin", Signing(key=str(key)), overrides))


def _refused(tmp_path: Path, key: Path, **values) -> str:
    with pytest.raises(InputError) as caught:
        _sign(tmp_path, key, **values)
    assert not (tmp_path / "out.bin").exists()
    return str(caught.value)


def test_the_signing_key_file_is_refused(tmp_path: Path, keys):
    key = keys["ecdsa-p256"].private_pem
    message = _refused(tmp_path, key, custom_tlv_file=[("0xa0", str(key))])
    assert "0xa0" in message and "private key" in message and "--custom-tlv-file" in message


@pytest.mark.parametrize("form", ["pkcs8-der", "traditional-der", "encrypted-pem", "traditional-pem"])
def test_any_private_key_encoding_is_refused(tmp_path: Path, keys, form: str):
    other = keys["rsa-2048"].private  # not the signing key: any private key is a secret
    encoding, fmt, encryption = {
        "pkcs8-der": (serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        "traditional-der": (serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()),
        "encrypted-pem": (serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.BestAvailableEncryption(b"secret")),
        "traditional-pem": (serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()),
    }[form]
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"header:" + other.private_bytes(encoding, fmt, encryption) + b":trailer")
    message = _refused(tmp_path, keys["ecdsa-p256"].private_pem, custom_tlv_file=[("0xa3", str(blob))])
    assert "0xa3" in message and "private key" in message


def test_the_raw_private_scalar_of_the_signing_key_is_refused(tmp_path: Path, keys):
    pair = keys["ed25519"]
    raw = pair.private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
    message = _refused(tmp_path, pair.private_pem, custom_tlv=[("0xa4", "0x00ff" + raw.hex())])
    assert "0xa4" in message and "signing key" in message


def test_the_ecdsa_private_value_of_the_signing_key_is_refused(tmp_path: Path, keys):
    pair = keys["ecdsa-p256"]
    raw = pair.private.private_numbers().private_value.to_bytes(32, "big")
    message = _refused(tmp_path, pair.private_pem, custom_tlv=[("0xa5", "0x" + raw.hex())])
    assert "0xa5" in message


def test_harmless_custom_tlvs_are_signed_and_reported(tmp_path: Path, keys):
    pair = keys["ecdsa-p256"]
    public = tmp_path / "pub.pem"  # a public key is no secret: it may go into an image
    public.write_bytes(pair.public_pem.read_bytes())
    run = _sign(tmp_path, pair.private_pem, custom_tlv=[("0xa1", "board-7")], custom_tlv_file=[("0xa2", str(public))])
    (image,) = run.outputs
    assert [(t.tag, t.size) for t in image.custom_tlvs] == [(0xA1, 7), (0xA2, len(public.read_bytes()))]
    assert "--custom-tlv 0xa1" in image.custom_tlvs[0].source
    assert str(public) in image.custom_tlvs[1].source
