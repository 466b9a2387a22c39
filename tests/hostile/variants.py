"""Malformed variants that need to know a format: keys, Intel HEX and MCUboot images, feeds,
archives, waivers and domains.yaml. (The generic ones, for any file, are in mutations.py.)"""

from __future__ import annotations

import gzip
import io
import json
import struct
import zipfile
from collections.abc import Callable

from tests.hostile import mutations

DOMAINS_MUTATIONS = ("duplicate-domain", "domain-outside")

IMAGE_MUTATIONS = ("img-size-huge", "hdr-size-huge", "protected-tlv-huge", "tlv-area-huge", "tlv-len-past-end",
                   "header-only", "bad-magic")

KEY_MUTATIONS = ("public-key", "encrypted", "dsa", "secp256k1", "p521", "rsa-1024", "rsa-4096", "ed448",
                 "x25519", "certificate", "openssh", "bad-base64", "two-keys", "der")

def key_variant(mutation: str, original: bytes) -> bytes:
    """Key files that parse as PEM but are not what signing can use."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, rsa, x25519
    from cryptography.x509.oid import NameOID

    pkcs8 = serialization.PrivateFormat.PKCS8
    plain = serialization.NoEncryption()
    pem = serialization.Encoding.PEM
    loaded = serialization.load_pem_private_key(original, None)
    makers: dict[str, Callable[[], bytes]] = {
        "public-key": lambda: loaded.public_key().public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo),
        "encrypted": lambda: loaded.private_bytes(pem, pkcs8, serialization.BestAvailableEncryption(b"secret")),
        "dsa": lambda: dsa.generate_private_key(1024).private_bytes(pem, pkcs8, plain),
        "secp256k1": lambda: ec.generate_private_key(ec.SECP256K1()).private_bytes(pem, pkcs8, plain),
        "p521": lambda: ec.generate_private_key(ec.SECP521R1()).private_bytes(pem, pkcs8, plain),
        "rsa-1024": lambda: rsa.generate_private_key(65537, 1024).private_bytes(pem, pkcs8, plain),
        "rsa-4096": lambda: rsa.generate_private_key(65537, 4096).private_bytes(pem, pkcs8, plain),
        "ed448": lambda: ed448.Ed448PrivateKey.generate().private_bytes(pem, pkcs8, plain),
        "x25519": lambda: x25519.X25519PrivateKey.generate().private_bytes(pem, pkcs8, plain),
        "openssh": lambda: loaded.private_bytes(pem, serialization.PrivateFormat.OpenSSH, plain),
        "der": lambda: loaded.private_bytes(serialization.Encoding.DER, pkcs8, plain),
        "bad-base64": lambda: b"-----BEGIN PRIVATE KEY-----\n!!!!not base64@@@@\n-----END PRIVATE KEY-----\n",
        "two-keys": lambda: original + ec.generate_private_key(ec.SECP256R1()).private_bytes(pem, pkcs8, plain),
    }
    if mutation == "certificate":
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile")])
        import datetime as dt
        now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(loaded.public_key())
                .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                .sign(loaded, hashes.SHA256()))
        return cert.public_bytes(pem)
    return makers[mutation]()



HEX_MUTATIONS = ("hex-gap-4g", "hex-bad-checksum", "hex-overlap", "hex-bad-record-type", "hex-huge-count")

def hex_variant(mutation: str, original: bytes) -> bytes:
    lines = original.decode("ascii", "replace").splitlines()
    data = [line for line in lines if line.startswith(":") and line[7:9] == "00"]
    eof = ":00000001FF"

    def record(kind: int, address: int, payload: bytes) -> str:
        body = bytes([len(payload), address >> 8 & 0xFF, address & 0xFF, kind]) + payload
        return ":" + (body + bytes([(-sum(body)) & 0xFF])).hex().upper()

    if mutation == "hex-gap-4g":  # one record at 0, one at the top of the 32-bit space
        out = [record(4, 0, b"\x00\x00"), *data[:4], record(4, 0, b"\xff\xff"), record(0, 0xFFF0, b"\x11" * 16), eof]
    elif mutation == "hex-bad-checksum":
        out = [line[:-2] + ("00" if line[-2:] != "00" else "01") if line in data[:3] else line for line in lines]
    elif mutation == "hex-overlap":
        out = [*lines[:-1], *data[:3], eof]
    elif mutation == "hex-bad-record-type":
        out = [*lines[:3], record(9, 0, b"\x01\x02"), *lines[3:]]
    else:  # hex-huge-count: a byte count that runs past the line
        out = [*lines[:2], ":FF000000" + "00" * 4 + "FF", *lines[2:]]
    return ("\n".join(out) + "\n").encode()



def image_variant(mutation: str, original: bytes) -> bytes:
    """MCUboot header and TLV fields set to what no real image has."""
    data = bytearray(original)
    hdr_size = struct.unpack_from("<H", data, 8)[0] if len(data) >= 32 else 0x200
    img_size = struct.unpack_from("<I", data, 12)[0] if len(data) >= 32 else 0
    tlv_at = hdr_size + img_size
    if mutation == "img-size-huge":
        struct.pack_into("<I", data, 12, 0xFFFFFFF0)
    elif mutation == "hdr-size-huge":
        struct.pack_into("<H", data, 8, 0xFFFF)
    elif mutation == "protected-tlv-huge":
        struct.pack_into("<H", data, 10, 0xFFFF)
    elif mutation == "tlv-area-huge" and tlv_at + 4 <= len(data):
        struct.pack_into("<H", data, tlv_at + 2, 0xFFFF)
    elif mutation == "tlv-len-past-end" and tlv_at + 8 <= len(data):
        struct.pack_into("<H", data, tlv_at + 6, 0xFFFF)
    elif mutation == "header-only":
        return bytes(data[:32])
    elif mutation == "bad-magic":
        struct.pack_into("<I", data, 0, 0x12345678)
    return bytes(data)



FEED_MUTATIONS = ("nvd-bad-record", "nvd-bad-version-range", "nvd-huge-version")
ZIP_MUTATIONS = ("zip-bomb", "zip-member-not-json", "zip-member-deep", "zip-member-bad-record")
GZ_MUTATIONS = ("gz-bomb", "gz-not-json", "gz-concatenated-garbage")
BOMB_BYTES = 2048 << 20  # what a small archive expands to



def osv_record(ident: str = "OSV-2099-1") -> dict:
    return {"schema_version": "1.6.0", "id": ident, "modified": "2099-01-01T00:00:00Z",
            "summary": "USB device stack overflow",
            "affected": [{"package": {"purl": "pkg:github/zephyrproject-rtos/zephyr"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                                                      {"last_affected": "3.7.1"}]}]}]}



_BOMB_CACHE: dict[str, bytes] = {}

def gz_bomb() -> bytes:
    """A gzip file expanding to BOMB_BYTES: concatenated members, each 64 MiB of zeros."""
    if "gz" not in _BOMB_CACHE:
        member = gzip.compress(bytes(64 << 20), compresslevel=9)
        _BOMB_CACHE["gz"] = member * (BOMB_BYTES // (64 << 20))
    return _BOMB_CACHE["gz"]



def zip_bomb() -> bytes:
    """A zip whose one member expands to BOMB_BYTES of zeros (a JSON parser would get 2 GiB)."""
    if "zip" not in _BOMB_CACHE:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            with archive.open("OSV-BOMB.json", "w", force_zip64=True) as member:
                chunk = bytes(16 << 20)
                for _ in range(BOMB_BYTES // len(chunk)):
                    member.write(chunk)
        _BOMB_CACHE["zip"] = buffer.getvalue()
    return _BOMB_CACHE["zip"]



def feed_variant(mutation: str, original: bytes) -> bytes:
    if mutation == "zip-bomb":
        return zip_bomb()
    if mutation == "gz-bomb":
        return gz_bomb()
    if mutation.startswith("zip-"):
        return _zip_with_a_bad_member(mutation)
    if mutation == "gz-not-json":
        return gzip.compress(b"\x00\x01 not json at all")
    if mutation == "gz-concatenated-garbage":
        return original + b"\x1f\x8b\x08garbage"
    document = json.loads(gzip.decompress(original) if original[:2] == b"\x1f\x8b" else original)
    if mutation == "osv-bad-record":
        document["affected"][0]["ranges"] = "not a list"
    else:
        _damage_nvd(mutation, document["vulnerabilities"])
    return json.dumps(document).encode()



def _zip_with_a_bad_member(mutation: str) -> bytes:
    member = {"zip-member-not-json": b"\xff\xfe not json",
              "zip-member-deep": b"[" * 100_000 + b"]" * 100_000,
              "zip-member-bad-record": json.dumps(dict(osv_record("OSV-BAD"), affected="oops")).encode()}[mutation]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OSV-2099-1.json", json.dumps(osv_record()))
        archive.writestr("OSV-BAD.json", member)
    return buffer.getvalue()



def _damage_nvd(mutation: str, records: list) -> None:
    """One or two records broken; the others intact (a loader must skip, count and go on)."""
    if mutation == "nvd-bad-record":
        records[1]["cve"]["configurations"] = "not a list"
        records[2]["cve"]["descriptions"] = 5
        return
    bound = ("versionEndExcluding", "\uff13.\uff17.\uff11") if mutation == "nvd-bad-version-range" \
        else ("versionEndIncluding", "9" * 5000 + ".0")
    for record in records:
        for config in record["cve"].get("configurations", []):
            for node in config.get("nodes", []):
                for match in node.get("cpeMatch", []):
                    match[bound[0]] = bound[1]



def domains_variant(mutation: str, original: bytes) -> bytes:
    """domains.yaml naming one domain twice, or a domain whose directory lies outside the build."""
    text = original.decode()
    if mutation == "duplicate-domain":
        return text.replace("  - name: mcuboot", "  - name: hello_world").encode()
    return text.replace("build_dir: /home/dev/zephyrproject/builds/mcuboot-sysbuild/mcuboot",
                        "build_dir: /etc").replace("- name: mcuboot", "- name: ../../etc").encode()



WAIVER_MUTATIONS = ("date-invalid", "date-huge-year", "date-huge-int", "date-wrong-type", "date-fullwidth")

def waiver_variant(mutation: str, original: bytes) -> bytes:
    value = {"date-invalid": "2026-02-30", "date-huge-year": "99999999-12-31",
             "date-huge-int": "9" * 5000, "date-wrong-type": "[2026, 12, 31]",
             "date-fullwidth": "\uff12\uff10\uff12\uff16-12-31"}[mutation]
    return original.replace(b"2099-12-31", value.encode())



def variant_bytes(mutation: str, original: bytes, target: str) -> bytes:
    """The content of a non-special mutation of `original` (the file at `target`)."""
    if mutation in KEY_MUTATIONS:
        return key_variant(mutation, original)
    if mutation in HEX_MUTATIONS:
        return hex_variant(mutation, original)
    if mutation in IMAGE_MUTATIONS:
        return image_variant(mutation, original)
    if mutation in FEED_MUTATIONS or mutation in ZIP_MUTATIONS or mutation in GZ_MUTATIONS \
            or mutation == "osv-bad-record":
        return feed_variant(mutation, original)
    if mutation in WAIVER_MUTATIONS:
        return waiver_variant(mutation, original)
    if mutation in DOMAINS_MUTATIONS:
        return domains_variant(mutation, original)
    return mutations.mutate(mutation, original, target)


