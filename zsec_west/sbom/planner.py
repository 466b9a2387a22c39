"""Which packages one domain's image is made of, and what is known about each of them.

The planner decides the package roots (Zephyr, modules, application, build directory,
toolchain), assigns the inventory's files to them, keeps the modules the image actually used
(files compiled or included, include paths, the TF-M build configuration) and fills in
versions, suppliers and identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from zsec_west.builddir import TFM, Build, Domain
from zsec_west.builddir.modules import Module
from zsec_west.builddir.outputs import find_outputs
from zsec_west.builddir.tfmbuild import recorded_release
from zsec_west.errors import BuildDirError
from zsec_west.files.reading import is_dir
from zsec_west.sbom.gitinfo import GitCache, in_repository, run_git
from zsec_west.sbom.hashing import TOO_LARGE, FileFacts, read_image_facts
from zsec_west.sbom.identifiers import (
    Identifiers,
    IdentifierTable,
    VersionFile,
    identify,
)
from zsec_west.sbom.inventory import Inventory, recorded_build_dir
from zsec_west.sbom.packages import APP, GENERATED, MODULE, ZEPHYR, PackageData, Root, assign
from zsec_west.sbom.pkgversion import VersionInfo, manifest_revisions, read_version_file, resolve
from zsec_west.sbom.provenance import canonical_origin
from zsec_west.sbom.references import module_references
from zsec_west.sbom.remotes import purl_for_remote
from zsec_west.sbom.tlsattach import attach_tls_config
from zsec_west.sbom.toolchain import toolchain_package

_IMAGE_ROLES = ("signed.bin", "signed.hex", "bin", "hex", "elf")
_TFM_IMAGES = ("tfm_s_signed.bin", "tfm_s.bin", "tfm_s.hex", "bl2.bin", "bl2.hex", "tfm_s.elf")


@dataclass
class ImageInfo:
    """The firmware image a domain produced: what the document describes."""

    name: str
    version: str | None
    supplier: str | None
    files: list[tuple[str, FileFacts]] = field(default_factory=list)  # main image first
    missing: str | None = None  # why there is no image file to hash
    sha512: dict[str, str] = field(default_factory=dict)  # image file -> SHA-512 (deployable)
    expected: str | None = None  # the main image file the build makes, when none is here


@dataclass
class DomainPlan:
    domain: Domain
    packages: list[PackageData]
    image: ImageInfo
    notes: list[str] = field(default_factory=list)  # gaps about packages (versions, suppliers)
    unused_modules: list[str] = field(default_factory=list)
    unattributed: list[str] = field(default_factory=list)


def _local(recorded: str | None) -> Path | None:
    if not recorded:
        return None
    path = Path(recorded)
    return path if is_dir(path) else None


def _normal(path: str) -> str:
    return path.rstrip("/") if len(path) > 1 else path


@dataclass
class _Roots:
    """The candidate packages of one domain: Zephyr, its modules, the application, the build."""

    zephyr: PackageData
    all: list[PackageData]
    modules: dict[str, tuple[PackageData, Module]] = field(default_factory=dict)
    app: PackageData | None = None
    generated: PackageData | None = None


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


def _module_evidence(package: PackageData, domain: Domain, inv: Inventory,
                     tfm_paths: set[str]) -> None:
    """Why the image uses a module: compiled files, the include path, TF-M's configuration."""
    module_root = package.roots[0].recorded
    if package.paths:
        package.evidence.append(f"{len(package.compiled)} compiled sources, "
                                f"{len(package.paths) - len(package.compiled)} other inputs")
    if any(_under(d, module_root) for d in inv.include_dirs):
        package.evidence.append("on the include path")
    if any(_under(p, module_root) for p in tfm_paths):
        package.evidence.append("named by the TF-M build configuration")
    if not package.evidence and not inv.has_compile_info and domain.kind != TFM:
        package.evidence.append("known to the build (no compile information to tell whether the "
                                "image uses it)")


def _expected_image(domain: Domain) -> str | None:
    """The main image file name a domain's build makes (it may not be here: a copied build)."""
    if domain.kind == TFM:
        return "bin/" + _TFM_IMAGES[0]
    try:
        name = domain.kernel_name
        signed = domain.kconfig.enabled("BOOTLOADER_MCUBOOT")
    except BuildDirError:
        return None
    return f"zephyr/{name}.signed.bin" if signed else f"zephyr/{name}.bin"


def _git_remote(path: Path | None) -> str | None:
    if path is None or not in_repository(path):
        return None
    return run_git(path, "config", "--get", "remote.origin.url")


class Planner:
    """Build-wide context (identifier table, metadata, overrides) for planning each domain."""

    def __init__(self, build: Build, table: IdentifierTable, *, supplier: str | None = None):
        self.build = build
        self.table = table
        self.supplier_override = supplier
        self.meta = build.meta
        self.tfm_release = self._tfm_release()
        # One run asks git and reads the manifest once per tree, however many domains share it.
        self._git: GitCache = {}
        self._manifests: dict[str, dict[str, str]] = {}

    # --- build-wide facts ----------------------------------------------------------------

    def _tfm_release(self) -> str | None:
        """TF-M's version as its sub-build recorded it (project version, tfm_version.h)."""
        for domain in self.build.images:
            if domain.kind == TFM:
                release = recorded_release(domain)
                if release:
                    return release
        return None

    def _manifest(self, zephyr_local: Path | None) -> dict[str, str]:
        if zephyr_local is None or not (zephyr_local / "west.yml").is_file():
            return {}
        path = str(zephyr_local / "west.yml")
        if path not in self._manifests:
            self._manifests[path] = manifest_revisions(path)
        return self._manifests[path]

    # --- per domain ----------------------------------------------------------------------

    def plan(self, domain: Domain, inv: Inventory) -> DomainPlan:
        image_domain = domain.parent if domain.kind == TFM and domain.parent else domain
        zephyr_recorded = str(image_domain.zephyr_base) if image_domain.zephyr_base else None
        zephyr_local = _local(zephyr_recorded)
        roots = self._roots(domain, image_domain, inv, zephyr_recorded, zephyr_local)
        assigned = assign(roots.all, inv.sources, [*inv.headers, *inv.link_inputs])
        plan = DomainPlan(domain, [], ImageInfo(domain.name, None, None),
                          unattributed=assigned.unattributed)
        plan.packages = self._keep(domain, inv, roots.all, plan)
        if inv.link_map:
            for package in plan.packages:
                package.linked = {p: inv.contributions[p] for p in package.compiled
                                  if p in inv.contributions}
                package.link_map = inv.link_map
        self._describe(plan, roots, image_domain, zephyr_local)
        attach_tls_config(plan.packages, inv, roots.all, self.table)
        return plan

    def _roots(self, domain: Domain, image_domain: Domain, inv: Inventory,
               zephyr_recorded: str | None, zephyr_local: Path | None) -> _Roots:
        """The candidate packages of one domain and where their files live."""
        zephyr = PackageData("zephyr", ZEPHYR, "zephyr",
                             [Root(_normal(zephyr_recorded), zephyr_local)] if zephyr_recorded
                             else [])
        roots = _Roots(zephyr, [zephyr])
        for module in self._modules(image_domain):
            package = PackageData(f"module-{module.name}", MODULE, module.name,
                                  [Root(_normal(module.path), _local(module.path))])
            roots.modules[module.name] = (package, module)
            roots.all.append(package)
        if domain.kind != TFM and domain.app_source_dir:
            app_recorded = _normal(domain.app_source_dir)
            roots.app = PackageData("app", APP, Path(app_recorded).name or domain.name,
                                    [Root(app_recorded, _local(app_recorded))])
            roots.all.append(roots.app)
        roots.generated = PackageData("generated", GENERATED, f"{domain.name}-build",
                                      [Root(_normal(inv.recorded_build_dir), domain.build_dir)])
        sysbuild = self.build.sysbuild
        if sysbuild is not None and domain.kind != TFM:
            roots.generated.roots.append(Root(recorded_build_dir(sysbuild), self.build.top))
        roots.all.append(roots.generated)
        toolchain = toolchain_package(self.table, image_domain, domain, inv)
        if toolchain is not None:
            roots.all.append(toolchain)
        return roots

    def _keep(self, domain: Domain, inv: Inventory, packages: list[PackageData],
              plan: DomainPlan) -> list[PackageData]:
        """Keep what the image used; say what was left out and why."""
        tfm_paths = self._tfm_paths(domain) if domain.kind == TFM else set()
        kept: list[PackageData] = []
        for package in packages:
            if package.kind == MODULE:
                _module_evidence(package, domain, inv, tfm_paths)
                if not package.evidence:
                    plan.unused_modules.append(package.name)
                    continue
            elif package.kind == ZEPHYR and domain.kind == TFM and not package.paths:
                continue
            kept.append(package)
        return kept

    def _describe(self, plan: DomainPlan, roots: _Roots, image_domain: Domain,
                  zephyr_local: Path | None) -> None:
        """Versions, suppliers and identifiers of the kept packages, and the image itself."""
        domain, kept = plan.domain, plan.packages
        self._describe_zephyr(roots.zephyr, image_domain, zephyr_local)
        manifest = self._manifest(zephyr_local)
        for package in kept:
            if package.kind == MODULE:
                self._describe_module(package, roots.modules[package.name][1], manifest)
        if roots.app is not None:
            self._describe_app(roots.app, domain, kept)
        plan.image = self._image(domain, roots.app, roots.zephyr, roots.modules)
        assert roots.generated is not None
        roots.generated.version = VersionInfo(version=plan.image.version,
                                              source="the image's version")
        roots.generated.supplier = plan.image.supplier
        roots.generated.evidence.append("files generated by this build")
        for package in kept:
            self._gaps(package, plan)

    def _modules(self, domain: Domain) -> list[Module]:
        return domain.modules(self.meta) or self.build.modules

    def _tfm_paths(self, domain: Domain) -> set[str]:
        """Source trees the TF-M sub-build names in its cache (it has no compile database)."""
        try:
            cache = domain.cache
        except BuildDirError:
            return set()
        keys = ["CMAKE_HOME_DIRECTORY", "MBEDCRYPTO_PATH"]
        if cache.bool("BL2"):
            keys.append("MCUBOOT_PATH")
        if any(cache.bool(k) for k in ("TEST_S", "TEST_NS", "TEST_PSA_API")):
            keys += ["TFM_TEST_REPO_PATH", "PSA_ARCH_TESTS_PATH"]
        return {_normal(v) for k in keys if (v := cache.value(k)) and v.startswith("/")}

    # --- package facts -------------------------------------------------------------------

    def _supplier(self, remote: str | None, entry_supplier: str | None) -> str | None:
        return self.table.organization_for_remote(remote) or entry_supplier

    def _describe_zephyr(self, zephyr: PackageData, domain: Domain, local: Path | None) -> None:
        entry = self.table.lookup("zephyr")
        meta = self.meta
        remote = (meta.zephyr_remote if meta else None) or _git_remote(local)
        recorded = {"revision": meta.zephyr_revision} if meta and meta.zephyr_revision else None
        zephyr.version = resolve(
            local_root=local, recorded=recorded, entry=entry,
            build_release=domain.zephyr_version, build_source="the build (kernel version)",
            recorded_tags=meta.zephyr_tags if meta else (), git_cache=self._git)
        self._fill(zephyr, entry, remote)
        if entry is not None and entry.repository:
            canonical_origin(zephyr, entry, remote)

    def _describe_module(self, package: PackageData, module: Module,
                         manifest: dict[str, str]) -> None:
        entry = self.table.lookup(module.name)
        local = package.roots[0].local
        refs = module_references(self.build, module, local)
        recorded = self.meta.modules.get(module.name) if self.meta else None
        release = self.tfm_release if entry is not None and entry.name == "trusted-firmware-m" \
            else None
        package.version = resolve(
            local_root=local, recorded=recorded, entry=entry, references=refs,
            build_release=release, build_source="the TF-M build (project version)",
            manifest_revision=manifest.get(module.name), git_cache=self._git)
        remote = module.remote or _git_remote(local)
        self._fill(package, entry, remote, refs)

    def _fill(self, package: PackageData, entry, remote: str | None,
              refs: tuple[str, ...] = ()) -> None:
        info = package.version
        package.identifiers = identify(entry, release=info.release, revision=info.revision,
                                       remote=remote, external_references=refs)
        package.supplier = self._supplier(remote, entry.supplier if entry else None)
        if entry is not None and entry.supplier and entry.supplier != package.supplier:
            package.originator = entry.supplier
        if entry is not None:
            package.homepage = entry.homepage
            package.declared_license = entry.license
        if remote and info.revision and remote.startswith(("https://", "http://")):
            package.download_location = f"git+{remote}@{info.revision}"
        if info.dirty:
            package.notes.append("the tree had local changes when it was built (dirty)")
        if info.off_manifest:
            package.notes.append("the revision differs from the one the west manifest pins")
        if info.note:
            package.notes.append(info.note)
        if package.identifiers.note:
            package.notes.append(package.identifiers.note)

    def _describe_app(self, app: PackageData, domain: Domain,
                      packages: list[PackageData]) -> None:
        root = app.roots[0]
        container = next((p for p in packages if p.kind in (ZEPHYR, MODULE) and p.roots
                          and root.recorded.startswith(p.roots[0].recorded.rstrip("/") + "/")),
                         None)
        local = root.local
        app_release = read_version_file(
            local, VersionFile("VERSION", "zephyr-version")) if local else None
        if app_release:
            app.version = VersionInfo(release=app_release,
                                               source="the application's VERSION file").finish()
        elif container is not None:
            app.version = replace(container.version, source=f"{container.name}, which contains "
                                                            "the application")
        else:
            app.version = resolve(local_root=local, recorded=None, entry=None,
                                           git_cache=self._git)
        if container is not None:
            subpath = root.recorded[len(container.roots[0].recorded.rstrip("/")) + 1:]
            if any(p.name == app.name for p in packages if p is not app):
                # MCUboot's application directory is boot/zephyr: not "zephyr".
                app.name = f"{container.name}-{subpath.replace('/', '-')}"
            purls = tuple(f"{p.split('#')[0]}#{subpath}" for p in container.identifiers.purls)
            app.identifiers = Identifiers((), purls, "contained",
                                          f"part of {container.name} ({subpath})")
            app.supplier = self.supplier_override or container.supplier
            app.download_location = (f"{container.download_location}#{subpath}"
                                     if container.download_location else None)
            app.declared_license = container.declared_license
        else:
            remote = _git_remote(local)
            fork = purl_for_remote(remote, app.version.revision) if remote else None
            app.identifiers = Identifiers((), (fork,) if fork else (),
                                          "remote" if fork else "none")
            app.supplier = self.supplier_override or self.table.organization_for_remote(remote)
        app.evidence.append("the application the image was built from")

    def _image(self, domain: Domain, app: PackageData | None, zephyr: PackageData,
               modules: dict[str, tuple[PackageData, Module]]) -> ImageInfo:
        if domain.kind == TFM:
            tfm = modules.get("trusted-firmware-m")
            source = tfm[0] if tfm else None
            version = source.version.version if source else self.tfm_release
            supplier = self.supplier_override or (source.supplier if source else None)
            candidates = [("bin/" + name, domain.build_dir / "bin" / name) for name in _TFM_IMAGES]
        else:
            source = app or zephyr
            version = source.version.version
            if not version:
                sign_version = domain.kconfig.string("MCUBOOT_IMGTOOL_SIGN_VERSION") \
                    if domain.config_path.is_file() else None
                version = sign_version if sign_version and sign_version != "0.0.0+0" else None
            supplier = self.supplier_override or source.supplier
            try:
                artifacts = domain.outputs
            except BuildDirError:  # no .config: the kernel's file name is Zephyr's default
                artifacts = find_outputs(domain.build_dir)
            outputs = {artifact.role: artifact.path for artifact in artifacts}
            candidates = [(f"zephyr/{outputs[role].name}", outputs[role])
                          for role in _IMAGE_ROLES if role in outputs]
        info = ImageInfo(domain.name, version, supplier)
        for rel, path in candidates:
            facts, sha512 = read_image_facts(str(path))
            if not isinstance(facts, FileFacts) and facts.reason.startswith(TOO_LARGE):
                raise BuildDirError(facts.reason, path=path)  # not an image: a hostile file
            if isinstance(facts, FileFacts):
                info.files.append((rel, facts))
                info.sha512[rel] = sha512 or ""
        info.expected = candidates[0][0] if candidates else _expected_image(domain)
        if not info.files:
            info.missing = (f"{domain.name}: no image file found in {domain.build_dir} "
                            "(binaries not part of this build directory copy?)")
        return info

    @staticmethod
    def _gaps(package: PackageData, plan: DomainPlan) -> None:
        domain = plan.domain.name
        if not package.version.version:
            hint = " (build with CONFIG_BUILD_OUTPUT_META=y to record module revisions)" \
                if package.kind == MODULE else ""
            plan.notes.append(f"{domain}: version of {package.name} unknown{hint}")
        if not package.supplier:
            hint = " (pass --supplier)" if package.kind in (APP, GENERATED) else ""
            plan.notes.append(f"{domain}: supplier of {package.name} unknown{hint}")
