"""The rest of the imgtool 2.5.0 interop matrix: keyinfo, dumpinfo (our `info --format json|yaml`)
and key sets (a bootloader built with several keys: every entry after the first a public key).

imgtool is the oracle: for keyinfo the same answer and the same success or failure; for dumpinfo
the same document, field for field; for key sets, imgtool verifies the images we sign with any
entry and we verify the ones it signs with any entry.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.sign.conftest import KEY_TYPES


@pytest.fixture
def zsec(capsys, monkeypatch):
    """zsec(*args) -> (exit code, stdout, stderr) of the real front end, in this process."""
    from zsec_west.cli.app import main

    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


# -- keyinfo ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ("private", "public"))
@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_keyinfo_answers_as_imgtool(zsec, keys, imgtool, key_type, kind):
    pair = keys[key_type]
    pem = pair.private_pem if kind == "private" else pair.public_pem
    argvs = [["keyinfo", "-k", str(pem)], ["keyinfo", "-k", str(pem), "--require", "private"],
             ["keyinfo", "-k", str(pem), "--require", "public"]]
    theirs = imgtool.batch(argvs)
    for argv, their in zip(argvs, theirs, strict=True):
        code, out, err = zsec("sign", *argv)
        assert (code == 0) == (their["rc"] == 0), (argv, their, err)
        assert out == their["out"].splitlines(keepends=True)[0]  # "private\n" / "public\n", before any error
        if code:
            assert code == 2 and len(err.splitlines()) == 1 and "required" in err and str(pem) in err
    assert zsec("sign", "keyinfo", "-k", pem)[1] == f"{kind}\n"


def test_keyinfo_refuses_what_is_no_key(zsec, tmp_path: Path, imgtool):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key\n")
    code, _, err = zsec("sign", "keyinfo", "-k", junk)
    [their] = imgtool.batch([["keyinfo", "-k", str(junk)]])
    assert code == 2 and their["rc"] != 0 and "not a PEM key file" in err


# -- dumpinfo -------------------------------------------------------------------------------------

IMAGES = {
    "plain-ed25519": ["-k", "ed25519", "--pad-header"],
    "rich-p256-confirm": ["-k", "ecdsa-p256", "--pad-header", "--confirm", "--align", "4", "-s", "auto",
                          "--boot-record", "SPE", "-d", "(1,2.3.4)", "--custom-tlv", "0xa0", "0x1234"],
    "max-align-32-test": ["-k", "rsa-2048", "--pad-header", "--test", "--align", "32"],
    "encrypted-pad": ["-k", "ecdsa-p256", "--pad-header", "--pad", "-E", "enc-p256"],
    "full-pubkey-hex": ["-k", "ecdsa-p384", "--pad-header", "--public-key-format", "full", "--confirm", "HEX"],
    "unsigned-vid-cid": ["--pad-header", "--vid", "example.com", "--cid", "app"],
    "compressed": ["-k", "ed25519", "--pad-header", "--compression", "lzma2armthumb", "COMPRESSIBLE"],
}


@pytest.fixture(scope="module")
def dumped(keys, imgtool, make_payload, tmp_path_factory) -> dict[str, tuple[Path, Path, Path]]:
    """Each image signed by imgtool, with imgtool dumpinfo's JSON and YAML of it."""
    root = tmp_path_factory.mktemp("dumpinfo")
    (root / "in.bin").write_bytes(make_payload(20000, seed=7))
    (root / "code.bin").write_bytes(bytes(range(256)) * 80)
    from intelhex import IntelHex
    ih = IntelHex()
    ih.frombytes(make_payload(20000, seed=8), offset=0x8000)
    ih.tofile(str(root / "in.hex"), "hex")
    argvs, out = [], {}
    for name, spec in IMAGES.items():
        ext = "hex" if "HEX" in spec else "bin"
        infile = root / ("code.bin" if "COMPRESSIBLE" in spec else f"in.{ext}")
        args = [a for a in spec if a not in ("HEX", "COMPRESSIBLE")]
        args = [str(keys[a].private_pem) if i and args[i - 1] == "-k" else
                str(keys[a].public_pem) if i and args[i - 1] == "-E" else a for i, a in enumerate(args)]
        image = root / f"{name}.{ext}"
        argvs.append(["sign", "-H", "0x200", "-S", "0x20000", "-v", "1.2.3+4", *args, str(infile), str(image)])
        argvs.append(["dumpinfo", "-f", "json", "-o", str(root / f"{name}.json"), str(image)])
        argvs.append(["dumpinfo", "-f", "yaml", "-o", str(root / f"{name}.yaml"), str(image)])
        out[name] = (image, root / f"{name}.json", root / f"{name}.yaml")
    for argv, result in zip(argvs, imgtool.batch(argvs), strict=True):
        assert result["rc"] == 0, (argv, result["out"])
    return out


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_info_json_and_yaml_hold_imgtools_dumpinfo(zsec, dumped, name):
    image, their_json, their_yaml = dumped[name]
    code, out, _ = zsec("sign", "info", image, "--format", "json")
    assert code == 0
    ours = json.loads(out)
    assert ours["dumpinfo"] == json.loads(their_json.read_text())
    assert ours["command"] == "sign info" and ours["header"]["version"] == "1.2.3+4"  # our own fields stay
    code, out, _ = zsec("sign", "info", image, "--format", "yaml")
    assert code == 0
    ours_yaml = yaml.safe_load(out)
    assert ours_yaml["dumpinfo"] == yaml.safe_load(their_yaml.read_text())  # bytes as !!binary in both
    assert ours_yaml["signing_key"] == ours["signing_key"]
    if name in ("rich-p256-confirm", "max-align-32-test", "encrypted-pad", "full-pubkey-hex"):
        assert ours["dumpinfo"]["trailer"]["magic"]  # padded images: the trailer was read back


# -- key sets ---------------------------------------------------------------------------------------

def test_key_set_verification_against_imgtool(zsec, keys, imgtool, make_payload, tmp_path: Path):
    """A bootloader with keys (A, B): images signed by imgtool with B verify against the set; ours
    signed with the set's first entry verify with imgtool; a key outside the set fails."""
    a, b, c = keys["ecdsa-p256"], keys["enc-p256"], keys["rsa-2048"]
    infile = tmp_path / "in.bin"
    infile.write_bytes(make_payload(8000, seed=3))
    by_b, by_c = tmp_path / "by-b.bin", tmp_path / "by-c.bin"
    common = ["-H", "0x200", "--pad-header", "-S", "0x10000", "-v", "1.0.0"]
    for key, out in ((b, by_b), (c, by_c)):
        [res] = imgtool.batch([["sign", "-k", str(key.private_pem), *common, str(infile), str(out)]])
        assert res["rc"] == 0, res["out"]
    key_set = f"{a.public_pem},{b.public_pem}"
    for args in (["-k", key_set], ["-k", a.public_pem, "-k", b.public_pem]):
        code, out, err = zsec("sign", "verify", *args, by_b, "--format", "json")
        doc = json.loads(out)
        assert code == 0 and doc["ok"] and doc["key_index"] == 1, err
        assert {c["name"]: c["status"] for c in doc["checks"]}["key-set"] == "pass"
    code, out, err = zsec("sign", "verify", "-k", key_set, by_c)
    assert code == 1 and "key-set" in err and "none of the 2 keys" in err
    assert zsec("sign", "verify", "-k", a.public_pem, by_b)[0] == 1
    # We sign with the set: the first entry signs, the rest are public keys of the same type.
    ours = tmp_path / "ours.bin"
    code, _, err = zsec("sign", "-k", f"{b.private_pem},{a.public_pem}", *common, infile, ours)
    assert code == 0, err
    [res] = imgtool.batch([["verify", "-k", str(b.public_pem), str(ours)]])
    assert res["rc"] == 0 and "Image was correctly validated" in res["out"]


def test_key_set_entries_after_the_first_must_be_public(zsec, keys, make_payload, tmp_path: Path, imgtool):
    """What MCUboot's build checks with `imgtool keyinfo --require public` on every later entry."""
    infile = tmp_path / "in.bin"
    infile.write_bytes(make_payload(4000, seed=5))
    common = ["-H", "0x200", "--pad-header", "-S", "0x10000", "-v", "1.0.0"]
    a, b = keys["ecdsa-p256"], keys["enc-p256"]
    code, _, err = zsec("sign", "-k", f"{a.private_pem},{b.private_pem}", *common, infile, tmp_path / "o.bin")
    [their] = imgtool.batch([["keyinfo", "-k", str(b.private_pem), "--require", "public"]])
    assert code == 2 and their["rc"] != 0
    assert "entry 2" in err and "public-only" in err and not (tmp_path / "o.bin").exists()
    code, _, err = zsec("sign", "-k", f"{a.private_pem},{keys['ed25519'].public_pem}", *common, infile,
                        tmp_path / "o.bin")
    assert code == 2 and "ed25519" in err and "ecdsa-p256" in err
