"""The keys of one signing run: each signer and encryption key opened once, whatever the number of
images, and a signature made elsewhere read and checked before any image is built."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from types import TracebackType

from zsec_west.errors import InputError, KeyFileError, UsageError
from zsec_west.files.reading import read_input
from zsec_west.keys.encoding import PublicKey
from zsec_west.keys.keyset import split_key_list
from zsec_west.keys.pem import load_public_key
from zsec_west.mcuboot.encryption import enc_key_type
from zsec_west.sign.image import FixedSignature
from zsec_west.sign.jobs import Job
from zsec_west.sign.keysource import KeyOptions, KeySource, check_dev_key, load_any_public_key, open_key_source
from zsec_west.sign.request import Outputs, Signing


class Keyring:
    """Signers and encryption keys opened on first use and kept for the run; close() releases them."""

    def __init__(self, signing: Signing, outputs: Outputs, pad_sig: bool = False):
        self.signing = signing
        self.outputs = outputs
        self.pad_sig = pad_sig
        self._sources: dict[tuple[str | None, str | None], KeySource] = {}
        self._enc: dict[str, PublicKey] = {}

    def signer(self, job: Job) -> KeySource | None:
        """The open signer for `job`; None for hash-only images, fixed signatures and vectors."""
        s = self.signing
        if s.fixed_signature or self.outputs.vector_to_sign:
            return None
        if job.key_spec is None and s.sign_command is None:
            return None
        slot = (job.key_spec, job.expect)
        if slot not in self._sources:
            self._sources[slot] = self._open(job)
        return self._sources[slot]

    def _open(self, job: Job) -> KeySource:
        s = self.signing
        options = KeyOptions(key=signing_entry(job), sign_command=s.sign_command,
                             sign_command_pubkey=s.sign_command_pubkey,
                             sign_command_timeout=s.sign_command_timeout, password_env=s.password_env,
                             allow_dev_key=s.allow_dev_key, pad_sig=self.pad_sig, expect=job.expect)
        try:
            return open_key_source(options, environ=s.environ, prompt=s.prompt)
        except KeyFileError as exc:
            if job.expect and job.plan is not None and "is required" in exc.message:
                where = job.plan.sources.get("key_type", "the bootloader's configuration")
                hint = f"MCUboot in this build verifies {job.expect} signatures ({where})"
                raise KeyFileError(exc.message, path=exc.path, hint=hint) from None
            raise

    def public_key(self, job: Job) -> PublicKey | None:
        """The key that will sign `job`, for a vector to sign (it decides the hash)."""
        s = self.signing
        spec = signing_entry(job) or s.fixed_signature_pubkey or s.sign_command_pubkey
        if not spec:
            return None
        return load_any_public_key(str(spec), password_env=s.password_env, environ=s.environ, prompt=s.prompt)

    def encryption_key(self, spec: str | None) -> PublicKey | None:
        if spec is None:
            return None
        if spec not in self._enc:
            key = load_public_key(Path(spec))  # a private PEM gives its public half, as imgtool does
            try:
                enc_key_type(key)
            except KeyFileError as exc:
                raise KeyFileError(f"cannot be an encryption key: {exc.message}", path=spec,
                                   hint=exc.hint) from None
            check_dev_key(key, spec, self.signing.allow_dev_key, use="encryption")
            self._enc[spec] = key
        return self._enc[spec]

    def close(self) -> None:
        for source in self._sources.values():
            source.close()

    def __enter__(self) -> Keyring:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def check_signing(signing: Signing, outputs: Outputs) -> None:
    """Ways of signing that cannot go together."""
    if signing.fixed_signature is None:
        if signing.fixed_signature_pubkey and not outputs.vector_to_sign:
            raise UsageError("--fix-sig-pubkey needs --fix-sig (or --vector-to-sign)")
    elif signing.key or signing.sign_command:
        raise UsageError("--fix-sig inserts a signature made elsewhere; "
                         "it cannot be combined with -k or --sign-command")
    elif not signing.fixed_signature_pubkey:
        raise UsageError("--fix-sig needs the signer's public key: --fix-sig-pubkey PEM")
    if signing.sign_command and signing.key and signing.sign_command_pubkey:
        raise UsageError("give the signing command's public key with -k or --sign-command-pubkey, not both")


def fixed_signature(signing: Signing) -> FixedSignature | None:
    """The signature made elsewhere (base64 file) with its signer's public key, checked for dev keys."""
    if signing.fixed_signature is None or signing.fixed_signature_pubkey is None:
        return None
    text = read_input(signing.fixed_signature, "key", InputError)
    try:
        signature = base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InputError("signature file is not base64 text", path=signing.fixed_signature) from None
    public = load_public_key(Path(signing.fixed_signature_pubkey))
    check_dev_key(public, str(signing.fixed_signature_pubkey), signing.allow_dev_key)
    return signature, public


def signing_entry(job: Job) -> str | None:
    """The key that signs `job`: its key, or the first entry of a key set ("A.pem,B.pem"), whose
    other entries must be public-only keys of the same type (checked here, as MCUboot's build does)."""
    spec = job.key_spec
    if spec is None:
        return None
    entries = split_key_list(spec)
    if len(entries) > 1:
        setting = job.plan.sources.get("key", "the key set") if job.plan is not None else "-k"
        from zsec_west.keys.keyset import load_key_set  # noqa: PLC0415 - only key sets need it

        load_key_set([Path(entry) for entry in entries], setting=setting)
    return entries[0] if entries else spec
