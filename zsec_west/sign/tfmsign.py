"""The files a TF-M build's signing writes (sign/tfmplan.py says with which parameters): one job per
signed image file, what BL2 trusts for each image, and tfm_merged.hex."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from zsec_west.errors import ImageFormatError, UsageError
from zsec_west.files.reading import read_input
from zsec_west.mcuboot import hexwrite
from zsec_west.mcuboot.hexio import hex_segments
from zsec_west.sign.jobs import Job
from zsec_west.sign.request import SignBuildRequest
from zsec_west.sign.tfmplan import NON_SECURE, SECURE, TfmImagePlan, TfmMerge, TfmOutput, TfmPlan
from zsec_west.sign.trust import TrustAnchor, tfm_anchor

_IMAGE_NAMES = {SECURE: "the secure image", NON_SECURE: "the non-secure image"}


def _key_spec(image: TfmImagePlan, request: SignBuildRequest) -> str | None:
    signing = request.signing
    given = (request.secure_key or signing.key) if image.role == SECURE else signing.key
    if given or signing.sign_command or signing.fixed_signature or request.outputs.vector_to_sign:
        return given
    problem = image.key_error()
    if problem is not None:
        raise problem
    return str(image.key_file)


def anchor_for(plan: TfmPlan, image: TfmImagePlan) -> TrustAnchor:
    role = image.role
    exported = next((path for directory in ("bin", "api_ns/bin")
                     if (path := plan.sub.path / directory / f"image_{role.lower()}_signing_public_key.pem").is_file()),
                    None)
    candidates = [(image.key_setting, image.key_file)] if image.key_setting else []
    configured = next((k for k in plan.config.key_files if k.role == role), None)
    if configured is not None:
        candidates.append((configured.path, Path(configured.path)))
    return tfm_anchor(role, _IMAGE_NAMES[role], exported, candidates, f"CONFIG_TFM_KEY_FILE_{role}")


def tfm_jobs(plan: TfmPlan, request: SignBuildRequest) -> list[Job]:
    """Every file to write, the build's parameters overridden by the request's."""
    if request.infile is not None and len(plan.images) != 1:
        raise UsageError("INFILE names one image; leave out --secure to sign it as the non-secure image")
    if request.infile is not None and request.outfile is None:
        raise UsageError("give OUTFILE together with INFILE (or neither, to use the build's file names)")
    given = request.overrides
    jobs = []
    for image in plan.images:
        key_spec = _key_spec(image, request)
        outputs = image.tfm_outputs
        if request.infile is not None and request.outfile is not None:
            outputs = (TfmOutput(outputs[0].variant, request.infile, request.outfile, outputs[0].fields),)
        anchor = anchor_for(plan, image)
        for out in outputs:
            fields = {**image.image_fields(), **out.fields, **given.fields()}
            jobs.append(Job(image.domain, out.variant, out.input, out.output, fields, request.encryption_key,
                            given.hex_addr, key_spec, image.expect_key_type, image, anchor,
                            tlv_sources=given.custom_tlv_sources or ()))
    return jobs


def _hex_ranges(name: Path, data: bytes | bytearray | None) -> list[hexwrite.Range]:
    if data is None:  # one of the build's hex files: a regular file within the image limit
        data = read_input(name, "image", ImageFormatError)
    return hex_segments(bytes(data), name)


def merged_hex(merge: TfmMerge, rendered: Mapping[Path, bytes | bytearray]) -> bytes:
    """tfm_merged.hex as Zephyr's mergehex.py makes it: BL2, the secure and the non-secure image
    (the ones just made, else the build's), start addresses dropped, overlapping data an error."""
    ranges: list[hexwrite.Range] = []
    for path in (merge.bl2, merge.secure, merge.nonsecure):
        try:
            ranges = hexwrite.joined([*ranges, *_hex_ranges(path, rendered.get(path))])
        except ImageFormatError as exc:
            if exc.path is not None:
                raise
            raise ImageFormatError("overlaps data already merged into tfm_merged.hex", path=path) from None
    return hexwrite.hex_text(ranges).encode("ascii")
