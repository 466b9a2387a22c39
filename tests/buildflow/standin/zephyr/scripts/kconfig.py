"""Stand-in for Zephyr's scripts/kconfig/kconfig.py (what cmake/modules/kconfig.cmake runs).

kconfiglib (the library Zephyr's script is built on) reads the root Kconfig, merges the
configuration fragments in order (the first replaces, later ones add: prj.conf, the -D CONFIG_
options, sysbuild's .config.sysbuild last), and writes the .config. As in Zephyr, every Kconfig
warning is an error: an assignment to an undefined symbol, or one that does not take effect.

usage: kconfig.py KCONFIG_ROOT DOTCONFIG PREFIX FRAGMENT...   (environment: KCONFIG_BINARY_DIR)
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    root, out, prefix, *fragments = sys.argv[1:]
    os.environ["CONFIG_"] = prefix  # kconfiglib takes the symbol prefix from here
    import kconfiglib

    kconf = kconfiglib.Kconfig(root, warn_to_stderr=False)
    kconf.warn_assign_undef = True
    kconf.warn_assign_override = False
    kconf.warn_assign_redun = False
    first = True
    for fragment in fragments:
        if os.path.isfile(fragment):
            kconf.load_config(fragment, replace=first)
            first = False
    for sym in kconf.unique_defined_syms:
        if sym.user_value is not None and sym.type in (kconfiglib.BOOL, kconfiglib.TRISTATE):
            wanted = kconfiglib.TRI_TO_STR[sym.user_value]
            if sym.str_value != wanted:
                kconf.warnings.append(f"{prefix}{sym.name} was assigned the value {wanted} but got the value "
                                      f"{sym.str_value}")
    if kconf.warnings:
        for warning in kconf.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print("error: Aborting due to Kconfig warnings", file=sys.stderr)
        return 1
    kconf.write_config(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
