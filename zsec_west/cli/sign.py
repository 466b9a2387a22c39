"""`zsec sign` / `west sec-sign`: sign, verify and inspect MCUboot images; make and export keys.

Subcommands: sign (the default: `zsec sign -k KEY ... IN OUT` means `zsec sign sign ...`), verify,
info, keygen, getpub, getpubhash. Options that imgtool also has keep imgtool's names and short
flags, so `-d` is --dependencies as in imgtool and the build directory is `--build-dir` (no short
form) in `sign`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from zsec_west.cli.args import CommandSpec, RunContext
from zsec_west.errors import UsageError

ACTIONS = ("sign", "verify", "info", "keygen", "getpub", "getpubhash")

SIGN_EPILOG = """\
With --build-dir (or without INFILE, when west's build directory or ./build is a Zephyr build),
every image MCUboot loads is signed as the build's CMake signing step would: header size from
CONFIG_ROM_START_OFFSET, slot size from slot1_partition (slot0 for single-app), alignment from the
flash write-block-size, version from CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION, the key from
CONFIG_MCUBOOT_SIGNATURE_KEY_FILE, plus CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS; outputs are
zephyr.signed.{bin,hex} and the .confirmed / .encrypted variants the build asks for. Options
given here win. Note: -d is imgtool's --dependencies; the build directory has no short flag.

--sign-command CMD runs CMD without a shell. It reads the message on stdin (RSA/ECDSA: the
hashed region, to be hashed with SHA-256 (SHA-384 for P-384) and signed, e.g. `openssl dgst
-sha256 -sign key.pem`; Ed25519: the 32-byte image digest, or the region with --pure) and prints
the signature (raw bytes, DER for ECDSA, or base64 text). The signature is checked against
--sign-command-pubkey (or -k PUBLIC.pem) before it goes into the image. ZSEC_SIGN_KEY_TYPE,
ZSEC_SIGN_HASH, ZSEC_SIGN_INPUT (payload|digest) and ZSEC_SIGN_DIGEST are set for it.

-k pkcs11:token=LABEL;object=KEY?pin-source=file:PIN&module-path=LIB.so signs inside a PKCS#11
token (the module may also come from ZSEC_PKCS11_MODULE, the PIN from --key-password-env).
"""

DESCRIPTION = """\
Sign MCUboot images byte-compatibly with imgtool, from a Zephyr build or from explicit options,
with a key in a PEM file, in a PKCS#11 token (-k 'pkcs11:token=...;object=...?pin-source=FILE')
or behind an external command (--sign-command). Publicly known development keys are refused
unless --allow-dev-key is given.

  zsec sign --build-dir build -k release.pem         sign every image MCUboot loads, as the build would
  zsec sign -k key.pem -H 0x200 -S 0x76000 -v 1.2.3 zephyr.bin zephyr.signed.bin
  zsec sign verify -k key.pem zephyr.signed.bin      exit 0 valid, 1 invalid, 2 bad input
  zsec sign info zephyr.signed.bin                   header, TLVs, trailer, signing key
  zsec sign keygen -k release.pem -t ecdsa-p256      new key (0600, never overwrites)
  zsec sign getpub -k release.pem                    C array for MCUboot (as imgtool getpub)
"""


def int_value(text: str) -> int:
    """argparse type: decimal or 0x-prefixed integers, as imgtool accepts them."""
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def add_image_options(p: argparse.ArgumentParser) -> None:
    """The imgtool `sign` options that shape an image; every default is None so that an option
    the user gave can be told from one taken from the build."""
    flag: dict[str, Any] = {"action": "store_true", "default": None}  # keyword arguments
    g = p.add_argument_group("image layout (imgtool's names; with --build-dir they default to the build's values)")
    g.add_argument("-H", "--header-size", type=int_value, metavar="N",
                   help="MCUboot header size (CONFIG_ROM_START_OFFSET)")
    g.add_argument("-S", "--slot-size", type=int_value, metavar="N",
                   help="slot size (the secondary slot's, if they differ)")
    g.add_argument("-v", "--version", metavar="VER", help="image version maj.min.rev+build")
    g.add_argument("--pad-header", **flag,
                   help="prepend the header (filled with the erased value) instead of overwriting zeros")
    g.add_argument("--pad", **flag, help="pad to the slot size and add the trailer magic")
    g.add_argument("--confirm", **flag, help="pad and mark the image confirmed (image_ok)")
    g.add_argument("--test", **flag, help="pad and mark the image for a test swap")
    g.add_argument("--align", type=int, choices=(1, 2, 4, 8, 16, 32), help="flash write alignment")
    g.add_argument("--max-align", type=int, choices=(8, 16, 32), help="maximum flash alignment")
    g.add_argument("-M", "--max-sectors", type=int_value, metavar="N", help="sectors in a slot (default 128)")
    g.add_argument("--overwrite-only", **flag, help="trailer for overwrite-only upgrades")
    g.add_argument("-R", "--erased-val", choices=("0", "0xff"), help="value of erased flash (default 0xff)")
    g.add_argument("-x", "--hex-addr", type=int_value, metavar="ADDR", help="address of a .hex output")
    g.add_argument("-L", "--load-addr", type=int_value, metavar="ADDR", help="RAM load address (RAM_LOAD)")
    g.add_argument("-F", "--rom-fixed", type=int_value, metavar="ADDR", help="fixed ROM address (ROM_FIXED)")
    g.add_argument("-e", "--endian", choices=("little", "big"), help="byte order (default little)")
    g.add_argument("--non-bootable", **flag, help="mark the image non-bootable")
    t = p.add_argument_group("protected TLVs")
    t.add_argument("-s", "--security-counter", metavar="N|auto", help="security counter, or auto (from -v)")
    t.add_argument("-d", "--dependencies", metavar='"(ID,VER),..."', help="images this one depends on")
    t.add_argument("--boot-record", metavar="SW_TYPE", help="measured-boot record software type (<= 12 chars)")
    t.add_argument("--custom-tlv", nargs=2, action="append", metavar=("TAG", "VALUE"),
                   help="custom protected TLV: VALUE 0x.. is hex bytes, else UTF-8 text (repeatable)")
    t.add_argument("--custom-tlv-file", nargs=2, action="append", metavar=("TAG", "FILE"),
                   help="custom protected TLV with a file's bytes (repeatable)")
    t.add_argument("--vid", metavar="UUID|NAME", help="vendor UUID TLV")
    t.add_argument("--cid", metavar="UUID|NAME", help="image class UUID TLV")
    s = p.add_argument_group("signature and encryption")
    s.add_argument("--public-key-format", choices=("hash", "full"),
                   help="KEYHASH (default) or the full PUBKEY TLV")
    s.add_argument("--sha", choices=("auto", "256", "384", "512"), help="image hash (default: by key type)")
    s.add_argument("--pure", **flag, help="Ed25519 over the image itself (SHA-512)")
    s.add_argument("--pad-sig", **flag, help="pad ECDSA signatures to a fixed length (MCUboot < 1.5)")
    s.add_argument("-E", "--encrypt", metavar="KEY", help="encrypt for this RSA-2048, P-256 or X25519 key")
    s.add_argument("--encrypt-keylen", type=int, choices=(128, 256), help="AES key size (default 128)")
    s.add_argument("--hmac-sha", choices=("auto", "256", "512"), help="ECIES HMAC/HKDF hash (512: X25519)")
    s.add_argument("-c", "--clear", **flag, help="flag as encrypted but keep the payload clear")
    s.add_argument("--save-enctlv", **flag, help="size the trailer for the encryption TLV")


def _add_key_source(p: argparse.ArgumentParser) -> None:
    k = p.add_argument_group("key")
    k.add_argument("-k", "--key", metavar="KEY", help="private PEM file, or a pkcs11: URI (RFC 7512)")
    k.add_argument("--key-password-env", metavar="VAR",
                   help="environment variable holding the key passphrase or token PIN "
                        "(else a prompt on a terminal)")
    k.add_argument("--sign-command", metavar="CMD",
                   help="external signer: reads what to sign on stdin, prints the signature (see below)")
    k.add_argument("--sign-command-pubkey", metavar="PEM",
                   help="public key of --sign-command (or give it with -k)")
    k.add_argument("--sign-command-timeout", type=positive_float, default=60.0, metavar="SECONDS",
                   help="how long --sign-command may take (default 60)")
    k.add_argument("--allow-dev-key", action="store_true",
                   help="accept a publicly known development key (test images only)")
    k.add_argument("--fix-sig", metavar="FILE", help="insert this signature (base64) made elsewhere")
    k.add_argument("--fix-sig-pubkey", metavar="PEM", help="public key of the --fix-sig signature")
    k.add_argument("--sig-out", metavar="FILE", help="also write the signature (base64) to FILE")
    k.add_argument("--vector-to-sign", choices=("payload", "digest"),
                   help="write what must be signed to OUTFILE instead of an image")


def _add_sign(p: argparse.ArgumentParser) -> None:
    p.add_argument("infile", nargs="?", metavar="INFILE",
                   help="firmware (.bin or .hex); default: from the build")
    p.add_argument("outfile", nargs="?", metavar="OUTFILE",
                   help="signed image (.bin or .hex); default: from the build")
    b = p.add_argument_group("build")
    b.add_argument("--build-dir", metavar="DIR",
                   help="take every parameter from this Zephyr build (default without INFILE: west's build "
                        "directory, else ./build); options given here override the build's values")
    b.add_argument("--domain", action="append", metavar="NAME", help="only this sysbuild domain (repeatable)")
    b.add_argument("--manifest", metavar="FILE", help="write a JSON record of every image signed")
    _add_key_source(p)
    add_image_options(p)


def _add_verify(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", metavar="IMAGE", help="signed image (.bin or .hex)")
    p.add_argument("-k", "--key", metavar="KEY",
                   help="public or private PEM, or a pkcs11: URI (default: check the hash only)")
    p.add_argument("--slot-size", "-S", type=int_value, metavar="N", help="also check that the image fits a slot")
    p.add_argument("--decrypt-key", metavar="KEY", help="private encryption key, to check an encrypted image")
    p.add_argument("--key-password-env", metavar="VAR", help="environment variable holding a passphrase or PIN")
    p.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")


def _add_info(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", metavar="IMAGE", help="MCUboot image (.bin or .hex)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")


def _add_keygen(p: argparse.ArgumentParser) -> None:
    from zsec_west.sign.keytools import KEY_TYPES  # noqa: PLC0415 - keep `zsec --help` light
    p.add_argument("-k", "--key", required=True, metavar="FILE", help="new private key file (never overwritten)")
    p.add_argument("-t", "--type", required=True, choices=KEY_TYPES, metavar="TYPE",
                   help=f"one of {', '.join(KEY_TYPES)}")
    p.add_argument("-p", "--password", action="store_true", help="protect the key with a passphrase (prompt)")
    p.add_argument("--password-env", metavar="VAR", help="protect the key with the passphrase in variable VAR")


def _add_getpub(p: argparse.ArgumentParser, hash_only: bool) -> None:
    from zsec_west.sign.keytools import HASH_ENCODINGS, PUB_ENCODINGS  # noqa: PLC0415
    p.add_argument("-k", "--key", required=True, metavar="KEY", help="PEM file (public or private) or pkcs11: URI")
    encodings = HASH_ENCODINGS if hash_only else PUB_ENCODINGS
    p.add_argument("-e", "--encoding", choices=encodings, help=f"one of {', '.join(encodings)} (default lang-c)")
    if not hash_only:
        p.add_argument("-l", "--lang", choices=("c", "rust"), help="deprecated: use -e lang-c / lang-rust")
    p.add_argument("--name-suffix", default="", metavar="SUFFIX", help="append SUFFIX to the C/Rust names")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--key-password-env", metavar="VAR", help="environment variable holding a passphrase or PIN")


def default_to_sign(parser: argparse.ArgumentParser) -> None:
    """Make `sign` the subcommand when the first word is not one (argparse cannot default a subparser).

    Both `zsec` and west reach this parser through argparse's subparser action, which calls
    `parser.parse_known_args(...)` on this instance, so wrapping it here covers both front ends."""
    original = parser.parse_known_args

    def parse_known_args(args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
                         ) -> tuple[argparse.Namespace, list[str]]:
        argv = list(sys.argv[1:] if args is None else args)
        if not argv or argv[0] not in (*ACTIONS, "-h", "--help"):
            argv.insert(0, "sign")
        return original(argv, namespace)

    # A deliberate instance-level override of an overloaded method, which mypy cannot express.
    parser.parse_known_args = parse_known_args  # type: ignore[method-assign, assignment]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="sign_action", metavar="ACTION", title="actions (default: sign)")
    adders: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
        "sign": ("sign an image (the default action)", _add_sign),
        "verify": ("check an image's hash, key and signature", _add_verify),
        "info": ("show an image's header, TLVs, trailer and signing key", _add_info),
        "keygen": ("generate a signing or encryption key", _add_keygen),
        "getpub": ("print a public key as MCUboot embeds it", lambda p: _add_getpub(p, False)),
        "getpubhash": ("print the SHA-256 of a public key as MCUboot embeds it",
                       lambda p: _add_getpub(p, True)),
    }
    for name, (help_text, add) in adders.items():
        p = sub.add_parser(name, help=help_text, description=help_text,
                           epilog=SIGN_EPILOG if name == "sign" else None,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        add(p)
        p.set_defaults(sign_action=name)
    default_to_sign(parser)


def prompt_function() -> Callable[[str], str] | None:
    """getpass, but only for a person at a terminal; scripts must use --key-password-env."""
    return getpass.getpass if sys.stdin.isatty() else None


def run(args: argparse.Namespace, ctx: RunContext) -> int:
    action = getattr(args, "sign_action", None) or "sign"
    if action == "sign":
        from zsec_west.cli.sign_images import run_sign  # noqa: PLC0415
        return run_sign(args, ctx, environ=os.environ, prompt=prompt_function())
    from zsec_west.cli import sign_tools  # noqa: PLC0415
    handlers = {"verify": sign_tools.run_verify, "info": sign_tools.run_info, "keygen": sign_tools.run_keygen,
                "getpub": sign_tools.run_getpub, "getpubhash": sign_tools.run_getpubhash}
    if action not in handlers:
        raise UsageError(f"unknown action {action!r}")
    return handlers[action](args, ctx, environ=os.environ, prompt=prompt_function())


SPEC = CommandSpec(
    name="sign",
    west_name="sec-sign",
    help="sign, verify and inspect MCUboot images; generate and export keys",
    description=DESCRIPTION,
    add_arguments=add_arguments,
    run=run,
)
