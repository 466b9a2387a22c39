"""The `info`, `keygen`, `keyinfo`, `getpub` and `getpubhash` actions of `zsec sign` (`verify` is in
sign_verify.py)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from zsec_west.cli.args import RunContext
from zsec_west.cli.sign_verify import emit, json_document
from zsec_west.errors import EXIT_OK, ImageFormatError, UsageError
from zsec_west.files.writing import atomic_write
from zsec_west.keys.encoding import Fingerprint, key_type_name
from zsec_west.keys.keyset import key_kind
from zsec_west.mcuboot import hexio
from zsec_west.mcuboot.dumpinfo import as_json_value, dumpinfo
from zsec_west.mcuboot.parse import info as image_info
from zsec_west.report.envelope import envelope
from zsec_west.sign import keytools
from zsec_west.sign.keysource import Prompt, load_any_public_key, passphrase

# -- info -------------------------------------------------------------------------------------------

def info_text(image: str, info: dict[str, Any]) -> str:
    h = info["header"]
    flags = ", ".join(h["flag_names"]) or "none"
    lines = [
        f"{image}",
        f"  header     magic {h['magic']}, {info['endian']}-endian, hdr_size 0x{h['hdr_size']:x}, "
        f"img_size 0x{h['img_size']:x}, protect_tlv_size 0x{h['protect_tlv_size']:x}",
        f"             load_addr {h['load_addr']}, flags {h['flags']} ({flags}), version {h['version']}",
    ]
    for area in info["tlv_areas"]:
        lines.append(f"  {area['kind']} TLVs ({area['magic']}, {area['size']} bytes at 0x{area['offset']:x})")
        width = max((len(t["name"]) for t in area["tlvs"]), default=0)
        for tlv in area["tlvs"]:
            extra = ""
            for key in ("security_counter", "dependency", "uuid"):
                if key in tlv:
                    extra = f"  {key}={tlv[key]}"
            value = tlv.get("value", "")
            shown = (value[:64] + "...") if len(value) > 64 else value
            lines.append(f"    {tlv['type_hex']:>6} {tlv['name'].ljust(width)} {tlv['length']:>4} bytes  "
                         f"{shown}{extra}")
    trailer = info.get("trailer")
    if trailer:
        lines.append(f"  trailer    magic {trailer['magic']}, max_align {trailer['max_align']}, "
                     f"image_ok {trailer['image_ok']}, erased value {trailer['erased_val']}")
    else:
        lines.append("  trailer    none (image not padded)")
    lines.append(f"  sizes      image 0x{info['image_size']:x}, file 0x{info['file_size']:x}")
    signer = info.get("signing_key")
    if signer:
        ident = signer.get("digest") or signer.get("sha256")
        dev = f"  PUBLICLY KNOWN DEVELOPMENT KEY: {signer['development_key']}" if signer["development_key"] else ""
        lines.append(f"  signed by  {signer['tlv']} {ident}{dev}")
    return "\n".join(lines) + "\n"


def run_info(args: argparse.Namespace, ctx: RunContext, *, environ: Mapping[str, str],
             prompt: Prompt | None) -> int:
    data = hexio.read_input(args.image, allow_gaps=True).data
    try:
        info = image_info(data)
    except ImageFormatError as exc:  # the parser sees bytes; say which file they came from
        raise ImageFormatError(exc.message, path=exc.path or args.image, hint=exc.hint) from None
    key = cast("dict[str, Any] | None", info["signing_key"])
    if args.format in ("json", "yaml"):
        dump = dumpinfo(data, args.image)
        if args.format == "json":
            fields = {"image": args.image, **info, "dumpinfo": as_json_value(dump)}
            emit(ctx, json_document("sign info", {"image": args.image}, fields), args.output)
        else:
            # YAML keeps bytes as !!binary, as imgtool dumpinfo -f yaml writes them.
            import yaml  # noqa: PLC0415

            document = {**envelope("sign info", {"image": args.image}), "image": args.image, **info,
                        "dumpinfo": dump}
            emit(ctx, yaml.safe_dump(document, sort_keys=False), args.output)
    else:
        emit(ctx, info_text(args.image, info), args.output)
    if key and key["development_key"]:
        ctx.console.wrn(f"{args.image} names the publicly known development key '{key['development_key']}'")
    return EXIT_OK


# -- keys -------------------------------------------------------------------------------------------

def run_keyinfo(args: argparse.Namespace, ctx: RunContext, *, environ: Mapping[str, str],
                prompt: Prompt | None) -> int:
    kind = key_kind(args.key)
    emit(ctx, kind + "\n", None)
    if args.require is not None and kind != args.require:
        raise UsageError(f"holds a {kind} key, but a {args.require} key is required", path=args.key)
    return EXIT_OK


def _new_passphrase(args: argparse.Namespace, environ: Mapping[str, str],
                    prompt: Prompt | None) -> bytes | None:
    if args.password and args.password_env:
        raise UsageError("use either -p/--password (prompt) or --password-env VAR")
    if args.password_env:
        return passphrase(args.password_env, environ)
    if not args.password:
        return None
    if prompt is None:
        raise UsageError("-p/--password needs a terminal to prompt on",
                         hint="use --password-env VAR in scripts")
    first = prompt("New key passphrase: ")
    if first != prompt("Repeat the passphrase: "):
        raise UsageError("the passphrases do not match")
    return first.encode("utf-8")


def run_keygen(args: argparse.Namespace, ctx: RunContext, *, environ: Mapping[str, str],
               prompt: Prompt | None) -> int:
    secret = _new_passphrase(args, environ, prompt)
    key = keytools.keygen(Path(args.key), args.type, secret)
    public = key.public_key()
    ctx.console.summary(f"wrote {args.key} ({key_type_name(public)}, mode 0600"
                        f"{', passphrase-protected' if secret else ''}); public key sha256 "
                        f"{Fingerprint.of(public).sha256}")
    return EXIT_OK


def run_getpub(args: argparse.Namespace, ctx: RunContext, *, environ: Mapping[str, str],
               prompt: Prompt | None) -> int:
    encoding = keytools.resolve_encoding(args.encoding, args.lang)
    keytools.check_name_suffix(args.name_suffix)
    key = load_any_public_key(args.key, password_env=args.key_password_env, environ=environ, prompt=prompt)
    _write_key_output(ctx, keytools.getpub(key, encoding, args.name_suffix, source=args.key), args.output)
    return EXIT_OK


def run_getpubhash(args: argparse.Namespace, ctx: RunContext, *, environ: Mapping[str, str],
                   prompt: Prompt | None) -> int:
    encoding = keytools.resolve_encoding(args.encoding, None, keytools.HASH_ENCODINGS)
    keytools.check_name_suffix(args.name_suffix)
    key = load_any_public_key(args.key, password_env=args.key_password_env, environ=environ, prompt=prompt)
    _write_key_output(ctx, keytools.getpubhash(key, encoding, args.name_suffix, source=args.key), args.output)
    return EXIT_OK


def _write_key_output(ctx: RunContext, data: bytes, output: str | None) -> None:
    if output and output != "-":
        atomic_write(output, data)
        return
    ctx.console.emit(data, None)
