"""The optional advisory fields `macros` (mbed TLS configuration macros) and `verified` reach
the record (their validation errors are in test_vuln_curated.py)."""

from __future__ import annotations

from pathlib import Path

from zsec_west.sbom.vulns import curated

GOOD = """\
schema: 1
packages:
- name: mbedtls
  names: [mbedtls]
  cpe: ["arm:mbed_tls"]
advisories:
- id: CVE-2025-27809
  package: mbedtls
  summary: TLS clients may skip server authentication
  severity: high
  affected:
  - {fixed: "3.6.3"}
  macros: [MBEDTLS_SSL_CLI_C, MBEDTLS_X509_CRT_PARSE_C]
  paths: [library/ssl_]
  source: https://example.org/advisory
"""


def load(tmp_path: Path, text: str) -> curated.Table:
    path = tmp_path / "adv.yaml"
    path.write_text(text)
    return curated.load(path)


def test_macros_and_verified_reach_the_record(tmp_path: Path) -> None:
    [advisory] = load(tmp_path, GOOD).advisories
    assert advisory.macros == ("MBEDTLS_SSL_CLI_C", "MBEDTLS_X509_CRT_PARSE_C")
    assert advisory.verified is True
    text = GOOD + "  verified: false\n  note: 'unverified: the 3.6.3 bound is recalled'\n"
    [unverified] = load(tmp_path, text).advisories
    assert unverified.verified is False
    assert "unverified: the 3.6.3 bound is recalled" in unverified.description
