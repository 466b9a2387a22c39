"""A hand-built report that exercises every reporter: several domains, every status and
severity, waivers, evidence, locations (in and outside the build directory), references,
awkward characters, and command facts that are not plain JSON."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

from zsec_west.facts import CheckFacts
from zsec_west.findings import Evidence, Finding, Location, Report, Rule, Severity, Status

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
# Where the sample tree pretends to live; tests swap it to show output does not depend on it.
ROOT = PurePosixPath("/ws")

DEV_KEY = Rule(
    "ZSEC-SIGN-001", "Images are signed with a key of your own", Severity.HIGH, category="signing",
    problem="Image signed with a development key",
    rationale="The MCUboot development keys are public; anyone can sign images a device accepts.",
    fix="Generate a private key (imgtool keygen) and set SB_CONFIG_BOOT_SIGNATURE_KEY_FILE to it.",
    references=("https://docs.mcuboot.com/imgtool.html", "CWE-321"),
    help_uri="https://docs.mcuboot.com/design.html",
)
CANARIES = Rule(
    "ZSEC-KCONF-001", "Stack canaries enabled", Severity.HIGH, category="hardening",
    problem="Stack canaries are off",
    rationale="Stack canaries detect stack buffer overflows before a corrupted return is used.",
    fix="Set CONFIG_STACK_CANARIES=y in prj.conf.", source="zephyr-hardening-db",
)
DEBUG_SHELL = Rule(
    "ZSEC-KCONF-002", "Shell disabled in production", Severity.MEDIUM, category="attack-surface",
    problem="The shell is on",
    rationale="A shell on the console lets anyone with a cable run commands.",
    fix="Set CONFIG_SHELL=n, or move the shell to a debug overlay.",
)
ASSERTS = Rule("ZSEC-KCONF-003", "Assertions off | or on?", Severity.LOW, category="hardening",
               problem="Assertions <on> | compiled in",
               rationale="Assertions <cost> flash & leak file names.", fix="Set CONFIG_ASSERT=n.")
BANNER = Rule("ZSEC-KCONF-004", "Boot banner hidden", Severity.INFO, category="information",
               problem="The boot banner is printed")
DOWNGRADE = Rule("ZSEC-BOOT-002", "Downgrade prevention", Severity.MEDIUM, category="boot",
                 rationale="Without it an attacker can install an older, vulnerable image.",
                 fix="Set CONFIG_MCUBOOT_DOWNGRADE_PREVENTION=y.", problem="Older images are installed")
CVE = Rule("ZSEC-VULN", "Known vulnerability in a module", Severity.CRITICAL,
           category="vulnerability", fix="Update the module in west.yml.",
           references=("https://www.cve.org/",))
TFM_ISOLATION = Rule("ZSEC-TFM-001", "TF-M isolation level 2 or higher", Severity.HIGH,
                     category="tfm", fix="Set CONFIG_TFM_ISOLATION_LEVEL=2.",
                     problem="TF-M isolation is below level 2")


class Colour(enum.Enum):
    RED = "red"


@dataclass(frozen=True)
class Partition:
    label: str
    path: Path


def sample_report(root: PurePosixPath = ROOT) -> Report:
    """The sample report with every absolute path under `root`."""
    build = root / "build"
    app = root / "app"
    findings: list[Finding] = []
    f = findings.append
    # app: a failure of every severity, a pass, a not-applicable and a waived result
    f(Finding(CVE, "app", Status.FAIL, "CVE-2024-0001 affects mbedtls 3.5.0",
              Evidence("3.5.0", ">= 3.5.2"), Location(str(root / "zephyr" / "west.yml"), 88),
              subject="mbedtls", detail="mbedtls@3.5.0"))
    f(Finding(CVE, "app", Status.FAIL, "CVE-2024-0002 affects lvgl 8.3.0",
              Evidence("8.3.0", ">= 8.3.11"), Location(str(root / "zephyr" / "west.yml"), 120),
              subject="lvgl", detail="lvgl@8.3.0"))
    f(Finding(CANARIES, "app", Status.FAIL, "CONFIG_STACK_CANARIES is not set",
              Evidence("n", "y"), Location(str(app / "prj.conf"), 12),
              subject="CONFIG_STACK_CANARIES"))
    f(Finding(DEBUG_SHELL, "app", Status.FAIL, "the shell is enabled on the UART console",
              Evidence("y", "n"), None, subject="CONFIG_SHELL"))
    f(Finding(ASSERTS, "app", Status.FAIL, "asserts \x1b[31mon\x1b[0m | really\x07",
              Evidence("y | <on>", "n & off"), Location(str(build / "zephyr" / ".config"), 1042),
              subject="CONFIG_ASSERT"))
    f(Finding(BANNER, "app", Status.FAIL, "the boot banner prints the Zephyr version",
              Evidence("y", "n"), Location(str(build / "zephyr" / ".config")),
              subject="CONFIG_BOOT_BANNER"))
    f(Finding(DEV_KEY, "app", Status.PASS, "signed with a private key", subject="key"))
    f(Finding(DOWNGRADE, "app", Status.NOT_APPLICABLE, "no MCUboot in this build",
              subject="CONFIG_MCUBOOT_DOWNGRADE_PREVENTION"))
    f(Finding(TFM_ISOLATION, "app", Status.WAIVED, "isolation level 1",
              Evidence("1", "2"), waiver="nRF5340 TF-M profile small; ticket SEC-42",
              subject="CONFIG_TFM_ISOLATION_LEVEL"))
    # mcuboot: a development key (critical in production) and a pass
    f(Finding(DEV_KEY, "mcuboot", Status.FAIL, "MCUboot is built with root-rsa-2048.pem",
              Evidence("root-rsa-2048.pem (dev key)", "a private key"),
              Location(str(build / "mcuboot" / "zephyr" / ".config"), 77),
              subject="key", severity_override=Severity.CRITICAL, detail="root-rsa-2048.pem"))
    f(Finding(DOWNGRADE, "mcuboot", Status.PASS, subject="CONFIG_MCUBOOT_DOWNGRADE_PREVENTION"))
    f(Finding(CANARIES, "mcuboot", Status.WAIVED, "bootloader size budget",
              Evidence("n", "y"), waiver="", subject="CONFIG_STACK_CANARIES"))
    # tfm: only passes and not-applicable results
    f(Finding(TFM_ISOLATION, "tfm", Status.PASS, subject="CONFIG_TFM_ISOLATION_LEVEL"))
    f(Finding(DEBUG_SHELL, "tfm", Status.NOT_APPLICABLE, "TF-M has no shell",
              subject="CONFIG_SHELL"))
    # hci_ipc: listed but nothing evaluated
    return Report(
        command="check",
        findings=tuple(findings),
        inputs={"build_dir": str(build), "profile": "production", "domains": ["app", "mcuboot"]},
        domains=("app", "mcuboot", "tfm", "hci_ipc"),
        notes=("the TF-M domain has no .config; its rules were not evaluated",),
        facts=CheckFacts(str(build), "production", ("production", "strict", "base"),
                         ("zsec_west/data/rules (112 rules)", "boards/x.overlay")),
    )


# Values of every kind a report's facts may hold, for the JSON serialiser's tests.
ODD_FACTS = {
    "where": Path("boards") / "x.overlay",
    "symbols": {"CONFIG_B", "CONFIG_A"},
    "partition": Partition("slot0", Path("slot0.bin")),
    "colour": Colour.RED,
    "digest": b"\x01\xff",
    "pair": (1, 2),
}


@pytest.fixture
def report() -> Report:
    return sample_report()


@pytest.fixture
def golden():
    """golden(name, text): compare with tests/golden/<name>; ZSEC_UPDATE_GOLDEN=1 rewrites it."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("ZSEC_UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            return
        if not path.is_file():
            pytest.fail(f"{path.name} is missing; run with ZSEC_UPDATE_GOLDEN=1 to create it")
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs (ZSEC_UPDATE_GOLDEN=1 regenerates it)"

    return check
