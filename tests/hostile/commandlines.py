"""Hostile command lines: path values no file system takes or that name the wrong kind of file,
for every option that names a file; numbers and words no real command line has."""

from __future__ import annotations

import os
from pathlib import Path

from tests.hostile.catalogue import HELLO, SIGN_ARGS, Command, Group, _keys_template

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


def paths_template(template: Path) -> None:
    _keys_template(template)
    os.mkfifo(template / "fifo")
    (template / "dir").mkdir()
    (template / "dir" / "inside").write_text("a directory\n")
    (template / "plain.txt").write_text("a file\n")
    (template / "loop").symlink_to("loop")


def path_group() -> Group:
    commands = {label: Command(label.replace(" ", "_"), argv) for label, argv in PATH_OPTIONS.items()}
    return Group("paths", paths_template, tuple(commands.values()),
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
    return Group("argv", paths_template, tuple(commands.values()),
                 {label: ("as-given",) for label in ARGV_CASES}, per_target=commands)
