"""`zsec sign` and `zsec sign verify` load only what signing and checking an image need: no other
command, no build model, no findings or report model, no YAML, no PKCS#11 or command signer, no
compression code. Checked on the real front end, in a fresh process, after a real run. (The
standard library's `lzma` module itself comes with `shutil`, which argparse and tempfile use.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

NOT_FOR_SIGNING = ("zsec_west.builddir", "zsec_west.findings", "zsec_west.report", "zsec_west.check",
                   "zsec_west.sbom", "zsec_west.tfm", "zsec_west.rules", "zsec_west.files.yamldoc",
                   "zsec_west.cli.check", "zsec_west.cli.sbom", "zsec_west.cli.tfm", "zsec_west.sign.pkcs11signer",
                   "zsec_west.sign.commandsigner", "zsec_west.sign.plan", "zsec_west.sign.trust",
                   "zsec_west.sign.compressed", "zsec_west.mcuboot.compression", "zsec_west.mcuboot.decompressed",
                   "yaml", "click", "subprocess", "uuid", "traceback")

SCRIPT = textwrap.dedent("""
    import json, sys
    from zsec_west.cli.app import main
    code = main(sys.argv[1:])
    print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
""")


def loaded(*args: str | Path) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1"), timeout=120,
                          stdin=subprocess.DEVNULL)
    result = json.loads(done.stdout.splitlines()[-1])
    return result["code"], set(result["modules"])


def unwanted(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_FOR_SIGNING))


@pytest.mark.parametrize("ext", ("bin", "hex"))
def test_sign_and_verify_load_only_what_they_need(keys, firmware: Path, tmp_path: Path, ext):
    out = tmp_path / f"signed.{ext}"
    extra = ["-x", "0x10000"] if ext == "hex" else []
    code, modules = loaded("sign", "-k", keys["ecdsa-p256"], "-H", "0x200", "-S", "0x20000", "-v", "1.0.0",
                           *extra, firmware, out)
    assert code == 0 and out.exists()
    assert unwanted(modules) == []
    assert "zsec_west.sign.image" in modules and "zsec_west.sign.pemsigner" in modules  # it did sign
    code, modules = loaded("sign", "verify", "-k", keys["ecdsa-p256"], out)
    assert code == 0
    assert unwanted(modules) == [] and not {"zsec_west.sign.signbuild", "zsec_west.sign.image"} & modules
    assert "zsec_west.mcuboot.verify" in modules
