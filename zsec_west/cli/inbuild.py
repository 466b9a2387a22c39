"""`python -m zsec_west.cli.inbuild`: the steps the zsec-west Zephyr module adds to `west build`.

  sign  --image-dir DIR               an image's post-build step (Zephyr's signing-script hook)
  check --build-dir DIR               the audit after every image, and `west build -t zsec_check`
  sbom  --build-dir DIR --stamp FILE  the SBOM after every image

The module's CMake passes directories only. Every setting is read here from the build's own
Kconfig output (an image's CONFIG_ZSEC_*, else sysbuild's SB_CONFIG_ZSEC_*), so a value such as a
pkcs11: URI, whose ';' CMake would take for a list separator (and sysbuild's .config.sysbuild
writer drops), never passes through a CMake list, a shell or a Kconfig fragment. Settings left
empty fall back to the workspace policy (environment, then west's configuration), then to the
build's own values (for signing: CONFIG_MCUBOOT_SIGNATURE_KEY_FILE). Each step then runs the
ordinary `zsec` command, in this interpreter: the one the build uses.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zsec_west.builddir import Build, Domain, find_west_topdir, load_build
from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.cli.args import RunContext
from zsec_west.cli.console import INF, Console
from zsec_west.cli.policy import Policy, apply_policy, load_policy, refuse_pin_value, west_config_getter
from zsec_west.errors import EXIT_ENVIRONMENT, KeyFileError, UsageError, ZsecError
from zsec_west.files.writing import atomic_write
from zsec_west.findings import Severity

REPORT_DIR = "zsec"  # <build>/zsec/: check.txt, check.sarif, sbom.txt
SBOM_DIR = "sbom"
COMMAND_PREFIX = "command:"


@dataclass(frozen=True)
class Located:
    """What a directory handed over by CMake is: a build (top) and, for a sysbuild image, its domain."""

    build: Build
    domain: Domain | None  # the image, when `directory` is one image of a sysbuild build

    @property
    def image(self) -> Domain | None:
        if self.domain is not None:
            return self.domain
        return None if self.build.is_sysbuild else self.build.default


def locate(directory: Path) -> Located:
    """A sysbuild image directory (its parent's domains.yaml lists it) -> (top, domain); else the
    directory itself is the build (a sysbuild top level or a build without sysbuild)."""
    directory = directory.resolve()
    parent = directory.parent
    if (parent / "domains.yaml").is_file() and (parent / "CMakeCache.txt").is_file():
        top = load_build(parent)
        for image in top.images:
            if image.build_dir.resolve() == directory:
                return Located(top, image)
    return Located(load_build(directory), None)


@dataclass(frozen=True)
class Settings:
    """The ZSEC_* settings that apply: the image's CONFIG_ZSEC_* win over sysbuild's SB_CONFIG_ZSEC_*."""

    levels: tuple[KconfigValues, ...]  # most specific first
    bases: tuple[Path, ...]  # where relative paths are looked up, in order

    def text(self, name: str) -> tuple[str, str] | None:
        """(value, the setting it came from) of the first level that sets it non-empty."""
        for level in self.levels:
            value = level.string(f"ZSEC_{name}")
            if value and value.strip():
                return value.strip(), level.full_name(f"ZSEC_{name}")
        return None

    def flag(self, name: str) -> bool:
        return self.flag_origin(name) is not None

    def flag_origin(self, name: str) -> str | None:
        """The setting that turns ZSEC_<name> on, if one does; sysbuild's first (it is the one a
        user sets: sysbuild passes it on to the images)."""
        for level in reversed(self.levels):
            if level.enabled(f"ZSEC_{name}"):
                return level.full_name(f"ZSEC_{name}")
        return None

    def path(self, text: str) -> str:
        """Relative paths: the application's directory if the file is there, else the west
        workspace (the order Zephyr's mcuboot.cmake looks for key files in)."""
        path = Path(text).expanduser()
        if path.is_absolute() or not self.bases:
            return str(path)
        for base in self.bases:
            if (base / path).exists():
                return str(base / path)
        return str(self.bases[-1] / path)


def settings_for(located: Located, west_topdir: Path | None) -> Settings:
    levels: list[KconfigValues] = []
    bases: list[Path] = []
    image = located.image
    if image is not None and image.config_path.is_file():
        levels.append(image.kconfig)
        app_dir = image.cache.value("APPLICATION_CONFIG_DIR") or image.cache.value("APPLICATION_SOURCE_DIR")
        if app_dir:
            bases.append(Path(app_dir))
    sysbuild = located.build.sysbuild
    if sysbuild is not None:
        levels.append(sysbuild.kconfig)
        app_dir = sysbuild.cache.value("APP_DIR")
        if app_dir and Path(app_dir) not in bases:
            bases.append(Path(app_dir))
    if west_topdir is not None:
        bases.append(west_topdir)
    return Settings(tuple(levels), tuple(bases))


def _severity(settings: Settings, name: str) -> str | None:
    found = settings.text(name)
    if found is None:
        return None
    value, origin = found
    labels = [s.label for s in Severity]
    if value.lower() not in labels:
        raise UsageError(f"{origin}: '{value}' is not a severity ({', '.join(labels)})")
    return value.lower()


def sign_options(settings: Settings) -> list[str]:
    """`zsec sign` options for the key settings (nothing given: the policy, then the build's key)."""
    options: list[str] = []
    key = settings.text("SIGN_KEY")
    if key is not None:
        value, origin = key
        if value.startswith(COMMAND_PREFIX):
            command = value[len(COMMAND_PREFIX):].strip()
            pubkey = settings.text("SIGN_PUBKEY")
            if not command:
                raise UsageError(f"{origin}: '{COMMAND_PREFIX}' is not followed by a command")
            if pubkey is None:
                raise UsageError(f"{origin} names a signing command, which needs the public key to check "
                                 "its signatures against", hint="set SB_CONFIG_ZSEC_SIGN_PUBKEY to a PEM file")
            options += ["--sign-command", command, "--sign-command-pubkey", settings.path(pubkey[0])]
        elif value.startswith("pkcs11:"):
            refuse_pin_value(value, origin)
            options += ["-k", value]
        else:
            options += ["-k", settings.path(value)]
    pin_env = settings.text("SIGN_PIN_ENV")
    if pin_env is not None:
        options += ["--key-password-env", pin_env[0]]
    if not settings.flag("RELEASE"):
        # Test images: a development key, or a key this build's bootloader was not built with,
        # is a warning. A release build refuses both (zsec's own check, one line).
        options += ["--allow-dev-key", "--allow-untrusted-key"]
    return options


def _value_options(settings: Settings, table: Sequence[tuple[str, str, str]]) -> list[str]:
    """(setting, option, kind) -> [option, value] for every setting that is set; kind is text,
    path (resolved as the build resolves key files) or severity (validated)."""
    options: list[str] = []
    for name, option, kind in table:
        if kind == "severity":
            value = _severity(settings, name)
        else:
            found = settings.text(name)
            value = found and (settings.path(found[0]) if kind == "path" else found[0])
        if value:
            options += [option, value]
    return options


def check_options(settings: Settings) -> list[str]:
    options = _value_options(settings, (("CHECK_PROFILE", "--profile", "text"),
                                        ("CHECK_FAIL_ON", "--fail-on", "severity"),
                                        ("CHECK_WAIVERS", "--waivers", "path")))
    rules = settings.text("CHECK_RULES")
    if rules is not None:
        try:
            names = shlex.split(rules[0])
        except ValueError as exc:
            raise UsageError(f"{rules[1]}: cannot split into file names: {exc}") from None
        for name in names:
            options += ["--rules", settings.path(name)]
    if settings.flag("CHECK_WARN_ONLY"):
        options.append("--exit-zero")
    return options


def sbom_options(settings: Settings) -> list[str]:
    from zsec_west.cli.sbom import SBOM_FORMATS  # noqa: PLC0415 - the choices of --sbom-format

    fmt = settings.text("SBOM_FORMAT")
    if fmt is not None and fmt[0] not in SBOM_FORMATS:
        raise UsageError(f"{fmt[1]}: '{fmt[0]}' is not a document format ({', '.join(SBOM_FORMATS)})")
    options = _value_options(settings, (("SBOM_FORMAT", "--sbom-format", "text"),
                                        ("SBOM_VULN_DATA", "--vuln-data", "path")))
    fail_on = _severity(settings, "SBOM_FAIL_ON")
    options += ["--fail-on", fail_on] if fail_on else ["--exit-zero"]  # writing the SBOM is the job
    return options


def _domain_args(located: Located) -> list[str]:
    args = ["--build-dir", str(located.build.top)]
    return args + (["--domain", located.domain.name] if located.domain is not None else [])


class Runner:
    """Runs `zsec` commands in this process with the workspace policy of the build."""

    def __init__(self, located: Located, console: Console):
        self.located = located
        self.console = console
        self.west_topdir = find_west_topdir(located.build.zephyr_base, located.build.top)
        self.policy: Policy = load_policy(os.environ, west_config_getter(self.west_topdir), self.west_topdir)

    def settings(self) -> Settings:
        return settings_for(self.located, self.west_topdir)

    def run(self, argv: Sequence[str], *, release: str | None = None) -> int:
        from zsec_west.cli.app import build_parser  # noqa: PLC0415 - the same commands as `zsec`

        args = build_parser().parse_args(list(argv))
        verbosity = self.console.verbosity + args.verbose - args.quiet
        console = Console(verbosity=verbosity, prog=f"zsec {args.command}")
        ctx = RunContext(console=console, west_topdir=str(self.west_topdir) if self.west_topdir else None)
        try:
            apply_policy(args, self.policy)
            return int(args._spec.run(args, ctx))
        except KeyFileError as exc:
            if release and "development key" in exc.message:
                exc = KeyFileError(exc.message, path=exc.path,
                                   hint=f"{release} is set: sign with your release key (SB_CONFIG_ZSEC_SIGN_KEY)")
            console.err(str(exc))
            return exc.exit_code
        except ZsecError as exc:
            console.err(str(exc))
            return exc.exit_code


def _remove_stale_outputs(image: Domain) -> None:
    """After a failed signing step: no signed file from an earlier build may stay behind for
    `west flash`, and the ELF goes too, so that the next build links and signs again (Ninja
    would otherwise take the failed link edge for done)."""
    zdir = image.build_dir / "zephyr"
    name = image.kernel_name
    stale = [*zdir.glob(f"{name}.signed.*"), *zdir.glob(f"{name}.slot1.signed.*"), zdir / f"{name}.elf"]
    for path in stale:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def do_sign(image_dir: Path, console: Console) -> int:
    located = locate(image_dir)
    runner = Runner(located, console)
    settings = runner.settings()
    argv = ["sign", *_domain_args(located), *sign_options(settings)]
    code = runner.run(argv, release=settings.flag_origin("RELEASE"))
    if code != 0 and located.image is not None:
        _remove_stale_outputs(located.image)
    return code


def _report_dir(build_dir: Path) -> Path:
    """<build>/zsec/, which the build owns: made here, as outputs never make directories."""
    reports = build_dir.resolve() / REPORT_DIR
    reports.mkdir(parents=True, exist_ok=True)
    return reports


def do_check(build_dir: Path, console: Console) -> int:
    located = locate(build_dir)
    runner = Runner(located, console)
    common = [*_domain_args(located), *check_options(runner.settings())]
    reports = _report_dir(build_dir)
    sarif, text = reports / "check.sarif", reports / "check.txt"
    # SARIF first and silently; the text run then prints the summary and sets the exit status.
    code = runner.run(["-qq", "check", *common, "--format", "sarif", "--output", str(sarif), "--exit-zero"])
    if code != 0:
        return code
    code = runner.run(["check", *common, "--format", "text", "--output", str(text)])
    console.summary(f"zsec check: report in {text} (SARIF: {sarif})")
    return code


def do_sbom(build_dir: Path, stamp: Path | None, console: Console) -> int:
    located = locate(build_dir)
    runner = Runner(located, console)
    top = build_dir.resolve()
    _report_dir(build_dir)
    argv = ["sbom", *_domain_args(located), "--output-dir", str(top / SBOM_DIR),
            "--output", str(top / REPORT_DIR / "sbom.txt"), *sbom_options(runner.settings())]
    code = runner.run(argv)
    if code == 0 and stamp is not None:
        atomic_write(stamp, f"{' '.join(argv)}\n")  # only a success counts as done
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m zsec_west.cli.inbuild",
                                     description="Steps of the zsec-west Zephyr module (run by the build).")
    sub = parser.add_subparsers(dest="step", required=True)
    sign = sub.add_parser("sign", help="sign an image after it is linked")
    sign.add_argument("--image-dir", required=True, type=Path)
    check = sub.add_parser("check", help="audit a build")
    check.add_argument("--build-dir", required=True, type=Path)
    sbom = sub.add_parser("sbom", help="write a build's SBOM")
    sbom.add_argument("--build-dir", required=True, type=Path)
    sbom.add_argument("--stamp", type=Path, help="file to write when the SBOM was written")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(verbosity=INF, prog=f"zsec {args.step}")
    try:
        if args.step == "sign":
            return do_sign(args.image_dir, console)
        if args.step == "check":
            return do_check(args.build_dir, console)
        return do_sbom(args.build_dir, args.stamp, console)
    except ZsecError as exc:
        console.err(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one line in the build log, never a traceback
        console.err(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_ENVIRONMENT


if __name__ == "__main__":
    sys.exit(main())
