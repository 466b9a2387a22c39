"""The identifiers table (data/identifiers.yaml) and how CPEs, PURLs and suppliers are chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from packageurl import PackageURL

from zsec_west.errors import DataFileError
from zsec_west.files import shipped
from zsec_west.sbom.identifiers import (
    DATA_FILE,
    identify,
    load_table,
    parse_table,
)
from zsec_west.sbom.remotes import purl_for_remote, split_remote
from zsec_west.versions import is_release

REQUIRED = ["zephyr", "mbedtls", "mcuboot", "trusted-firmware-m", "tinycrypt", "hal_nordic",
            "hal_stm32", "cmsis", "cmsis_6", "lvgl", "littlefs", "openthread", "picolibc", "zcbor",
            "segger", "hal_nxp", "hal_espressif", "fatfs", "lz4", "nanopb", "loramac-node",
            "mipi-sys-t", "open-amp", "libmetal", "psa-arch-tests", "tf-m-tests", "hostap",
            "uoscore-uedhoc", "zscilib", "nrf_hw_models"]


def test_table_covers_the_modules_with_a_cpe_and_a_purl_each():
    table = load_table()
    for name in REQUIRED:
        entry = table.lookup(name)
        assert entry is not None, name
        assert entry.supplier and entry.source, name
        assert entry.cpe and entry.cpe.count(":") == 12, name
        assert entry.purl and entry.purl.startswith("pkg:"), name
    assert len(table.modules) >= 30


@pytest.mark.parametrize("name", REQUIRED)
def test_filled_identifiers_are_well_formed(name):
    entry = load_table().lookup(name)
    ids = identify(entry, release="1.2.3", revision=None, remote=None)
    assert ids.cpes and all(c.split(":")[5] == "1.2.3" for c in ids.cpes)
    for purl in ids.purls:
        parsed = PackageURL.from_string(purl)
        assert "1.2.3" in (parsed.version or "")


def test_aliases_and_spelling_variants_find_the_entry():
    table = load_table()
    assert table.lookup("tf-m").name == "trusted-firmware-m"
    assert table.lookup("hal-nordic").name == "hal_nordic"
    assert table.lookup("CMSIS").name == "cmsis"
    assert table.lookup("no-such-module") is None


def test_module_yml_references_win_over_the_table():
    entry = load_table().lookup("mbedtls")
    declared = ("cpe:2.3:a:arm:mbed_tls:3.5.2:*:*:*:*:*:*:*", "pkg:github/Mbed-TLS/mbedtls@V3.5.2")
    ids = identify(entry, release="9.9.9", revision=None, remote=None,
                   external_references=declared)
    assert ids.basis == "module.yml"
    assert ids.cpes == (declared[0],)
    assert ids.purls == (declared[1],)


def test_no_release_means_no_cpe_but_the_fork_purl_at_the_commit():
    entry = load_table().lookup("mcuboot")
    commit = "ea2410697dd0262edec041a0ccb07fdbde7c1aff"
    ids = identify(entry, release=None, revision=commit,
                   remote="https://github.com/zephyrproject-rtos/mcuboot")
    assert ids.cpes == ()
    assert ids.purls == (f"pkg:github/zephyrproject-rtos/mcuboot@{commit}",)
    assert "no CPE" in (ids.note or "")


def test_release_and_fork_give_both_purls():
    entry = load_table().lookup("zephyr")
    commit = "afc1c5bfe1d2fe75117c1e3dce5fa53e3c9bfdd5"
    ids = identify(entry, release="3.7.1", revision=commit,
                   remote="https://github.com/zephyrproject-rtos/zephyr")
    assert ids.cpes == ("cpe:2.3:o:zephyrproject:zephyr:3.7.1:*:*:*:*:*:*:*",)
    assert ids.purls == ("pkg:github/zephyrproject-rtos/zephyr@v3.7.1",
                         f"pkg:github/zephyrproject-rtos/zephyr@{commit}")


def test_tfm_tags_and_non_github_purl():
    ids = identify(load_table().lookup("trusted-firmware-m"), release="2.1.1", revision=None,
                   remote=None)
    assert ids.cpes == ("cpe:2.3:a:arm:trusted_firmware-m:2.1.1:*:*:*:*:*:*:*",)
    assert ids.purls == ("pkg:git/git.trustedfirmware.org/TF-M/trusted-firmware-m@TF-Mv2.1.1",)


def test_cpe_special_characters_are_quoted():
    ids = identify(load_table().lookup("zephyr"), release="3.7.1", revision=None, remote=None)
    assert "\\" not in ids.cpes[0]
    from zsec_west.sbom.identifiers import fill_cpe
    assert fill_cpe("cpe:2.3:a:x:y:{version}:*:*:*:*:*:*:*", "1.0+build") == \
        "cpe:2.3:a:x:y:1.0\\+build:*:*:*:*:*:*:*"


@pytest.mark.parametrize("url,host,owner,repo", [
    ("https://github.com/zephyrproject-rtos/zephyr", "github.com", "zephyrproject-rtos", "zephyr"),
    ("https://github.com/acme/lib.git", "github.com", "acme", "lib"),
    ("git@github.com:acme/lib.git", "github.com", "acme", "lib"),
    ("https://git.trustedfirmware.org/TF-M/trusted-firmware-m.git", "git.trustedfirmware.org",
     "TF-M", "trusted-firmware-m"),
    ("", None, None, None),
])
def test_split_remote(url, host, owner, repo):
    assert split_remote(url) == (host, owner, repo)


def test_purl_for_remote():
    assert purl_for_remote("https://github.com/a/b.git", "abc1234") == "pkg:github/a/b@abc1234"
    assert purl_for_remote("https://gitlab.example.com/g/sub/r", None) == \
        "pkg:git/gitlab.example.com/g/sub/r"
    assert purl_for_remote("not a url at all", "x") is None
    assert purl_for_remote(None, "x") is None


def test_organization_for_remote():
    table = load_table()
    assert table.organization_for_remote("https://github.com/zephyrproject-rtos/mbedtls") == \
        "Zephyr Project"
    assert table.organization_for_remote("https://github.com/NordicSemiconductor/zcbor") == \
        "Nordic Semiconductor ASA"
    assert table.organization_for_remote("https://github.com/someone/x") == \
        "github.com/someone"
    assert table.organization_for_remote(None) is None


def test_compiler_families():
    table = load_table()
    assert table.compiler_family("/usr/bin/arm-none-eabi-gcc").name == "gcc"
    assert table.compiler_family("/opt/llvm/bin/clang").name == "clang"
    assert table.compiler_family("C:\\iar\\bin\\iccarm.exe").name == "iccarm"
    assert table.compiler_family("/usr/bin/true") is None


@pytest.mark.parametrize("text,expected", [
    ("3.7.1", True), ("2.1.1", True), ("1.0.0-rc1", True), ("3.7", True),
    ("afc1c5bfe1d2fe75117c1e3dce5fa53e3c9bfdd5", False), ("v3.7.1-5-gabc", False),
    ("", False), (None, False), ("0.0.0+0", False),
])
def test_is_release(text, expected):
    assert is_release(text) is expected


def _table_with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(shipped.read_text(DATA_FILE))
    change(data)
    path = tmp_path / "ids.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("change,needle", [
    (lambda d: d["modules"]["zephyr"].pop("supplier"), "modules.zephyr: 'supplier' is missing"),
    (lambda d: d["modules"]["lz4"].update(cpe="cpe:2.3:a:lz4"), "modules.lz4: CPE template"),
    (lambda d: d["modules"]["lz4"].update(purl="github/lz4"), "modules.lz4: purl template"),
    (lambda d: d["modules"]["lz4"].update(cpe_basis="guess"), "cpe_basis"),
    (lambda d: d["modules"]["lz4"]["version_files"][0].update(format="toml"), "format must be"),
    (lambda d: d["modules"]["lz4"]["version_files"][0].update(format="regex", pattern="x"),
     "pattern needs one group"),
    (lambda d: d.update(schema=2), "schema: 1"),
    (lambda d: d["modules"]["lz4"].update(supplier="LZ4 (Yann)"), "parentheses"),
    (lambda d: d["organizations"].update(x="A (B)"), "organizations.x"),
])
def test_broken_tables_are_refused_with_the_entry_named(tmp_path, change, needle):
    path = _table_with(tmp_path, change)
    with pytest.raises(DataFileError) as info:
        load_table(path)
    assert needle in str(info.value)
    assert str(path) in str(info.value)


def test_unreadable_table(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        load_table(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("modules: [", encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid YAML"):
        load_table(bad)
    with pytest.raises(DataFileError):
        parse_table([], bad)
