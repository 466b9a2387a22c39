"""A real west workspace whose manifest lists zsec-west: the project is both the `west sec-*` commands
and a Zephyr module, and `west config zsec.*` is the workspace policy of both."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.buildflow.standin_build import StandinBuild, build_env, copy_standin
from tests.conftest import BUILDS, ROOT
from zsec_west.keys.pem import load_public_key
from zsec_west.sign import keytools

WEST = shutil.which("west") or str(Path(sys.executable).with_name("west"))
BUILD = BUILDS["mcuboot-sysbuild"]


class Workspace:
    def __init__(self, top: Path, env: dict[str, str]):
        self.top = top
        self.env = env

    def west(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([WEST, *args], cwd=self.top, env=self.env, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """west init -l on a manifest listing zsec-west (this checkout) and a Zephyr tree (the stand-in)."""
    if not Path(WEST).exists():
        pytest.skip("the west executable is not installed")
    top = tmp_path / "ws"
    manifest = top / "manifest"
    manifest.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(manifest)], check=True)
    (manifest / "west.yml").write_text(
        "manifest:\n"
        "  projects:\n"
        "    - name: zephyr\n"
        "      url: https://github.com/zephyrproject-rtos/zephyr\n"
        "      path: standin/zephyr\n"
        "    - name: zsec-west\n"
        f"      url: {ROOT.as_uri()}\n"
        "      path: zsec-west\n"
        "      west-commands: west-commands.yml\n"
        "  self:\n"
        "    path: manifest\n", encoding="utf-8")
    ws = Workspace(top, build_env(tmp_path))
    done = ws.west("init", "-l", str(manifest))
    assert done.returncode == 0, done.stderr
    # Stand in for `west update`: the checkouts are this repository and the stand-in tree.
    (top / "zsec-west").symlink_to(ROOT, target_is_directory=True)
    copy_standin(top / "standin")
    return ws


def _check(ws: Workspace, *extra: str) -> tuple[int, dict]:
    done = ws.west("sec-check", "-d", str(BUILD), "--format", "json", *extra)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.mark.slow
def test_west_config_is_the_policy_of_west_sec_commands(workspace: Workspace, tmp_path: Path):
    listed = workspace.west("list", "-f", "{name} {path}")
    assert "zsec-west zsec-west" in listed.stdout.splitlines(), listed.stdout

    _, base = _check(workspace)
    assert base["inputs"]["profile"] == "base"
    assert workspace.west("config", "zsec.profile", "production").returncode == 0
    _, production = _check(workspace)
    assert production["inputs"]["profile"] == "production"
    assert production["counts"]["fail"] > base["counts"]["fail"]
    _, cli = _check(workspace, "--profile", "base")
    assert cli["inputs"]["profile"] == "base" and cli["counts"] == base["counts"]

    # The system file (a vendor SDK's) counts too; the environment beats every configuration file.
    assert workspace.west("config", "zsec.profile", "base").returncode == 0
    assert workspace.west("config", "--system", "zsec.fail-on", "critical").returncode == 0
    assert _check(workspace)[0] == 0  # the base profile's worst finding here is high
    workspace.env["ZSEC_FAIL_ON"] = "high"
    assert _check(workspace)[0] == 1


@pytest.mark.slow
def test_the_workspace_module_and_policy_reach_the_build(workspace: Workspace, tmp_path: Path):
    """No ZEPHYR_EXTRA_MODULES: the module comes from the manifest, as `west build` finds modules,
    and the workspace's zsec.sign-key signs when the build names no key of its own."""
    build_key, policy_key = tmp_path / "build.pem", tmp_path / "policy.pem"
    keytools.keygen(build_key, "ed25519")
    keytools.keygen(policy_key, "ed25519")
    assert workspace.west("config", "zsec.sign-key", str(policy_key)).returncode == 0
    # MCUboot must trust the policy's key, or signing refuses it (an image MCUboot would not boot):
    # a key set of the build's key and the policy key's public half, as for key rotation.
    policy_pub = tmp_path / "policy-pub.pem"
    policy_pub.write_bytes(keytools.getpub(load_public_key(policy_key), "pem"))
    b = StandinBuild(workspace.top / "standin", workspace.top / "build", workspace.env)
    configured = b.configure("-DSB_CONFIG_BOOTLOADER_MCUBOOT=y", "-DSB_CONFIG_BOOT_SIGNATURE_TYPE_ED25519=y",
                             f"-DSB_CONFIG_BOOT_SIGNATURE_KEY_FILE={build_key},{policy_pub}",
                             "-DSB_CONFIG_ZSEC_SIGN=y",
                             module=False)
    assert configured.code == 0, str(configured)
    assert "SB_CONFIG_ZEPHYR_ZSEC_WEST_MODULE=y" in (b.build / "zephyr" / ".config").read_text(encoding="utf-8")
    for image in ("hello", "mcuboot"):
        assert "CONFIG_ZEPHYR_ZSEC_WEST_MODULE=y" in (b.image(image) / ".config").read_text(encoding="utf-8")
    built = b.compile()
    assert built.code == 0, str(built)
    from tests.buildflow.test_standin_build import imgtool_verifies

    assert imgtool_verifies(policy_key, b.image() / "zephyr.signed.bin")
    assert not imgtool_verifies(build_key, b.image() / "zephyr.signed.bin")
