"""Files a build directory may hold that no fixture has, each damaged (issue 15): a .d file (read
when there is no .ninja_deps), ninja's dependency log, a CMake file API reply and a merged TF-M
hex, added to the 4.1 TF-M build. Each target runs the one command that reads it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.hostile import mutations
from tests.hostile.catalogue import BUILDS_41, Command, Group, _build_group, firmware_bytes
from tests.hostile.variants import HEX_MUTATIONS

DEPFILE = "CMakeFiles/app.dir/src/main.c.obj.d"
REPLY = ".cmake/api/v1/reply"
EXTRA_JSON = mutations.SPECIAL + ("garbage", "invalid-utf8", "deep-nesting", "huge-int", "wrong-types")


def _build_extras_template(template: Path) -> None:
    from intelhex import IntelHex

    _build_group(BUILDS_41 / "tfm-ns")(template)
    build = template / "B"
    (build / DEPFILE).parent.mkdir(parents=True)
    (build / DEPFILE).write_text("CMakeFiles/app.dir/src/main.c.obj: /w/app/src/main.c /w/app/src/app.h\n")
    reply = build / REPLY
    reply.mkdir(parents=True)
    (reply / "index-2025.json").write_text(json.dumps(
        {"objects": [{"kind": "codemodel", "jsonFile": "codemodel-v2-1.json"}]}))
    (reply / "codemodel-v2-1.json").write_text(json.dumps(
        {"paths": {"source": "/w/app"}, "configurations": [{"targets": [{"jsonFile": "target-app.json"}]}]}))
    (reply / "target-app.json").write_text(json.dumps(
        {"type": "EXECUTABLE", "sources": [{"path": "src/main.c"}], "compileGroups": [{"sourceIndexes": [0]}],
         "link": {"commandFragments": [{"fragment": "-lgcc"}]}}))
    merged = IntelHex()
    merged.frombytes(firmware_bytes(), offset=0x10000000)
    merged.tofile(str(build / "zephyr" / "tfm_merged.hex"), "hex")


def build_extras_group() -> Group:
    sbom = Command("sbom", ("sbom", "-d", "B", "--output-dir", "out"))
    targets = {
        "B/.ninja_deps": tuple(m for m in mutations.SPECIAL if m != "missing"),
        f"B/{DEPFILE}": mutations.SPECIAL + ("garbage", "invalid-utf8", "huge-line"),
        f"B/{REPLY}/index-2025.json": EXTRA_JSON,
        f"B/{REPLY}/target-app.json": EXTRA_JSON,
        "B/zephyr/tfm_merged.hex": mutations.SPECIAL + ("garbage",) + HEX_MUTATIONS,
    }
    commands = {target: sbom for target in targets}
    commands["B/zephyr/tfm_merged.hex"] = Command("tfm", ("tfm", "-d", "B"))
    return Group("build-extras", _build_extras_template, tuple(dict.fromkeys(commands.values())), targets,
                 per_target=commands)
