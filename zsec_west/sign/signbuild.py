"""Signing as one call: every image MCUboot loads in a build (`sign_build`), or one file with explicit
parameters (`sign_file`).

All or nothing: every image is built in memory first, with each key opened once; files are
written only when all of them succeeded, as one set (files/writing.py `write_set`): a failure
leaves every output as it was.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zsec_west.errors import ImageFormatError, InputError, UsageError
from zsec_west.files.reading import open_input
from zsec_west.files.writing import Output, write_set
from zsec_west.mcuboot import hexio
from zsec_west.sign import imagefile
from zsec_west.sign.image import FixedSignature, SignedImage, create_image, vector_to_sign
from zsec_west.sign.jobs import Job, check_one_file, explicit_job, plan_jobs
from zsec_west.sign.keyring import Keyring, check_signing, fixed_signature, signing_entry
from zsec_west.sign.keysource import KeySource
from zsec_west.sign.options import ImageOptions, check_padded_slot
from zsec_west.sign.overrides import ImageOverrides
from zsec_west.sign.request import (
    CustomTlv,
    Outputs,
    SignBuildRequest,
    SignedOutput,
    SignFileRequest,
    Signing,
    SignRun,
)
from zsec_west.sign.signer import is_pkcs11_uri

if TYPE_CHECKING:  # the manifest module is loaded only when a run writes one
    from zsec_west.sign.manifest import SignedFile

FIXED_SIGNATURE_SOURCE = "--fix-sig"  # how the manifest names a signature made elsewhere


def sign_build(request: SignBuildRequest) -> SignRun:
    """Sign every image MCUboot loads in the build at `request.build_dir` (or the named domains).

    Raises a ZsecError subclass (BuildDirError, KeyFileError, UsageError, ...) and writes nothing
    when any image cannot be made.
    """
    # Imported here: explicit signing (the imgtool way) never reads a build, and starts faster.
    from zsec_west.builddir import find_west_topdir, load_build
    from zsec_west.sign.plan import plan_build
    from zsec_west.sign.tfmplan import plan_tfm, tfm_app
    from zsec_west.sign.trust import mcuboot_anchor

    check_signing(request.signing, request.outputs)
    fixed = fixed_signature(request.signing)
    build_dir = request.build_dir.expanduser().resolve()
    build = load_build(build_dir)
    topdir = request.west_topdir or find_west_topdir(build.zephyr_base, Path.cwd())
    app = tfm_app(build)
    merged: list[tuple[Path, bytes]] = []
    if app is not None:
        from zsec_west.sign.tfmsign import merged_hex, tfm_jobs

        if request.domains:
            raise UsageError("--domain does not apply to a TF-M build; --secure signs the secure image too")
        tfm = plan_tfm(build, app, secure=request.secure, west_topdir=topdir, merge=request.infile is None)
        warnings: list[str] = list(build.notes)
        notes: tuple[str, ...] = ()
        jobs = tfm_jobs(tfm, request)
    else:
        if request.secure or request.secure_key:
            raise UsageError("--secure and --secure-key are for TF-M builds; this build has no TF-M")
        plans = plan_build(build, list(request.domains) or None, west_topdir=topdir)
        warnings = build.notes + [w for plan in plans for w in plan.warnings]
        notes = tuple(n for plan in plans for n in plan.notes)
        check_one_file(request, plans)
        anchors = {plan.domain: mcuboot_anchor(build, plan.domain, topdir) for plan in plans}
        jobs = [dataclasses.replace(job, trust=anchors[plan.domain])
                for plan in plans for job in plan_jobs(plan, request, warnings)]
    if request.outfile is None:
        warnings += [f"{job.domain}: writing {job.outfile}, outside the build directory {build.top}"
                     for job in jobs if build.outside(job.outfile)]
    built = _build_all(jobs, request.signing, request.outputs, request.overrides, fixed, warnings)
    if app is not None and tfm.merge is not None and not request.outputs.vector_to_sign:
        merged.append((tfm.merge.output, merged_hex(tfm.merge, {b.job.outfile: b.output_data for b in built})))
    outputs = _write_all(built, request.outputs, build_dir, merged)
    return SignRun(outputs, build_dir, tuple(warnings), notes, request.outputs.manifest, request.outputs.signature)


def sign_file(request: SignFileRequest) -> SignRun:
    """Sign `request.infile` into `request.outfile` with explicit parameters, as `imgtool sign` does."""
    check_signing(request.signing, request.outputs)
    fixed = fixed_signature(request.signing)
    job = explicit_job(request)
    built = _build_all([job], request.signing, request.outputs, request.overrides, fixed)
    outputs = _write_all(built, request.outputs, None)
    return SignRun(outputs, None, (), (), request.outputs.manifest, request.outputs.signature)


@dataclass(frozen=True)
class _Built:
    """One file made in memory, not written yet."""

    job: Job
    input_digest: tuple[int, str] | None  # (size, SHA-256) of the input, for the manifest
    output_data: bytes | bytearray  # a binary output is the image buffer itself, never copied
    image: SignedImage | None  # None for a vector to sign
    source: KeySource | None


def _build_all(jobs: list[Job], signing: Signing, outputs: Outputs, overrides: ImageOverrides,
               fixed: FixedSignature | None, warnings: list[str] | None = None) -> list[_Built]:
    with Keyring(signing, outputs, pad_sig=bool(overrides.pad_sig)) as keys:
        for job in jobs:  # every key (and every custom TLV) is checked before anything is signed
            if job.trust is not None and not outputs.vector_to_sign:
                _check_trust(job, keys, fixed, signing.allow_untrusted_key, warnings)
            _check_custom_tlvs(job, keys)
        return [_build_one(job, keys, fixed, outputs) for job in jobs]


def _check_trust(job: Job, keys: Keyring, fixed: FixedSignature | None, allow: bool,
                 warnings: list[str] | None) -> None:
    from zsec_west.sign.trust import check_trust

    assert job.trust is not None
    source = keys.signer(job)
    key = source.public_key() if source is not None else (fixed[1] if fixed is not None else None)
    if key is None:  # a hash-only image: nothing to trust
        return
    where = source.description if source is not None else FIXED_SIGNATURE_SOURCE
    warning = check_trust(job.trust, key, where, allow=allow)
    if warning and warnings is not None and warning not in warnings:
        warnings.append(warning)


def _build_one(job: Job, keys: Keyring, fixed: FixedSignature | None, outputs: Outputs) -> _Built:
    if _same_file(job.outfile, job.infile):
        raise UsageError("OUTFILE must differ from INFILE; the input is never modified", path=job.outfile)
    fields = job.fields
    check_padded_slot(fields.get("slot_size", 0), any(fields.get(name) for name in ("pad", "confirm", "test")),
                      job.slot_source)
    # A raw file stays on disk until the image is built, and is read straight into its buffer.
    payload, base = hexio.signing_input(job.infile)
    input_digest = _input_digest(job.infile) if outputs.manifest else None
    options = ImageOptions(**fields, encrypt_key=keys.encryption_key(job.encrypt_spec),
                           encrypt_source=job.encrypt_spec)
    try:
        if outputs.vector_to_sign:
            vector = vector_to_sign(payload, options, keys.public_key(job), outputs.vector_to_sign)
            return _Built(job, input_digest, vector, None, None)
        source = keys.signer(job)
        signed = create_image(payload, options, signer=source.signer if source else None, fixed_signature=fixed)
    except ImageFormatError as exc:
        if exc.path is not None:
            raise
        # The builder knows bytes, not files: what it refuses is this input (or its image).
        raise ImageFormatError(exc.message, path=job.infile, hint=exc.hint) from None
    return _Built(job, input_digest, _render(job, signed, base), signed, source)


def _check_custom_tlvs(job: Job, keys: Keyring) -> None:
    """Refuse custom TLVs that carry private key material: the signing key (its file or its
    private values), the encryption key file, the build's key files, any PEM or DER private key."""
    tlvs = job.fields.get("custom_tlvs") or ()
    if not tlvs:
        return
    from zsec_west.sign import tlvsecrets
    from zsec_west.sign.pemsigner import PemSigner

    secrets: list[tlvsecrets.Secret] = []
    source = keys.signer(job)
    if source is not None and isinstance(source.signer, PemSigner):
        secrets += tlvsecrets.key_secrets(source.signer.private_key, f"the signing key {source.description}")
    plan = job.plan
    files = (("the signing key file", signing_entry(job)), ("the encryption key file", job.encrypt_spec),
             ("the build's signing key file", getattr(plan, "key_file", None)),
             ("the build's encryption key file", getattr(plan, "encryption_key_file", None)))
    for what, spec in files:
        if spec is not None and not is_pkcs11_uri(str(spec)):
            secrets += tlvsecrets.file_secrets(spec, what)
    tlvsecrets.check_custom_tlvs(tlvs, _tlv_sources(job), secrets)


def _tlv_sources(job: Job) -> tuple[str, ...]:
    tlvs = job.fields.get("custom_tlvs") or ()
    if len(job.tlv_sources) == len(tlvs):
        return job.tlv_sources
    return tuple(f"custom TLV 0x{tag:x} given to this run" for tag, _ in tlvs)


def _same_file(one: Path, other: Path) -> bool:
    """Whether both name one existing file. A name the OS cannot take (NUL, lone surrogate, a
    symlink loop) is not the same file: reading or writing it reports the problem with the name."""
    try:
        return os.path.samefile(one, other)
    except (OSError, ValueError):
        return False


def _render(job: Job, signed: SignedImage, base: int | None) -> bytes | bytearray:
    if hexio.is_hex_path(job.outfile):
        return imagefile.hex_text(signed, imagefile.output_base(signed, base, job.hex_addr)).encode("ascii")
    return signed.data


def _input_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of an input file, read in chunks so that no second copy is held."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open_input(path, "image") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    return size, digest.hexdigest()


def _write_all(built: list[_Built], outputs: Outputs, build_dir: Path | None,
               merged: list[tuple[Path, bytes]] | None = None) -> tuple[SignedOutput, ...]:
    """Write every file of the run as one set (all new, or all as they were): the images, the
    files merged from them, the signature and the manifest."""
    signatures = {b.image.signature for b in built if b.image is not None and b.image.signature is not None}
    if outputs.signature and len(signatures) != 1:
        raise UsageError(f"--sig-out needs exactly one signature; this run made {len(signatures)}",
                         hint="narrow the run with --domain, or sign INFILE OUTFILE")
    records: list[SignedFile] = []
    done: list[SignedOutput] = []
    files: list[Output] = []
    for item in built:
        files.append(Output(item.job.outfile, item.output_data))
        done.append(_describe(item, outputs))
        if item.input_digest is not None and item.image is not None:
            from zsec_west.sign.manifest import SignedFile

            records.append(SignedFile(item.job.domain, item.job.variant, item.job.infile, *item.input_digest,
                                      item.job.outfile, item.output_data, item.image,
                                      done[-1].key_source, done[-1].development_key, done[-1].custom_tlvs))
    for path, data in merged or ():
        files.append(Output(path, data))
        done.append(SignedOutput(None, "merged", path, path, len(data), kind="merged"))
    if outputs.signature:
        files.append(Output(outputs.signature, base64.b64encode(signatures.pop())))
    if outputs.manifest:
        from zsec_west.sign.manifest import manifest_text

        files.append(Output(outputs.manifest, manifest_text(records, build_dir)))
    write_set(files)
    return tuple(done)


def _describe(item: _Built, outputs: Outputs) -> SignedOutput:
    job, image, source = item.job, item.image, item.source
    if image is None:
        return SignedOutput(job.domain, job.variant, job.infile, job.outfile, len(item.output_data),
                            vector=outputs.vector_to_sign)
    fingerprint = image.key_fingerprint
    return SignedOutput(
        job.domain, job.variant, job.infile, job.outfile, len(item.output_data),
        version=str(image.header.version), key_type=image.key_type,
        key_sha256=fingerprint.sha256 if fingerprint else None,
        key_source=source.description if source else (FIXED_SIGNATURE_SOURCE if image.signature else None),
        development_key=source.dev_key.name if source and source.dev_key else None,
        signed=image.signature is not None,
        custom_tlvs=tuple(CustomTlv(tag, len(value), where) for (tag, value), where
                          in zip(image.options.custom_tlvs, _tlv_sources(job), strict=True)),
    )
