"""Our images against imgtool 2.5.0, the reference: same bytes, and each verifies the other's output.

Every case is one logical set of options, turned into `ImageOptions` for us and into command-line
arguments for imgtool. Ed25519 and unsigned images are deterministic and must be byte-identical.
RSA-PSS and ECDSA signatures are randomised, so imgtool re-creates our image with `--fix-sig` (our
signature) and must produce the same bytes. Encrypted images use a random AES key, so ours is
decrypted and compared with the plaintext imgtool hashes (`--vector-to-sign payload`).
"""

from __future__ import annotations

import base64
import random
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from intelhex import IntelHex

from zsec_west.keys.pem import load_private_key
from zsec_west.mcuboot.hexio import read_input
from zsec_west.mcuboot.parse import parse_image
from zsec_west.mcuboot.verify import decrypt_image, verify_image
from zsec_west.mcuboot.version import parse_dependencies
from zsec_west.sign.image import ImageOptions, create_image, vector_to_sign
from zsec_west.sign.imagefile import write_output
from zsec_west.sign.pemsigner import PemSigner

BASE = dict(header_size=0x200, slot_size=0x40000, version="1.2.3+4", pad_header=True)
HEX_BASE = 0x10000
SIZE = 16 * 1024


@dataclass(frozen=True)
class Case:
    id: str
    key: str | None = None
    enc: str | None = None
    opts: dict = field(default_factory=dict)
    deps: str | None = None
    custom_file: tuple[int, bytes] | None = None
    in_ext: str = "bin"
    out_ext: str = "bin"
    hex_addr: int | None = None
    size: int = SIZE
    payload: str = "random"  # or "thumb": compressible, Thumb-like code

    @property
    def options(self) -> dict:
        return {**BASE, **self.opts}

    @property
    def deterministic(self) -> bool:
        return self.key in (None, "ed25519") and self.enc is None

    @property
    def compressed(self) -> bool:
        return self.options.get("compression", "disabled") != "disabled"

    @property
    def imgtool_verifiable(self) -> bool:
        # imgtool verify reads headers little-endian only and cannot check encrypted images.
        return self.enc is None and self.options.get("endian", "little") == "little"


def C(id: str, key: str | None = None, **kw) -> Case:
    fields = {k: kw.pop(k) for k in list(kw) if k in Case.__dataclass_fields__}
    return Case(id, key, opts=kw, **fields)


SIGNING = (None, "rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519")
RICH = dict(confirm=True, align=4, security_counter="auto", boot_record="SPE",
            custom_tlvs=[(0xA0, bytes.fromhex("1234"))], deps="(1,1.2.3)")

CASES: list[Case] = [
    *(C(f"basic-{k or 'none'}", k) for k in SIGNING),
    *(C(f"rich-{k or 'none'}", k, **RICH) for k in SIGNING),
    *(C(f"full-pubkey-{k}", k, public_key_format="full") for k in SIGNING if k),
    C("pure-ed25519", "ed25519", pure=True),
    C("pure-ed25519-rich", "ed25519", pure=True, **RICH),
    C("no-pad-header", "ed25519", pad_header=False),
    C("no-pad-header-unsigned", None, pad_header=False, header_size=0x20),
    C("pad", "ed25519", pad=True),
    C("test", "ed25519", test=True),
    C("confirm", "ed25519", confirm=True),
    *(C(f"confirm-align-{a}", "ed25519", confirm=True, align=a) for a in (1, 2, 8, 16, 32)),
    C("max-align-16", "ed25519", confirm=True, align=8, max_align=16),
    C("max-align-32", None, confirm=True, align=4, max_align=32),
    C("max-align-32-test", "ecdsa-p256", test=True, align=32),
    C("erased-0-confirm", "ed25519", confirm=True, erased_val=0),
    C("erased-0-test-align16", None, test=True, erased_val=0, align=16),
    C("erased-ff-explicit", None, pad=True, erased_val=0xFF),
    C("overwrite-only-confirm", "ed25519", confirm=True, overwrite_only=True),
    C("overwrite-only-pad-align32", None, pad=True, overwrite_only=True, align=32),
    C("max-sectors-64", "ed25519", pad=True, max_sectors=64),
    C("seccnt-number", "ed25519", security_counter=0x1234),
    C("seccnt-auto", "rsa-2048", security_counter="auto", version="3.0.7+9"),
    C("deps-multi", "ed25519", deps="(0,1.0.0),(2, 2.3.4+5)"),
    C("boot-record-none", None, boot_record="NSPE"),
    C("boot-record-p384", "ecdsa-p384", boot_record="CoFM", security_counter=7),
    C("custom-tlvs", "ed25519", custom_tlvs=[(0xA0, b"\x01\x02\x03"), (0x1FF, b"hello"), (0xFFFE, b"")]),
    C("custom-tlv-file", "ecdsa-p256", custom_tlvs=[(0xA1, b"x")], custom_file=(0xA2, bytes(range(200)))),
    C("load-addr", "ed25519", load_addr=0x20000000),
    C("rom-fixed", "ecdsa-p256", rom_fixed=0x08020000),
    C("non-bootable", "ed25519", non_bootable=True),
    C("vid-cid-names", "ed25519", vid="nordicsemi.com", cid="app-core"),
    C("vid-cid-raw", None, vid="12345678-1234-5678-1234-567812345678", cid="0123456789abcdef0123456789ABCDEF"),
    C("sha512-ed25519", "ed25519", sha="512"),
    C("sha384-unsigned", None, sha="384"),
    C("sha512-unsigned", None, sha="512", boot_record="X"),
    C("pad-sig-p256", "ecdsa-p256", pad_sig=True),
    C("pad-sig-p384", "ecdsa-p384", pad_sig=True),
    C("big-endian", "ed25519", endian="big", confirm=True, align=8, max_align=16, security_counter=5,
      deps="(1,2.0.0)", custom_tlvs=[(0x1A0, b"ab")]),
    C("hex-in-out", "ed25519", in_ext="hex", out_ext="hex"),
    C("hex-in-out-confirm", "ecdsa-p256", in_ext="hex", out_ext="hex", confirm=True),
    C("hex-in-out-pad-erased0", None, in_ext="hex", out_ext="hex", pad=True, erased_val=0, align=8),
    C("bin-in-hex-out-addr", "ed25519", out_ext="hex", hex_addr=0x08000000, confirm=True),
    C("hex-in-bin-out", "rsa-2048", in_ext="hex"),
    C("hex-in-override-addr", "ed25519", in_ext="hex", out_ext="hex", hex_addr=0x20000),
    C("hex-in-no-pad-header", None, in_ext="hex", out_ext="hex", pad_header=False),
    C("enc-rsa-128", "rsa-2048", enc="enc-rsa"),
    C("enc-rsa-256-unsigned-confirm", None, enc="enc-rsa", encrypt_keylen=256, confirm=True),
    C("enc-ec256-256", "ecdsa-p256", enc="enc-p256", encrypt_keylen=256),
    C("enc-ec256-clear", None, enc="enc-p256", clear=True),
    C("enc-x25519-128", "ed25519", enc="x25519"),
    C("enc-x25519-256-hmac512", "ed25519", enc="x25519", encrypt_keylen=256, hmac_sha="512"),
    C("enc-x25519-unsigned-hmac512", None, enc="x25519", hmac_sha="512"),
    C("enc-x25519-save-enctlv", "ed25519", enc="x25519", save_enctlv=True, confirm=True, align=8),
    C("enc-no-pad-header-odd", "ed25519", enc="x25519", pad_header=False, size=SIZE + 5),
    C("enc-rsa3072-signer", "rsa-3072", enc="enc-rsa", security_counter=3),
    # --compression: compressible code, and the fall-back when compressing does not pay (random data)
    C("compress-lzma2-none", None, compression="lzma2", payload="thumb"),
    C("compress-lzma2-ed25519-rich", "ed25519", compression="lzma2", payload="thumb", **RICH),
    C("compress-armthumb-ed25519", "ed25519", compression="lzma2armthumb", payload="thumb"),
    C("compress-armthumb-pure", "ed25519", compression="lzma2armthumb", pure=True, payload="thumb"),
    C("compress-armthumb-no-pad-header", None, compression="lzma2armthumb", pad_header=False, payload="thumb"),
    C("compress-lzma2-hex-confirm", "ed25519", compression="lzma2", in_ext="hex", out_ext="hex", confirm=True,
      payload="thumb"),
    C("compress-lzma2-ecdsa", "ecdsa-p256", compression="lzma2", payload="thumb", boot_record="SPE"),
    C("compress-armthumb-rsa", "rsa-2048", compression="lzma2armthumb", payload="thumb", security_counter=3),
    C("compress-enc-x25519", "ed25519", enc="x25519", compression="lzma2", payload="thumb"),
    C("compress-fallback-random", "ed25519", compression="lzma2"),
    C("compress-fallback-random-armthumb", None, compression="lzma2armthumb", confirm=True),
]


def imgtool_args(case: Case, workdir: Path) -> list[str]:
    """imgtool's spelling of the case's options (keys, -E and files are added by the caller)."""
    o = case.options
    args = ["-H", hex(o["header_size"]), "-S", hex(o["slot_size"]), "-v", o["version"]]
    flags = {"pad_header": "--pad-header", "pad": "--pad", "confirm": "--confirm", "test": "--test",
             "overwrite_only": "--overwrite-only", "pure": "--pure", "pad_sig": "--pad-sig", "clear": "-c",
             "save_enctlv": "--save-enctlv", "non_bootable": "--non-bootable"}
    args += [flag for name, flag in flags.items() if o.get(name)]
    values = {"align": "--align", "max_align": "--max-align", "max_sectors": "-M", "load_addr": "-L",
              "rom_fixed": "-F", "security_counter": "-s", "boot_record": "--boot-record",
              "public_key_format": "--public-key-format", "sha": "--sha", "encrypt_keylen": "--encrypt-keylen",
              "hmac_sha": "--hmac-sha", "vid": "--vid", "cid": "--cid", "endian": "-e"}
    for name, opt in values.items():
        if name in o:
            value = o[name]
            args += [opt, hex(value) if name in ("load_addr", "rom_fixed") else str(value)]
    if case.compressed:
        args += ["--compression", o["compression"]]
    if "erased_val" in o:
        args += ["-R", "0" if o["erased_val"] == 0 else "0xff"]
    for tag, value in o.get("custom_tlvs", ()):
        args += ["--custom-tlv", hex(tag), "0x" + value.hex()] if value else ["--custom-tlv", hex(tag), "0x"]
    if case.custom_file:
        path = workdir / "custom.bin"
        path.write_bytes(case.custom_file[1])
        args += ["--custom-tlv-file", hex(case.custom_file[0]), str(path)]
    if case.deps:
        args += ["-d", case.deps]
    if case.hex_addr is not None:
        args += ["-x", hex(case.hex_addr)]
    return args


def our_options(case: Case, keys) -> ImageOptions:
    o = dict(case.options)
    customs = list(o.pop("custom_tlvs", ()))
    if case.custom_file:
        customs.append(case.custom_file)
    extra = {}
    if case.deps:
        extra["dependencies"] = parse_dependencies(case.deps)
    if case.enc:
        extra["encrypt_key"] = keys[case.enc].public
    return ImageOptions(**o, custom_tlvs=tuple(customs), **extra)


def thumb_code(size: int, seed: int) -> bytes:
    """Compressible stand-in for Thumb-2 code: short instruction patterns and BL pairs, seeded."""
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        if rng.random() < 0.2:  # BL: two halfwords, offset bits split as the ARM-Thumb filter expects
            offset = rng.randrange(1 << 22)
            out += struct.pack("<HH", 0xF000 | (offset >> 11), 0xF800 | (offset & 0x7FF))
        else:
            out += struct.pack("<H", rng.choice((0x4770, 0xB580, 0xBD80, 0x2000, 0x6800, 0x4601, 0x3001)))
    return bytes(out[:size])


def write_input(case: Case, workdir: Path, make_payload) -> Path:
    zero = 0 if case.options.get("pad_header") else case.options["header_size"]
    if case.payload == "thumb":
        data = bytes(zero) + thumb_code(case.size * 4 - zero, len(case.id))
    else:
        data = make_payload(case.size, seed=len(case.id), zero_header=zero)
    path = workdir / f"in.{case.in_ext}"
    if case.in_ext == "hex":
        ih = IntelHex()
        ih.frombytes(data, offset=HEX_BASE)
        ih.tofile(str(path), "hex")
    else:
        path.write_bytes(data)
    return path


@dataclass
class Outcome:
    case: Case
    workdir: Path
    ours: Path | None = None
    signed: object = None
    error: BaseException | None = None
    runs: dict = field(default_factory=dict)  # name -> (argv, result)

    def run(self, name: str) -> dict:
        argv, result = self.runs[name]
        assert result["rc"] == 0, f"imgtool {' '.join(argv)} failed:\n{result['out']}"
        return result

    def theirs(self, name: str = "sign") -> Path:
        self.run(name)
        return self.workdir / f"{name}.{self.case.out_ext}"


@pytest.fixture(scope="module")
def outcomes(keys, imgtool, make_payload, tmp_path_factory) -> dict[str, Outcome]:
    """Build every case with our core and with imgtool (one batch), keyed by case id."""
    root = tmp_path_factory.mktemp("interop")
    result: dict[str, Outcome] = {}
    batch: list[tuple[Outcome, str, list[str]]] = []
    for case in CASES:
        workdir = root / case.id
        workdir.mkdir()
        out = result[case.id] = Outcome(case, workdir)
        infile = write_input(case, workdir, make_payload)
        args = imgtool_args(case, workdir)
        key = keys[case.key] if case.key else None
        enc = ["-E", str(keys[case.enc].public_pem)] if case.enc else []
        try:
            loaded = read_input(infile)
            signer = PemSigner(key.private) if key else None
            signed = create_image(loaded.data, our_options(case, keys), signer)
            out.ours = workdir / f"ours.{case.out_ext}"
            write_output(out.ours, signed, input_base=loaded.base_addr, hex_addr=case.hex_addr)
            out.signed = signed
        except Exception as exc:  # reported by the tests, not here
            out.error = exc
        keyargs = ["-k", str(key.private_pem)] if key else []
        batch.append((out, "sign", ["sign", *args, *keyargs, *enc, str(infile), str(workdir / f"sign.{case.out_ext}")]))
        if out.ours and case.imgtool_verifiable:
            vkey = ["-k", str(key.public_pem)] if key else []
            batch.append((out, "verify-ours", ["verify", *vkey, str(out.ours)]))
        if out.signed is not None and key and not case.deterministic and case.enc is None and not case.compressed:
            sig = workdir / "sig.b64"
            sig.write_bytes(base64.b64encode(out.signed.signature))
            batch.append((out, "fixsig", ["sign", *args, "--fix-sig", str(sig), "--fix-sig-pubkey",
                                          str(key.public_pem), str(infile), str(workdir / f"fixsig.{case.out_ext}")]))
        if case.enc and not case.compressed:
            plain_args = [a for a in args if a not in ("--pad", "--confirm", "--test")]
            batch.append((out, "vector", ["sign", *plain_args, *keyargs, *enc, "--vector-to-sign", "payload",
                                          str(infile), str(workdir / "vector.bin")]))
    runs = imgtool.batch([argv for _, _, argv in batch])
    for (out, name, argv), res in zip(batch, runs, strict=False):
        out.runs[name] = (argv, res)
    return result


def _ours(outcome: Outcome) -> Path:
    if outcome.error is not None:
        raise outcome.error
    assert outcome.ours is not None
    return outcome.ours


def _image_bytes(path: Path) -> bytes:
    return read_input(path, allow_gaps=True).data


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_same_bytes_as_imgtool(case: Case, outcomes, keys):
    outcome = outcomes[case.id]
    ours = _ours(outcome)
    if case.deterministic:
        assert ours.read_bytes() == outcome.theirs().read_bytes()
    elif case.compressed:
        _same_compressed_image(case, _image_bytes(ours), _image_bytes(outcome.theirs()), keys)
    elif case.enc is None:
        # Same image once imgtool is handed our (randomised) signature.
        assert ours.read_bytes() == outcome.theirs("fixsig").read_bytes()
        mine, theirs = _image_bytes(ours), _image_bytes(outcome.theirs())
        end = parse_image(mine).hashed_end
        assert mine[:end] == theirs[:end]
    else:
        plain = decrypt_image(_image_bytes(ours), keys[case.enc].private) if not case.opts.get("clear") else _image_bytes(ours)
        end = parse_image(plain).hashed_end
        assert plain[:end] == (outcome.workdir / "vector.bin").read_bytes()
        theirs = _image_bytes(outcome.theirs())
        assert theirs[:case.options["header_size"]] == plain[:case.options["header_size"]]
        if case.key in (None, "ed25519", "rsa-2048", "rsa-3072"):  # fixed-length signatures
            assert len(theirs) == len(plain)


def _same_compressed_image(case: Case, mine: bytes, theirs: bytes, keys) -> None:
    """Randomised signatures (ECDSA, RSA-PSS, or an encrypted payload): the same compressed payload
    and the same TLVs, bar the signatures, which both carry (DECOMP_SIGNATURE inside the protected
    area, so the hashed regions differ only there)."""
    if case.enc:
        mine, theirs = (decrypt_image(d, keys[case.enc].private) for d in (mine, theirs))
    a, b = parse_image(mine), parse_image(theirs)
    assert a.header.flags == b.header.flags and a.header.flags & 0x400
    assert mine[a.payload_start:a.payload_end] == theirs[b.payload_start:b.payload_end]
    randomised = {0x72, 0x20, 0x22, 0x23, *range(0x30, 0x35)}  # signatures and the wrapped AES key
    assert [(t.type, t.value if t.type not in randomised else len(t.value) > 0) for t in a.tlvs()
            if t.type not in (0x10, 0x11, 0x12)] == \
        [(t.type, t.value if t.type not in randomised else len(t.value) > 0) for t in b.tlvs()
         if t.type not in (0x10, 0x11, 0x12)]


@pytest.mark.parametrize("case", [c for c in CASES if c.compressed], ids=lambda c: c.id)
def test_compression_matches_imgtool(case: Case, outcomes, keys):
    """imgtool compresses exactly when it pays; so do we, and the decompressed image checks out."""
    outcome = outcomes[case.id]
    ours = parse_image(_image_bytes(_ours(outcome)))
    theirs = parse_image(_image_bytes(outcome.theirs()))
    compressed = bool(theirs.header.flags & 0x400)
    assert bool(ours.header.flags & 0x400) == compressed == (case.payload == "thumb")
    assert bool(ours.header.flags & 0x800) == (compressed and case.options["compression"] == "lzma2armthumb")
    assert outcome.signed.compression == (case.options["compression"] if compressed else None)
    key = keys[case.key].public if case.key else None
    decrypt = keys[case.enc].private if case.enc else None
    for data in (_image_bytes(_ours(outcome)), _image_bytes(outcome.theirs())):
        checks = {c.name: c for c in verify_image(data, key, decrypt_key=decrypt).checks}
        if compressed:
            assert checks["decompressed"].status == "pass", checks["decompressed"].reason
        else:
            assert "decompressed" not in checks


@pytest.mark.parametrize("case", [c for c in CASES if c.imgtool_verifiable], ids=lambda c: c.id)
def test_imgtool_verifies_ours(case: Case, outcomes):
    outcome = outcomes[case.id]
    _ours(outcome)
    out = outcome.run("verify-ours")["out"]
    assert "Image was correctly validated" in out
    assert f"Image version: {outcome.signed.header.version}" in out
    if not case.opts.get("pure"):
        assert f"Image digest: {outcome.signed.digest.hex()}" in out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_we_verify_imgtools(case: Case, outcomes, keys):
    outcome = outcomes[case.id]
    data = _image_bytes(outcome.theirs())
    key = keys[case.key].public if case.key else None
    decrypt = keys[case.enc].private if case.enc else None
    result = verify_image(data, key, decrypt_key=decrypt, slot_size=case.options["slot_size"])
    assert result.ok, [c for c in result.checks if not c.passed]
    names = {c.name: c.status for c in result.checks}
    assert names["hash"] == "pass"
    assert names["signature"] == ("pass" if key else "skip")
    if case.enc:
        assert names["decrypt"] == "pass" and result.encrypted
    # And ours verifies with our own verifier too.
    mine = verify_image(_image_bytes(_ours(outcome)), key, decrypt_key=decrypt, slot_size=case.options["slot_size"])
    assert mine.ok, [c for c in mine.checks if not c.passed]
    assert mine.version == outcome.signed.header.version


def test_console_script_matches(keys, imgtool, make_payload, tmp_path):
    """One run of the actual command line (fresh process), beyond the batched entry point."""
    case = C("cli", "ed25519", **RICH)
    infile = write_input(case, tmp_path, make_payload)
    theirs = tmp_path / "theirs.bin"
    proc = imgtool.run("sign", *imgtool_args(case, tmp_path), "-k", str(keys["ed25519"].private_pem),
                       str(infile), str(theirs))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    signed = create_image(infile.read_bytes(), our_options(case, keys), PemSigner(keys["ed25519"].private))
    assert signed.data == theirs.read_bytes()
    proc = imgtool.run("verify", "-k", str(keys["ed25519"].public_pem), str(theirs))
    assert proc.returncode == 0 and "Image was correctly validated" in proc.stdout


@pytest.mark.parametrize("key,mode", [("ecdsa-p256", "payload"), ("ed25519", "digest"), (None, "digest"),
                                      ("ecdsa-p384", "digest"), ("rsa-2048", "payload")])
def test_vector_to_sign(key, mode, keys, imgtool, make_payload, tmp_path):
    case = C("vector", key, security_counter="auto", boot_record="SPE")
    infile = write_input(case, tmp_path, make_payload)
    keyargs = ["-k", str(keys[key].private_pem)] if key else []
    out = tmp_path / "vector.bin"
    [res] = imgtool.batch([["sign", *imgtool_args(case, tmp_path), *keyargs, "--vector-to-sign", mode,
                            str(infile), str(out)]])
    assert res["rc"] == 0, res["out"]
    ours = vector_to_sign(infile.read_bytes(), our_options(case, keys), keys[key].public if key else None, mode)
    assert ours == out.read_bytes()


def test_fixed_signature_round_trip(keys, make_payload):
    """A signature made from vector_to_sign and inserted as a fixed signature gives a valid image."""
    key = keys["ecdsa-p256"]
    options = ImageOptions(**BASE, security_counter=9)
    data = make_payload(4096)
    region = vector_to_sign(data, options, key.public, "payload")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    signature = key.private.sign(region, ec.ECDSA(hashes.SHA256()))
    signed = create_image(data, options, fixed_signature=(signature, key.public))
    assert signed.signature == signature
    assert verify_image(signed.data, key.public).ok
    assert region == signed.data[:parse_image(signed.data).hashed_end]


def test_dev_key_is_recognised(devkeys_dir, make_payload, imgtool, tmp_path):
    """An image signed by imgtool with the published MCUboot P-256 key is flagged as such."""
    pem = devkeys_dir / "mcuboot" / "root-ec-p256.pem"
    infile = tmp_path / "in.bin"
    infile.write_bytes(make_payload(4096))
    out = tmp_path / "out.bin"
    [res] = imgtool.batch([["sign", "-k", str(pem), "-H", "0x200", "--pad-header", "-S", "0x10000", "-v", "1.0.0",
                            str(infile), str(out)]])
    assert res["rc"] == 0, res["out"]
    result = verify_image(out.read_bytes(), load_private_key(pem).public_key())
    assert result.ok and result.dev_key is not None and "root-ec-p256" in result.dev_key.file
    unkeyed = verify_image(out.read_bytes())
    assert unkeyed.dev_key is not None and unkeyed.key_hash is not None
