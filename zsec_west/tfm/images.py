"""The images a TF-M build produced, and what each signed one says about itself.

MCUboot parsing and verification come from zsec_west.sign (parse_image / verify_image); this
module only finds the files, splits Intel HEX files into their address ranges (a merged hex holds
BL2, the secure and the non-secure image far apart) and summarises each image.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from zsec_west.builddir.model import Domain
from zsec_west.errors import ImageFormatError, ZsecError
from zsec_west.files.reading import read_input
from zsec_west.keys import devkeys
from zsec_west.keys.encoding import Fingerprint, load_der_public_key
from zsec_west.keys.pem import load_public_key
from zsec_west.mcuboot.hexio import hex_segments
from zsec_west.mcuboot.parse import ParsedImage, parse_image
from zsec_west.mcuboot.tlv import TlvType
from zsec_west.mcuboot.verify import verify_image

_MAGIC = struct.pack("<I", 0x96F3B83D)
_MAX_READ = 64 << 20  # build outputs are flash images; anything larger is not one of ours

# Output roles (zsec_west.builddir.outputs) that belong to TF-M, in display order.
TFM_ROLES = (
    "tfm_merged.hex", "tfm_merged.bin", "tfm_s_signed.bin", "tfm_s_signed.hex",
    "zephyr_ns_signed.bin", "zephyr_ns_signed.hex", "tfm_s_zephyr_ns_signed.bin",
    "tfm_s_zephyr_ns_signed.hex", "tfm_s_zephyr_ns.hex",
    "tfm/bl2.bin", "tfm/bl2_signed.bin", "tfm/tfm_s.bin", "tfm/tfm_s_signed.bin",
    "tfm/tfm_ns_signed.bin", "tfm/tfm_s_ns_signed.bin",
)
# What each file is, for people reading the report.
_DESCRIPTIONS = {
    "tfm_merged": "BL2 + secure + non-secure, merged for flashing",
    "tfm_s_signed": "signed TF-M secure image",
    "zephyr_ns_signed": "signed Zephyr non-secure image",
    "tfm_s_zephyr_ns_signed": "signed combined secure + non-secure image",
    "tfm_s_zephyr_ns": "combined secure + non-secure image (unsigned)",
    "bl2": "BL2 (TF-M's MCUboot)",
    "bl2_signed": "BL2 signed for BL1",
    "tfm_s": "TF-M secure image (unsigned)",
    "tfm_ns_signed": "signed TF-M non-secure image",
    "tfm_s_ns_signed": "signed combined secure + non-secure image",
}


@dataclass(frozen=True)
class SignedImage:
    """One MCUboot image found in an output file."""

    offset: int  # in the file (.bin) or the address (.hex)
    version: str
    security_counter: int | None
    sw_type: str | None  # from the BOOT_RECORD TLV: SPE, NSPE, NSPE_SPE
    load_addr: int
    image_size: int
    key_source: str | None  # PUBKEY or KEYHASH
    key_type: str | None
    key_sha256: str | None  # SHA-256 of the key encoding (or the KEYHASH value)
    dev_key: str | None  # name of the published development key, when it is one
    hash_ok: bool | None
    signature_ok: bool | None  # against the embedded PUBKEY; None when there is none


@dataclass(frozen=True)
class OutputImage:
    role: str
    path: Path
    size: int
    description: str
    hex_ranges: tuple[tuple[int, int], ...] = ()  # (start, length) of an Intel HEX file
    images: tuple[SignedImage, ...] = ()
    problem: str | None = None

    @property
    def signed(self) -> bool:
        return bool(self.images)


@dataclass(frozen=True)
class PublicKeyFile:
    """A public key the TF-M build exported (tfm/bin/image_{s,ns}_signing_public_key.pem)."""

    role: str
    path: Path
    key_sha256: str | None
    dev_key: str | None
    problem: str | None = None


@dataclass
class ImageSet:
    images: list[OutputImage] = field(default_factory=list)
    public_keys: list[PublicKeyFile] = field(default_factory=list)


def _describe(role: str) -> str:
    stem = Path(role).name.rsplit(".", 1)[0]
    return _DESCRIPTIONS.get(stem, "")


def _boot_record_type(value: bytes) -> str | None:
    """SW_TYPE (key 1) of the CBOR map in a BOOT_RECORD TLV, e.g. 'SPE'."""

    def head(pos: int) -> tuple[int, int, int]:
        first = value[pos]
        major, info = first >> 5, first & 0x1F
        pos += 1
        if info < 24:
            return major, info, pos
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
        if size is None or pos + size > len(value):
            raise ValueError("unsupported CBOR item")
        return major, int.from_bytes(value[pos:pos + size], "big"), pos + size

    try:
        major, count, pos = head(0)
        if major != 5:
            return None
        for _ in range(count):
            kmajor, key, pos = head(pos)
            vmajor, length, pos = head(pos)
            if vmajor in (2, 3):
                item, pos = value[pos:pos + length], pos + length
                if kmajor == 0 and key == 1 and vmajor == 3:
                    return item.decode("utf-8", errors="replace")
            elif vmajor != 0:
                return None
    except (IndexError, ValueError):
        return None
    return None


def _summarise(data: bytes, offset: int, parsed: ParsedImage) -> SignedImage:
    protected = parsed.protected
    counter = None
    sw_type = None
    if protected is not None:
        sec = protected.first(TlvType.SEC_CNT)
        if sec is not None and len(sec.value) == 4:
            counter = struct.unpack(("<" if parsed.endian == "little" else ">") + "I", sec.value)[0]
        record = protected.first(TlvType.BOOT_RECORD)
        if record is not None:
            sw_type = _boot_record_type(record.value)
    image = data[: parsed.image_size]
    pubkey = parsed.unprotected.first(TlvType.PUBKEY)
    keyhash = parsed.unprotected.first(TlvType.KEYHASH)
    embedded = load_der_public_key(pubkey.value) if pubkey is not None else None
    result = verify_image(image, embedded)
    checks = {c.name: c.status for c in result.checks}
    key_sha = None
    dev = None
    if pubkey is not None:
        fingerprint = Fingerprint.of_encoding(pubkey.value)
        key_sha = fingerprint.sha256
        found = devkeys.lookup(fingerprint)
        dev = found.name if found else None
    elif keyhash is not None:
        key_sha = keyhash.value.hex()
        found = devkeys.lookup_digest(keyhash.value)
        dev = found.name if found else None
    signature = checks.get("signature")
    return SignedImage(
        offset=offset, version=str(parsed.header.version), security_counter=counter,
        sw_type=sw_type, load_addr=parsed.header.load_addr, image_size=parsed.image_size,
        key_source="PUBKEY" if pubkey is not None else "KEYHASH" if keyhash is not None else None,
        key_type=result.key_type, key_sha256=key_sha, dev_key=dev,
        hash_ok=None if "hash" not in checks else checks["hash"] == "pass",
        signature_ok=None if signature in (None, "skip") else signature == "pass",
    )


def find_images(data: bytes, base: int = 0) -> list[SignedImage]:
    """Every MCUboot image in `data`: at the start, and after each one (merged files)."""
    found: list[SignedImage] = []
    start = 0
    while True:
        pos = data.find(_MAGIC, start)
        if pos < 0:
            break
        if pos % 4:
            start = pos + 1
            continue
        try:
            parsed = parse_image(memoryview(data)[pos:])
        except ImageFormatError:
            start = pos + 4
            continue
        found.append(_summarise(data[pos:], base + pos, parsed))
        start = pos + max(parsed.image_size, 4)
    return found


def read_output(role: str, path: Path) -> OutputImage:
    """One output file, summarised; an unreadable or garbled file is described, not raised."""
    description = _describe(role)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return OutputImage(role, path, 0, description, problem=f"cannot read: {exc.strerror}")
    if size > _MAX_READ:
        return OutputImage(role, path, size, description, problem="too large to inspect")
    try:
        data = read_input(path, "image", ImageFormatError)
        if path.suffix.lower() == ".hex":
            # Per address range, not one filled span: a merged TF-M hex puts BL2, the secure and
            # the non-secure image far apart, and filling the gaps could take gigabytes.
            segments = hex_segments(data, path)
            images = [img for start, chunk in segments for img in find_images(bytes(chunk), start)]
            ranges = tuple((start, len(chunk)) for start, chunk in segments)
            return OutputImage(role, path, size, description, ranges, tuple(images))
    except ZsecError as exc:
        return OutputImage(role, path, size, description, problem=exc.message)
    signed = "signed" in Path(role).name
    images = find_images(data) if signed else []
    problem = None
    if signed and not images:
        problem = "no MCUboot image header found"
    return OutputImage(role, path, size, description, (), tuple(images), problem)


def _public_key(role: str, path: Path) -> PublicKeyFile:
    try:
        key = load_public_key(path)
    except ZsecError as exc:
        return PublicKeyFile(role, path, None, None, exc.message)
    fingerprint = Fingerprint.of(key)
    found = devkeys.lookup(fingerprint)
    return PublicKeyFile(role, path, fingerprint.sha256, found.name if found else None)


def collect_images(app: Domain) -> ImageSet:
    """TF-M outputs of an application domain (current and older layouts, via Domain.outputs)."""
    result = ImageSet()
    by_role = {artifact.role: artifact.path for artifact in app.outputs}
    for role in TFM_ROLES:
        if role in by_role:
            result.images.append(read_output(role, by_role[role]))
    for role, name in (("S", "image_s_signing_public_key.pem"),
                       ("NS", "image_ns_signing_public_key.pem")):
        for directory in (app.build_dir / "tfm" / "bin", app.build_dir / "tfm" / "api_ns" / "bin"):
            if (directory / name).is_file():
                result.public_keys.append(_public_key(role, directory / name))
                break
    return result
