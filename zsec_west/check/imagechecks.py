"""Signed images the build produced: which key signed them (builtin checks of keys.yaml).

The image is read with the MCUboot image parser of zsec_west.mcuboot.parse; its KEYHASH or PUBKEY
TLV names the signing key, which is looked up in the development-key table and compared with the
key MCUboot in the same build was built with.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from zsec_west.builddir.model import TFM, Domain
from zsec_west.check.keychecks import LOADED, mcuboot_key
from zsec_west.errors import ImageFormatError, InputError
from zsec_west.findings import Evidence, Finding, Status
from zsec_west.keys import devkeys
from zsec_west.keys.devkeys import DevKey
from zsec_west.keys.encoding import Fingerprint, public_bytes
from zsec_west.rules.engine import CheckContext, make_finding
from zsec_west.rules.model import CatalogueRule

# Signed outputs of an image build (zephyr.<role>), and of TF-M (judged on the "tfm" domain).
_KERNEL_ROLES = ("signed", "signed.confirmed", "signed.encrypted", "slot1.signed")
_TFM_NAMES = ("tfm_s_signed", "zephyr_ns_signed", "tfm_s_zephyr_ns_signed", "tfm_ns_signed",
              "tfm_s_ns_signed")


@dataclass(frozen=True)
class ImageKey:
    """What a signed image says about its key; `error` when it could not be read as one."""

    role: str
    path: Path
    error: str | None = None
    tlv: str | None = None  # "KEYHASH" or "PUBKEY"
    value: bytes = b""
    signed: bool = False
    devkey: DevKey | None = None
    shown: str = ""  # how messages name it: relative to the build directory, the same anywhere

    @property
    def digest_hex(self) -> str:
        return self.value.hex()


def signed_outputs(domain: Domain) -> list[tuple[str, Path]]:
    """(role, path) of the signed images of `domain`: .bin preferred, .hex when it is alone."""
    owner = domain.parent if domain.kind == TFM and domain.parent is not None else domain
    try:
        artifacts = owner.outputs
    except OSError:
        return []
    wanted: dict[str, tuple[str, Path]] = {}
    for artifact in artifacts:
        name = artifact.role.rsplit("/", 1)[-1]
        stem, _, ext = name.rpartition(".")
        if ext not in ("bin", "hex"):
            continue
        if domain.kind == TFM:
            if stem not in _TFM_NAMES:
                continue
        elif stem not in _KERNEL_ROLES:
            continue
        key = f"{'tfm/' if artifact.role.startswith('tfm/') else ''}{stem}"
        if key not in wanted or ext == "bin":
            wanted[key] = (artifact.role, artifact.path)
    return list(wanted.values())


def read_image(role: str, path: Path) -> ImageKey:
    """The key TLV of one image; a file that is not a complete MCUboot image gives `error`."""
    from zsec_west.mcuboot.hexio import read_input
    from zsec_west.mcuboot.parse import parse_image
    from zsec_west.mcuboot.tlv import SIGNATURE_TLVS, TlvType

    try:
        data = read_input(path).data
        parsed = parse_image(data)
    except (ImageFormatError, InputError) as exc:
        return ImageKey(role, path, error=exc.message)
    tlvs = parsed.tlvs()
    signed = any(t.type in SIGNATURE_TLVS for t in tlvs)
    for tlv in tlvs:
        if tlv.type == TlvType.KEYHASH:
            return ImageKey(role, path, None, "KEYHASH", tlv.value, signed,
                            devkeys.lookup_digest(tlv.value))
        if tlv.type == TlvType.PUBKEY:
            return ImageKey(role, path, None, "PUBKEY", tlv.value, signed,
                            devkeys.lookup(Fingerprint.of_encoding(tlv.value)))
    return ImageKey(role, path, None, None, b"", signed)


def _relative(path: Path, top: Path) -> str:
    try:
        return path.resolve().relative_to(top.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def images(domain: Domain, ctx: CheckContext) -> list[ImageKey]:
    memo_key = f"images:{domain.name}"
    if memo_key not in ctx.cache:
        ctx.cache[memo_key] = [replace(read_image(role, path), shown=_relative(path, ctx.build.top))
                               for role, path in signed_outputs(domain)]
    return ctx.cache[memo_key]


def _none(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                     "the build left no signed image for this domain", "signed-image")]


def check_image_format(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    """Each signed output of the domain is a complete MCUboot image with a signature TLV."""
    found = images(domain, ctx)
    if not found:
        return _none(rule, domain, ctx)
    findings = []
    for image in found:
        subject = image.role
        if image.error is not None:
            findings.append(make_finding(rule, domain, ctx, Status.FAIL,
                                     f"{image.shown} is not a complete MCUboot image: {image.error}",
                                     subject, Evidence(image.error, "a signed MCUboot image")))
        elif not image.signed:
            findings.append(make_finding(rule, domain, ctx, Status.FAIL,
                                     f"{image.shown} is an MCUboot image without a signature TLV",
                                     subject, Evidence("no signature", "a signature TLV")))
        else:
            findings.append(make_finding(rule, domain, ctx, Status.PASS,
                                     f"{image.shown} is a signed MCUboot image", subject))
    return findings


def check_image_devkey(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    """The KEYHASH/PUBKEY TLV of each signed output against the published development keys."""
    found = images(domain, ctx)
    if not found:
        return _none(rule, domain, ctx)
    findings = []
    for image in found:
        subject = image.role
        if image.error is not None or image.tlv is None:
            why = "it could not be read (see ZSEC-IMG-003)" if image.error else "it names no key"
            findings.append(make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                                     f"{image.shown}: {why}", subject))
        elif image.devkey is not None:
            findings.append(make_finding(
                rule, domain, ctx, Status.FAIL,
                f"{image.shown} was signed with {image.devkey.name}, a published development key "
                f"(its {image.tlv} TLV matches)", subject,
                Evidence(f"{image.tlv} {image.digest_hex[:16]}... = {image.devkey.name}",
                         "a key of your own"), detail=image.devkey.short_name))
        else:
            findings.append(make_finding(rule, domain, ctx, Status.PASS,
                                     f"{image.shown}: {image.tlv} {image.digest_hex[:16]}... is not a "
                                     "known development key", subject))
    return findings


def _key_matches(image: ImageKey, boot_fingerprint: Fingerprint, boot_encoding: bytes) -> bool:
    if image.tlv == "PUBKEY":
        return image.value == boot_encoding
    return image.digest_hex in boot_fingerprint.all()


def check_image_key_match(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    """Each signed output is signed with the key this build's MCUboot trusts."""
    found = [image for image in images(domain, ctx) if image.error is None and image.tlv]
    if not found:
        return _none(rule, domain, ctx)
    boot = mcuboot_key(ctx)
    if boot is None:
        return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                         "this build has no MCUboot image to compare with", image.role)
                for image in found]
    if boot.state != LOADED or boot.key is None or boot.fingerprint is None:
        return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                         f"MCUboot's {boot.setting} ({boot.shown}) could not be read here "
                         f"({boot.detail or boot.state}), so the key it trusts is unknown",
                         image.role) for image in found]
    encoding = public_bytes(boot.key)
    findings = []
    for image in found:
        if _key_matches(image, boot.fingerprint, encoding):
            findings.append(make_finding(rule, domain, ctx, Status.PASS,
                                     f"{image.shown} is signed with the key MCUboot trusts "
                                     f"({boot.shown})", image.role))
        else:
            findings.append(make_finding(
                rule, domain, ctx, Status.FAIL,
                f"{image.shown} is signed with a key MCUboot in this build does not trust "
                f"({boot.setting}: {boot.shown}); the bootloader will refuse it", image.role,
                Evidence(f"{image.tlv} {image.digest_hex[:16]}...",
                         f"sha256 {boot.fingerprint.sha256[:16]}...")))
    return findings
