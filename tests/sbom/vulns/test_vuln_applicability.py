"""Applicability from the build: compiled sources first, then Kconfig; keyword inference for
records without curated data; and the scan stays offline."""

from __future__ import annotations

import ast
from pathlib import Path

import zsec_west.sbom.vulns as vulns_package
from tests.conftest import BUILDS
from zsec_west.builddir import load_build
from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.sbom.component import Component
from zsec_west.sbom.vulns import VulnOptions, scan
from zsec_west.sbom.vulns.applicability import DomainFacts, assess, load_keywords
from zsec_west.sbom.vulns.curated import shipped
from zsec_west.sbom.vulns.model import SOURCE_NVD, Vulnerability

CONFIG = KconfigValues.parse("CONFIG_BT=y\n# CONFIG_NET_IPV6 is not set\nCONFIG_USB_DEVICE_STACK_NEXT=y\n"
                             "CONFIG_TFM_IPC=y\nCONFIG_MBEDTLS=y\n")


def facts(kind: str = "app", config: KconfigValues | None = CONFIG) -> DomainFacts:
    return DomainFacts("app", kind, config)


def vuln(**kw) -> Vulnerability:
    return Vulnerability(id="CVE-2099-1", source=SOURCE_NVD, origin="test", **kw)


def package(name: str):
    return next(p for p in shipped().packages if p.name == name)


def test_kconfig_conditions() -> None:
    comp = Component("zephyr", "3.7.1", "app")
    assert assess(vuln(kconfig=("BT",)), comp, facts()).built is True
    off = assess(vuln(kconfig=("BT", "NET_IPV6")), comp, facts())
    assert (off.built, off.reason, off.justification) == (
        False, "CONFIG_NET_IPV6 is not enabled in app", "vulnerable_code_not_present")
    assert assess(vuln(kconfig=("USB_DEVICE_STACK|USB_DEVICE_STACK_NEXT",)), comp, facts()).built
    either = assess(vuln(kconfig=("NET_IPV6|NET_IPV4",)), comp, facts())
    assert either.reason == "none of CONFIG_NET_IPV6, CONFIG_NET_IPV4 is enabled in app"
    negated = assess(vuln(kconfig=("!BT",)), comp, facts())
    assert (negated.built, negated.reason) == (False, "CONFIG_BT is enabled in app")
    assert assess(vuln(kconfig=("!NET_IPV6",)), comp, facts()).built is True
    # No Kconfig for the domain: no decision (the finding stays a failure).
    assert assess(vuln(kconfig=("BT",)), comp, facts(config=None)).built is None


def test_compiled_files_win_over_kconfig() -> None:
    comp = Component("zephyr", "3.7.1", "app", compiled_files=("kernel/sched.c", "lib/os/printk.c"))
    verdict = assess(vuln(kconfig=("BT",), paths=("subsys/bluetooth/",)), comp, facts())
    assert verdict.built is False and "in subsys/bluetooth/" in verdict.reason
    assert assess(vuln(paths=("kernel/",)), comp, facts()).built is True


def test_tfm_domain_reads_only_tfm_symbols() -> None:
    """The TF-M domain shares the app's .config; CONFIG_MBEDTLS there is the app's, not TF-M's."""
    tfm_mbedtls = Component("mbedtls", "3.6.2", "tfm")
    none_set = KconfigValues.parse("CONFIG_TFM_IPC=y\n# CONFIG_MBEDTLS is not set\n")
    verdict = assess(vuln(), tfm_mbedtls, facts("tfm", none_set), package("mbedtls"))
    assert verdict.built is None  # not "not built": TF-M builds its own copy
    app_mbedtls = Component("mbedtls", "3.6.2", "app")
    assert assess(vuln(), app_mbedtls, facts("app", none_set), package("mbedtls")).built is False
    assert assess(vuln(kconfig=("TFM_IPC",)), tfm_mbedtls, facts("tfm", none_set)).built is True


def test_keyword_inference_needs_every_named_part_absent() -> None:
    comp = Component("zephyr", "3.7.1", "app")
    zephyr = package("zephyr")
    config = KconfigValues.parse("# CONFIG_BT is not set\nCONFIG_NET_IPV6=y\nCONFIG_NETWORKING=y\n")
    only_bt = assess(vuln(description="A Bluetooth LE advertising flaw."), comp, facts(config=config), zephyr)
    assert only_bt.built is False and only_bt.inferred
    assert only_bt.reason.startswith("inferred from the description ('Bluetooth')")
    both = assess(vuln(description="Bluetooth and IPv6 share a buffer."), comp, facts(config=config), zephyr)
    assert both.built is True and "'IPv6'" in both.reason
    plain = assess(vuln(description="A scheduler race."), comp, facts(config=config), zephyr)
    assert plain.built is None
    # Keywords are per package: "USB" in an mbed TLS record says nothing about Zephyr's USB.
    mbed = Component("mbedtls", "3.6.2", "app")
    assert assess(vuln(description="USB flaw"), mbed, facts(), package("mbedtls")).built is None
    # "Mbed TLS" names the package, not its TLS code.
    tls = load_keywords("schema: 1\nkeywords:\n- name: TLS\n  packages: [mbedtls]\n"
                        "  patterns: ['(?<![Mm]bed )\\bD?TLS\\b']\n  paths: [library/ssl_]\n", "kw")
    crypto_only = Component("mbedtls", "3.6.2", "app", compiled_files=("library/rsa.c",))
    assert assess(vuln(description="Mbed TLS RSA bug"), crypto_only, facts(), package("mbedtls"),
                  tls).built is None
    assert assess(vuln(description="Mbed TLS DTLS bug"), crypto_only, facts(), package("mbedtls"),
                  tls).built is False


def test_progress_reports_both_phases(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []

    class Bar:
        def __init__(self, label: str, total: int):
            self.label, self.total, self.done = label, total, 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            seen.append((self.label, self.total, self.done))

        def advance(self, amount: int = 1) -> None:
            self.done += amount

    build = load_build(BUILDS["hello"])
    components = [Component("zephyr", "3.7.1", "hello_world"), Component("picolibc", None, "hello_world")]
    scan(components, build, VulnOptions(db=tmp_path / "v.sqlite"), progress=Bar)
    assert seen == [("indexing vulnerability data", 1, 1), ("matching components", 2, 2)]


def test_the_package_never_imports_network_modules() -> None:
    banned = {"socket", "urllib", "http", "requests", "ssl", "ftplib"}
    for path in Path(vulns_package.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"


def test_feature_macros_decide_with_the_compiled_files() -> None:
    tls = vuln(paths=("library/ssl_",), macros=("MBEDTLS_SSL_CLI_C", "MBEDTLS_X509_CRT_PARSE_C"))
    compiled = ("library/rsa.c", "library/ssl_cli.c")
    without = Component("mbedtls", "3.6.2", "app", compiled_files=compiled,
                        macros=frozenset({"MBEDTLS_X509_CRT_PARSE_C"}), macros_from="cfg.h")
    verdict = assess(tls, without, facts())
    assert (verdict.built, verdict.reason) == (False, "MBEDTLS_SSL_CLI_C is not defined in cfg.h")
    with_both = Component("mbedtls", "3.6.2", "app", compiled_files=compiled,
                          macros=frozenset({"MBEDTLS_SSL_CLI_C", "MBEDTLS_X509_CRT_PARSE_C"}),
                          macros_from="cfg.h")
    verdict = assess(tls, with_both, facts())
    assert verdict.built is True and "library/ssl_cli.c is compiled" in verdict.reason
    assert "MBEDTLS_SSL_CLI_C, MBEDTLS_X509_CRT_PARSE_C defined in cfg.h" in verdict.reason
    # Unknown configuration: the files decide alone; neither known: Kconfig (MBEDTLS=y) is not
    # asked because the advisory names no symbol, so the result is unknown.
    unknown = Component("mbedtls", "3.6.2", "app", compiled_files=compiled)
    assert assess(tls, unknown, facts()).built is True
    assert assess(vuln(macros=("MBEDTLS_SSL_CLI_C",)), Component("mbedtls", "3.6.2", "app"),
                  facts()).built is None


def test_tfm_platform_conditions_are_judged_in_the_sbom_scan(tmp_path: Path) -> None:
    # TFMV-12 (2.3.0) concerns RSE platforms only; the fixture's TF-M platform is arm/mps2/an521.
    build = load_build(BUILDS["tfm-ns"])
    result = scan([Component("trusted-firmware-m", "2.3.0", "tfm")], build,
                  VulnOptions(db=tmp_path / "db.sqlite"))
    rse = [f for f in result if "TFMV-12" in f.rule.references]
    assert len(rse) == 1 and rse[0].status.value == "n/a"
    assert "RSE" in rse[0].message or "rse" in rse[0].message
