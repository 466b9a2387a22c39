"""What `tfm` learns about a build, typed: per TF-M domain its configuration, keys, images, memory
split and advisories; per image without TF-M whether it could use it.

The text, Markdown, JSON and HTML reporters render these; nothing here is text for people, except
the reasons and notes the analysis wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TfmPartition:
    """A secure partition (a PSA service) as Kconfig asks for it and as TF-M built it."""

    key: str
    service: str
    symbol: str  # without CONFIG_
    enabled: bool | None  # in the .config (None: the symbol is not there)
    enabled_in_tfm: bool | None  # in the TF-M sub-build's cache (None: not recorded)

    @property
    def built(self) -> bool:
        return bool(self.enabled if self.enabled_in_tfm is None else self.enabled_in_tfm)


@dataclass(frozen=True)
class TfmKey:
    """A BL2 signing key of the TF-M images and whether it is a published development key."""

    role: str  # "S" or "NS"
    path: str
    setting: str  # where the path came from
    method: str  # "content", "exported public key", "file name" or "unknown"
    dev_key: str | None
    key_sha256: str | None
    detail: str

    @property
    def file_name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class TfmSignedImage:
    """An MCUboot image inside an output file."""

    offset: int
    version: str
    security_counter: int | None
    sw_type: str | None
    load_addr: int
    image_size: int
    key_source: str | None  # PUBKEY or KEYHASH
    key_type: str | None
    key_sha256: str | None
    dev_key: str | None
    hash_ok: bool | None
    signature_ok: bool | None


@dataclass(frozen=True)
class TfmOutput:
    """One output file of the TF-M build."""

    role: str
    path: str  # relative to the application's build directory when inside it
    size: int
    description: str
    hex_ranges: tuple[tuple[int, int], ...] = ()  # (address, length) of an Intel HEX file
    problem: str | None = None
    images: tuple[TfmSignedImage, ...] = ()


@dataclass(frozen=True)
class TfmPublicKey:
    """A public key the TF-M build exported next to its images."""

    role: str
    path: str
    key_sha256: str | None
    dev_key: str | None
    problem: str | None = None


@dataclass(frozen=True)
class MemoryRegion:
    """A flash or RAM region and the side it belongs to."""

    name: str
    world: str  # "secure", "non-secure" or "unknown"
    purpose: str
    address: int
    size: int
    source: str  # "partition", "chosen" or "reserved-memory"

    @property
    def end(self) -> int:
        return self.address + self.size

    @property
    def kind(self) -> str:
        """"ram" or "flash": what a drawing puts the region in."""
        text = f"{self.name} {self.purpose}".lower()
        return "ram" if "sram" in text or " ram" in f" {text}" else "flash"


@dataclass(frozen=True)
class TfmImageArea:
    """An image in TF-M's signing layout: where it sits in the area BL2 loads from, how big."""

    world: str
    purpose: str
    offset: int
    size: int
    source: str  # the layout file

    @property
    def end(self) -> int:
        return self.offset + self.size


@dataclass(frozen=True)
class TfmMemory:
    basis: str  # how the split was found
    regions: tuple[MemoryRegion, ...]
    note: str | None = None
    image_areas: tuple[TfmImageArea, ...] = ()


@dataclass(frozen=True)
class TfmAdvisory:
    """How one published TF-M advisory relates to the build."""

    id: str
    cve: str | None
    affected: bool | None  # None: unknown
    in_range: bool | None
    reason: str


@dataclass(frozen=True)
class TfmBl2:
    """TF-M's BL2 (its MCUboot): whether it verifies the images, and how."""

    enabled: bool | None
    signature_type: str | None = None
    image_number: str | None = None  # "1": secure + non-secure combined, "2": separate
    security_counter: int | None = None  # from Kconfig
    security_counters: tuple[tuple[str, str], ...] = ()  # (S|NS, value) from the sub-build
    versions: tuple[tuple[str, str], ...] = ()  # (S|NS, version) from Kconfig
    upgrade_strategy: str | None = None
    hw_rollback_protection: str | None = None


@dataclass(frozen=True)
class TfmLogging:
    silenced: bool
    bl2: str | None
    spm: str | None
    partition: str | None
    exception_info_dump: bool | None


@dataclass(frozen=True)
class TfmMismatch:
    setting: str
    zephyr: str
    tfm: str


@dataclass(frozen=True)
class TfmDomain:
    """One TF-M domain of the build and the application that runs on it."""

    domain: str
    app_domain: str
    board: str | None
    platform: str | None
    platform_display: str | None
    profile: str | None  # profile_small ...; None: not set (base configuration)
    profile_choice: str | None
    isolation_level: str | None  # as TF-M built it, else as Kconfig asks
    model: str | None  # IPC or SFN
    build_type: str | None
    version: str | None
    version_full: str | None
    version_source: str | None
    bl2: TfmBl2
    dummy_provisioning: bool | None
    keys: tuple[TfmKey, ...]
    partitions: tuple[TfmPartition, ...]
    logging: TfmLogging
    test_suites: tuple[str, ...]
    subbuild_state: str  # built, configured, missing, unreadable
    subbuild_cache: bool  # whether tfm/CMakeCache.txt was read
    subbuild_problem: str | None
    effective: Mapping[str, str]  # the sub-build's cache entries that make up its configuration
    mismatches: tuple[TfmMismatch, ...]
    outputs: tuple[TfmOutput, ...]
    public_keys: tuple[TfmPublicKey, ...]
    memory: TfmMemory | None
    advisories: tuple[TfmAdvisory, ...]
    configuration: Mapping[str, Any]  # the application's CONFIG_TFM_* as read, for JSON
    notes: tuple[str, ...] = ()
    in_use: bool = field(default=True, init=False)


@dataclass(frozen=True)
class TfmCapability:
    """An image built without TF-M: could it use TF-M, and which target to build instead."""

    domain: str
    board: str | None
    cpu: str | None
    architecture: str | None
    secure_capable: bool
    evidence: tuple[str, ...]
    current_role: str
    board_target: str | None
    ns_targets: tuple[str, ...]
    ns_source: str | None
    tfm_platform: str | None
    tfm_platform_display: str | None
    summary: str
    notes: tuple[str, ...] = ()
    in_use: bool = field(default=False, init=False)


def _hex(value: int, digits: int = 8) -> str:
    return f"0x{value:0{digits}x}"


def _domain_json(d: TfmDomain) -> dict[str, Any]:
    return {
        "domain": d.domain, "app_domain": d.app_domain, "in_use": True, "board": d.board,
        "platform": d.platform, "profile": d.profile,
        "isolation_level": d.configuration.get("isolation_level"),
        "model": d.model, "build_type": d.build_type,
        "version": d.version, "version_full": d.version_full, "version_source": d.version_source,
        "configuration": dict(d.configuration),
        "bl2": {"enabled": d.bl2.enabled, "signature_type": d.bl2.signature_type,
                "image_number": d.bl2.image_number, "security_counter": d.bl2.security_counter,
                "security_counters": dict(d.bl2.security_counters), "versions": dict(d.bl2.versions),
                "upgrade_strategy": d.bl2.upgrade_strategy,
                "hw_rollback_protection": d.bl2.hw_rollback_protection},
        "dummy_provisioning": d.dummy_provisioning,
        "subbuild": {"state": d.subbuild_state, "problem": d.subbuild_problem, "effective": dict(d.effective)},
        "mismatches": [{"setting": m.setting, "zephyr": m.zephyr, "tfm": m.tfm} for m in d.mismatches],
        "partitions": [{"key": p.key, "service": p.service, "symbol": f"CONFIG_{p.symbol}",
                        "enabled": p.enabled, "enabled_in_tfm": p.enabled_in_tfm} for p in d.partitions],
        "signing_keys": [{"role": k.role, "path": k.path, "from": k.setting, "method": k.method,
                          "dev_key": k.dev_key, "key_sha256": k.key_sha256, "detail": k.detail}
                         for k in d.keys],
        "images": {
            "outputs": [{
                "role": o.role, "path": o.path, "size": o.size, "description": o.description,
                "hex_ranges": [{"address": _hex(a), "size": n} for a, n in o.hex_ranges],
                "problem": o.problem,
                "images": [{
                    "offset": f"0x{s.offset:x}", "version": s.version,
                    "security_counter": s.security_counter, "sw_type": s.sw_type,
                    "load_addr": _hex(s.load_addr), "image_size": s.image_size,
                    "key_source": s.key_source, "key_type": s.key_type, "key_sha256": s.key_sha256,
                    "dev_key": s.dev_key, "hash_ok": s.hash_ok, "signature_ok": s.signature_ok,
                } for s in o.images],
            } for o in d.outputs],
            "public_keys": [{"role": k.role, "path": k.path, "key_sha256": k.key_sha256,
                             "dev_key": k.dev_key, "problem": k.problem} for k in d.public_keys],
        },
        "memory": None if d.memory is None else {
            "basis": d.memory.basis, "note": d.memory.note,
            "regions": [{"name": r.name, "world": r.world, "purpose": r.purpose,
                         "address": _hex(r.address), "size": r.size, "source": r.source}
                        for r in d.memory.regions],
            "image_areas": [{"world": a.world, "purpose": a.purpose, "offset": f"0x{a.offset:x}",
                             "size": a.size, "source": a.source} for a in d.memory.image_areas],
        },
        "advisories": [{"id": a.id, "cve": a.cve, "affected": a.affected, "in_range": a.in_range,
                        "reason": a.reason} for a in d.advisories],
        "notes": list(d.notes),
    }


def _capability_json(c: TfmCapability) -> dict[str, Any]:
    return {
        "domain": c.domain, "app_domain": c.domain, "in_use": False, "board": c.board,
        "capability": {
            "cpu": c.cpu, "architecture": c.architecture, "secure_capable": c.secure_capable,
            "evidence": list(c.evidence), "current_role": c.current_role,
            "board_target": c.board_target, "ns_targets": list(c.ns_targets),
            "ns_source": c.ns_source, "tfm_platform": c.tfm_platform, "summary": c.summary,
        },
    }


@dataclass(frozen=True)
class TfmFacts:
    """How a build uses TF-M: one entry per TF-M domain, or per application that could use it."""

    in_use: bool
    domains: tuple[TfmDomain | TfmCapability, ...]

    def json_sections(self) -> dict[str, Any]:
        return {"tfm": {"in_use": self.in_use,
                        "domains": [_domain_json(d) if isinstance(d, TfmDomain) else _capability_json(d)
                                    for d in self.domains]}}
