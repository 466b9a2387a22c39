"""Choosing who signs: a PEM file, a PKCS#11 token (`pkcs11:` URI) or an external command.

Also where passphrases come from (an environment variable named on the command line, or a
prompt on a terminal; never a command-line value) and the refusal of publicly known
development keys, which authenticate nothing because anyone can sign with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from zsec_west.errors import KeyFileError, UsageError, ZsecError
from zsec_west.files.reading import read_input
from zsec_west.keys import devkeys
from zsec_west.keys.encoding import Fingerprint, PublicKey, key_type_name
from zsec_west.keys.pem import is_encrypted_pem, load_private_key, load_public_key
from zsec_west.sign.pemsigner import PemSigner
from zsec_west.sign.signer import DEFAULT_TIMEOUT, Signer, is_pkcs11_uri

Prompt = Callable[[str], str]


@dataclass(frozen=True)
class KeyOptions:
    """How the user asked for signing. `key` is a PEM path or a pkcs11: URI."""

    key: str | None = None
    sign_command: str | Sequence[str] | None = None
    sign_command_pubkey: str | None = None
    sign_command_timeout: float = DEFAULT_TIMEOUT
    password_env: str | None = None
    allow_dev_key: bool = False
    pad_sig: bool = False
    expect: str | None = None  # the key type the bootloader verifies, when known


class KeySource:
    """An open signer plus a description of where the key lives (for messages and manifests)."""

    def __init__(self, signer: Signer, description: str, dev_key: devkeys.DevKey | None = None):
        self.signer = signer
        self.description = description
        self.dev_key = dev_key

    def public_key(self) -> PublicKey:
        return self.signer.public_key()

    @property
    def key_type(self) -> str:
        return key_type_name(self.public_key())

    @property
    def fingerprint(self) -> Fingerprint:
        return Fingerprint.of(self.public_key())

    def close(self) -> None:
        close = getattr(self.signer, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> KeySource:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def passphrase(password_env: str | None, environ: Mapping[str, str]) -> bytes | None:
    """The passphrase from the environment variable the user named, if any."""
    if not password_env:
        return None
    if password_env not in environ:
        raise UsageError(f"environment variable {password_env} (named by --key-password-env) is not set")
    return environ[password_env].encode("utf-8")


def _pin(password_env: str | None, environ: Mapping[str, str]) -> str | None:
    """A token PIN from the variable named by --key-password-env (used when the URI has none)."""
    secret = passphrase(password_env, environ)
    return secret.decode("utf-8") if secret is not None else None


def _pem_password(path: Path, password_env: str | None, environ: Mapping[str, str],
                  prompt: Prompt | None) -> bytes | None:
    """The passphrase for an encrypted PEM: the named variable, else a prompt on a terminal."""
    given = passphrase(password_env, environ)
    if given is not None:
        return given
    try:
        data = read_input(path, "key", KeyFileError)
    except ZsecError:
        return None  # the loader reports the unreadable file with its own message
    if is_encrypted_pem(data) and prompt is not None:
        return prompt(f"Passphrase for {path}: ").encode("utf-8")
    return None


def check_dev_key(key: PublicKey, source: str, allow: bool, *, use: str = "signing") -> devkeys.DevKey | None:
    """Refuse a published development key unless allowed; return it either way for reports."""
    found = devkeys.lookup(Fingerprint.of(key))
    if found is not None and not allow:
        who = "sign images" if use == "signing" else "decrypt images"
        raise KeyFileError(
            f"is the publicly known development key '{found.name}' ({found.origin}); anyone can {who} with it",
            path=source, hint="use your own key (zsec sign keygen), or pass --allow-dev-key for test images")
    return found


def open_key_source(options: KeyOptions, *, environ: Mapping[str, str],
                    prompt: Prompt | None = None) -> KeySource:
    """The signer the options describe, opened and checked (key type, development key)."""
    if options.sign_command is not None:
        source = _command_source(options, options.sign_command, environ, prompt)
    elif options.key is None:
        raise UsageError("no signing key",
                         hint="give -k KEY (a PEM file or a pkcs11: URI) or --sign-command CMD")
    elif is_pkcs11_uri(options.key):
        from zsec_west.sign.pkcs11signer import Pkcs11Signer

        signer = Pkcs11Signer(options.key, pin=_pin(options.password_env, environ), prompt=prompt,
                              pad_sig=options.pad_sig,
                              expect=options.expect, environ=dict(environ))
        source = KeySource(signer, signer.source)
    else:
        path = Path(options.key)
        try:
            key = load_private_key(path, _pem_password(path, options.password_env, environ, prompt))
        except KeyFileError as exc:
            if "public key" in exc.message:
                raise KeyFileError(exc.message, path=path,
                                   hint="to sign elsewhere, pass it with --sign-command CMD") from None
            raise
        pem_signer = PemSigner(key, pad_sig=options.pad_sig, expect=options.expect, source=path)
        source = KeySource(pem_signer, str(path))
    try:
        source.dev_key = check_dev_key(source.public_key(), source.description, options.allow_dev_key)
    except BaseException:
        source.close()
        raise
    return source


def _command_source(options: KeyOptions, command: str | Sequence[str], environ: Mapping[str, str],
                    prompt: Prompt | None) -> KeySource:
    pub_path = options.sign_command_pubkey
    if pub_path is not None and options.key is not None:
        raise UsageError("give the signing command's public key with either -k or "
                         "--sign-command-pubkey, not both")
    pub_path = pub_path or options.key
    if pub_path is None:
        raise UsageError("--sign-command needs the public key to check signatures against",
                         hint="give it with --sign-command-pubkey PEM (or -k PEM)")
    if is_pkcs11_uri(pub_path):
        raise UsageError("--sign-command and a pkcs11: key cannot be combined; choose one way of signing")
    from zsec_west.sign.commandsigner import CommandSigner

    path = Path(pub_path)
    public = load_public_key(path, _pem_password(path, options.password_env, environ, prompt))
    signer = CommandSigner(command, public, timeout=options.sign_command_timeout,
                           pad_sig=options.pad_sig, expect=options.expect)
    return KeySource(signer, f"command {signer.argv[0]} (public key {path})")


def load_any_public_key(spec: str, *, password_env: str | None = None, environ: Mapping[str, str],
                        prompt: Prompt | None = None) -> PublicKey:
    """A public key from a PEM file (public or private) or from a PKCS#11 token."""
    if is_pkcs11_uri(spec):
        from zsec_west.sign.pkcs11signer import Pkcs11Signer, Pkcs11Uri

        uri = Pkcs11Uri.parse(spec)
        with Pkcs11Signer(uri, pin=_pin(password_env, environ), prompt=prompt,
                          environ=dict(environ)) as signer:
            return signer.public_key()
    path = Path(spec)
    return load_public_key(path, _pem_password(path, password_env, environ, prompt))


def load_any_private_key(spec: str, *, password_env: str | None = None, environ: Mapping[str, str],
                         prompt: Prompt | None = None) -> Any:
    """A private key from a PEM file (e.g. to decrypt an image); tokens do not export them."""
    if is_pkcs11_uri(spec):
        raise UsageError("a pkcs11: key cannot be used here; this needs a private PEM file")
    path = Path(spec)
    return load_private_key(path, _pem_password(path, password_env, environ, prompt))
