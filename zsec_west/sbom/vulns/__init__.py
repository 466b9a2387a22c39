"""Offline vulnerability matching for `zsec sbom --vulns`: components of a build against
NVD CVE JSON 2.0 feeds, OSV records and the shipped advisory table, with VEX in and out.

Nothing here touches the network; every input is a local file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from zsec_west.sbom.vulns.options import ProgressFactory, VulnOptions, VulnScan

if TYPE_CHECKING:
    from zsec_west.builddir import Build
    from zsec_west.sbom.component import Component


def scan(components: Sequence[Component], build: Build, options: VulnOptions,
         progress: ProgressFactory | None = None) -> VulnScan:
    """Match `components` against the vulnerability data in `options`; one finding per
    (component, vulnerability) that applies to the component's version.

    Affected -> FAIL; in range but not built into the image -> NOT_APPLICABLE with the reason;
    waived by `--vex` -> WAIVED. Raises DataFileError for unusable inputs.
    """
    from zsec_west.sbom.vulns.scanner import run_scan

    return run_scan(components, build, options, progress)


__all__ = ["VulnOptions", "VulnScan", "scan"]
