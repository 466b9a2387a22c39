"""The one model of a Zephyr build that every command starts from. Files are read once, lazily."""

from __future__ import annotations

import re
import shlex
from functools import cached_property
from pathlib import Path

from zsec_west.builddir.buildinfo import BuildInfo, load_build_info
from zsec_west.builddir.cmakecache import CMakeCache
from zsec_west.builddir.devicetree import Devicetree
from zsec_west.builddir.domains import DomainsFile, is_inside, load_domains
from zsec_west.builddir.kconfig import KconfigValues
from zsec_west.builddir.locate import is_zephyr_build
from zsec_west.builddir.modules import BuildMeta, Module, load_meta, load_modules
from zsec_west.builddir.outputs import Artifact, find_outputs
from zsec_west.errors import BuildDirError, UsageError
from zsec_west.files.reading import read_if_present
from zsec_west.findings import Location
from zsec_west.versions import zephyr_release

# Domain kinds; rules and reports select domains by kind.
APP, MCUBOOT, TFM, SYSBUILD, OTHER = "app", "mcuboot", "tfm", "sysbuild", "other"


class Domain:
    """One image of a build (or the sysbuild level, or the TF-M sub-build of a non-secure app)."""

    def __init__(self, name: str, build_dir: Path, kind: str | None = None, *,
                 is_default: bool = False, parent: Domain | None = None):
        self.name = name
        self.build_dir = build_dir
        self._kind = kind
        self.is_default = is_default
        self.parent = parent

    def __repr__(self) -> str:
        return f"Domain({self.name!r}, kind={self.kind!r})"

    @cached_property
    def cache(self) -> CMakeCache:
        return CMakeCache.load(self.build_dir / "CMakeCache.txt")

    @property
    def config_path(self) -> Path:
        return self.build_dir / "zephyr" / ".config"

    @cached_property
    def kconfig(self) -> KconfigValues:
        """Typed .config values. TF-M is configured from the app's Kconfig (CONFIG_TFM_*)."""
        if self._kind == TFM and self.parent is not None:
            return self.parent.kconfig
        if self.config_path.exists() and not self.config_path.is_file():
            raise BuildDirError("cannot read: not a regular file", path=self.config_path)
        if not self.config_path.is_file():
            if self._kind == SYSBUILD:
                return KconfigValues.empty("SB_CONFIG_")
            raise BuildDirError("Kconfig output not found; did the build configure?",
                                path=self.config_path)
        return KconfigValues.load(self.config_path, "SB_CONFIG_" if self._kind == SYSBUILD else None)

    @cached_property
    def devicetree(self) -> Devicetree | None:
        if self._kind == TFM and self.parent is not None:
            return self.parent.devicetree
        path = self.build_dir / "zephyr" / "zephyr.dts"
        return Devicetree.load(path) if path.is_file() else None

    @cached_property
    def kind(self) -> str:
        if self._kind:
            return self._kind
        if self.name == "mcuboot" or self.kconfig.enabled("MCUBOOT"):
            return MCUBOOT
        return APP if self.is_default else OTHER

    @cached_property
    def build_info(self) -> BuildInfo:
        """build_info.yml of this directory (Zephyr 4.x); empty for 3.x builds and the TF-M sub-build."""
        if self._kind == TFM:
            return BuildInfo()
        return load_build_info(self.build_dir)

    @property
    def board(self) -> str | None:
        """The board as the build was asked for it (-b), e.g. "nrf52840dk/nrf52840"."""
        if self._kind == TFM and self.parent is not None:
            return self.parent.board
        return self.cache.value("CACHED_BOARD") or self.cache.value("BOARD") or self.build_info.board

    @property
    def board_target(self) -> str | None:
        """The full board target build_info.yml records (with default qualifiers filled in, e.g.
        "qemu_cortex_m3/ti_lm3s6965" for `-b qemu_cortex_m3`), else the board as asked for."""
        if self._kind == TFM and self.parent is not None:
            return self.parent.board_target
        return self.build_info.board or self.board

    @property
    def zephyr_base(self) -> Path | None:
        value = self.cache.value("ZEPHYR_BASE")
        return Path(value) if value else None

    @property
    def app_source_dir(self) -> str | None:
        return (self.cache.value("APP_DIR") or self.cache.value("APPLICATION_SOURCE_DIR")
                or self.build_info.application_dir)

    @property
    def zephyr_version(self) -> str | None:
        """From the kernel project version the build recorded, else ZEPHYR_BASE/VERSION."""
        version = (self.cache.value("Zephyr-Kernel_VERSION") or self.cache.value("CMAKE_PROJECT_VERSION")
                   or self.build_info.zephyr_version)
        if version and self._kind not in (SYSBUILD, TFM):
            return version
        base = self.zephyr_base
        if base and (base / "VERSION").is_file():
            return read_zephyr_version(base / "VERSION")
        return None

    @property
    def kernel_name(self) -> str:
        return self.kconfig.string("KERNEL_BIN_NAME") or "zephyr"

    @cached_property
    def outputs(self) -> list[Artifact]:
        if self._kind == SYSBUILD:
            return []
        return find_outputs(self.build_dir, self.kernel_name)

    def output(self, role: str) -> Path | None:
        for artifact in self.outputs:
            if artifact.role == role:
                return artifact.path
        return None

    @cached_property
    def conf_files(self) -> list[Path]:
        """The Kconfig fragments the build merged, in order, that still exist on this machine."""
        names: list[str] = []
        if self._kind == SYSBUILD:
            names += self.cache.list("SB_CONF_FILE")
        else:
            for key in ("CONF_FILE", "EXTRA_CONF_FILE", "OVERLAY_CONFIG"):
                names += self.cache.list(key)
        # Zephyr 4.x also records the fragments the user gave, with full paths, in build_info.yml.
        names += self.build_info.kconfig_user_files
        base = Path(self.app_source_dir) if self.app_source_dir else self.build_dir
        paths: list[Path] = []
        for name in names:
            path = Path(name) if Path(name).is_absolute() else base / name
            if path.is_file() and path.resolve() not in {p.resolve() for p in paths}:
                paths.append(path)
        return paths

    def modules(self, meta: BuildMeta | None = None) -> list[Module]:
        """The modules this image's own zephyr_modules.txt lists (each sysbuild image has one;
        Build.modules is the top level's), enriched by `meta` (Build.meta) when given."""
        return load_modules(self.build_dir / "zephyr_modules.txt", meta)

    def location(self, symbol: str) -> Location:
        """Where a user would change `symbol`: the last fragment that sets it, else .config."""
        full = self.kconfig.full_name(symbol)
        pattern = re.compile(rf"^\s*(#\s*)?{re.escape(full)}(=|\s+is not set)")
        for conf in reversed(self.conf_files):
            data = read_if_present(conf, "build", BuildDirError)
            lines = data.decode("utf-8", errors="replace").splitlines() if data is not None else []
            for number, text in enumerate(lines, start=1):
                if pattern.match(text):
                    return Location(str(conf), number)
        config = self.kconfig
        name = symbol.removeprefix(config.prefix)
        line = config[name].line if name in config else None
        return Location(str(self.config_path), line)

    @cached_property
    def kconfig_env(self) -> dict[str, str]:
        """The environment the build gave kconfiglib, from the menuconfig rule in build.ninja."""
        data = read_if_present(self.build_dir / "build.ninja", "build", BuildDirError)
        if data is None:
            return {}
        text = data.decode("utf-8", errors="replace")
        match = re.search(r"cmake(?:\.exe)? -E env (.*?kconfig/(?:menuconfig|hardenconfig)\.py\s+\S+)",
                          text)
        if not match:
            return {}
        env: dict[str, str] = {}
        try:
            tokens = shlex.split(match.group(1))
        except ValueError:
            return {}
        for token in tokens:
            if "=" not in token or token.startswith("-"):
                break
            key, _, value = token.partition("=")
            env[key] = value
        return env


def read_zephyr_version(path: Path) -> str | None:
    """The release Zephyr's VERSION file at `path` states, e.g. '3.7.1'; None when there is none
    or it is not UTF-8 text, BuildDirError when what is there is not a readable file."""
    data = read_if_present(path, "build", BuildDirError)
    try:
        return zephyr_release(data.decode("utf-8")) if data is not None else None
    except UnicodeDecodeError:
        return None


class Build:
    """A build directory: a plain image build or a sysbuild top level with several domains."""

    def __init__(self, top: Path):
        self.top = top
        self.domains_file: DomainsFile | None = None
        domains_yaml = top / "domains.yaml"
        if domains_yaml.is_file():
            self.domains_file = load_domains(domains_yaml)
        self._images = self._make_images()

    def _make_images(self) -> list[Domain]:
        if self.domains_file is None:
            images = [Domain(self.top.name if self.top.name else "app", self.top, is_default=True)]
            app_dir = images[0].cache.value("APPLICATION_SOURCE_DIR")
            if app_dir:
                images[0].name = Path(app_dir).name
        else:
            images = [Domain(entry.name, entry.build_dir, is_default=entry.name == self.domains_file.default)
                      for entry in self.domains_file.entries]
        result: list[Domain] = []
        for image in images:
            result.append(image)
            if (image.build_dir / "tfm" / "CMakeCache.txt").is_file() or (
                    image.config_path.is_file() and image.kconfig.enabled("BUILD_WITH_TFM")):
                result.append(Domain("tfm", image.build_dir / "tfm", TFM, parent=image))
        return result

    @property
    def is_sysbuild(self) -> bool:
        return self.domains_file is not None

    @property
    def notes(self) -> list[str]:
        """What a command must tell the user about where it reads, e.g. a domain found outside `top`."""
        return self.domains_file.notes() if self.domains_file is not None else []

    def outside(self, path: Path) -> bool:
        """Whether `path` lies outside the build directory the user named."""
        return not is_inside(path, self.top)

    @cached_property
    def sysbuild(self) -> Domain | None:
        """The sysbuild level itself (SB_CONFIG_* symbols), for sysbuild builds."""
        return Domain("sysbuild", self.top, SYSBUILD) if self.is_sysbuild else None

    @property
    def images(self) -> list[Domain]:
        return list(self._images)

    @property
    def default(self) -> Domain:
        return next(d for d in self._images if d.is_default)

    def all_domains(self) -> list[Domain]:
        """The sysbuild level (if any), then every image in domains.yaml order."""
        return ([self.sysbuild] if self.sysbuild else []) + self.images

    def domain(self, name: str) -> Domain:
        for domain in self.all_domains():
            if domain.name == name:
                return domain
        raise UsageError(f"no domain '{name}' in this build (domains: "
                         f"{', '.join(d.name for d in self.all_domains())})")

    def select(self, names: list[str] | None) -> list[Domain]:
        if not names:
            return self.all_domains()
        return [self.domain(name) for name in names]

    def domain_of_kind(self, kind: str) -> Domain | None:
        return next((d for d in self.all_domains() if d.kind == kind), None)

    @cached_property
    def meta(self) -> BuildMeta | None:
        for domain in [self.default] + self.images:
            path = domain.build_dir / "zephyr" / "zephyr.meta"
            if path.is_file():
                return load_meta(path)
        return None

    @cached_property
    def modules(self) -> list[Module]:
        return load_modules(self.top / "zephyr_modules.txt", self.meta)

    @property
    def zephyr_base(self) -> Path | None:
        return self.default.zephyr_base

    @cached_property
    def build_info(self) -> BuildInfo:
        """The top level's build_info.yml (Zephyr 4.x): for a sysbuild, its images and the west command.
        Read through the domain of the top directory, so the file is parsed once per run."""
        return (self.sysbuild or self.default).build_info

    @property
    def west_command(self) -> str | None:
        """The `west build` command line that made this build, when west recorded it (Zephyr 4.x)."""
        return self.build_info.west_command

    @property
    def zephyr_version(self) -> str | None:
        return self.default.zephyr_version


def load_build(path: Path) -> Build:
    """The build at `path` (already located); raises BuildDirError with the file at fault."""
    if not path.is_dir():
        raise BuildDirError("build directory does not exist", path=path)
    if not is_zephyr_build(path):
        raise BuildDirError("not a Zephyr build directory", path=path)
    return Build(path)
