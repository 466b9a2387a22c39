"""The `verify` action of `zsec sign`: an image against a key or a key set, or its hash alone
(--hash-only). It loads only what checking an image needs."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from zsec_west.cli.args import RunContext
from zsec_west.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from zsec_west.keys.keyset import split_key_list
from zsec_west.mcuboot import hexio
from zsec_west.mcuboot.keysetverify import verify_with_keys
from zsec_west.mcuboot.signatures import signing_key_type
from zsec_west.mcuboot.verify import VerifyResult
from zsec_west.sign.keysource import Prompt, load_any_private_key, load_any_public_key
from zsec_west.sign.signer import is_pkcs11_uri


def emit(ctx: RunContext, data: str | bytes, output: str | None) -> None:
    ctx.console.emit(data, output)


def _key_input(spec: str | None) -> str | None:
    """How a document names a key it read: a file path, or a pkcs11: URI without its PIN."""
    if spec is None or not is_pkcs11_uri(spec):
        return spec
    from zsec_west.sign.pkcs11signer import Pkcs11Uri  # noqa: PLC0415

    return Pkcs11Uri.parse(spec).redacted()


def json_document(command: str, inputs: dict[str, Any], fields: dict[str, Any]) -> str:
    """The shared envelope, then the command's own fields (`image` first, as before)."""
    from zsec_west.report.envelope import envelope  # noqa: PLC0415 - JSON output only

    return json.dumps({**envelope(command, inputs), **fields}, indent=2) + "\n"


# -- verify -----------------------------------------------------------------------------------------

def verify_text(image: str, result: VerifyResult) -> str:
    if not result.ok:
        verdict = "INVALID"
    elif result.signature_checked:
        verdict = "valid"
    else:
        verdict = "hash valid, signature not checked"
    lines = [f"{image}: {verdict}"]
    if result.version is not None:
        lines.append(f"  version    {result.version}")
    if result.hash_name:
        digest = result.digest.hex() if result.digest else "(does not match)"
        lines.append(f"  hash       {result.hash_name} {digest}")
    if result.key_hash:
        dev = f"  PUBLICLY KNOWN DEVELOPMENT KEY: {result.dev_key.name}" if result.dev_key else ""
        lines.append(f"  image key  KEYHASH {result.key_hash.hex()}{dev}")
    elif result.dev_key:
        lines.append(f"  image key  PUBKEY  PUBLICLY KNOWN DEVELOPMENT KEY: {result.dev_key.name}")
    if result.key_type or result.key_fingerprint:
        ident = result.key_fingerprint.sha256 if result.key_fingerprint else ""
        which = f" (key {result.key_index + 1} of the set)" if result.key_index else ""
        lines.append(f"  given key  {result.key_type or 'unknown type'} {ident}{which}".rstrip())
    if result.signature_type:
        lines.append(f"  signature  {result.signature_type}")
    if result.encrypted:
        lines.append("  encrypted  yes")
    lines.append("  checks:")
    width = max((len(c.name) for c in result.checks), default=0)
    for check in result.checks:
        mark = {"pass": "pass", "fail": "FAIL", "skip": "skip"}[check.status]
        lines.append(f"    {mark}  {check.name.ljust(width)}  {check.reason}")
    return "\n".join(lines) + "\n"


def _key_specs(given: list[str] | None) -> list[str]:
    """-k values, repeated or comma-separated, as one list of keys."""
    return [spec for value in given or () for spec in split_key_list(value)]


def run_verify(args: argparse.Namespace, ctx: RunContext, *, environ: Mapping[str, str],
               prompt: Prompt | None) -> int:
    specs = _key_specs(args.key)
    if specs and args.hash_only:
        raise UsageError("--hash-only checks the image without a key; leave out -k or --hash-only")
    keys = [load_any_public_key(spec, password_env=args.key_password_env, environ=environ, prompt=prompt)
            for spec in specs]
    for spec, public in zip(specs, keys, strict=True):
        signing_key_type(public, spec)  # a key that cannot sign is an error naming its file
    decrypt = None
    if args.decrypt_key:
        decrypt = load_any_private_key(args.decrypt_key, password_env=args.key_password_env, environ=environ,
                                       prompt=prompt)
    data = hexio.read_input(args.image, allow_gaps=True).data  # a padded .hex has its trailer apart
    result = verify_with_keys(data, keys, decrypt_key=decrypt, slot_size=args.slot_size)
    if args.format == "json":
        key = ",".join(str(_key_input(s)) for s in specs) if specs else None  # a key set as -k takes it
        inputs = {"image": args.image, "key": key, "decrypt_key": _key_input(args.decrypt_key)}
        fields = {"image": args.image, **result.as_dict(), "hash_only": bool(args.hash_only)}
        emit(ctx, json_document("sign verify", inputs, fields), args.output)
    else:
        emit(ctx, verify_text(args.image, result), args.output)
    if not result.ok:
        # With a key set, "no key verifies" says more than the first key's own failure.
        first = next((c for c in result.failures if c.name == "key-set"), result.failures[0])
        ctx.console.err(f"{args.image}: invalid image: {first.name}: {first.reason}")
        return EXIT_FINDINGS
    if result.dev_key is not None:
        ctx.console.wrn(f"{args.image} is signed with the publicly known development key "
                        f"'{result.dev_key.name}'")
    if not keys and not args.hash_only:
        # A hash anyone can recompute proves nothing about who made the image.
        ctx.console.err(f"{args.image}: signature not checked: no key given (-k KEY); "
                        "pass --hash-only to accept a check of the hash alone")
        return EXIT_FINDINGS
    ctx.console.summary(f"{args.image}: valid" + ("" if keys else " (hash only; signature not checked)"))
    return EXIT_OK
