"""The toolchain as a package of an image: compiler, version, supplier, and the files it added.

The compiler comes from compile_commands.json (else CMAKE_C_COMPILER), its version from
CMake's compiler record or GCC's include path (`lib/gcc/<target>/<version>/include`), the
root of its files from the Zephyr SDK or GNU Arm Embedded path, CROSS_COMPILE or the
compiler's own location. Headers and libraries under that root that the image used (ninja's
dependency log, the linker map) become the package's files.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from zsec_west.builddir import Domain
from zsec_west.errors import BuildDirError
from zsec_west.files.reading import is_dir, read_if_present
from zsec_west.sbom.identifiers import Identifiers, IdentifierTable, fill_cpe
from zsec_west.sbom.inventory import Inventory
from zsec_west.sbom.packages import TOOLCHAIN, PackageData, Root
from zsec_west.sbom.pkgversion import VersionInfo
from zsec_west.versions import is_release

# A toolchain installed by the operating system: its supplier is the compiler's maker, not
# the ZEPHYR_TOOLCHAIN_VARIANT's distributor.
_SYSTEM_PREFIXES = ("/usr", "/usr/local", "/opt/local")


def _local(path: str) -> Path | None:
    return Path(path) if is_dir(path) else None


def sdk_version(sdk: str | None) -> str | None:
    """The Zephyr SDK's version: its sdk_version file, else the directory name."""
    if not sdk:
        return None
    data = read_if_present(Path(sdk) / "sdk_version", "build", BuildDirError)
    text = data.decode("utf-8", errors="replace").strip() if data is not None else ""
    if is_release(text):
        return text
    match = re.search(r"zephyr-sdk-(\d+(?:\.\d+)+)", sdk)
    return match.group(1) if match else None


def toolchain_package(table: IdentifierTable, image_domain: Domain, domain: Domain,
                      inv: Inventory) -> PackageData | None:
    """The toolchain package of `domain` (TF-M: `image_domain` is the app it belongs to)."""
    try:
        cache = domain.cache
        image_cache = image_domain.cache
    except BuildDirError:
        return None
    compiler = inv.compiler or cache.value("CMAKE_C_COMPILER")
    if not compiler:
        return None
    variant = image_cache.value("ZEPHYR_TOOLCHAIN_VARIANT") or ""
    sdk = image_cache.value("ZEPHYR_SDK_INSTALL_DIR") if variant == "zephyr" else None
    cross = cache.value("CROSS_COMPILE")
    candidates = [sdk, image_cache.value("GNUARMEMB_TOOLCHAIN_PATH"),
                  str(Path(cross).parent.parent) if cross else None,
                  str(Path(compiler).parent.parent)]
    root = next((c.rstrip("/") for c in candidates if c and c not in (".", "/")), None)
    if root is None:
        return None
    family = table.compiler_family(compiler)
    package = PackageData("toolchain", TOOLCHAIN, Path(compiler).name,
                          [Root(root, _local(root))])
    release = inv.compiler_version
    package.version = VersionInfo(
        release=release if release and is_release(release) else None, version=release,
        source="the compiler's include path or CMake's compiler record").finish()
    if root in _SYSTEM_PREFIXES:
        package.supplier = family.supplier if family else None
    else:
        package.supplier = table.variants.get(variant) or (family.supplier if family else None)
    if family is not None:
        package.declared_license = family.license
        package.homepage = family.homepage
        if family.supplier != package.supplier:
            package.originator = family.supplier
        cpe_release = package.version.release  # `release`, when it is a release
        cpes = (fill_cpe(family.cpe, cpe_release),) if family.cpe and cpe_release else ()
        purls = (family.purl.replace("{version}", release),) if family.purl and release else ()
        package.identifiers = Identifiers(cpes, purls, "table")
    found = sdk_version(sdk)
    if found:
        package.notes.append(f"Zephyr SDK {found}")
        package.identifiers = replace(package.identifiers, purls=(
            *package.identifiers.purls, f"pkg:github/zephyrproject-rtos/sdk-ng@v{found}"))
    package.evidence.append(f"compiler {compiler} (ZEPHYR_TOOLCHAIN_VARIANT={variant or '?'})")
    if inv.link_names:
        package.notes.append("libraries linked by name: " + " ".join(inv.link_names))
    return package
