"""The `sign` action: options (explicit, or a build's plan with the user's overrides) -> signed files.

Order of precedence for every image parameter: the command line, then the build's
CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS, then what the build's CMake signing step derives (plan.py),
then imgtool's defaults. Every image is built in memory first; files are written only when all
of them succeeded, each atomically, so a failure leaves no output behind.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zsec_west.cli.args import RunContext
from zsec_west.errors import BuildDirError, InputError, KeyFileError, UsageError
from zsec_west.files.writing import atomic_write
from zsec_west.keys.encoding import PublicKey
from zsec_west.keys.pem import load_public_key
from zsec_west.mcuboot import hexio
from zsec_west.mcuboot.encryption import enc_key_type
from zsec_west.mcuboot.version import parse_dependencies
from zsec_west.sign import imagefile
from zsec_west.sign.image import ImageOptions, SignedImage, create_image, vector_to_sign
from zsec_west.sign.keysource import KeyOptions, KeySource, Prompt, check_dev_key, load_any_public_key, open_key_source
from zsec_west.sign.manifest import SignedFile, write_manifest

if TYPE_CHECKING:
    from zsec_west.sign.plan import ImagePlan

# argparse dest -> ImageOptions field, for options that map one to one.
_DIRECT = ("header_size", "slot_size", "version", "pad_header", "pad", "confirm", "test", "align", "max_align",
           "max_sectors", "overwrite_only", "load_addr", "rom_fixed", "security_counter", "boot_record",
           "public_key_format", "sha", "pure", "pad_sig", "encrypt_keylen", "hmac_sha", "clear", "save_enctlv",
           "non_bootable", "vid", "cid", "endian")
_REQUIRED = (("header_size", "-H/--header-size"), ("slot_size", "-S/--slot-size"), ("version", "-v/--version"))


@dataclass(frozen=True)
class Job:
    """One file to produce: input, output, and the image options (without keys) that differ per file."""

    domain: str | None
    variant: str
    infile: Path
    outfile: Path
    fields: dict[str, Any]
    encrypt_spec: str | None  # encryption key file for this file, if it is encrypted
    hex_addr: int | None
    key_spec: str | None  # -k value to use (None: unsigned unless a command signs)
    expect: str | None
    plan: ImagePlan | None = None


def explicit_fields(ns: argparse.Namespace) -> dict[str, Any]:
    """ImageOptions fields the user (or EXTRA_IMGTOOL_ARGS) gave, converted to their types."""
    fields: dict[str, Any] = {}
    for name in _DIRECT:
        value = getattr(ns, name, None)
        if value is not None:
            fields[name] = value
    if getattr(ns, "erased_val", None) is not None:
        fields["erased_val"] = int(ns.erased_val, 0)
    if getattr(ns, "dependencies", None) is not None:
        fields["dependencies"] = parse_dependencies(ns.dependencies)
    tlvs: list[tuple[int, bytes]] = []
    for tag, value in getattr(ns, "custom_tlv", None) or ():
        tlvs.append((_tag(tag), _tlv_value(value)))
    for tag, name in getattr(ns, "custom_tlv_file", None) or ():
        try:
            tlvs.append((_tag(tag), Path(name).read_bytes()))
        except OSError as exc:
            raise InputError(f"cannot read the custom TLV file: {exc.strerror}", path=name) from None
    if tlvs:
        fields["custom_tlvs"] = tuple(tlvs)
    return fields


def _tag(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise UsageError(f"custom TLV tag {text!r} is not an integer") from None


def _tlv_value(text: str) -> bytes:
    if text.lower().startswith("0x"):
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            raise UsageError(f"custom TLV value {text!r} is not an even number of hex digits") from None
    return text.encode("utf-8")


def _extra_fields(plan: ImagePlan) -> tuple[dict[str, Any], str | None, str | None]:
    """(image fields, key, encryption key) from CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS."""
    if not plan.extra_args:
        return {}, None, None
    from zsec_west.cli.sign import add_image_options  # noqa: PLC0415 - the same option table as the CLI
    parser = argparse.ArgumentParser(prog="CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS", add_help=False,
                                     exit_on_error=False)
    parser.add_argument("-k", "--key")
    add_image_options(parser)
    where = plan.sources.get("extra_args", "CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS")
    try:
        ns, unknown = parser.parse_known_args(list(plan.extra_args))
    except (argparse.ArgumentError, SystemExit) as exc:
        raise BuildDirError(f"cannot use {where}: {exc}") from None
    if unknown:
        raise BuildDirError(f"{where} has options zsec does not know: {' '.join(unknown)}",
                            hint="remove them from the build or sign with explicit options")
    return explicit_fields(ns), ns.key, ns.encrypt


def _jobs_from_build(args: argparse.Namespace, ctx: RunContext,
                     cli: dict[str, Any]) -> tuple[list[Job], Path, list[str]]:
    """Jobs for every image of the build (or INFILE/OUTFILE with the build's parameters), and warnings."""
    # Imported here: explicit signing (the imgtool way) never reads a build, and starts faster.
    from zsec_west.builddir import find_build_dir, find_west_topdir, load_build
    from zsec_west.sign.plan import PlannedOutput, plan_build

    try:
        build_path = find_build_dir(args.build_dir, ctx.build_dir_fmt)
    except BuildDirError as exc:
        if args.build_dir is not None:
            raise
        # `sign` takes the build directory as --build-dir (-d is imgtool's --dependencies).
        raise BuildDirError(f"no INFILE given and {exc.message}", path=exc.path,
                            hint="give INFILE OUTFILE with -H, -S and -v, or --build-dir DIR") from None
    build = load_build(build_path)
    topdir = Path(ctx.west_topdir) if ctx.west_topdir else find_west_topdir(build.zephyr_base, Path.cwd())
    plans = plan_build(build, args.domain, west_topdir=topdir)
    warnings = [w for p in plans for w in p.warnings]
    for note in (n for p in plans for n in p.notes):
        ctx.console.dbg(note)
    if args.infile and len(plans) != 1:
        raise UsageError(f"INFILE names one image, but this build has {len(plans)} to sign "
                         f"({', '.join(p.domain for p in plans)})", hint="pick one with --domain NAME")
    if args.infile and not args.outfile:
        raise UsageError("give OUTFILE together with INFILE (or neither, to use the build's file names)")
    jobs: list[Job] = []
    for plan in plans:
        extra, extra_key, extra_enc = _extra_fields(plan)
        base = {**plan.image_fields(), **extra}
        expect = plan.expect_key_type
        key_spec = args.key or extra_key
        if expect == "none":
            if key_spec or args.sign_command:
                warnings.append(f"{plan.domain}: MCUboot is built without signature checking; signing anyway")
            expect = None
        elif key_spec is None and not (args.sign_command or args.fix_sig or args.vector_to_sign):
            problem = plan.key_error()
            if problem is not None:
                raise problem
            key_spec = str(plan.key_file)
        build_enc = str(plan.encryption_key_file) if plan.encryption_key_file else None
        enc_spec = args.encrypt or extra_enc or build_enc
        outputs: list[PlannedOutput] = list(plan.outputs)
        if args.infile:
            outputs = [PlannedOutput("signed", Path(args.infile), Path(args.outfile), hex_addr=plan.hex_addr)]
        if not outputs:
            why = "; ".join(plan.notes or ["no input images"])
            raise BuildDirError(f"nothing to sign in '{plan.domain}': {why}",
                                path=plan.build_dir, hint="build it first, or give INFILE and OUTFILE")
        for out in outputs:
            fields = {**base, **cli}
            if out.confirm:
                fields.update(pad=True, confirm=True)
            # An explicit -E encrypts the primary output; the build's key only its encrypted variant.
            encrypt = enc_spec if out.encrypt else (args.encrypt or extra_enc)
            jobs.append(Job(plan.domain, out.variant, out.input, out.output, fields, encrypt,
                            cli.get("hex_addr", out.hex_addr), key_spec, expect, plan))
    return jobs, build_path, warnings


def _explicit_job(args: argparse.Namespace, cli: dict[str, Any]) -> Job:
    missing = [flag for name, flag in _REQUIRED if name not in cli]
    if args.vector_to_sign is None and not args.outfile:
        missing.append("OUTFILE")
    if not args.infile:
        missing.insert(0, "INFILE")
    if missing:
        raise UsageError(f"missing {', '.join(missing)}",
                         hint="give them, or use --build-dir to take the parameters from a Zephyr build")
    if not args.outfile:
        raise UsageError("missing OUTFILE")
    return Job(None, "explicit", Path(args.infile), Path(args.outfile), dict(cli), args.encrypt,
               cli.get("hex_addr"), args.key, None)


def _options(job: Job, encrypt_key: PublicKey | None) -> ImageOptions:
    fields = {k: v for k, v in job.fields.items() if k != "hex_addr"}
    return ImageOptions(**fields, encrypt_key=encrypt_key)


class _Keys:
    """Signers and encryption keys opened once per run, whatever the number of images."""

    def __init__(self, args: argparse.Namespace, environ: Mapping[str, str], prompt: Prompt | None):
        self.args = args
        self.environ = environ
        self.prompt = prompt
        self._sources: dict[tuple[str | None, str | None], KeySource] = {}
        self._enc: dict[str, PublicKey] = {}

    def signer(self, job: Job) -> KeySource | None:
        a = self.args
        if a.fix_sig or a.vector_to_sign:
            return None
        if job.key_spec is None and a.sign_command is None:
            return None
        slot = (job.key_spec, job.expect)
        if slot not in self._sources:
            options = KeyOptions(key=job.key_spec, sign_command=a.sign_command,
                                 sign_command_pubkey=a.sign_command_pubkey,
                                 sign_command_timeout=a.sign_command_timeout, password_env=a.key_password_env,
                                 allow_dev_key=a.allow_dev_key, pad_sig=bool(a.pad_sig), expect=job.expect)
            try:
                self._sources[slot] = open_key_source(options, environ=self.environ, prompt=self.prompt)
            except KeyFileError as exc:
                if job.expect and job.plan is not None and "is required" in exc.message:
                    where = job.plan.sources.get("key_type", "the bootloader's configuration")
                    hint = f"MCUboot in this build verifies {job.expect} signatures ({where})"
                    raise KeyFileError(exc.message, path=exc.path, hint=hint) from None
                raise
        return self._sources[slot]

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
            check_dev_key(key, spec, self.args.allow_dev_key, use="encryption")
            self._enc[spec] = key
        return self._enc[spec]

    def close(self) -> None:
        for source in self._sources.values():
            source.close()


def _fixed_signature(args: argparse.Namespace) -> tuple[bytes, PublicKey] | None:
    if not args.fix_sig:
        if args.fix_sig_pubkey and not args.vector_to_sign:
            raise UsageError("--fix-sig-pubkey needs --fix-sig (or --vector-to-sign)")
        return None
    if args.key or args.sign_command:
        raise UsageError("--fix-sig inserts a signature made elsewhere; "
                         "it cannot be combined with -k or --sign-command")
    if not args.fix_sig_pubkey:
        raise UsageError("--fix-sig needs the signer's public key: --fix-sig-pubkey PEM")
    try:
        text = Path(args.fix_sig).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the signature file: {exc.strerror}", path=args.fix_sig) from None
    try:
        signature = base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InputError("signature file is not base64 text", path=args.fix_sig) from None
    public = load_public_key(Path(args.fix_sig_pubkey))
    check_dev_key(public, args.fix_sig_pubkey, args.allow_dev_key)
    return signature, public


@dataclass(frozen=True)
class _Result:
    job: Job
    input_digest: tuple[int, str] | None  # (size, SHA-256) of the input, for --manifest
    output_data: bytes | bytearray  # a binary output is the image buffer itself, never copied
    image: SignedImage | None
    source: KeySource | None


def _render(job: Job, signed: SignedImage, base: int | None) -> bytes | bytearray:
    if hexio.is_hex_path(job.outfile):
        return imagefile.hex_text(signed, imagefile.output_base(signed, base, job.hex_addr)).encode("ascii")
    return signed.data


def _input_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of an input file, read in chunks so that no second copy is held."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    return size, digest.hexdigest()


def _build_one(job: Job, keys: _Keys, fixed: tuple[bytes, PublicKey] | None,
               args: argparse.Namespace) -> _Result:
    if job.outfile.resolve() == job.infile.resolve():
        raise UsageError("OUTFILE must differ from INFILE; the input is never modified", path=job.outfile)
    # A raw file stays on disk until the image is built, and is read straight into its buffer.
    payload, base = hexio.signing_input(job.infile)
    input_digest = _input_digest(job.infile) if args.manifest else None
    options = _options(job, keys.encryption_key(job.encrypt_spec))
    if args.vector_to_sign:
        public = None
        spec = job.key_spec or args.fix_sig_pubkey or args.sign_command_pubkey
        if spec:
            public = load_any_public_key(spec, password_env=args.key_password_env, environ=keys.environ,
                                         prompt=keys.prompt)
        vector = vector_to_sign(payload, options, public, args.vector_to_sign)
        return _Result(job, input_digest, vector, None, None)
    source = keys.signer(job)
    signed = create_image(payload, options, signer=source.signer if source else None,
                          fixed_signature=fixed)
    return _Result(job, input_digest, _render(job, signed, base), signed, source)


def run_sign(args: argparse.Namespace, ctx: RunContext, *, environ: Mapping[str, str],
             prompt: Prompt | None) -> int:
    console = ctx.console
    cli = explicit_fields(args)
    if args.hex_addr is not None:
        cli["hex_addr"] = args.hex_addr
    fixed = _fixed_signature(args)
    if args.sign_command and args.key and args.sign_command_pubkey:
        raise UsageError("give the signing command's public key with -k or --sign-command-pubkey, not both")
    use_build = args.build_dir is not None or not args.infile
    build_dir: Path | None = None
    if use_build:
        jobs, build_dir, warnings = _jobs_from_build(args, ctx, cli)
    else:
        if args.domain:
            raise UsageError("--domain needs --build-dir")
        jobs, warnings = [_explicit_job(args, cli)], []
    for warning in warnings:
        console.wrn(warning)
    keys = _Keys(args, environ, prompt)
    try:
        results = [_build_one(job, keys, fixed, args) for job in jobs]
    finally:
        keys.close()
    _write_all(results, args, build_dir, console)
    return 0


def _write_all(results: list[_Result], args: argparse.Namespace, build_dir: Path | None, console: Any) -> None:
    written: list[SignedFile] = []  # for the manifest
    signed_count = 0
    unsigned = [r for r in results if r.image is not None and r.image.signature is None]
    signatures = {r.image.signature for r in results if r.image is not None and r.image.signature is not None}
    if args.sig_out and len(signatures) != 1:
        raise UsageError(f"--sig-out needs exactly one signature; this run made {len(signatures)}",
                         hint="narrow the run with --domain, or sign INFILE OUTFILE")
    for result in results:
        atomic_write(result.job.outfile, result.output_data)
        image = result.image
        if image is None:
            console.inf(f"wrote the {args.vector_to_sign} to sign ({len(result.output_data)} bytes) "
                        f"to {result.job.outfile}")
            continue
        source = result.source
        dev = source.dev_key.name if source and source.dev_key else None
        where_key = source.description if source else ("--fix-sig" if args.fix_sig else None)
        signed_count += 1
        if result.input_digest is not None:
            written.append(SignedFile(result.job.domain, result.job.variant, result.job.infile,
                                      *result.input_digest, result.job.outfile, result.output_data,
                                      image, where_key, dev))
        fingerprint = image.key_fingerprint
        key = f"{image.key_type} key {fingerprint.sha256[:16]}" if fingerprint else "no key (hash only)"
        where = f"{result.job.domain}: " if result.job.domain else ""
        console.inf(f"{where}wrote {result.job.outfile} (version {image.header.version}, {key}, "
                    f"{len(result.output_data)} bytes)")
        if dev:
            console.wrn(f"{result.job.outfile} is signed with the publicly known development key '{dev}'")
    if args.sig_out:
        atomic_write(args.sig_out, base64.b64encode(signatures.pop()))
    if unsigned:
        console.wrn(f"{len(unsigned)} image(s) carry only a hash: no key was given, "
                    "so MCUboot cannot authenticate them")
    if args.manifest:
        write_manifest(args.manifest, written, build_dir)
        console.dbg(f"wrote manifest {args.manifest}")
    console.summary(f"zsec sign: {signed_count} image(s) signed")

