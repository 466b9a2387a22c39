"""The hostile cases: which file is damaged how, and which commands then run.

A group is a template directory (a fixture build, a key beside a firmware image, a feed, a rule
file ...) and the commands that read it. A case is one file of the template (its target) in one
malformed variant; every command of the group runs on it. A case directory is a hard-linked copy
of the template (cheap, and a command that replaced a file would replace the link, never the
template) with the target replaced by its variant.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.check.test_rules import GOOD as GOOD_RULES
from tests.conftest import DATA, DEVKEYS, ROOT
from tests.hostile import mutations
from tests.hostile.variants import (
    DOMAINS_MUTATIONS,
    FEED_MUTATIONS,
    GZ_MUTATIONS,
    HEX_MUTATIONS,
    IMAGE_MUTATIONS,
    KEY_MUTATIONS,
    WAIVER_MUTATIONS,
    ZIP_MUTATIONS,
    osv_record,
    variant_bytes,
)

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


def _build_group(source: Path, *, app: str | None = None, confirmed: bool = False) -> Callable[[Path], None]:
    def build(template: Path) -> None:
        copy_build(source, template / "B")
        if app and not (template / "B" / app / "zephyr" / "zephyr.bin").exists():
            add_standin_image(template / "B", app)
        if confirmed:  # the build also makes the confirmed image, padded to the slot
            config = template / "B" / "hello_world" / "zephyr" / ".config"
            config.write_text(config.read_text().replace(
                "# CONFIG_MCUBOOT_GENERATE_CONFIRMED_IMAGE is not set", "CONFIG_MCUBOOT_GENERATE_CONFIRMED_IMAGE=y"))
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
    sys37_extra = {"hello_world/zephyr/.config": POINTER_MUTATIONS + ("extra-args-key-tlv",),
                   "mcuboot/zephyr/.config": POINTER_MUTATIONS,
                   # MCUboot's image, where the trust check looks for the keys it embeds
                   "mcuboot/zephyr/zephyr.bin": ("sparse-huge",),
                   "hello_world/zephyr/zephyr.signed.bin": IMAGE_MUTATIONS, "domains.yaml": DOMAINS_MUTATIONS}
    found = [
        Group("sys37", _build_group(EXAMPLE, confirmed=True), _build_commands(sign=True),
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
    from tests.hostile.commandlines import argv_group, path_group  # they build on this module
    from tests.hostile.extras import build_extras_group

    found += [build_extras_group(), path_group(), argv_group()]
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
        ), {"signed.bin": mutations.variants("signed.bin") + IMAGE_MUTATIONS}),
        # A padded image as Intel HEX: the image at the slot start, the trailer at its end, read
        # with the gap filled (defect 3: a 4 GiB gap must not be allocated).
        Group("images-hex", _keys_template, (
            Command("info", ("sign", "info", "signed.hex")),
            Command("verify", ("sign", "verify", "-k", "good.pem", "signed.hex")),
        ), {"signed.hex": mutations.SPECIAL + mutations.CONTENT + HEX_MUTATIONS}),
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




# -- feeds, VEX and the index -----------------------------------------------------------------------

FEED_GROUPS = ("feeds", "osv", "osv-zip", "nvd-gz", "index")
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




# -- rules, waivers, Zephyr's database, board trees ----------------------------------------------------

RULES = GOOD_RULES  # a valid rule file of the rule-format tests

WAIVERS = """\
waivers:
  - rule: ZSEC-MEM-010
    domain: hello_world
    reason: The sentinel costs too much on this part; covered by a watchdog
    expires: 2099-12-31
"""


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

def _sparse_size(case: Case) -> int | None:
    if case.group in FEED_GROUPS:
        return mutations.SPARSE_FEED_SIZE
    if case.target.endswith(".bin") and case.target.startswith("B/"):
        return mutations.SPARSE_IMAGE_SIZE
    return None


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
    if case.mutation == "extra-args-key-tlv":  # issue 15, defect 1: the signing key into the image
        key = signing_key() or specials / "no-key"
        target.write_bytes(original.replace(b'CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS=""',
                                            b'CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS="--custom-tlv-file 0xa0 '
                                            + str(key).encode() + b'"'))
        return
    if case.mutation in mutations.SPECIAL:
        mutations.apply(case.mutation, original, target,
                        sparse_size=_sparse_size(case))
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


