"""The `sign` action: arguments -> a signing request -> the core (sign/signbuild.py) -> messages.

Order of precedence, merging and the all-or-nothing writes live in the core; this module only
says which request the command line makes and what the run did.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from zsec_west.cli.args import RunContext
from zsec_west.cli.console import Console
from zsec_west.errors import BuildDirError, UsageError
from zsec_west.files.reading import is_dir
from zsec_west.sign import imgtoolargs
from zsec_west.sign.overrides import ImageOverrides
from zsec_west.sign.request import Outputs, Prompt, SignBuildRequest, SignFileRequest, Signing, SignRun


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def signing_from(args: argparse.Namespace, environ: Mapping[str, str], prompt: Prompt | None) -> Signing:
    return Signing(key=args.key, password_env=args.key_password_env, sign_command=args.sign_command,
                   sign_command_pubkey=args.sign_command_pubkey, sign_command_timeout=args.sign_command_timeout,
                   fixed_signature=args.fix_sig, fixed_signature_pubkey=args.fix_sig_pubkey,
                   allow_dev_key=args.allow_dev_key, allow_untrusted_key=args.allow_untrusted_key,
                   environ=environ, prompt=prompt)


def overrides_from(args: argparse.Namespace) -> ImageOverrides:
    """The image options given on the command line (the table's fields, by name)."""
    return ImageOverrides.from_values({option.field: getattr(args, option.field, None)
                                       for option in imgtoolargs.SIGN_OPTIONS})


def _check_dependencies_word(args: argparse.Namespace) -> None:
    """`-d DIR` is how other commands take a build directory; here -d is imgtool's --dependencies."""
    if args.dependencies and is_dir(args.dependencies):
        raise UsageError(f"-d/--dependencies takes imgtool's \"(ID,VER),...\" list, and {args.dependencies!r} "
                         f"is a directory: to sign a build, use --build-dir {args.dependencies}")


def _build_dir(args: argparse.Namespace, ctx: RunContext) -> Path:
    from zsec_west.builddir import find_build_dir  # noqa: PLC0415 - explicit signing reads no build

    try:
        return find_build_dir(args.build_dir, ctx.build_dir_fmt)
    except BuildDirError as exc:
        if args.build_dir is not None:
            raise
        # `sign` takes the build directory as --build-dir (-d is imgtool's --dependencies).
        raise BuildDirError(f"no INFILE given and {exc.message}", path=exc.path,
                            hint="give INFILE OUTFILE with -H, -S and -v, or --build-dir DIR") from None


def _explicit_request(args: argparse.Namespace, signing: Signing, overrides: ImageOverrides,
                      outputs: Outputs) -> SignFileRequest:
    from zsec_west.sign.jobs import missing_error, missing_parameters  # noqa: PLC0415

    if args.domain:
        raise UsageError("--domain needs --build-dir")
    if not args.outfile:
        missing = missing_parameters(overrides)
        if args.vector_to_sign is None:
            missing.append("OUTFILE")
        raise missing_error(missing) if missing else UsageError("missing OUTFILE")
    return SignFileRequest(Path(args.infile), Path(args.outfile), signing, overrides, args.encrypt, outputs)


def run_sign(args: argparse.Namespace, ctx: RunContext, *, environ: Mapping[str, str],
             prompt: Prompt | None) -> int:
    from zsec_west.sign.signbuild import sign_build, sign_file  # noqa: PLC0415

    _check_dependencies_word(args)
    signing = signing_from(args, environ, prompt)
    overrides = overrides_from(args)
    outputs = Outputs(manifest=_path(args.manifest), signature=_path(args.sig_out),
                      vector_to_sign=args.vector_to_sign)
    if args.build_dir is None and args.infile:
        if args.secure or args.secure_key:
            raise UsageError("--secure and --secure-key sign a TF-M build's images; give --build-dir")
        result = sign_file(_explicit_request(args, signing, overrides, outputs))
    else:
        result = sign_build(SignBuildRequest(
            build_dir=_build_dir(args, ctx), domains=tuple(args.domain or ()), signing=signing,
            overrides=overrides, encryption_key=args.encrypt, outputs=outputs, infile=_path(args.infile),
            outfile=_path(args.outfile), west_topdir=_path(ctx.west_topdir),
            secure=bool(args.secure or args.secure_key), secure_key=args.secure_key))
    report(result, ctx.console)
    return 0


def report(result: SignRun, console: Console) -> None:
    """What the run wrote, on stderr: a line per file, warnings, the summary."""
    for warning in result.warnings:
        console.wrn(warning)
    for note in result.notes:
        console.dbg(note)
    listed: set[tuple[str | None, int, str]] = set()
    for out in result.outputs:
        for tlv in out.custom_tlvs:  # once per image of the build, not per variant written
            if (out.domain, tlv.tag, tlv.source) not in listed:
                listed.add((out.domain, tlv.tag, tlv.source))
                where = f"{out.domain}: " if out.domain else ""
                console.inf(f"{where}custom TLV 0x{tlv.tag:x} ({tlv.size} bytes) from {tlv.source}")
        if out.kind == "merged":
            console.inf(f"wrote {out.output} (merged from the images above, {out.size} bytes)")
            continue
        if out.vector is not None:
            console.inf(f"wrote the {out.vector} to sign ({out.size} bytes) to {out.output}")
            continue
        key = f"{out.key_type} key {out.key_sha256[:16]}" if out.key_sha256 else "no key (hash only)"
        where = f"{out.domain}: " if out.domain else ""
        console.inf(f"{where}wrote {out.output} (version {out.version}, {key}, {out.size} bytes)")
        if out.development_key:
            console.wrn(f"{out.output} is signed with the publicly known development key '{out.development_key}'")
    if result.hash_only:
        console.wrn(f"{len(result.hash_only)} image(s) carry only a hash: no key was given, "
                    "so MCUboot cannot authenticate them")
    if result.manifest:
        console.dbg(f"wrote manifest {result.manifest}")
    console.summary(f"zsec sign: {len(result.images)} image(s) signed")
