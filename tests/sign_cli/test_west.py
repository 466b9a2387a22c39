"""`west sec-sign` in a real west workspace behaves like `zsec sign`, default action included."""

from __future__ import annotations

from pathlib import Path

from tests.sign_cli.conftest import imgtool_verifies
from tests.west.test_west_e2e import _west, workspace  # noqa: F401  (the workspace fixture)


def test_west_sec_sign_defaults_to_sign_and_verifies(workspace: Path, tmp_path: Path, keys,  # noqa: F811
                                                     firmware: Path):
    out = tmp_path / "signed.bin"
    result = _west(["sec-sign", "-k", str(keys["ed25519"]), "-H", "0x200", "-S", "0x20000", "-v", "1.0.0",
                    str(firmware), str(out)], cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert imgtool_verifies(keys["ed25519"], out)
    good = _west(["sec-sign", "verify", "-k", str(keys["ed25519"]), str(out)], cwd=workspace)
    assert good.returncode == 0 and "valid" in good.stdout
    data = bytearray(out.read_bytes())
    data[0x210] ^= 0xFF
    out.write_bytes(bytes(data))
    bad = _west(["sec-sign", "verify", "-k", str(keys["ed25519"]), str(out)], cwd=workspace)
    assert bad.returncode == 1 and "invalid image" in bad.stderr


def test_west_sec_sign_refuses_dev_keys_with_exit_2(workspace: Path, tmp_path: Path, devkeys,  # noqa: F811
                                                    firmware: Path):
    out = tmp_path / "signed.bin"
    result = _west(["sec-sign", "-k", str(devkeys / "mcuboot" / "root-ed25519.pem"), "-H", "0x200", "-S", "0x20000",
                    "-v", "1.0.0", str(firmware), str(out)], cwd=workspace)
    assert result.returncode == 2 and "development key" in result.stderr and not out.exists()
