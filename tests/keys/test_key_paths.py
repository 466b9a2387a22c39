"""Key files named by a configuration: file names, development keys by name, resolution."""

from __future__ import annotations

from pathlib import Path

from zsec_west.keys import devkeys
from zsec_west.keys.paths import file_name, resolve_key_path


def test_file_name_of_windows_and_posix_paths():
    assert file_name("C:\\work\\keys\\root-ec-p256.pem") == "root-ec-p256.pem"
    assert file_name("/home/dev/keys/root-ec-p256.pem") == "root-ec-p256.pem"
    assert file_name("") == ""


def test_dev_key_by_file_name_ignores_case_and_knows_the_sibling_files():
    assert devkeys.by_file_name("/x/root-EC-P256.pem").file == "root-ec-p256.pem"
    assert devkeys.by_file_name("D:\\mcuboot\\root-ec-p256-pkcs8.pem").file == "root-ec-p256.pem"
    assert devkeys.by_file_name("enc-rsa2048-pub.pem").file == "enc-rsa2048-priv.pem"
    assert devkeys.by_file_name("/x/my-product-key.pem") is None
    assert devkeys.by_file_name("/x/") is None


def test_relative_key_paths_resolve_under_the_root_only(tmp_path: Path):
    assert resolve_key_path("keys/a.pem", tmp_path) == tmp_path / "keys" / "a.pem"
    assert resolve_key_path("keys/a.pem", None) is None
    assert resolve_key_path(str(tmp_path / "a.pem"), None) == tmp_path / "a.pem"
    assert resolve_key_path("~/a.pem", tmp_path) == Path.home() / "a.pem"
