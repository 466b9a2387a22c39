"""The files a run produces, each with its image options merged in order of precedence.

For a build: the request's overrides, then CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS, then the build's
own values (plan.py). For explicit signing: the request's overrides alone, which must give the
header size, the slot size and the version.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zsec_west.errors import BuildDirError, UsageError
from zsec_west.sign import imgtoolargs
from zsec_west.sign.overrides import ImageOverrides
from zsec_west.sign.request import SignBuildRequest, SignFileRequest

if TYPE_CHECKING:  # the build model is loaded only when signing from a build
    from zsec_west.sign.plan import ImagePlan, PlannedOutput
    from zsec_west.sign.trust import TrustAnchor

_REQUIRED = (("header_size", "-H/--header-size"), ("slot_size", "-S/--slot-size"), ("version", "-v/--version"))


@dataclass(frozen=True)
class Job:
    """One file to produce: input, output, and the image options (without keys) that differ per file."""

    domain: str | None
    variant: str
    infile: Path
    outfile: Path
    fields: dict[str, Any]  # ImageOptions keyword arguments, encryption key aside
    encrypt_spec: str | None  # encryption key file for this file, if it is encrypted
    hex_addr: int | None
    key_spec: str | None  # the key to use (None: unsigned unless a command signs)
    expect: str | None  # the key type the bootloader verifies, when known
    plan: ImagePlan | None = None
    trust: TrustAnchor | None = None  # what the build's bootloader trusts for this image
    slot_source: str = "-S/--slot-size"  # where fields["slot_size"] came from, for messages
    tlv_sources: tuple[str, ...] = ()  # where each of fields["custom_tlvs"] came from


@dataclass(frozen=True)
class ExtraArgs:
    """What a build's CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS ask for."""

    overrides: ImageOverrides
    key: str | None = None
    encrypt: str | None = None


def extra_args(plan: ImagePlan) -> ExtraArgs:
    """The build's EXTRA_IMGTOOL_ARGS, read with the same option table as the command line."""
    if not plan.extra_args:
        return ExtraArgs(ImageOverrides())
    where = plan.sources.get("extra_args", "CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS")
    try:
        values, unknown = imgtoolargs.parse_args(plan.extra_args)
    except imgtoolargs.ArgsError as exc:
        raise BuildDirError(f"cannot use {where}: {exc}") from None
    if unknown:
        raise BuildDirError(f"{where} has options zsec does not know: {' '.join(unknown)}",
                            hint="remove them from the build or sign with explicit options")
    # A --hex-addr here has never moved the build's .hex outputs; they stay where it linked them.
    overrides = dataclasses.replace(ImageOverrides.from_values(values), hex_addr=None)
    return ExtraArgs(overrides, values.get("key"), values.get("encrypt"))


def _signing_key(plan: ImagePlan, request: SignBuildRequest, extra: ExtraArgs,
                 warnings: list[str]) -> tuple[str | None, str | None]:
    """(key to sign with, key type the bootloader expects) for one plan."""
    signing = request.signing
    expect = plan.expect_key_type
    key_spec = signing.key or extra.key
    if expect == "none":
        if key_spec or signing.sign_command:
            warnings.append(f"{plan.domain}: MCUboot is built without signature checking; signing anyway")
        return key_spec, None
    if key_spec is None and not (signing.sign_command or signing.fixed_signature
                                 or request.outputs.vector_to_sign):
        problem = plan.key_error()
        if problem is not None:
            raise problem
        key_spec = str(plan.key_file)
    return key_spec, expect


def _planned_outputs(plan: ImagePlan, request: SignBuildRequest) -> list[PlannedOutput]:
    from zsec_west.sign.plan import PlannedOutput

    if request.infile is not None and request.outfile is not None:
        return [PlannedOutput("signed", request.infile, request.outfile, hex_addr=plan.hex_addr)]
    if not plan.outputs:
        why = "; ".join(plan.notes or ["no input images"])
        raise BuildDirError(f"nothing to sign in '{plan.domain}': {why}",
                            path=plan.build_dir, hint="build it first, or give INFILE and OUTFILE")
    return list(plan.outputs)


def plan_jobs(plan: ImagePlan, request: SignBuildRequest, warnings: list[str]) -> list[Job]:
    """The jobs of one image of the build, warnings appended to `warnings`."""
    extra = extra_args(plan)
    given = request.overrides
    base = {**plan.image_fields(), **extra.overrides.fields()}
    key_spec, expect = _signing_key(plan, request, extra, warnings)
    build_enc = str(plan.encryption_key_file) if plan.encryption_key_file else None
    enc_spec = request.encryption_key or extra.encrypt or build_enc
    jobs: list[Job] = []
    slot_source = _slot_source(plan, given, extra)
    tlv_sources = _tlv_sources(plan, given, extra)
    for out in _planned_outputs(plan, request):
        fields = {**base, **given.fields()}
        if out.confirm:
            fields.update(pad=True, confirm=True)
        # An explicit key encrypts the primary output; the build's key only its encrypted variant.
        encrypt = enc_spec if out.encrypt else (request.encryption_key or extra.encrypt)
        hex_addr = given.hex_addr if given.hex_addr is not None else out.hex_addr
        jobs.append(Job(plan.domain, out.variant, out.input, out.output, fields, encrypt, hex_addr,
                        key_spec, expect, plan, slot_source=slot_source, tlv_sources=tlv_sources))
    return jobs


def _tlv_sources(plan: ImagePlan, given: ImageOverrides, extra: ExtraArgs) -> tuple[str, ...]:
    """Where the custom TLVs come from: the command line's replace the build's, as every option."""
    if given.custom_tlv_sources is not None:
        return given.custom_tlv_sources
    where = plan.sources.get("extra_args", "CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS")
    return tuple(f"{source} in {where}" for source in extra.overrides.custom_tlv_sources or ())


def _slot_source(plan: ImagePlan, given: ImageOverrides, extra: ExtraArgs) -> str:
    if given.given("slot_size"):
        return "-S/--slot-size"
    if extra.overrides.given("slot_size"):
        return f"-S in {plan.sources.get('extra_args', 'CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS')}"
    return plan.sources.get("slot_size", f"the build of '{plan.domain}'")


def check_one_file(request: SignBuildRequest, plans: list[ImagePlan]) -> None:
    """INFILE names one image: the build must have exactly one to sign, and OUTFILE must be given."""
    if request.infile is None:
        return
    if len(plans) != 1:
        raise UsageError(f"INFILE names one image, but this build has {len(plans)} to sign "
                         f"({', '.join(p.domain for p in plans)})", hint="pick one with --domain NAME")
    if request.outfile is None:
        raise UsageError("give OUTFILE together with INFILE (or neither, to use the build's file names)")


def missing_parameters(overrides: ImageOverrides) -> list[str]:
    """The explicit parameters (-H, -S, -v) that signing without a build needs and `overrides` lacks."""
    return [flag for name, flag in _REQUIRED if not overrides.given(name)]


def missing_error(missing: list[str]) -> UsageError:
    return UsageError(f"missing {', '.join(missing)}",
                      hint="give them, or use --build-dir to take the parameters from a Zephyr build")


def explicit_job(request: SignFileRequest) -> Job:
    """The one job of explicit signing; UsageError naming every missing parameter."""
    given = request.overrides
    missing = missing_parameters(given)
    if missing:
        raise missing_error(missing)
    return Job(None, "explicit", Path(request.infile), Path(request.outfile), given.fields(),
               request.encryption_key, given.hex_addr, request.signing.key, None,
               tlv_sources=given.custom_tlv_sources or ())
