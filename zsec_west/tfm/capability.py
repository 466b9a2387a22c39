"""For a build without TF-M: could this board run Zephyr under TF-M, and as which board target?"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.tfm.boards import BoardScan, candidate_symbols
from zsec_west.tfm.platforms import PlatformTable

# Cores whose architecture has the TrustZone-M Security Extension as an option.
_V8M_CORES = {"M23", "M33", "M35P", "M52", "M55", "M85"}
_ARCH = (("ARMV8_1_M_MAINLINE", "Armv8.1-M Mainline"), ("ARMV8_M_MAINLINE", "Armv8-M Mainline"),
         ("ARMV8_M_BASELINE", "Armv8-M Baseline"))
# Zephyr's shared symbols (ARMV7_M_ARMV8_M_MAINLINE, ...) do not tell v7 from v8; the core does.
_CORE_ARCH = {"M0": "Armv6-M", "M0+": "Armv6-M", "M1": "Armv6-M", "M3": "Armv7-M",
              "M4": "Armv7E-M", "M7": "Armv7E-M", "M23": "Armv8-M Baseline",
              "M33": "Armv8-M Mainline", "M35P": "Armv8-M Mainline", "M52": "Armv8.1-M Mainline",
              "M55": "Armv8.1-M Mainline", "M85": "Armv8.1-M Mainline"}
_SE_SYMBOLS = ("ARM_TRUSTZONE_M", "ARMV8_M_SE", "CPU_HAS_ARM_SAU")


@dataclass(frozen=True)
class Capability:
    cpu: str | None  # "Cortex-M33"
    architecture: str | None
    secure_capable: bool
    evidence: tuple[str, ...]  # the .config lines that decided it
    current_role: str  # how this image is built
    board_target: str | None
    ns_targets: tuple[str, ...]  # the non-secure targets to build instead
    ns_source: str | None  # "board.yml in <tree>" or "naming convention"
    tfm_platform: str | None
    summary: str


def _cpu(kconfig: KconfigValues) -> str | None:
    for name in kconfig:
        match = re.fullmatch(r"CPU_CORTEX_(M\d+(?:PLUS|P)?)", name)
        if match and kconfig.enabled(name):
            core = match.group(1).replace("PLUS", "+")
            return f"Cortex-{core}"
    for name in kconfig:
        match = re.fullmatch(r"CPU_CORTEX_([AR]\d+)", name)
        if match and kconfig.enabled(name):
            return f"Cortex-{match.group(1)}"
    return None


def _architecture(kconfig: KconfigValues, cpu: str | None) -> str | None:
    for symbol, label in _ARCH:
        if kconfig.enabled(symbol):
            return label
    return _CORE_ARCH.get(cpu.removeprefix("Cortex-")) if cpu else None


def _board_target(kconfig: KconfigValues, board: str | None) -> str | None:
    return kconfig.string("BOARD_TARGET") or board


def _guess_ns(target: str) -> str:
    if "/" in target:  # HWMv2: board/soc[/cluster] + /ns
        return target if target.endswith("/ns") else f"{target}/ns"
    return target if re.search(r"(_ns|_nonsecure)$", target) else f"{target}_ns"


def assess(kconfig: KconfigValues, board: str | None, scan: BoardScan | None,
           table: PlatformTable) -> Capability:
    """Whether the build's SoC has TrustZone-M and which non-secure target would use TF-M."""
    cpu = _cpu(kconfig)
    arch = _architecture(kconfig, cpu)
    evidence = tuple(f"CONFIG_{s}=y" for s in _SE_SYMBOLS if kconfig.enabled(s))
    core = cpu.removeprefix("Cortex-") if cpu else None
    target = _board_target(kconfig, board)
    if kconfig.enabled("TRUSTED_EXECUTION_NONSECURE"):
        role = "non-secure image without TF-M (another secure image must provide the secure side)"
    elif kconfig.enabled("TRUSTED_EXECUTION_SECURE"):
        role = "secure image (Zephyr itself runs in the secure state)"
    else:
        role = "single image in the secure state, without TrustZone separation"
    capable = bool(evidence)
    if not capable:
        if cpu and core in _V8M_CORES:
            why = (f"{cpu} ({arch or 'Armv8-M'}) can have TrustZone-M, but this SoC's Kconfig "
                   "does not declare the Security Extension (no CONFIG_ARM_TRUSTZONE_M, "
                   "CONFIG_ARMV8_M_SE or CONFIG_CPU_HAS_ARM_SAU)")
        elif cpu:
            why = f"{cpu}{f' ({arch})' if arch else ''} has no TrustZone-M Security Extension"
        else:
            why = "not an Arm Cortex-M build: TF-M needs an Armv8-M core with TrustZone-M"
        return Capability(cpu, arch, False, evidence, role, target, (), None, None,
                          f"TF-M is not in use, and this board cannot use it: {why}.")
    ns_targets: tuple[str, ...] = ()
    source = None
    platform = None
    board_name = kconfig.string("BOARD") or (target.split("/")[0] if target else None)
    soc = kconfig.string("SOC")
    if scan is not None and board_name:
        matches = scan.for_board(board_name, soc)
        if target and "/" in target:
            # Prefer the variant of the same SoC/cluster as the current target.
            same = [b for b in matches if b.target.startswith(target.rstrip("/") + "/")]
            matches = same or matches
        if matches:
            ns_targets = tuple(b.target for b in matches)
            source = f"board.yml of {board_name} in {matches[0].path}"
            platform = next((b.tfm_platform for b in matches if b.tfm_platform), None)
    if not ns_targets and target and not kconfig.enabled("TRUSTED_EXECUTION_NONSECURE"):
        guess = _guess_ns(target)
        ns_targets = (guess,)
        source = "naming convention (board target + /ns); check the board's board.yml"
        if scan is not None and board_name:
            source = ("naming convention only: the board tree scanned has no non-secure variant "
                      f"of {board_name}")
    if platform is None and ns_targets:
        enabled = {f"{name}" for name in kconfig if kconfig.enabled(name)}
        qualifiers = ns_targets[0].split("/")[1:] if "/" in ns_targets[0] else []
        cluster = qualifiers[1] if len(qualifiers) > 2 else None
        symbols = enabled | candidate_symbols(board_name or "", qualifiers, soc, cluster)
        platform = table.lookup(symbols)
    if kconfig.enabled("TRUSTED_EXECUTION_NONSECURE"):
        summary = (f"TF-M is not in use: this is a {role}. The board is secure-capable "
                   f"({', '.join(evidence)}); enable CONFIG_BUILD_WITH_TFM to build TF-M with it.")
    else:
        advice = (f"build for {' or '.join(ns_targets)}" if ns_targets
                  else "this board has no non-secure variant to build")
        summary = (f"TF-M is not in use, but this board could use it: {cpu or 'the core'} has "
                   f"TrustZone-M ({', '.join(evidence)}) and the image is built as a {role}; "
                   f"{advice} to run Zephyr as the non-secure image under TF-M.")
    return Capability(cpu, arch, True, evidence, role, target, ns_targets, source, platform,
                      summary)
