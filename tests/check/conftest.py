"""Helpers for the check tests: edit a copied build's .config, run a check, pick findings."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from zsec_west.builddir import load_build
from zsec_west.check.audit import CheckOptions, CheckRun, run_check
from zsec_west.findings import Finding, Status

DATA = Path(__file__).resolve().parent / "data"
ZEPHYR_37 = DATA / "zephyr-3.7"
ZEPHYR_DB = DATA / "zephyr-db"


def set_config(config: Path, **values: str | None) -> None:
    """Set symbols in a .config: 'y', 'n' (written as '# ... is not set'), '"text"', numbers;
    None removes the symbol. Symbols may be given with or without CONFIG_/SB_CONFIG_."""
    text = config.read_text(encoding="utf-8")
    prefix = "SB_CONFIG_" if "SB_CONFIG_" in text else "CONFIG_"
    lines = text.splitlines()
    for name, value in values.items():
        name = name.removeprefix("SB_CONFIG_").removeprefix("CONFIG_")
        full = prefix + name
        pattern = re.compile(rf"^(# )?{re.escape(full)}(=| is not set)")
        lines = [line for line in lines if not pattern.match(line)]
        if value is None:
            continue
        lines.append(f"# {full} is not set" if value == "n" else f"{full}={value}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(build_dir: Path, **options) -> CheckRun:
    return run_check(load_build(build_dir), CheckOptions(**options))


def results(run: CheckRun, domain: str, rule_id: str) -> list[Finding]:
    return [f for f in run.report.findings if f.domain == domain and f.rule.id == rule_id]


def status(run: CheckRun, domain: str, rule_id: str) -> Status:
    """The one status of a rule in a domain (the test fails if the rule gave several)."""
    found = {f.status for f in results(run, domain, rule_id)}
    assert len(found) == 1, f"{rule_id} in {domain}: {found}"
    return found.pop()


def failed_ids(run: CheckRun, domain: str) -> set[str]:
    return {f.rule.id for f in run.report.findings if f.domain == domain and f.failed}


def own_key(path: Path, password: bytes | None = None) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8, encryption))
    return path


def imgtool_sign(key: Path, out: Path) -> Path:
    """Sign a stand-in payload the way the build does (header 0x200, slot of the nRF build)."""
    payload = out.parent / "stand-in.bin"
    payload.write_bytes(bytes(range(256)) * 64)
    tool = shutil.which("imgtool")
    command = [tool] if tool else [sys.executable, "-m", "imgtool.main"]
    subprocess.run(command + ["sign", "--key", str(key), "--header-size", "0x200", "--pad-header",
                              "--align", "4", "--version", "0.0.0+0", "--slot-size", "0x76000",
                              str(payload), str(out)], check=True, capture_output=True)
    payload.unlink()
    return out


@pytest.fixture
def hello(build_copy) -> Path:
    return build_copy("hello")


@pytest.fixture
def nrf(build_copy) -> Path:
    """The sysbuild app + MCUboot build, without the signed image some copies carry."""
    top = build_copy("mcuboot-sysbuild")
    for name in ("zephyr.signed.bin", "zephyr.signed.hex", "zephyr.bin"):
        (top / "hello_world" / "zephyr" / name).unlink(missing_ok=True)
    return top


@pytest.fixture
def tfm(build_copy) -> Path:
    return build_copy("tfm-ns")
