"""Fixtures for the vulnerability tests: components of the real fixture builds, a private cache
directory, and a network that fails loudly if anything tries to use it."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.conftest import BUILDS
from zsec_west.sbom.component import Component

ZEPHYR_CPE = "cpe:2.3:o:zephyrproject:zephyr:{v}:-:*:*:*:*:*:*"
ZEPHYR_PURL = "pkg:github/zephyrproject-rtos/zephyr@v{v}"


def compiled(build_dir: Path, root: str) -> tuple[str, ...]:
    """Sources under `root` (e.g. '/zephyr/') that compile_commands.json says were compiled,
    relative to that root, as the SBOM side hands them over in Component.compiled_files."""
    entries = json.loads((build_dir / "compile_commands.json").read_text(encoding="utf-8"))
    marker = f"/zephyrproject{root}"
    return tuple(sorted({e["file"].split(marker, 1)[1] for e in entries if marker in e["file"]}))


def zephyr(domain: str, build_dir: Path | None = None, version: str = "3.7.1") -> Component:
    files = compiled(build_dir, "/zephyr/") if build_dir else ()
    return Component("zephyr", version, domain, cpes=(ZEPHYR_CPE.format(v=version),),
                     purls=(ZEPHYR_PURL.format(v=version),), compiled_files=files)


def mbedtls(domain: str, build_dir: Path | None = None, version: str = "3.6.2") -> Component:
    files = compiled(build_dir, "/modules/crypto/mbedtls/") if build_dir else ()
    return Component("mbedtls", version, domain,
                     cpes=(f"cpe:2.3:a:arm:mbed_tls:{version}:*:*:*:*:*:*:*",),
                     purls=(f"pkg:github/Mbed-TLS/mbedtls@V{version}",), compiled_files=files)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the default index out of the real user cache."""
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket use fails the test: the scan must work offline."""

    def refuse(*args, **kwargs):
        raise AssertionError("the vulnerability scan tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def hello_build():
    from zsec_west.builddir import load_build

    return load_build(BUILDS["hello"])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "index" / "vulns.sqlite"
