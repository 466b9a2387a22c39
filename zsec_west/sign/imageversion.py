"""The version a Zephyr build gives the image it signs (what cmake/mcuboot.cmake passes to imgtool)."""

from __future__ import annotations

from pathlib import Path

from zsec_west.builddir import Domain
from zsec_west.errors import BuildDirError, UsageError
from zsec_west.files.reading import read_if_present
from zsec_west.versions import parse_image_version
from zsec_west.versions import version_file_fields as version_fields
from zsec_west.versions import zephyr_release as parse_zephyr_version


def image_version(domain: Domain, sources: dict[str, str]) -> str:
    """The version the build signs `domain` with, as imgtool takes it, and (in `sources`) where it
    came from: CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION, else the application's VERSION file, else 0.0.0+0."""
    k = domain.kconfig
    value = k.string("MCUBOOT_IMGTOOL_SIGN_VERSION")
    if value:
        sources["version"] = f"CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION in {domain.config_path}"
        try:  # checked here, where the file that set it is known
            parse_image_version(value)
        except UsageError as exc:
            raise BuildDirError(f"CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION: {exc.message}", path=domain.config_path,
                                hint=exc.hint) from None
        return value
    version_file = Path(app) / "VERSION" if (app := domain.app_source_dir) else None
    # No VERSION file: the default. One that is there but is no readable file: an error, not 0.0.0.
    data = read_if_present(version_file, "build", BuildDirError) if version_file else None
    if version_file and data is not None:
        text = data.decode("utf-8", errors="replace")
        values = version_fields(text)
        base = parse_zephyr_version(text)
        if base:
            sources["version"] = str(version_file)
            return f"{base.split('-')[0]}+{values.get('VERSION_TWEAK') or 0}"
    sources["version"] = "default (no CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION, no VERSION file)"
    return "0.0.0+0"
