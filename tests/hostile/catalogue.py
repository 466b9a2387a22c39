"""The hostile cases: which file is damaged how, and which commands then run.

A group is a template directory (a fixture build, a key beside a firmware image, a feed, a rule
file ...) and the commands that read it. A case is one file of the template (its target) in one
malformed variant; every command of the group runs on it. A case directory is a hard-linked copy
of the template (cheap, and a command that replaced a file would replace the link, never the
template) with the target replaced by its variant.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import DATA, DEVKEYS, ROOT
from tests.hostile import mutations

EXAMPLE = ROOT / "examples" / "nrf52840-mcuboot"
BUILDS_41 = DATA / "builds-4.1"
KEEP_COMPILE_COMMANDS = 60  # of thousands: the SBOM's speed is not what is tested here
SIGN_ARGS = ("-H", "0x200", "-S", "0x20000", "-v", "1.2.3")


@dataclass(frozen=True)
class Command:
    name: str
    argv: tuple[str, ...]  # relative to the case directory; "{KEY}" is the group's signing key
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Case:
    group: str
    target: str  # the damaged file, relative to the case directory
    mutation: str

    @property
    def id(self) -> str:
        return f"{self.group}/{self.target}:{self.mutation}"


@dataclass(frozen=True)
class CaseRun:
    case: Case
    command: Command

    @property
    def id(self) -> str:
        return f"{self.case.id}::{self.command.name}"


@dataclass
class Group:
    name: str
    build: Callable[[Path], None]  # fills the template directory
    commands: tuple[Command, ...]
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file -> mutations
    full_only: bool = False  # only in the full matrix (ZSEC_HOSTILE_FULL=1)
    # Groups that damage a command line rather than a file: the command of each target (an
    # option), whose "{P}" the case's hostile value replaces.
    per_target: dict[str, Command] | None = None

    def commands_for(self, target: str) -> tuple[Command, ...]:
        return (self.per_target[target],) if self.per_target is not None else self.commands


# -- templates ------------------------------------------------------------------------------------

def copy_build(source: Path, dest: Path) -> None:
    shutil.copytree(source, dest)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    for commands in dest.rglob("compile_commands.json"):
        entries = json.loads(commands.read_text(encoding="utf-8"))
        commands.write_text(json.dumps(entries[:KEEP_COMPILE_COMMANDS], indent=1), encoding="utf-8")


def firmware_bytes(size: int = 16384) -> bytes:
    return bytes(0x200) + bytes((i * 131 + 7) % 251 for i in range(size))


def add_standin_image(build: Path, app: str) -> None:
    """The 4.1 fixtures carry no binaries; signing from the build needs a zephyr.bin."""
    (build / app / "zephyr" / "zephyr.bin").write_bytes(firmware_bytes())


def _build_group(source: Path, *, app: str | None = None) -> Callable[[Path], None]:
    def build(template: Path) -> None:
        copy_build(source, template / "B")
        if app and not (template / "B" / app / "zephyr" / "zephyr.bin").exists():
            add_standin_image(template / "B", app)
    return build


def _build_files(source: Path, *, skip: tuple[str, ...] = ()) -> list[str]:
    files = sorted(p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file())
    return [f for f in files if not any(f.endswith(s) for s in skip)]


def build_targets(source: Path, extra: dict[str, tuple[str, ...]] | None = None, *,
                  only: Callable[[str], bool] = lambda rel: True) -> dict[str, tuple[str, ...]]:
    targets = {f"B/{rel}": mutations.variants(rel) for rel in _build_files(source) if only(rel)}
    for rel, more in (extra or {}).items():
        targets[f"B/{rel}"] = targets.get(f"B/{rel}", ()) + more
    return targets


# Settings in a build's configuration that name files: aimed at hostile files by the
# "points-at-*" mutations of .config (key files are read by check and sign).
POINTER_MUTATIONS = ("points-at-fifo", "points-at-dev-zero", "points-at-directory", "points-at-loop",
                     "points-at-sparse-huge")
DOMAINS_MUTATIONS = ("duplicate-domain", "domain-outside")
IMAGE_MUTATIONS = ("img-size-huge", "hdr-size-huge", "protected-tlv-huge", "tlv-area-huge", "tlv-len-past-end",
                   "header-only", "bad-magic")


def _build_commands(*, sign: bool, vulns: bool = True) -> tuple[Command, ...]:
    """check, sbom (with --vulns, or without: both are run, on different builds), tfm, and
    signing from the build where the build has MCUboot."""
    commands = [
        Command("check", ("check", "-d", "B")),
        Command("sbom", ("sbom", "-d", "B", *(("--vulns",) if vulns else ()), "--output-dir", "out")),
        Command("tfm", ("tfm", "-d", "B")),
    ]
    if sign:
        commands.append(Command("sign-build", ("sign", "--build-dir", "B", "-k", "{KEY}", "--allow-dev-key")))
    return tuple(commands)


# -- groups ---------------------------------------------------------------------------------------

# The MCUboot domain's files are of the same kinds as the application's; its configuration and
# cache matter on their own (MCUboot's key settings), the rest only in the full matrix.
MCUBOOT_OWN = ("mcuboot/CMakeCache.txt", "mcuboot/zephyr/.config")


def _not_mcuboot(rel: str) -> bool:
    return not rel.startswith("mcuboot/") or rel in MCUBOOT_OWN


def groups() -> list[Group]:
    sys37_extra = {"hello_world/zephyr/.config": POINTER_MUTATIONS, "mcuboot/zephyr/.config": POINTER_MUTATIONS,
                   "hello_world/zephyr/zephyr.signed.bin": IMAGE_MUTATIONS, "domains.yaml": DOMAINS_MUTATIONS}
    found = [
        Group("sys37", _build_group(EXAMPLE), _build_commands(sign=True),
              build_targets(EXAMPLE, sys37_extra, only=_not_mcuboot)),
        Group("sys37-mcuboot", _build_group(EXAMPLE), _build_commands(sign=True),
              build_targets(EXAMPLE, only=lambda rel: not _not_mcuboot(rel)), full_only=True),
        Group("tfm41", _build_group(BUILDS_41 / "tfm-ns"), _build_commands(sign=False, vulns=False),
              build_targets(BUILDS_41 / "tfm-ns")),
    ]
    for name, source, sign in (("sys41", BUILDS_41 / "mcuboot-sysbuild", True),
                               ("hello41", BUILDS_41 / "hello", False),
                               ("hello37", DATA / "builds" / "hello", False),
                               ("tfm37", DATA / "builds" / "tfm-ns", False)):
        found.append(Group(name, _build_group(source, app="hello_world" if sign else None),
                           _build_commands(sign=sign), build_targets(source), full_only=True))
    found += input_groups()
    found += [path_group(), argv_group()]
    return found


HELLO = "{HELLO}"  # the pristine hello build, for groups that damage something else


def input_groups() -> list[Group]:
    pem = mutations.variants("key.pem") + KEY_MUTATIONS
    return [
        Group("keys", _keys_template, (
            Command("getpub", ("sign", "getpub", "-k", "key.pem")),
            Command("sign", ("sign", "-k", "key.pem", *SIGN_ARGS, "in.bin", "out.bin")),
            Command("verify", ("sign", "verify", "-k", "key.pem", "signed.bin")),
            Command("encrypt", ("sign", "-k", "good.pem", "-E", "key.pem", *SIGN_ARGS, "in.bin", "out.bin")),
        ), {"key.pem": pem}),
        Group("encrypted-key", _keys_template, (
            Command("getpub", ("sign", "getpub", "-k", "key.pem", "--key-password-env", "ZSEC_PW"),
                    (("ZSEC_PW", ""),)),
            Command("sign", ("sign", "-k", "key.pem", "--key-password-env", "ZSEC_PW", *SIGN_ARGS,
                             "in.bin", "out.bin"), (("ZSEC_PW", ""),)),
        ), {"key.pem": ("encrypted",)}),
        Group("images", _keys_template, (
            Command("info", ("sign", "info", "signed.bin")),
            Command("verify", ("sign", "verify", "-k", "good.pem", "signed.bin")),
            Command("verify-slot", ("sign", "verify", "-k", "good.pem", "-S", "0x20000", "signed.bin")),
        ), {"signed.bin": mutations.variants("signed.bin") + IMAGE_MUTATIONS,
            "signed.hex": mutations.SPECIAL + mutations.CONTENT + HEX_MUTATIONS}),
        Group("firmware", _keys_template, (
            Command("sign", ("sign", "-k", "good.pem", *SIGN_ARGS, "in.bin", "out.bin")),
            Command("sign-confirm", ("sign", "-k", "good.pem", *SIGN_ARGS, "--confirm", "in.bin", "out.bin")),
        ), {"in.bin": mutations.variants("in.bin")}),
        Group("firmware-hex", _keys_template, (
            Command("sign", ("sign", "-k", "good.pem", *SIGN_ARGS, "in.hex", "out.hex")),
        ), {"in.hex": mutations.SPECIAL + mutations.CONTENT + HEX_MUTATIONS}),
        Group("feeds", _feeds_template, (
            Command("nvd", ("sbom", "-d", HELLO, "--vuln-data", "nvd.json", "--output-dir", "out")),
        ), {"nvd.json": mutations.variants("nvd.json") + FEED_MUTATIONS}),
        Group("osv", _feeds_template, (
            Command("osv", ("sbom", "-d", HELLO, "--vuln-data", "osv", "--output-dir", "out")),
        ), {"osv/OSV-2099-1.json": mutations.variants("x.json") + ("osv-bad-record",)}),
        Group("osv-zip", _feeds_template, (
            Command("osv-zip", ("sbom", "-d", HELLO, "--vuln-data", "osv.zip", "--output-dir", "out")),
        ), {"osv.zip": mutations.SPECIAL + ("empty", "truncated", "garbage") + ZIP_MUTATIONS}),
        Group("nvd-gz", _feeds_template, (
            Command("nvd-gz", ("sbom", "-d", HELLO, "--vuln-data", "nvd.json.gz", "--output-dir", "out")),
        ), {"nvd.json.gz": mutations.SPECIAL + ("empty", "truncated", "garbage") + GZ_MUTATIONS}),
        Group("index", _feeds_template, (
            Command("db", ("sbom", "-d", HELLO, "--db", "index.sqlite", "--output-dir", "out")),
        ), {"index.sqlite": mutations.SPECIAL + ("empty", "truncated", "garbage")}),
        Group("vex", _feeds_template, (
            Command("vex", ("sbom", "-d", HELLO, "--vex", "vex.json", "--output-dir", "out")),
        ), {"vex.json": mutations.variants("vex.json")}),
        Group("rules", _data_template, (
            Command("check", ("check", "-d", HELLO, "--rules", "rules.yaml")),
        ), {"rules.yaml": mutations.variants("rules.yaml")}),
        Group("waivers", _data_template, (
            Command("check", ("check", "-d", HELLO, "--waivers", "waivers.yaml")),
        ), {"waivers.yaml": mutations.variants("waivers.yaml") + WAIVER_MUTATIONS}),
        Group("zephyr-db", _data_template, (
            Command("check", ("check", "-d", HELLO, "--zephyr-base", "zephyr")),
        ), {f"zephyr/{rel}": mutations.variants(rel) for rel in (
            "scripts/kconfig/hardening.yaml", "arch/hardening.yaml")}),
        Group("zephyr-csv", _data_template, (
            Command("check", ("check", "-d", HELLO, "--zephyr-base", "zephyr-3.7")),
        ), {"zephyr-3.7/scripts/kconfig/hardened.csv": mutations.variants("hardened.csv")}),
        Group("boards", _boards_template, (
            Command("boards", ("tfm", "boards", "--zephyr-base", "ws/zephyr")),
            Command("tfm", ("tfm", "-d", "{TFM}", "--zephyr-base", "ws/zephyr")),
        ), {f"ws/{rel}": mutations.variants(rel) for rel in (
            "zephyr/boards/arm/mps2/board.yml", "zephyr/boards/arm/lpcxpresso55s69/lpcxpresso55s69_ns_defconfig",
            "zephyr/modules/trusted-firmware-m/Kconfig.tfm", "zephyr/VERSION", "modules/acme/zephyr/module.yml")}),
    ]


# -- keys and images ------------------------------------------------------------------------------

KEY_MUTATIONS = ("public-key", "encrypted", "dsa", "secp256k1", "p521", "rsa-1024", "rsa-4096", "ed448",
                 "x25519", "certificate", "openssh", "bad-base64", "two-keys", "der")


def _keys_template(template: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from zsec_west.sign import keytools

    template.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    (template / "key.pem").write_bytes(keytools.private_pem(key))
    (template / "good.pem").write_bytes(keytools.private_pem(key))
    (template / "in.bin").write_bytes(firmware_bytes())
    from intelhex import IntelHex

    hexfile = IntelHex()
    hexfile.frombytes(firmware_bytes(), offset=0x10000)
    hexfile.tofile(str(template / "in.hex"), "hex")


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


# -- feeds, VEX and the index -----------------------------------------------------------------------

FEED_GROUPS = ("feeds", "osv", "osv-zip", "nvd-gz", "index")
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


def _feeds_template(template: Path) -> None:
    template.mkdir(parents=True, exist_ok=True)
    nvd = (DATA.parent / "sbom" / "vulns" / "data" / "nvd-small.json").read_bytes()
    (template / "nvd.json").write_bytes(nvd)
    (template / "nvd.json.gz").write_bytes(gzip.compress(nvd))
    (template / "osv").mkdir()
    (template / "osv" / "OSV-2099-1.json").write_text(json.dumps(osv_record()))
    (template / "osv" / "OSV-2099-2.json").write_text(json.dumps(osv_record("OSV-2099-2")))
    with zipfile.ZipFile(template / "osv.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OSV-2099-1.json", json.dumps(osv_record()))
        archive.writestr("OSV-2099-2.json", json.dumps(osv_record("OSV-2099-2")))


def _zeros_deflated(total: int) -> tuple[bytes, int]:
    """A raw deflate stream of `total` zero bytes, made from one repeated compressed block."""
    import zlib

    block = 16 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(block)
    out = [compressor.compress(chunk) for _ in range(total // block)]
    out.append(compressor.flush())
    return b"".join(out), zlib.crc32(bytes(0))


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


# -- rules, waivers, Zephyr's database, board trees ----------------------------------------------------

RULES = """\
rules:
  - id: ACME-NET-001
    title: No telnet
    severity: high
    category: network
    domains: [app]
    profiles: [base]
    symbol: CONFIG_TELNET
    value: false
    rationale: Telnet sends passwords in the clear.
    references: [CWE-319]
  - id: ACME-NET-002
    title: Guard or no feature
    severity: low
    when: {symbol: NETWORKING, value: y}
    any:
      - {symbol: A, value: y}
      - all:
          - {symbol: B, min: 2, max: 4}
          - {symbol: C, not_value: ""}
    rationale: Because.
"""

WAIVERS = """\
waivers:
  - rule: ZSEC-MEM-010
    domain: hello_world
    reason: The sentinel costs too much on this part; covered by a watchdog
    expires: 2099-12-31
"""
WAIVER_MUTATIONS = ("date-invalid", "date-huge-year", "date-huge-int", "date-wrong-type", "date-fullwidth")


def waiver_variant(mutation: str, original: bytes) -> bytes:
    value = {"date-invalid": "2026-02-30", "date-huge-year": "99999999-12-31",
             "date-huge-int": "9" * 5000, "date-wrong-type": "[2026, 12, 31]",
             "date-fullwidth": "\uff12\uff10\uff12\uff16-12-31"}[mutation]
    return original.replace(b"2099-12-31", value.encode())


def _data_template(template: Path) -> None:
    template.mkdir(parents=True, exist_ok=True)
    (template / "rules.yaml").write_text(RULES, encoding="utf-8")
    (template / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    shutil.copytree(ROOT / "tests" / "check" / "data" / "zephyr-db", template / "zephyr")
    shutil.copytree(ROOT / "tests" / "check" / "data" / "zephyr-3.7", template / "zephyr-3.7")
    for tree in ("zephyr", "zephyr-3.7"):
        (template / tree / "boards").mkdir(exist_ok=True)
        (template / tree / "VERSION").write_text("VERSION_MAJOR = 3\nVERSION_MINOR = 7\nPATCHLEVEL = 1\n")


def _boards_template(template: Path) -> None:
    files = {
        ".west/config": "[manifest]\npath = zephyr\n",
        "zephyr/VERSION": "VERSION_MAJOR = 3\nVERSION_MINOR = 7\nPATCHLEVEL = 1\n",
        "zephyr/modules/trusted-firmware-m/Kconfig.tfm": (
            "config TFM_BOARD\n\tstring\n\tdefault \"arm/mps2/an521\" if BOARD_MPS2_AN521_CPU0_NS\n"
            "\tdefault \"nxp/lpcxpresso55s69\" if BOARD_LPCXPRESSO55S69_NS\n\n"
            "menuconfig BUILD_WITH_TFM\n\tbool \"Build with TF-M\"\n"),
        "zephyr/boards/arm/mps2/board.yml": (
            "boards:\n  - name: mps2\n    vendor: arm\n    socs:\n      - name: an385\n      - name: an521\n"
            "        variants:\n          - name: ns\n            cpucluster: cpu0\n"),
        "zephyr/boards/arm/lpcxpresso55s69/lpcxpresso55s69_ns_defconfig": (
            "CONFIG_SOC_LPC55S69_CPU0=y\nCONFIG_ARM_TRUSTZONE_M=y\nCONFIG_TRUSTED_EXECUTION_NONSECURE=y\n"),
        "modules/acme/zephyr/module.yml": "name: acme-boards\nbuild:\n  settings:\n    board_root: .\n",
        "modules/acme/boards/acme/widget/board.yml": (
            "board:\n  name: widget\n  vendor: acme\n  socs:\n    - name: w1\n      variants:\n        - name: ns\n"),
    }
    for rel, text in files.items():
        path = template / "ws" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# -- making a case ------------------------------------------------------------------------------

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


def make_case(case: Case, template: Path, directory: Path, specials: Path) -> None:
    """A hard-linked copy of `template` at `directory` with the case's target damaged."""
    shutil.copytree(template, directory, copy_function=os.link, symlinks=True)
    if case.group in ("paths", "argv"):  # the command line is the damage
        return
    target = directory / case.target
    original = target.read_bytes() if target.is_file() else b""
    if target.exists() or target.is_symlink():
        target.unlink()
    if case.mutation in POINTER_MUTATIONS:
        target.write_bytes(point_key_files(original, specials / case.mutation.removeprefix("points-at-")))
        return
    if case.mutation in mutations.SPECIAL:
        mutations.apply(case.mutation, original, target,
                        sparse_size=mutations.SPARSE_FEED_SIZE if case.group in FEED_GROUPS else None)
        return
    target.write_bytes(variant_bytes(case.mutation, original, case.target))


_KEY_SETTINGS = (b"CONFIG_MCUBOOT_SIGNATURE_KEY_FILE", b"CONFIG_BOOT_SIGNATURE_KEY_FILE",
                 b"CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE", b"CONFIG_BOOT_ENCRYPTION_KEY_FILE")


def point_key_files(config: bytes, hostile: Path) -> bytes:
    """A .config whose key file settings name `hostile` (a FIFO, /dev/zero, a directory ...)."""
    lines = []
    for line in config.splitlines():
        name = line.split(b"=", 1)[0]
        lines.append(name + b'="' + str(hostile).encode() + b'"' if name in _KEY_SETTINGS else line)
    present = {line.split(b"=", 1)[0] for line in config.splitlines()}
    lines += [name + b'="' + str(hostile).encode() + b'"' for name in _KEY_SETTINGS[:2] if name not in present]
    return b"\n".join(lines) + b"\n"


def make_specials(directory: Path) -> None:
    """The hostile files that POINTER_MUTATIONS aim settings at."""
    directory.mkdir(parents=True, exist_ok=True)
    for mutation in ("fifo", "dev-zero", "directory", "sparse-huge"):
        mutations.apply(mutation, b"", directory / mutation)
    (directory / "loop").symlink_to("loop")


def signing_key() -> Path | None:
    """MCUboot's RSA-2048 development key: the key the fixture builds' MCUboot trusts."""
    key = DEVKEYS / "mcuboot" / "root-rsa-2048.pem"
    return key if key.is_file() else None


# -- hostile command lines -------------------------------------------------------------------------

# Path values no file system has (a NUL byte, a lone surrogate), names and paths too long for it,
# and names of things that are not what the option wants. "{P}" in a command takes one of them.
PATH_VALUES = {
    "nul-byte": "bad\x00name",
    "lone-surrogate": "bad\ud800name",
    "undecodable": os.fsdecode(b"bad\xffname"),
    "name-too-long": "n" * 300,
    "path-too-long": "/".join(["d" * 250] * 20),
    "through-a-file": "plain.txt/sub",
    "fifo": "fifo",
    "dev-zero": "/dev/zero",
    "directory": "dir",
    "symlink-loop": "loop",
}
# What an error line about the value must contain (one_line keeps a long value's start).
PATH_NEEDLES = {"nul-byte": "bad", "lone-surrogate": "bad", "undecodable": "bad", "name-too-long": "nnnnnnnn",
                "path-too-long": "dddddddd", "through-a-file": "plain.txt", "fifo": "fifo",
                "dev-zero": "/dev/zero", "directory": "dir", "symlink-loop": "loop"}

PATH_OPTIONS: dict[str, tuple[str, ...]] = {
    "check -d": ("check", "-d", "{P}"),
    "check --rules": ("check", "-d", HELLO, "--rules", "{P}"),
    "check --waivers": ("check", "-d", HELLO, "--waivers", "{P}"),
    "check --zephyr-base": ("check", "-d", HELLO, "--zephyr-base", "{P}"),
    "check --fix": ("check", "-d", HELLO, "--fix", "{P}"),
    "check -o": ("check", "-d", HELLO, "-o", "{P}"),
    "sbom -d": ("sbom", "-d", "{P}", "--output-dir", "out"),
    "sbom --output-dir": ("sbom", "-d", HELLO, "--output-dir", "{P}"),
    "sbom --vuln-data": ("sbom", "-d", HELLO, "--vuln-data", "{P}", "--output-dir", "out"),
    "sbom --db": ("sbom", "-d", HELLO, "--db", "{P}", "--output-dir", "out"),
    "sbom --vex": ("sbom", "-d", HELLO, "--vex", "{P}", "--output-dir", "out"),
    "sbom --vex-out": ("sbom", "-d", HELLO, "--vex-out", "{P}", "--output-dir", "out"),
    "sbom -o": ("sbom", "-d", HELLO, "--output-dir", "out", "-o", "{P}"),
    "tfm -d": ("tfm", "-d", "{P}"),
    "tfm --zephyr-base": ("tfm", "-d", "{TFM}", "--zephyr-base", "{P}"),
    "tfm -o": ("tfm", "-d", "{TFM}", "-o", "{P}"),
    "tfm boards --zephyr-base": ("tfm", "boards", "--zephyr-base", "{P}"),
    "sign -k": ("sign", "-k", "{P}", *SIGN_ARGS, "in.bin", "out.bin"),
    "sign INFILE": ("sign", "-k", "good.pem", *SIGN_ARGS, "{P}", "out.bin"),
    "sign OUTFILE": ("sign", "-k", "good.pem", *SIGN_ARGS, "in.bin", "{P}"),
    "sign --build-dir": ("sign", "--build-dir", "{P}", "-k", "good.pem"),
    "sign --sig-out": ("sign", "-k", "good.pem", *SIGN_ARGS, "--sig-out", "{P}", "in.bin", "out.bin"),
    "sign --fix-sig": ("sign", "--fix-sig", "{P}", "--fix-sig-pubkey", "good.pem", *SIGN_ARGS, "in.bin", "out.bin"),
    "sign --custom-tlv-file": ("sign", "-k", "good.pem", *SIGN_ARGS, "--custom-tlv-file", "0xa0", "{P}",
                               "in.bin", "out.bin"),
    "sign -E": ("sign", "-k", "good.pem", *SIGN_ARGS, "-E", "{P}", "in.bin", "out.bin"),
    "sign verify IMAGE": ("sign", "verify", "-k", "good.pem", "{P}"),
    "sign verify -k": ("sign", "verify", "-k", "{P}", "signed.bin"),
    "sign info IMAGE": ("sign", "info", "{P}"),
    "sign info -o": ("sign", "info", "signed.bin", "-o", "{P}"),
    "sign keygen -k": ("sign", "keygen", "-t", "ecdsa-p256", "-k", "{P}"),
    "sign getpub -k": ("sign", "getpub", "-k", "{P}"),
    "sign getpub -o": ("sign", "getpub", "-k", "good.pem", "-o", "{P}"),
}


def _paths_template(template: Path) -> None:
    _keys_template(template)
    os.mkfifo(template / "fifo")
    (template / "dir").mkdir()
    (template / "dir" / "inside").write_text("a directory\n")
    (template / "plain.txt").write_text("a file\n")
    (template / "loop").symlink_to("loop")


def path_group() -> Group:
    commands = {label: Command(label.replace(" ", "_"), argv) for label, argv in PATH_OPTIONS.items()}
    return Group("paths", _paths_template, tuple(commands.values()),
                 {label: tuple(PATH_VALUES) for label in PATH_OPTIONS}, per_target=commands)


# Numbers and words no real command line has: the limits of integer options, text with control
# characters. (Absurd -v/-q counts are in tests/cli/test_app.py: -vvv is meant to raise.)
ARGV_CASES: dict[str, tuple[str, ...]] = {
    "sign -v huge": ("sign", "-k", "good.pem", "-H", "0x200", "-S", "0x20000", "-v", "1." + "9" * 5000,
                     "in.bin", "out.bin"),
    "sign -v fullwidth": ("sign", "-k", "good.pem", "-H", "0x200", "-S", "0x20000", "-v", "\uff11.\uff12.\uff13",
                          "in.bin", "out.bin"),
    "sign -S huge": ("sign", "-k", "good.pem", "-H", "0x200", "-S", "0x" + "f" * 40, "-v", "1.0.0", "in.bin", "out.bin"),
    "sign -S huge --pad": ("sign", "-k", "good.pem", "-H", "0x200", "-S", "0xfff00000", "-v", "1.0.0", "--pad",
                           "in.bin", "out.bin"),
    "sign -S digits": ("sign", "-k", "good.pem", "-H", "0x200", "-S", "9" * 5000, "-v", "1.0.0", "in.bin", "out.bin"),
    "sign -S negative": ("sign", "-k", "good.pem", "-H", "0x200", "-S", "-1", "-v", "1.0.0", "in.bin", "out.bin"),
    "sign -H huge": ("sign", "-k", "good.pem", "-H", "0x" + "f" * 40, "-S", "0x20000", "-v", "1.0.0", "--pad-header",
                     "in.bin", "out.bin"),
    "sign -M huge": ("sign", "-k", "good.pem", *SIGN_ARGS, "-M", "4000000000", "--pad", "in.bin", "out.bin"),
    "sign -s huge": ("sign", "-k", "good.pem", *SIGN_ARGS, "-s", "9" * 5000, "in.bin", "out.bin"),
    "sign -s 2^64": ("sign", "-k", "good.pem", *SIGN_ARGS, "-s", str(1 << 64), "in.bin", "out.bin"),
    "sign -d huge": ("sign", "-k", "good.pem", *SIGN_ARGS, "-d", "(1," + "9" * 5000 + ".0.0)", "in.bin", "out.bin"),
    "sign --boot-record long": ("sign", "-k", "good.pem", *SIGN_ARGS, "--boot-record", "x" * 100000, "in.bin", "out.bin"),
    "sign --custom-tlv huge value": ("sign", "-k", "good.pem", *SIGN_ARGS, "--custom-tlv", "0xa0", "0x" + "ab" * 70000,
                                     "in.bin", "out.bin"),
    "sign --custom-tlv huge tag": ("sign", "-k", "good.pem", *SIGN_ARGS, "--custom-tlv", "9" * 5000, "x",
                                   "in.bin", "out.bin"),
    "sign -x huge": ("sign", "-k", "good.pem", *SIGN_ARGS, "-x", "0x" + "f" * 40, "in.bin", "out.hex"),
    "sign --sign-command-timeout inf": ("sign", "--sign-command", "true", "--sign-command-pubkey", "good.pem",
                                        "--sign-command-timeout", "inf", *SIGN_ARGS, "in.bin", "out.bin"),
    "sign --sign-command-timeout nan": ("sign", "--sign-command", "true", "--sign-command-pubkey", "good.pem",
                                        "--sign-command-timeout", "nan", *SIGN_ARGS, "in.bin", "out.bin"),
    "verify -S huge": ("sign", "verify", "-k", "good.pem", "-S", "9" * 5000, "signed.bin"),
    "sbom --jobs huge": ("sbom", "-d", HELLO, "--jobs", "1000000", "--output-dir", "out"),
    "sbom --jobs digits": ("sbom", "-d", HELLO, "--jobs", "9" * 5000, "--output-dir", "out"),
    "sbom --jobs negative": ("sbom", "-d", HELLO, "--jobs", "-3", "--output-dir", "out"),
    "sbom --namespace-prefix": ("sbom", "-d", HELLO, "--namespace-prefix", "not a uri \x01", "--output-dir", "out"),
    "sbom --supplier control": ("sbom", "-d", HELLO, "--supplier", "Acme\x00\x1b[31m", "--output-dir", "out"),
    "check --domain unknown": ("check", "-d", HELLO, "--domain", "\ud800"),
    "check --explain unknown": ("check", "--explain", "X" * 100000),
    "check --profile unknown": ("check", "-d", HELLO, "--profile", "\x00"),
}


def argv_group() -> Group:
    commands = {label: Command(label.replace(" ", "_"), argv) for label, argv in ARGV_CASES.items()}
    return Group("argv", _paths_template, tuple(commands.values()),
                 {label: ("as-given",) for label in ARGV_CASES}, per_target=commands)
