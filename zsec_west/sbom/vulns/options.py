"""What a vulnerability scan is asked to use and what it returns besides its findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zsec_west.files.writing import Output
    from zsec_west.findings import Finding


@dataclass(frozen=True)
class VulnOptions:
    """What `--vulns` was asked to use."""

    data: tuple[Path, ...] = ()  # --vuln-data: files or dirs (NVD 2.0 JSON[.gz], OSV JSON dir or .zip)
    db: Path | None = None  # --db: the SQLite index (default: a file in the user cache directory)
    use_curated: bool = True  # the shipped advisory table (zsec_west/data/vulns/advisories.yaml)
    vex_in: Path | None = None  # --vex: OpenVEX statements that waive not_affected / fixed matches
    vex_out: Path | None = None  # --vex-out: write a VEX document with a statement per match
    vex_format: str = "openvex"  # --vex-format: openvex (OpenVEX 0.2.0) or csaf (CSAF 2.0 VEX)
    manifest: Path | None = None  # the west manifest findings point at (default: found from ZEPHYR_BASE)
    # False: --vex-out is left in VulnScan.outputs for the caller to write with the SBOM
    # documents as one set (files/writing.py write_set)
    write: bool = True


class VulnScan(list):  # list[Finding]
    """The findings of one scan, plus what the CLI should tell the user besides them."""

    def __init__(self, findings: Sequence[Finding] = ()):
        super().__init__(findings)
        self.warnings: list[str] = []  # skipped records, unreadable inputs ... (print to stderr)
        self.notes: list[str] = []  # undecidable matches (git-only ranges, no version, embargo)
        self.index_path: Path | None = None
        self.index_built = False  # False when an existing index was reused
        self.stats: dict[str, Any] = {}
        self.outputs: list[Output] = []  # the --vex-out document (written unless options.write is False)


ProgressFactory = Callable[[str, int], Any]  # Console.progress: (label, total) -> ctx manager with advance()
