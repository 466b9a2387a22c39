"""A Signer whose private key stays in a PKCS#11 token (HSM, smart card, SoftHSM), named by an RFC 7512 URI.

    pkcs11:token=release;object=fw-signing?pin-source=file:/run/pin&module-path=/usr/lib/softhsm/libsofthsm2.so

Path attributes (`;`-separated): token, serial, manufacturer, model, slot-id pick the token;
object (label), id (percent-encoded bytes) and type (must be `private` if given) pick the key.
Query attributes (`&`-separated): pin-value, pin-source (a file path or `file:` URI holding the
PIN), module-path (the PKCS#11 library; else the ZSEC_PKCS11_MODULE environment variable).

The token signs only digests: RSA with CKM_RSA_PKCS_PSS (SHA-256, MGF1-SHA-256, salt 32), ECDSA with
CKM_ECDSA (raw r||s, converted to the DER MCUboot expects), Ed25519 with CKM_EDDSA. The public key
is read from the token, never from a file, and every signature is checked against it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote_to_bytes

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from zsec_west.errors import KeyFileError, ToolError, UsageError
from zsec_west.files.reading import read_input_text
from zsec_west.keys.encoding import PublicKey
from zsec_west.mcuboot.signatures import SignRequest, pad_ecdsa_signature, signing_key_type, verify_signature
from zsec_west.sign.signer import PKCS11_SCHEME, is_pkcs11_uri

MODULE_ENV = "ZSEC_PKCS11_MODULE"
_PATH_ATTRS = frozenset({"token", "manufacturer", "serial", "model", "library-manufacturer",
                         "library-description", "library-version", "object", "type", "id",
                         "slot-description", "slot-manufacturer", "slot-id"})
_QUERY_ATTRS = frozenset({"pin-value", "pin-source", "module-name", "module-path"})
# DER OIDs of the curves MCUboot verifies, as EC_PARAMS holds them.
_CURVES = {bytes.fromhex("06082a8648ce3d030107"): ec.SECP256R1(),
           bytes.fromhex("06052b81040022"): ec.SECP384R1()}
_ED25519_PARAMS = (bytes.fromhex("06032b6570"), bytes.fromhex("130c656477617264733235353139"))
_HASH_FOR = {"ecdsa-p256": "sha256", "ecdsa-p384": "sha384", "rsa-2048": "sha256", "rsa-3072": "sha256"}


@dataclass(frozen=True)
class Pkcs11Uri:
    """A parsed `pkcs11:` URI: path attributes select token and key, query attributes say how to reach them."""

    path: dict[str, bytes] = field(default_factory=dict)
    query: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Pkcs11Uri:
        if not is_pkcs11_uri(text):
            raise UsageError(f"{text!r} is not a pkcs11: URI")
        body = text[len(PKCS11_SCHEME):]
        path_part, _, query_part = body.partition("?")
        path = cls._attrs(path_part, ";", _PATH_ATTRS, "path")
        query = cls._attrs(query_part, "&", _QUERY_ATTRS, "query")
        if "pin-value" in query and "pin-source" in query:
            raise UsageError("the pkcs11: URI gives both pin-value and pin-source; use one")
        kind = path.get("type")
        if kind is not None and kind != b"private":
            raise UsageError(f"the pkcs11: URI names type={kind.decode(errors='replace')}; "
                             "signing needs type=private")
        return cls(path, query)

    @staticmethod
    def _attrs(part: str, sep: str, known: frozenset[str], where: str) -> dict[str, bytes]:
        attrs: dict[str, bytes] = {}
        for item in filter(None, part.split(sep)):
            name, eq, value = item.partition("=")
            name = name.strip().lower()
            if not eq:
                raise UsageError(f"pkcs11: URI {where} attribute {name!r} has no value")
            if name.startswith("x-"):  # vendor extensions: not ours to interpret
                continue
            if name not in known:
                raise UsageError(f"unknown pkcs11: URI {where} attribute {name!r}",
                                 hint=f"known: {', '.join(sorted(known))}")
            if name in attrs:
                raise UsageError(f"pkcs11: URI attribute {name!r} is given twice")
            attrs[name] = unquote_to_bytes(value)
        return attrs

    def text(self, name: str) -> str | None:
        value = self.path.get(name, self.query.get(name))
        return value.decode("utf-8", errors="replace") if value is not None else None

    def redacted(self) -> str:
        """The URI for messages and manifests: everything but the PIN."""
        path = ";".join(f"{k}={_quote(v)}" for k, v in self.path.items())
        query = "&".join(f"{k}={'***' if k == 'pin-value' else _quote(v)}" for k, v in self.query.items())
        return PKCS11_SCHEME + path + (f"?{query}" if query else "")

    def describe_key(self) -> str:
        parts = [f"{k}={_quote(self.path[k])}" for k in ("object", "id") if k in self.path]
        return ";".join(parts) or "(any: the URI names no object= or id=)"


def _quote(value: bytes) -> str:
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/@!$'()*+,"
    return "".join(chr(b) if b in safe else f"%{b:02X}" for b in value)


def module_path(uri: Pkcs11Uri, environ: dict[str, str] | None = None) -> Path:
    """The PKCS#11 library: module-path (a file, or a directory with module-name) or ZSEC_PKCS11_MODULE."""
    env = os.environ if environ is None else environ
    raw = uri.text("module-path") or env.get(MODULE_ENV)
    if not raw:
        raise ToolError("no PKCS#11 module given",
                        hint=f"add module-path=/path/to/module.so to the pkcs11: URI or set {MODULE_ENV}")
    path = Path(raw)
    name = uri.text("module-name")
    if path.is_dir() and name:
        for candidate in (f"{name}.so", f"lib{name}.so", name):
            if (path / candidate).is_file():
                return path / candidate
    return path


def read_pin(uri: Pkcs11Uri, fallback: str | None = None,
             prompt: Callable[[str], str] | None = None) -> str | None:
    """The user PIN: pin-value, pin-source file, `fallback` (e.g. from --key-password-env), or a prompt."""
    if "pin-value" in uri.query:
        return uri.query["pin-value"].decode("utf-8")
    source = uri.text("pin-source")
    if source is not None:
        path = Path(source[len("file:"):] if source.startswith("file:") else source)
        if str(path).startswith("//"):  # file:///path
            path = Path(str(path)[2:])
        try:  # a regular file: a FIFO or /dev/zero named by the URI must not hang the run
            return read_input_text(path, "key", KeyFileError).rstrip("\r\n")
        except KeyFileError as exc:
            raise KeyFileError(f"cannot read the PIN file: {exc.message}", path=path) from None
    if fallback is not None:
        return fallback
    if prompt is not None:
        return prompt(f"PIN for PKCS#11 token {uri.text('token') or '(any)'}: ")
    return None


def _import_pkcs11() -> Any:
    try:
        import pkcs11  # noqa: PLC0415 (optional dependency, only needed for pkcs11: keys)
    except ImportError:
        raise ToolError("PKCS#11 keys need the python-pkcs11 package",
                        hint="pip install 'zsec-west[pkcs11]'") from None
    return pkcs11


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").rstrip("\x00 ").strip()
    return str(value).strip()


class Pkcs11Signer:
    """Signs with a private key held by a PKCS#11 token. Use as a context manager (or call close())."""

    def __init__(self, uri: str | Pkcs11Uri, *, pin: str | None = None,
                 prompt: Callable[[str], str] | None = None, pad_sig: bool = False,
                 expect: str | None = None, environ: dict[str, str] | None = None):
        """Open the token and find the key now, so a bad URI, PIN or key fails before any output exists.

        `pin` is used when the URI carries none; `prompt` asks for one as a last resort."""
        self.uri = uri if isinstance(uri, Pkcs11Uri) else Pkcs11Uri.parse(uri)
        self.source = self.uri.redacted()
        self.pad_sig = pad_sig
        p11 = _import_pkcs11()
        self._p11 = p11
        module = module_path(self.uri, environ)
        try:
            self._lib = p11.lib(str(module))
        except p11.PKCS11Error as exc:
            raise ToolError(f"cannot load PKCS#11 module {module}: {exc}",
                            hint=f"check module-path= in the URI or {MODULE_ENV}") from None
        self._session = None
        try:
            token = self._find_token()
            self.token_label = _text(token.label)
            self._session = self._login(token, read_pin(self.uri, pin, prompt))
            self._key, self._public = self._find_key()
            self.key_type = signing_key_type(self._public)
        except BaseException:
            self.close()
            raise
        if expect is not None and expect != self.key_type:
            self.close()
            raise KeyFileError(f"is a key of type {self.key_type}, but {expect} is required", path=self.source)

    # -- token, login, key ---------------------------------------------------------------------

    def _find_token(self) -> Any:
        p11 = self._p11
        wanted = {name: self.uri.text(name) for name in ("token", "serial", "manufacturer", "model")}
        slot_id = self.uri.text("slot-id")
        found, seen = [], []
        try:
            slots = self._lib.get_slots(token_present=True)
        except p11.PKCS11Error as exc:
            raise ToolError(f"the PKCS#11 module cannot list its slots: {type(exc).__name__}") from None
        for slot in slots:
            try:
                token = slot.get_token()
            except p11.PKCS11Error:
                continue
            facts = {"token": _text(token.label), "serial": _text(token.serial),
                     "manufacturer": _text(token.manufacturer_id), "model": _text(token.model)}
            if facts["token"]:
                seen.append(facts["token"])
            if slot_id is not None and str(slot.slot_id) != slot_id:
                continue
            if all(value is None or facts[name] == value for name, value in wanted.items()):
                found.append(token)
        if not found:
            listed = ", ".join(repr(s) for s in seen) or "none"
            raise ToolError(f"no PKCS#11 token matches {self.source}", hint=f"tokens present: {listed}")
        if len(found) > 1:
            raise ToolError(f"{len(found)} PKCS#11 tokens match {self.source}",
                            hint="add token=, serial= or slot-id= to the URI")
        return found[0]

    def _login(self, token: Any, pin: str | None) -> Any:
        p11 = self._p11
        label = _text(token.label)
        if pin is None:
            raise KeyFileError(f"PKCS#11 token {label!r} needs a PIN",
                               hint="add pin-source=FILE (or pin-value=) to the URI, "
                                    "or use --key-password-env VAR")
        try:
            return token.open(user_pin=pin)
        except (p11.exceptions.PinIncorrect, p11.exceptions.PinLenRange):
            raise KeyFileError(f"wrong PIN for PKCS#11 token {label!r}",
                               hint="check pin-value/pin-source; repeated failures can lock the token"
                               ) from None
        except p11.exceptions.PinLocked:
            raise ToolError(f"the PIN of PKCS#11 token {label!r} is locked",
                            hint="unlock it with the SO PIN") from None
        except p11.PKCS11Error as exc:
            raise ToolError(f"cannot log in to PKCS#11 token {label!r}: {type(exc).__name__}") from None

    def _find_key(self) -> tuple[Any, PublicKey]:
        p11 = self._p11
        attr, cls = p11.Attribute, p11.ObjectClass
        template: dict[Any, Any] = {}
        if "object" in self.uri.path:
            template[attr.LABEL] = self.uri.path["object"].decode("utf-8", errors="replace")
        if "id" in self.uri.path:
            template[attr.ID] = self.uri.path["id"]
        assert self._session is not None
        keys = list(self._session.get_objects({**template, attr.CLASS: cls.PRIVATE_KEY}))
        where = f"on PKCS#11 token {self.token_label!r}"
        if not keys:
            raise KeyFileError(f"no private key {self.uri.describe_key()} {where}", path=self.source,
                               hint="check object= / id= (pkcs11-tool --list-objects shows them)")
        if len(keys) > 1:
            raise KeyFileError(f"{len(keys)} private keys {where} match {self.uri.describe_key()}",
                               path=self.source, hint="add object= or id= to the URI")
        key = keys[0]
        return key, self._public_of(key)

    def _public_of(self, key: Any) -> PublicKey:
        """The public half: from the public-key object with the same id/label, else the key's attributes."""
        p11 = self._p11
        attr, cls = p11.Attribute, p11.ObjectClass
        match: dict[Any, Any] = {attr.CLASS: cls.PUBLIC_KEY}
        for name in (attr.ID, attr.LABEL):
            try:
                value = key[name]
            except p11.PKCS11Error:
                continue
            if value:
                match[name] = value
        assert self._session is not None  # called from _find_key, inside the open session
        publics = list(self._session.get_objects(match)) if len(match) > 1 else []
        holder = publics[0] if len(publics) == 1 else key
        key_type = key.key_type
        try:
            if key_type == p11.KeyType.RSA:
                n = int.from_bytes(holder[attr.MODULUS], "big")
                e = int.from_bytes(holder[attr.PUBLIC_EXPONENT], "big")
                return rsa.RSAPublicNumbers(e, n).public_key()
            if key_type == p11.KeyType.EC:
                curve = _CURVES.get(bytes(holder[attr.EC_PARAMS]))
                if curve is None:
                    raise KeyFileError("the token key is on a curve MCUboot does not verify "
                                       "(P-256 and P-384 only)", path=self.source)
                point = _ec_point(bytes(holder[attr.EC_POINT]), (curve.key_size + 7) // 8 * 2 + 1)
                return ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
            if key_type == getattr(p11.KeyType, "EC_EDWARDS", object()):
                if bytes(holder[attr.EC_PARAMS]) not in _ED25519_PARAMS:
                    raise KeyFileError("the token's Edwards key is not Ed25519", path=self.source)
                return ed25519.Ed25519PublicKey.from_public_bytes(_ec_point(bytes(holder[attr.EC_POINT]), 32))
        except p11.PKCS11Error:
            raise KeyFileError("cannot read the public key from the token", path=self.source,
                               hint="store the public-key object next to the private key") from None
        raise KeyFileError(f"token key type {key_type!r} cannot sign MCUboot images", path=self.source)

    # -- the Signer protocol --------------------------------------------------------------------

    def public_key(self) -> PublicKey:
        return self._public

    def sign(self, request: SignRequest) -> bytes:
        p11 = self._p11
        key_type = self.key_type
        if request.pure and key_type != "ed25519":
            raise KeyFileError(f"pure signatures need an Ed25519 key, not {key_type}", path=self.source)
        wanted = _HASH_FOR.get(key_type)
        if wanted is not None and request.hash_name != wanted:
            raise KeyFileError(f"{key_type} keys sign with {wanted}, not {request.hash_name}", path=self.source)
        try:
            if key_type.startswith("rsa-"):
                param = (p11.Mechanism.SHA256, p11.MGF.SHA256, 32)
                signature = self._key.sign(request.digest, mechanism=p11.Mechanism.RSA_PKCS_PSS,
                                           mechanism_param=param)
            elif key_type.startswith("ecdsa-"):
                raw = bytes(self._key.sign(request.digest, mechanism=p11.Mechanism.ECDSA))
                half = len(raw) // 2
                r, s = int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
                signature = encode_dss_signature(r, s)
            else:
                message = bytes(request.payload) if request.pure else request.digest
                signature = self._key.sign(message, mechanism=p11.Mechanism.EDDSA)
        except p11.PKCS11Error as exc:
            raise ToolError(f"PKCS#11 token {self.token_label!r} refused to sign: "
                            f"{type(exc).__name__}") from None
        signature = bytes(signature)
        if not verify_signature(self._public, signature, request):
            raise ToolError(f"the signature from PKCS#11 token {self.token_label!r} does not verify "
                            "with its public key",
                            hint="the public-key object on the token may belong to another key")
        if self.pad_sig and key_type.startswith("ecdsa-"):
            signature = pad_ecdsa_signature(signature, key_type)
        return signature

    # -- lifetime -------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the session and finalize the module, so the next use re-reads its configuration."""
        session, self._session = self._session, None
        try:
            if session is not None:
                session.close()
        except Exception:  # noqa: BLE001 - closing a broken session must not hide the real error
            pass
        lib = getattr(self, "_lib", None)
        self._lib = None
        if lib is not None:
            try:
                lib.finalize()
            except Exception:  # noqa: BLE001
                pass

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _ec_point(value: bytes, raw_len: int) -> bytes:
    """EC_POINT is a DER OCTET STRING around the point per the standard; some tokens store it bare."""
    if len(value) == raw_len:
        return value
    if len(value) >= 2 and value[0] == 0x04:
        length, offset = value[1], 2
        if length & 0x80:
            count = length & 0x7F
            length, offset = int.from_bytes(value[2:2 + count], "big"), 2 + count
        if offset + length == len(value):
            return value[offset:]
    raise KeyFileError("the token's EC_POINT is neither a point nor a DER OCTET STRING holding one")
