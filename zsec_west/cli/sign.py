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
from collections.abc import Callable
from typing import Any

from zsec_west.cli.args import (
    CommandSpec,
    RunContext,
    add_action,
    add_actions,
    add_build_dir_args,
    add_format_arg,
    add_output_arg,
)
from zsec_west.errors import UsageError
from zsec_west.sign import imgtoolargs
from zsec_west.sign.imgtoolargs import Kind
from zsec_west.sign.keykinds import HASH_ENCODINGS, KEY_TYPES, MAX_SIGN_COMMAND_TIMEOUT, PUB_ENCODINGS

SIGN_EPILOG = """\
With --build-dir (or without INFILE, when west's build directory or ./build is a Zephyr build),
every image MCUboot loads is signed as the build's CMake signing step would: header size from
CONFIG_ROM_START_OFFSET, slot size from slot1_partition (slot0 for single-app), alignment from the
flash write-block-size, version from CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION, the key from
CONFIG_MCUBOOT_SIGNATURE_KEY_FILE, plus CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS; outputs are
zephyr.signed.{bin,hex} and the .confirmed / .encrypted variants the build asks for. Options
given here win. Note: -d is imgtool's --dependencies; the build directory has no short flag.

A TF-M build (CONFIG_BUILD_WITH_TFM with BL2) signs the non-secure image (zephyr_ns_signed.*), and
with --secure the secure image (tfm_s_signed.*) too, with the parameters Zephyr's TF-M signing
used (header CONFIG_ROM_START_OFFSET, slot size from TF-M's signing layout, boot record SPE/NSPE,
security counter, full public key), and rewrites tfm_merged.hex.

The key must be one the build's bootloader trusts (MCUboot's key setting or the key compiled
into it; TF-M BL2's CONFIG_TFM_KEY_FILE_S/NS), else signing stops with exit 2 unless
--allow-untrusted-key.

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
  zsec sign verify -k key.pem zephyr.signed.bin      exit 0 valid, 1 invalid (or no -k), 2 bad input
  zsec sign info zephyr.signed.bin                   header, TLVs, trailer, signing key (--format yaml|json)
  zsec sign keygen -k release.pem -t ecdsa-p256      new key (0600, never overwrites)
  zsec sign keyinfo -k key.pem --require public      "private" or "public"; exit 2 if not the one required
  zsec sign getpub -k release.pem                    C array for MCUboot (as imgtool getpub)
"""


def int_value(text: str) -> int:
    """argparse type: decimal or 0x-prefixed integers, as imgtool accepts them."""
    try:
        return imgtoolargs.parse_int(text)
    except imgtoolargs.ArgsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def timeout_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= MAX_SIGN_COMMAND_TIMEOUT:  # also nan and inf, which subprocess cannot wait for
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds above 0 and at most {MAX_SIGN_COMMAND_TIMEOUT:g}")
    return value


_TYPES: dict[Kind, Callable[[str], Any]] = {Kind.INT: int_value, Kind.DECIMAL: int}


def add_imgtool_option(group: argparse._ActionsContainer, option: imgtoolargs.ImgtoolOption) -> None:
    """One entry of imgtool's option table as an argparse option. Every default is None, so that an
    option the user gave can be told from one taken from the build."""
    kwargs: dict[str, Any] = {"dest": option.field, "help": option.help}
    if option.kind is Kind.FLAG:
        kwargs.update(action="store_true", default=None)
    elif option.kind is Kind.PAIR:
        kwargs.update(nargs=2, action="append", metavar=option.metavar)
    else:
        kwargs.update(metavar=option.metavar, choices=option.choices)
        if option.kind in _TYPES:
            kwargs["type"] = _TYPES[option.kind]
    group.add_argument(*option.flags, **kwargs)


def _add_imgtool_group(p: argparse.ArgumentParser, title: str) -> argparse._ArgumentGroup:
    group = p.add_argument_group(title)
    for option in imgtoolargs.SIGN_OPTIONS:
        if option.group == title:
            add_imgtool_option(group, option)
    return group


def _add_key_source(p: argparse.ArgumentParser) -> None:
    k = _add_imgtool_group(p, imgtoolargs.KEY)
    k.add_argument("--key-password-env", metavar="VAR",
                   help="environment variable holding the key passphrase or token PIN "
                        "(else a prompt on a terminal)")
    k.add_argument("--sign-command", metavar="CMD",
                   help="external signer: reads what to sign on stdin, prints the signature (see below)")
    k.add_argument("--sign-command-pubkey", metavar="PEM",
                   help="public key of --sign-command (or give it with -k)")
    k.add_argument("--sign-command-timeout", type=timeout_seconds, default=60.0, metavar="SECONDS",
                   help="how long --sign-command may take (default 60)")
    k.add_argument("--allow-dev-key", action="store_true",
                   help="accept a publicly known development key (test images only)")
    k.add_argument("--allow-untrusted-key", action="store_true",
                   help="with --build-dir: sign even with a key the build's bootloader does not trust "
                        "(the image will not boot with it)")
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
    # No -d: that is imgtool's --dependencies.
    add_build_dir_args(b, short=False, domains=False,
                       help="take every parameter from this Zephyr build (default without INFILE: west's "
                            "build directory, else ./build); options given here override the build's values")
    b.add_argument("--domain", action="append", metavar="NAME", help="only this sysbuild domain (repeatable)")
    b.add_argument("--manifest", metavar="FILE", help="write a JSON record of every image signed")
    b.add_argument("--secure", action="store_true",
                   help="TF-M builds: sign the secure image (tfm_s_signed.*) too, not only the non-secure one")
    b.add_argument("--secure-key", metavar="KEY",
                   help="TF-M builds: the secure image's key (default: -k); implies --secure")
    _add_key_source(p)
    for title in (imgtoolargs.LAYOUT, imgtoolargs.PROTECTED, imgtoolargs.SIGNATURE):
        _add_imgtool_group(p, title)


def _add_verify(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", metavar="IMAGE", help="signed image (.bin or .hex)")
    p.add_argument("-k", "--key", metavar="KEY", action="append",
                   help="public or private PEM, or a pkcs11: URI; repeat it, or give a comma-separated "
                        "list, for a key set (valid when any key verifies the image)")
    p.add_argument("--hash-only", action="store_true",
                   help="check the hash alone, without a key (otherwise verifying without -k fails)")
    p.add_argument("--slot-size", "-S", type=int_value, metavar="N", help="also check that the image fits a slot")
    p.add_argument("--decrypt-key", metavar="KEY", help="private encryption key, to check an encrypted image")
    p.add_argument("--key-password-env", metavar="VAR", help="environment variable holding a passphrase or PIN")
    add_format_arg(p, ("text", "json"))
    add_output_arg(p, help="write the report to FILE")


def _add_info(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", metavar="IMAGE", help="MCUboot image (.bin or .hex)")
    add_format_arg(p, ("text", "json", "yaml"),
                   help="report format (json and yaml hold imgtool dumpinfo's document under 'dumpinfo')")
    add_output_arg(p, help="write the report to FILE")


def _add_keygen(p: argparse.ArgumentParser) -> None:
    p.add_argument("-k", "--key", required=True, metavar="FILE", help="new private key file (never overwritten)")
    p.add_argument("-t", "--type", required=True, choices=KEY_TYPES, metavar="TYPE",
                   help=f"one of {', '.join(KEY_TYPES)}")
    p.add_argument("-p", "--password", action="store_true", help="protect the key with a passphrase (prompt)")
    p.add_argument("--password-env", metavar="VAR", help="protect the key with the passphrase in variable VAR")


def _add_keyinfo(p: argparse.ArgumentParser) -> None:
    p.add_argument("-k", "--key", required=True, metavar="FILE", help="PEM file")
    p.add_argument("--require", choices=("private", "public"),
                   help="exit 2 unless the file holds this kind of key (as imgtool keyinfo --require)")


def _add_getpub(p: argparse.ArgumentParser, hash_only: bool) -> None:
    p.add_argument("-k", "--key", required=True, metavar="KEY", help="PEM file (public or private) or pkcs11: URI")
    encodings = HASH_ENCODINGS if hash_only else PUB_ENCODINGS
    p.add_argument("-e", "--encoding", choices=encodings, help=f"one of {', '.join(encodings)} (default lang-c)")
    if not hash_only:
        p.add_argument("-l", "--lang", choices=("c", "rust"), help="deprecated: use -e lang-c / lang-rust")
    p.add_argument("--name-suffix", default="", metavar="SUFFIX", help="append SUFFIX to the C/Rust names")
    add_output_arg(p, help="write to FILE instead of standard output")
    p.add_argument("--key-password-env", metavar="VAR", help="environment variable holding a passphrase or PIN")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The actions of `sign`; `sign` itself when the first word names none."""
    actions = add_actions(parser, default="sign", dest="sign_action")
    add_action(actions, "sign", "sign an image (the default action)", _add_sign, epilog=SIGN_EPILOG)
    add_action(actions, "verify", "check an image's hash, key and signature", _add_verify)
    add_action(actions, "info", "show an image's header, TLVs, trailer and signing key", _add_info)
    add_action(actions, "keygen", "generate a signing or encryption key", _add_keygen)
    add_action(actions, "keyinfo", "say whether a PEM file holds a key pair or a public key only", _add_keyinfo)
    add_action(actions, "getpub", "print a public key as MCUboot embeds it", lambda p: _add_getpub(p, False))
    add_action(actions, "getpubhash", "print the SHA-256 of a public key as MCUboot embeds it",
               lambda p: _add_getpub(p, True))


def prompt_function() -> Callable[[str], str] | None:
    """getpass, but only for a person at a terminal; scripts must use --key-password-env."""
    return getpass.getpass if sys.stdin.isatty() else None


def run(args: argparse.Namespace, ctx: RunContext) -> int:
    action = args.sign_action
    if action == "sign":
        from zsec_west.cli.sign_images import run_sign  # noqa: PLC0415
        return run_sign(args, ctx, environ=os.environ, prompt=prompt_function())
    if action == "verify":
        from zsec_west.cli.sign_verify import run_verify  # noqa: PLC0415
        return run_verify(args, ctx, environ=os.environ, prompt=prompt_function())
    from zsec_west.cli import sign_tools  # noqa: PLC0415
    handlers = {"info": sign_tools.run_info, "keygen": sign_tools.run_keygen,
                "keyinfo": sign_tools.run_keyinfo,
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
    default_action="sign",
)
