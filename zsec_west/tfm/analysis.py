"""Everything sec-tfm learns about one TF-M domain, gathered once for facts and findings alike."""

from __future__ import annotations

from dataclasses import dataclass, field

from zsec_west.builddir.cmakecache import cmake_truthy
from zsec_west.builddir.model import Build, Domain
from zsec_west.builddir.tfmbuild import SubBuild, load_subbuild
from zsec_west.builddir.tfmlayout import load_layouts
from zsec_west.errors import ZsecError
from zsec_west.tfm.advisories import Verdict, assess, load_advisories
from zsec_west.tfm.facts import TfmConfig, read_config
from zsec_west.tfm.images import ImageSet, collect_images
from zsec_west.tfm.keyfiles import KeyAssessment, assess_keys
from zsec_west.tfm.memory import MemoryMap, memory_map
from zsec_west.tfm.mismatch import Mismatch, compare


@dataclass
class TfmAnalysis:
    build: Build | None
    domain: Domain  # the TF-M domain (kind "tfm")
    app: Domain  # the non-secure application it belongs to
    config: TfmConfig
    sub: SubBuild
    mismatches: list[Mismatch]
    images: ImageSet
    keys: list[KeyAssessment]
    memory: MemoryMap | None
    verdicts: list[Verdict]
    notes: list[str] = field(default_factory=list)

    def cache_value(self, name: str) -> bool | str | None:
        return self.sub.value(name)

    def kconfig_value(self, name: str) -> bool | str | None:
        value = self.app.kconfig.value(name)
        if value is None or isinstance(value, (bool, str)):
            return value
        return str(value)

    def effective_bool(self, cache_name: str, kconfig_value: bool | None) -> bool | None:
        """A setting as TF-M saw it (its cache) when recorded, else as Kconfig asked."""
        value = self.sub.value(cache_name)
        if value is not None:
            return cmake_truthy(value)
        return kconfig_value


def analyse(build: Build | None, domain: Domain) -> TfmAnalysis:
    """Read the TF-M domain `domain` (its .parent is the application image)."""
    app = domain.parent or domain
    notes: list[str] = []
    config = read_config(app.kconfig)
    sub = load_subbuild(domain, build)
    if sub.problem:
        notes.append(sub.problem)
    notes.extend(sub.version.notes)
    mismatches = compare(config, sub)
    images = collect_images(app)
    for image in images.images:
        if image.problem:
            notes.append(f"{image.role}: {image.problem}")
    if not images.images:
        notes.append("no TF-M output images in the build directory (not built, or copied "
                     "without binaries)")
    keys = assess_keys(config, sub, images.public_keys)
    try:
        layouts = load_layouts(domain.build_dir)
    except ZsecError as exc:  # a damaged signing layout: the memory split is read without them
        layouts = []
        notes.append(f"TF-M signing layout unusable: {exc}")
    try:
        memory = memory_map(app.devicetree, layouts)
    except ZsecError as exc:
        memory = None
        notes.append(f"devicetree unusable: {exc}")
    if memory is None and not any("devicetree" in n for n in notes):
        notes.append("no devicetree (zephyr/zephyr.dts) in the build: memory split unknown")
    analysis = TfmAnalysis(build, domain, app, config, sub, mismatches, images, keys, memory, [],
                           notes)
    version = sub.version.parsed
    analysis.verdicts = [assess(adv, version, analysis.cache_value, analysis.kconfig_value)
                         for adv in load_advisories()]
    return analysis
