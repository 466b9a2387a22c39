"""Property tests of the parsers: whatever the input, a value or a ZsecError, never another exception.

The inputs start from the real fixture files and are damaged by a few edits hypothesis chooses
(lines dropped, repeated, cut, replaced by any text, numbers made enormous, nesting added), so
they stay close enough to the format to reach deep into each parser. Seeds are derandomized:
a run in CI finds what a run at a desk finds. Parsers of other areas that do not hold yet are
marked as expected failures, each with an input that shows it (see expected.py).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.hostile import catalogue, variants
from tests.hostile.expected import property_mark
from zsec_west.errors import ZsecError

EXAMPLE = catalogue.EXAMPLE
APP = EXAMPLE / "hello_world"
# ZSEC_HOSTILE_EXAMPLES=5000 hunts deeper, with fresh random seeds each run.
_EXAMPLES = os.environ.get("ZSEC_HOSTILE_EXAMPLES")
PROPERTY_SETTINGS = settings(max_examples=int(_EXAMPLES or 120), deadline=None, derandomize=not _EXAMPLES, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text that parsers meet in damaged files: control characters, quotes, brackets, huge numbers.
_NASTY = st.sampled_from(["\x00", "\t", "\r", "\x1b[31m", '"', "'", "\\", "{", "}", "[", "]", "<", ">", ";",
                          "=", ":", "#", "/*", "*/", "&a", "*a", "!!python/object", "9" * 5000, "0x" + "f" * 40,
                          "-1", "\uff13.\uff17.\uff11", "\u202e", "\ufeff", " " * 1000])
_TEXT = st.one_of(st.text(max_size=40), _NASTY, st.lists(_NASTY, max_size=4).map("".join))


@st.composite
def damaged_text(draw: st.DrawFn, original: str) -> str:
    """`original` after up to six edits: drop, repeat, replace, insert, cut, or nest."""
    lines = original.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            lines = [""]
        index = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "repeat", "replace", "insert", "cut", "splice", "nest"]))
        if op == "drop":
            del lines[index]
        elif op == "repeat":
            lines.insert(index, lines[index])
        elif op == "replace":
            lines[index] = draw(_TEXT) + "\n"
        elif op == "insert":
            lines.insert(index, draw(_TEXT) + "\n")
        elif op == "cut":
            lines = lines[:index] + [lines[index][: draw(st.integers(0, len(lines[index])))]]
        elif op == "splice":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(_TEXT) + line[at:]
        else:
            depth = draw(st.sampled_from([10, 200, 5000]))
            lines.insert(index, draw(st.sampled_from(["[", "{", "n {\n", "- "])) * depth + "\n")
    return "".join(lines)


def holds(parse: Callable[[], Any], allowed: tuple[type[BaseException], ...] = ()) -> None:
    """`parse()` returns, or raises a ZsecError (or an exception its API documents)."""
    try:
        parse()
    except ZsecError:
        pass
    except allowed:
        pass


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _in_file(name: str, data: str | bytes) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="zsec-property-"))
    path = directory / name
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return path


# -- build files (builddir) ---------------------------------------------------------------------------

@property_mark("cmakecache")
@PROPERTY_SETTINGS
@given(damaged_text(_text(APP / "CMakeCache.txt")))
def test_cmakecache(text):
    from zsec_west.builddir.cmakecache import CMakeCache

    holds(lambda: CMakeCache.parse(text))


@property_mark("kconfig")
@PROPERTY_SETTINGS
@given(damaged_text(_text(APP / "zephyr" / ".config")))
def test_dot_config(text):
    from zsec_west.builddir.kconfig import KconfigValues

    def parse():
        values = KconfigValues.parse(text)
        for name in values:  # the typed accessors are part of what the parser promises
            values.value(name), values.int(name), values.string(name)
    holds(parse)


@property_mark("domains")
@PROPERTY_SETTINGS
@given(damaged_text(_text(EXAMPLE / "domains.yaml")))
@example("default: hello_world\nbuild_dir: /b\ndomains:\n  - name: " + "h" * 300 + "\n    build_dir: /b/x\n")
def test_domains_yaml(text):
    from zsec_west.builddir.domains import load_domains

    holds(lambda: load_domains(_in_file("domains.yaml", text)))


@property_mark("devicetree")
@PROPERTY_SETTINGS
@given(damaged_text(_text(APP / "zephyr" / "zephyr.dts")))
@example("/dts-v1/;\n/ {\n" + "n {\n" * 5000 + "};\n" * 5001)
@example("/dts-v1/;\n/ {\n" + "n {\n" * 900 + "};\n" * 901)  # within dtlib's depth, beyond one frame a level
@example("/dts-v1/;\n/ {\n\tx = < " + "1" * 5000 + " >;\n};\n")  # beyond int()'s digit limit
def test_devicetree(text):
    from zsec_west.builddir.devicetree import Devicetree

    def parse():
        tree = Devicetree.parse(text)
        tree.partitions(), tree.code_partition, tree.flash, tree.sram, list(tree.walk())
    holds(parse)


@property_mark("zephyr-meta")
@PROPERTY_SETTINGS
@given(damaged_text(_text(APP / "zephyr" / "zephyr.meta")))
@example("zephyr: a string where a mapping belongs\n")
def test_zephyr_meta(text):
    from zsec_west.builddir.modules import load_meta

    holds(lambda: load_meta(_in_file("zephyr.meta", text)))


# -- images (mcuboot) --------------------------------------------------------------------------------

_SIGNED = (APP / "zephyr" / "zephyr.signed.bin").read_bytes()


@st.composite
def damaged_image(draw: st.DrawFn) -> bytes:
    data = bytearray(_SIGNED[: draw(st.sampled_from([len(_SIGNED), 32, 0x200, len(_SIGNED) - 100]))])
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(data) - 4, 0)))
        width = draw(st.sampled_from([1, 2, 4]))
        value = draw(st.sampled_from([0, 0xFF, 0xFFFF, 0xFFFFFFFF, 0x6907, 0x3B0000])) & ((1 << (8 * width)) - 1)
        data[at:at + width] = value.to_bytes(width, "little")
    return bytes(data)


@property_mark("images")
@PROPERTY_SETTINGS
@given(damaged_image())
def test_mcuboot_images(data):
    from zsec_west.mcuboot.parse import info, parse_image

    holds(lambda: (parse_image(data), info(data)))


# -- vulnerability feeds (sbom) ------------------------------------------------------------------------

_NVD = json.loads((catalogue.DATA.parent / "sbom" / "vulns" / "data" / "nvd-small.json").read_text())
_JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                        max_size=3), max_leaves=8)


@st.composite
def damaged_json(draw: st.DrawFn, original: Any) -> Any:
    """`original` with up to four subtrees replaced by any JSON value."""
    document = json.loads(json.dumps(original))
    for _ in range(draw(st.integers(1, 4))):
        parent: Any = None
        key: Any = None
        node = document
        for _depth in range(draw(st.integers(1, 7))):
            children = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) \
                if isinstance(node, list) else []
            if not children:
                break
            key, child = children[draw(st.integers(0, len(children) - 1))]
            parent, node = node, child
            if not isinstance(child, (dict, list)):
                break
        if parent is not None:
            parent[key] = draw(_JSON_VALUES)
    return document


def _nvd_with_a_bad_record() -> dict:
    document = copy.deepcopy(_NVD)
    document["vulnerabilities"][0]["cve"]["descriptions"] = 5  # one record; the others are fine
    return document


@property_mark("nvd")
@PROPERTY_SETTINGS
@given(damaged_json(_NVD))
@example(_nvd_with_a_bad_record())
def test_nvd_feed(document):
    from zsec_west.sbom.vulns.nvd import read_nvd

    holds(lambda: read_nvd(document, "nvd.json") if isinstance(document, dict) else None)


@property_mark("osv")
@PROPERTY_SETTINGS
@given(damaged_json(variants.osv_record()))
def test_osv_record(document):
    from zsec_west.sbom.vulns.model import LoadResult
    from zsec_west.sbom.vulns.osv import read_osv

    holds(lambda: read_osv(document, "osv.json", LoadResult()))


# -- our own formats (files, check, tfm, keys) ------------------------------------------------------------

@PROPERTY_SETTINGS
@given(damaged_text(catalogue.RULES + "profiles: {}\n"))
def test_yaml_loader(text):
    from zsec_west.files.yamldoc import parse_yaml

    holds(lambda: parse_yaml(text, "x.yaml"))


@PROPERTY_SETTINGS
@given(damaged_text(json.dumps(_NVD, indent=1)))
def test_json_loader(text):
    from zsec_west.files.reading import loads_json

    holds(lambda: loads_json(text.encode("utf-8", "surrogatepass"), "x.json"))


@PROPERTY_SETTINGS
@given(damaged_text(catalogue.RULES))
def test_rule_files(text):
    from zsec_west.rules.catalogue import load_rule_file

    holds(lambda: load_rule_file(_in_file("rules.yaml", text)))


@PROPERTY_SETTINGS
@given(damaged_text(catalogue.WAIVERS))
def test_waiver_files(text):
    from zsec_west.check.waivers import load_waivers

    holds(lambda: load_waivers(_in_file("waivers.yaml", text)))


@PROPERTY_SETTINGS
@given(damaged_text(_text(catalogue.ROOT / "tests" / "check" / "data" / "zephyr-3.7" / "scripts" / "kconfig"
                          / "hardened.csv")))
def test_hardened_csv(text):
    from zsec_west.check.zephyrdb import parse_csv

    holds(lambda: parse_csv(text, Path("hardened.csv")))


@PROPERTY_SETTINGS
@given(damaged_text(_text(catalogue.ROOT / "tests" / "check" / "data" / "zephyr-db" / "scripts" / "kconfig"
                          / "hardening.yaml")))
def test_zephyr_hardening_db(text):
    from zsec_west.check.zephyrdb import load_zephyr_db

    def load():
        base = _in_file("hardening.yaml", text).parent
        (base / "scripts" / "kconfig").mkdir(parents=True)
        (base / "hardening.yaml").rename(base / "scripts" / "kconfig" / "hardening.yaml")
        load_zephyr_db(base)
    holds(load)


@PROPERTY_SETTINGS
@given(damaged_text("boards:\n  - name: mps2\n    vendor: arm\n    socs:\n      - name: an521\n"
                    "        variants:\n          - name: ns\n            cpucluster: cpu0\n"))
def test_board_yml(text):
    from zsec_west.tfm.boards import parse_board_yml
    from zsec_west.tfm.platforms import shipped_table

    # ValueError is parse_board_yml's documented way to say "malformed" (the scan lists it).
    holds(lambda: parse_board_yml(_in_file("board.yml", text), "zephyr", shipped_table()), (ValueError,))


@PROPERTY_SETTINGS
@given(damaged_text(_text(Path(__file__).parent.parent / "tfm" / "conftest.py").split('KCONFIG_TFM = """\\\n')[1]
                    .split('"""')[0]))
def test_kconfig_tfm(text):
    from zsec_west.tfm.platforms import parse_kconfig_tfm

    holds(lambda: parse_kconfig_tfm(text, "Kconfig.tfm"))


@PROPERTY_SETTINGS
@given(st.binary(max_size=64) | damaged_text((Path(catalogue.DEVKEYS) / "mcuboot" / "root-ec-p256.pem").read_text()
                                               if catalogue.DEVKEYS.is_dir() else "-----BEGIN PRIVATE KEY-----\n"))
def test_pem_keys(data):
    from zsec_west.keys.pem import load_private_key, load_public_key

    path = _in_file("key.pem", data)
    holds(lambda: load_public_key(path))
    holds(lambda: load_private_key(path, b"pass"))
