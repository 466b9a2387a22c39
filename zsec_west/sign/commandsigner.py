"""A Signer that hands the bytes to sign to an external command (`--sign-command CMD`).

The contract, for a signing service, an HSM client or a script:

* The command runs without a shell: a string is split like a POSIX shell would (shlex), a list
  is used as is. It gets the message on standard input and must print the signature on
  standard output and exit 0 within the timeout. Standard error is shown when it fails.
* The message depends on the key type (ZSEC_SIGN_INPUT says which):
  - RSA and ECDSA: the hashed region itself ("payload"); the command hashes it with SHA-256
    (SHA-384 for P-384) and signs, so `openssl dgst -sha256 -sign key.pem` works for ECDSA and,
    with `-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32`, for RSA.
  - Ed25519: the 32-byte SHA-256 digest of the hashed region ("digest"), or the region itself
    with --pure ("payload").
* The signature: raw bytes (DER for ECDSA; raw r||s is accepted too), or the same as base64
  text (what imgtool's --sig-out writes). Output made only of base64 characters is read as
  base64 first; whatever is accepted must verify with the public key, else signing fails.
* Environment: ZSEC_SIGN_KEY_TYPE (e.g. rsa-2048), ZSEC_SIGN_HASH (sha256/sha384/sha512),
  ZSEC_SIGN_INPUT (payload/digest) and ZSEC_SIGN_DIGEST (the image digest, hex) are added.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shlex
import subprocess
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from zsec_west.errors import KeyFileError, ToolError, UsageError
from zsec_west.keys.encoding import PublicKey
from zsec_west.mcuboot.signatures import SignRequest, pad_ecdsa_signature, signing_key_type, verify_signature
from zsec_west.sign.keykinds import MAX_SIGN_COMMAND_TIMEOUT
from zsec_west.sign.signer import DEFAULT_TIMEOUT

_B64_TEXT = re.compile(rb"^[A-Za-z0-9+/=\s]+$")
_ECDSA_RAW_LEN = {"ecdsa-p256": 64, "ecdsa-p384": 96}
_HASH_FOR = {"rsa-2048": "sha256", "rsa-3072": "sha256", "ecdsa-p256": "sha256", "ecdsa-p384": "sha384"}


def split_command(command: str | Sequence[str]) -> list[str]:
    """argv for the command: shlex-split a string, keep a list."""
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise UsageError(f"cannot split the signing command: {exc}") from None
    else:
        argv = [str(part) for part in command]
    if not argv:
        raise UsageError("the signing command is empty")
    return argv


def message_for(key_type: str, request: SignRequest) -> tuple[bytes, str]:
    """(what goes to the command's stdin, "payload" or "digest")."""
    if key_type == "ed25519" and not request.pure:
        return request.digest, "digest"
    return bytes(request.payload), "payload"


def signature_candidates(output: bytes, key_type: str) -> list[bytes]:
    """The ways the command's output may encode a signature, most specific first."""
    found: list[bytes] = []
    stripped = output.strip()
    if stripped and _B64_TEXT.match(stripped):
        try:
            found.append(base64.b64decode(b"".join(stripped.split()), validate=True))
        except (binascii.Error, ValueError):
            pass
    found.append(output)
    raw_len = _ECDSA_RAW_LEN.get(key_type)
    if raw_len:
        for candidate in list(found):
            if len(candidate) == raw_len:
                half = raw_len // 2
                found.append(encode_dss_signature(int.from_bytes(candidate[:half], "big"),
                                                  int.from_bytes(candidate[half:], "big")))
    return found


class CommandSigner:
    """Signs by running an external command; the public key must be known to check its answer."""

    def __init__(self, command: str | Sequence[str], public_key: PublicKey, *,
                 timeout: float = DEFAULT_TIMEOUT, pad_sig: bool = False, expect: str | None = None):
        self.argv = split_command(command)
        self.key_type = signing_key_type(public_key)
        if expect is not None and expect != self.key_type:
            raise KeyFileError(f"the signing command's public key is of type {self.key_type}, "
                               f"but {expect} is required")
        if not 0 < timeout <= MAX_SIGN_COMMAND_TIMEOUT:  # also nan and inf
            raise UsageError(f"the signing command timeout must be above 0 and at most "
                             f"{MAX_SIGN_COMMAND_TIMEOUT:g} seconds")
        self._public = public_key
        self.timeout = timeout
        self.pad_sig = pad_sig
        self.source = f"command {self.argv[0]}"

    def public_key(self) -> PublicKey:
        return self._public

    def sign(self, request: SignRequest) -> bytes:
        key_type = self.key_type
        if request.pure and key_type != "ed25519":
            raise KeyFileError(f"pure signatures need an Ed25519 key, not {key_type}")
        wanted = _HASH_FOR.get(key_type)
        if wanted is not None and request.hash_name != wanted:
            raise KeyFileError(f"{key_type} keys sign with {wanted}, not {request.hash_name}")
        message, kind = message_for(key_type, request)
        env = dict(os.environ)
        env.update(ZSEC_SIGN_KEY_TYPE=key_type, ZSEC_SIGN_HASH=request.hash_name, ZSEC_SIGN_INPUT=kind,
                   ZSEC_SIGN_DIGEST=request.digest.hex())
        name = self.argv[0]
        try:
            done = subprocess.run(self.argv, input=message, capture_output=True, timeout=self.timeout,
                                  env=env, check=False)
        except FileNotFoundError:
            raise ToolError(f"signing command not found: {name}") from None
        except PermissionError:
            raise ToolError(f"signing command is not executable: {name}") from None
        except subprocess.TimeoutExpired:
            raise ToolError(f"signing command {name} did not finish within {self.timeout:g} s") from None
        except OSError as exc:
            raise ToolError(f"cannot run signing command {name}: {exc.strerror}") from None
        if done.returncode != 0:
            detail = _last_line(done.stderr)
            raise ToolError(f"signing command {name} failed with exit code {done.returncode}"
                            + (f": {detail}" if detail else ""))
        if not done.stdout:
            raise ToolError(f"signing command {name} printed no signature")
        for candidate in signature_candidates(done.stdout, key_type):
            if verify_signature(self._public, candidate, request):
                if self.pad_sig:
                    candidate = pad_ecdsa_signature(candidate, key_type)
                return candidate
        raise ToolError(
            f"signing command {name} returned {len(done.stdout)} bytes that are not a valid {key_type} "
            "signature of this image for the given public key",
            hint=f"it must sign the {kind} on stdin and print the signature (raw or base64)")


def _last_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
