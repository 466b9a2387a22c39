from pathlib import Path

import pytest

from zsec_west.builddir.domains import load_domains
from zsec_west.errors import BuildDirError


def _image(top: Path, name: str) -> None:
    (top / name).mkdir(parents=True)
    (top / name / "CMakeCache.txt").write_text("ZEPHYR_TOOLCHAIN_VARIANT:INTERNAL=zephyr\n")


def test_stale_absolute_paths_fall_back_to_top(build_copy):
    top = build_copy("mcuboot-sysbuild")
    domains = load_domains(top / "domains.yaml")
    assert domains.default == "hello_world"
    assert domains.flash_order == ("mcuboot", "hello_world")
    entries = {e.name: e for e in domains.entries}
    assert entries["mcuboot"].build_dir == top / "mcuboot"
    assert entries["mcuboot"].recorded_dir.startswith("/home/dev/")


def test_schema_without_flash_order_and_with_extra_keys(tmp_path: Path):
    _image(tmp_path, "app")
    _image(tmp_path, "mcuboot")
    (tmp_path / "domains.yaml").write_text(
        "default: app\nbuild_dir: /gone\nname_mapping: {x: y}\n"
        "domains:\n  - name: app\n    build_dir: /gone/app\n    source_dir: /src\n"
        "  - name: mcuboot\n    build_dir: /gone/mcuboot\n")
    domains = load_domains(tmp_path / "domains.yaml")
    assert domains.names() == ["app", "mcuboot"] and domains.flash_order == ()


def test_oldest_schema_without_domain_list(tmp_path: Path):
    _image(tmp_path, "app")
    (tmp_path / "domains.yaml").write_text("default: app\nbuild_dir: /gone\n")
    assert load_domains(tmp_path / "domains.yaml").names() == ["app"]


@pytest.mark.parametrize("text,needle", [
    ("default: [unclosed\n", "not valid YAML"),
    ("- just\n- a list\n", "expected a mapping"),
    ("default: app\ndomains:\n  - name: ghost\n    build_dir: /nowhere/ghost\n", "ghost"),
    ("default: other\ndomains:\n  - name: app\n    build_dir: /x\n", "default domain 'other'"),
    ("default: app\ndomains:\n  - name: app\n    build_dir: /x\nflash_order: [app, nope]\n", "nope"),
])
def test_broken_domains_yaml(tmp_path: Path, text, needle):
    _image(tmp_path, "app")
    (tmp_path / "domains.yaml").write_text(text)
    with pytest.raises(BuildDirError) as err:
        load_domains(tmp_path / "domains.yaml")
    assert needle in str(err.value) and "domains.yaml" in str(err.value)
