"""The build-directory model shared by every command."""

from zsec_west.builddir.locate import find_build_dir, find_west_topdir, is_zephyr_build
from zsec_west.builddir.model import APP, MCUBOOT, OTHER, SYSBUILD, TFM, Build, Domain, load_build

__all__ = ["APP", "MCUBOOT", "OTHER", "SYSBUILD", "TFM", "Build", "Domain", "find_build_dir",
           "find_west_topdir", "is_zephyr_build", "load_build"]
