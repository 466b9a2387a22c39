"""What the hostile suite finds in the areas other helpers own, as expected failures.

Each entry is one run of tests/hostile/test_hostile_runs.py (case :: command) that does not hold
yet, with the code site and what happens. They are marked `xfail(strict=True)`: when a fix makes
a run pass, the suite fails until its entry is removed here. Entries are grouped by the area (and
the issue) that owns the code. Nothing here is in zsec_west/files, keys, rules, check, tfm/boards,
tfm/workspace, cli/app.py, west_commands.py, errors.py, findings.py or versions.py: what the suite
found there is fixed.

The property tests (test_properties.py) keep their expected failures in PROPERTIES, each with an
explicit example that shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

BUILDDIR = "builddir (issue 10)"
SIGN = "sign (issue 11)"
MCUBOOT = "mcuboot (issue 11)"
SBOM = "sbom (issue 12)"

# run id -> (area, "site: what is wrong; what happens")
EXPECTED: dict[str, tuple[str, str]] = {
    'sys37/B/CMakeCache.txt:sparse-huge::check': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/CMakeCache.txt:sparse-huge::sbom': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/CMakeCache.txt:sparse-huge::sign-build': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/CMakeCache.txt:sparse-huge::tfm': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/CMakeCache.txt:sparse-huge::check': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/CMakeCache.txt:sparse-huge::sbom': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/CMakeCache.txt:sparse-huge::sign-build': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/CMakeCache.txt:sparse-huge::tfm': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/mcuboot/CMakeCache.txt:sparse-huge::check': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/mcuboot/CMakeCache.txt:sparse-huge::sbom': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/mcuboot/CMakeCache.txt:sparse-huge::sign-build': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/CMakeCache.txt:sparse-huge::check': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/CMakeCache.txt:sparse-huge::sbom': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/CMakeCache.txt:sparse-huge::tfm': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/CMakeCache.txt:dev-zero::sbom': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/CMakeCache.txt:fifo::sbom': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/tfm/CMakeCache.txt:sparse-huge::check': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/CMakeCache.txt:sparse-huge::sbom': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/CMakeCache.txt:sparse-huge::tfm': (BUILDDIR, 'builddir/cmakecache.py:80: CMakeCache.load reads with Path.read_bytes: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr/zephyr.dts:huge-int::sign-build': (BUILDDIR, 'builddir/devicetree.py:208: the devicetree (dtlib) turns a 5,000-digit cell into an int: ValueError; exit 3, internal error ValueError'),
    'tfm41/B/zephyr/zephyr.dts:huge-int::check': (BUILDDIR, 'builddir/devicetree.py:208: the devicetree (dtlib) turns a 5,000-digit cell into an int: ValueError; exit 3, internal error ValueError'),
    'tfm41/B/zephyr/zephyr.dts:huge-int::tfm': (BUILDDIR, 'builddir/devicetree.py:208: the devicetree (dtlib) turns a 5,000-digit cell into an int: ValueError; exit 3, internal error ValueError'),
    'sys37/B/hello_world/zephyr/zephyr.signed.bin:symlink-loop::sign-build': (BUILDDIR, "builddir/domains.py:66: Path.resolve() of a domain's build directory: RuntimeError on a symlink loop in it; exit 3, internal error RuntimeError"),
    'sys37/B/hello_world/CMakeCache.txt:dev-zero::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:dev-zero::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:dev-zero::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:dev-zero::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:directory::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:directory::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:directory::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:directory::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:fifo::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:fifo::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:fifo::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:fifo::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:missing::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:missing::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:missing::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:missing::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:symlink-loop::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:symlink-loop::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:symlink-loop::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/hello_world/CMakeCache.txt:symlink-loop::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 4: domain 'hello_world' is listed but its build d"),
    'sys37/B/mcuboot/CMakeCache.txt:dev-zero::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:dev-zero::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:dev-zero::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:dev-zero::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:directory::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:directory::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:directory::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:directory::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:fifo::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:fifo::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:fifo::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:fifo::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:missing::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:missing::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:missing::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:missing::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:symlink-loop::check': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:symlink-loop::sbom': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:symlink-loop::sign-build': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/mcuboot/CMakeCache.txt:symlink-loop::tfm': (BUILDDIR, "builddir/domains.py:86: a domain whose CMakeCache.txt is unreadable is called a missing build directory, and the error names domains.yaml; exit 2, the error does not name the file: B/domains.yaml: line 6: domain 'mcuboot' is listed but its build direc"),
    'sys37/B/hello_world/zephyr/.config:sparse-huge::check': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr/.config:sparse-huge::sbom': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr/.config:sparse-huge::sign-build': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr/.config:sparse-huge::tfm': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'sys37/B/mcuboot/zephyr/.config:sparse-huge::check': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'sys37/B/mcuboot/zephyr/.config:sparse-huge::sbom': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'sys37/B/mcuboot/zephyr/.config:sparse-huge::sign-build': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'sys37/B/mcuboot/zephyr/.config:sparse-huge::tfm': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'sys37/B/zephyr/.config:sparse-huge::check': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'sys37/B/zephyr/.config:sparse-huge::sign-build': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'tfm41/B/zephyr/.config:sparse-huge::check': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'tfm41/B/zephyr/.config:sparse-huge::sbom': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'tfm41/B/zephyr/.config:sparse-huge::tfm': (BUILDDIR, 'builddir/kconfig.py:103: KconfigValues.load reads with Path.read_text: no size limit; exit 3, internal error MemoryError'),
    'paths/check -d:name-too-long::check_-d': (BUILDDIR, 'builddir/locate.py:55: find_build_dir: Path.exists() raises ENAMETOOLONG for a long -d; exit 3, internal error OSError'),
    'paths/check -d:path-too-long::check_-d': (BUILDDIR, 'builddir/locate.py:55: find_build_dir: Path.exists() raises ENAMETOOLONG for a long -d; exit 3, internal error OSError'),
    'paths/sbom -d:name-too-long::sbom_-d': (BUILDDIR, 'builddir/locate.py:55: find_build_dir: Path.exists() raises ENAMETOOLONG for a long -d; exit 3, internal error OSError'),
    'paths/sbom -d:path-too-long::sbom_-d': (BUILDDIR, 'builddir/locate.py:55: find_build_dir: Path.exists() raises ENAMETOOLONG for a long -d; exit 3, internal error OSError'),
    'paths/sign --build-dir:name-too-long::sign_--build-dir': (BUILDDIR, 'builddir/locate.py:55: find_build_dir: Path.exists() raises ENAMETOOLONG for a long -d; exit 3, internal error OSError'),
    'paths/sign --build-dir:path-too-long::sign_--build-dir': (BUILDDIR, 'builddir/locate.py:55: find_build_dir: Path.exists() raises ENAMETOOLONG for a long -d; exit 3, internal error OSError'),
    'paths/tfm -d:name-too-long::tfm_-d': (BUILDDIR, 'builddir/locate.py:55: find_build_dir: Path.exists() raises ENAMETOOLONG for a long -d; exit 3, internal error OSError'),
    'paths/tfm -d:path-too-long::tfm_-d': (BUILDDIR, 'builddir/locate.py:55: find_build_dir: Path.exists() raises ENAMETOOLONG for a long -d; exit 3, internal error OSError'),
    'sys37/B/hello_world/build.ninja:dev-zero::check': (BUILDDIR, 'builddir/model.py:182: Domain.kconfig_env reads build.ninja with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/build.ninja:fifo::check': (BUILDDIR, 'builddir/model.py:182: Domain.kconfig_env reads build.ninja with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'sys37/B/hello_world/build.ninja:sparse-huge::check': (BUILDDIR, 'builddir/model.py:182: Domain.kconfig_env reads build.ninja with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/build.ninja:dev-zero::check': (BUILDDIR, 'builddir/model.py:182: Domain.kconfig_env reads build.ninja with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/build.ninja:fifo::check': (BUILDDIR, 'builddir/model.py:182: Domain.kconfig_env reads build.ninja with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/build.ninja:sparse-huge::check': (BUILDDIR, 'builddir/model.py:182: Domain.kconfig_env reads build.ninja with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/zephyr/zephyr.meta:wrong-types::check': (BUILDDIR, 'builddir/modules.py:72: load_meta: a module name that is a list is unhashable; exit 3, internal error TypeError'),
    'tfm41/B/zephyr/zephyr.meta:wrong-types::sbom': (BUILDDIR, 'builddir/modules.py:72: load_meta: a module name that is a list is unhashable; exit 3, internal error TypeError'),
    'sys37/B/hello_world/zephyr/zephyr.meta:wrong-types::check': (BUILDDIR, "builddir/modules.py:75: load_meta: 'zephyr' that is not a mapping; exit 3, internal error AttributeError"),
    'sys37/B/hello_world/zephyr/zephyr.meta:wrong-types::sbom': (BUILDDIR, "builddir/modules.py:75: load_meta: 'zephyr' that is not a mapping; exit 3, internal error AttributeError"),
    'sys37/B/hello_world/zephyr_modules.txt:dev-zero::sbom': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr_modules.txt:fifo::sbom': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'sys37/B/hello_world/zephyr_modules.txt:sparse-huge::sbom': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/zephyr_modules.txt:dev-zero::check': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/zephyr_modules.txt:fifo::check': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'sys37/B/zephyr_modules.txt:sparse-huge::check': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/zephyr_modules.txt:dev-zero::check': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/zephyr_modules.txt:dev-zero::sbom': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/zephyr_modules.txt:fifo::check': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/zephyr_modules.txt:fifo::sbom': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/zephyr_modules.txt:sparse-huge::check': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/zephyr_modules.txt:sparse-huge::sbom': (BUILDDIR, 'builddir/modules.py:85: load_modules reads zephyr_modules.txt with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/generated/secure_fw/spm/include/tfm_version.h:dev-zero::check': (BUILDDIR, 'builddir/tfmbuild.py:94: header_version reads tfm_version.h with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/generated/secure_fw/spm/include/tfm_version.h:dev-zero::tfm': (BUILDDIR, 'builddir/tfmbuild.py:94: header_version reads tfm_version.h with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/generated/secure_fw/spm/include/tfm_version.h:fifo::check': (BUILDDIR, 'builddir/tfmbuild.py:94: header_version reads tfm_version.h with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/tfm/generated/secure_fw/spm/include/tfm_version.h:fifo::tfm': (BUILDDIR, 'builddir/tfmbuild.py:94: header_version reads tfm_version.h with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/tfm/generated/secure_fw/spm/include/tfm_version.h:sparse-huge::check': (BUILDDIR, 'builddir/tfmbuild.py:94: header_version reads tfm_version.h with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/generated/secure_fw/spm/include/tfm_version.h:sparse-huge::tfm': (BUILDDIR, 'builddir/tfmbuild.py:94: header_version reads tfm_version.h with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_ns.dir/signing_layout_ns.o:dev-zero::check': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_ns.dir/signing_layout_ns.o:dev-zero::tfm': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_ns.dir/signing_layout_ns.o:fifo::check': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_ns.dir/signing_layout_ns.o:fifo::tfm': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_ns.dir/signing_layout_ns.o:sparse-huge::check': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_ns.dir/signing_layout_ns.o:sparse-huge::tfm': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_s.dir/signing_layout_s.o:dev-zero::check': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_s.dir/signing_layout_s.o:dev-zero::tfm': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_s.dir/signing_layout_s.o:fifo::check': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_s.dir/signing_layout_s.o:fifo::tfm': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; blocks (no CPU) until killed at 10 s'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_s.dir/signing_layout_s.o:sparse-huge::check': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'tfm41/B/tfm/bl2/ext/mcuboot/CMakeFiles/signing_layout_s.dir/signing_layout_s.o:sparse-huge::tfm': (BUILDDIR, 'builddir/tfmlayout.py:74: the TF-M signing layouts are read with Path.read_text: no size limit, blocks on a FIFO; exit 3, internal error MemoryError'),
    'sys37/B/hello_world/zephyr/.config:empty::sign-build': (BUILDDIR, "sign/plan.py:121: an empty .config reads as 'no image is built for MCUboot'; the error names the build directory, not the .config; exit 2, the error does not name the file: B: no image in this build is built for MCUboot (CONFIG_BOOTLOADER_MCUB"),
    'sys37/B/hello_world/zephyr/.config:huge-int::sign-build': (BUILDDIR, 'versions.py:267: sign/plan.py hands CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION to parse_image_version; the error does not name .config; exit 2, the error does not name the file: version build 999999999999... (5000 digits) is out of range 0..4294967'),
    'keys/key.pem:x25519::encrypt': (MCUBOOT, 'mcuboot/encryption.py:185: the key-type mismatch error does not name the -E key file; exit 2, the error does not name the file: signing (ecdsa-p256) and encryption (x25519) must use the same type of'),
    'keys/key.pem:x25519::verify': (MCUBOOT, "mcuboot/signatures.py:57: 'X25519 keys cannot sign' does not name the key file; exit 2, the error does not name the file: X25519 keys cannot sign; they only encrypt images (use -E/--encrypt)"),
    'keys/key.pem:p521::verify': (MCUBOOT, "mcuboot/signatures.py:59: 'keys are not supported by MCUboot' does not name the key file; exit 2, the error does not name the file: ecdsa-secp521r1 keys are not supported by MCUboot (use one of rsa-2048"),
    'keys/key.pem:rsa-1024::verify': (MCUBOOT, "mcuboot/signatures.py:59: 'keys are not supported by MCUboot' does not name the key file; exit 2, the error does not name the file: rsa-1024 keys are not supported by MCUboot (use one of rsa-2048, rsa-3"),
    'keys/key.pem:rsa-4096::verify': (MCUBOOT, "mcuboot/signatures.py:59: 'keys are not supported by MCUboot' does not name the key file; exit 2, the error does not name the file: rsa-4096 keys are not supported by MCUboot (use one of rsa-2048, rsa-3"),
    'keys/key.pem:secp256k1::verify': (MCUBOOT, "mcuboot/signatures.py:59: 'keys are not supported by MCUboot' does not name the key file; exit 2, the error does not name the file: ecdsa-secp256k1 keys are not supported by MCUboot (use one of rsa-2048"),

}

PROPERTIES: dict[str, str] = {
    "devicetree": f"{BUILDDIR}: builddir/devicetree.py Devicetree.walk recurses per level; 5,000 nested nodes "
                  "raise RecursionError",
    "zephyr-meta": f"{BUILDDIR}: builddir/modules.py load_meta: 'zephyr:' that is not a mapping raises AttributeError",
    "domains": f"{BUILDDIR}: builddir/domains.py: a 300-character domain name raises OSError (ENAMETOOLONG) "
               "from Path.is_dir()",
}


def mark(run_id: str) -> list[Any]:
    """The xfail mark of a run of the hostile suite, if it is expected to fail."""
    found = EXPECTED.get(run_id)
    return [pytest.mark.xfail(strict=True, reason=f"{found[0]}: {found[1]}")] if found else []


def property_mark(name: str) -> Callable[[Any], Any]:
    reason = PROPERTIES.get(name)
    if reason is None:
        return lambda test: test
    return pytest.mark.xfail(strict=True, reason=reason)
