"""Reading what a build compiled: compile_commands.json, build.ninja, the CMake file API,
ninja's dependency log, .d files and the linker map."""

from __future__ import annotations

import json
import shlex
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from zsec_west.errors import BuildDirError
from zsec_west.sbom.deps import (
    UnknownDepsLog,
    collect_deps,
    encode_ninja_deps,
    map_file_inputs,
    ninja_link_inputs,
    ninja_tool_deps,
    parse_depfile,
    parse_ninja_deps,
)
from zsec_west.sbom.sources import load_codemodel, load_compile_commands, ninja_compile_units, split_command

HAVE_NINJA = shutil.which("ninja") is not None and shutil.which("gcc") is not None


@pytest.mark.parametrize("command", [
    "gcc -DA=1 -Iinc -c x.c -o x.o",
    "gcc '-DNAME=\"acme board\"' -I'dir with space' -c x.c",
    'gcc -DSTR=\\"v\\" "-Ia b" -c x.c',
    "gcc -D'A'\"B\"C x.c",
])
def test_split_command_agrees_with_shlex(command):
    assert split_command(command) == shlex.split(command)


def test_compile_commands_units(tmp_path):
    path = tmp_path / "compile_commands.json"
    path.write_text(json.dumps([
        {"directory": "/b", "file": "/src/a.c",
         "command": "/usr/bin/arm-none-eabi-gcc -I/inc -isystem /sys -I rel -imacros "
                    "/b/autoconf.h -o CMakeFiles/a.c.obj -c /src/a.c"},
        {"directory": "/b", "file": "src/b.c", "arguments": ["cc", "-include", "pre.h", "-c",
                                                             "src/b.c"], "output": "b.o"},
    ]))
    first, second = load_compile_commands(path)
    assert first.source == "/src/a.c" and first.output == "CMakeFiles/a.c.obj"
    assert first.compiler == "/usr/bin/arm-none-eabi-gcc"
    assert first.include_dirs == ("/inc", "/sys", "/b/rel")
    assert first.include_files == ("/b/autoconf.h",)
    assert second.source == "/b/src/b.c" and second.output == "b.o"
    assert second.include_files == ("/b/pre.h",)


@pytest.mark.parametrize("text,needle", [
    ("[{", "not valid JSON"),
    ('{"a": 1}', "expected a JSON list"),
    ('[{"directory": "/b"}]', "entry 0 has no 'file'"),
])
def test_broken_compile_commands_name_the_file(tmp_path, text, needle):
    path = tmp_path / "compile_commands.json"
    path.write_text(text)
    with pytest.raises(BuildDirError) as info:
        load_compile_commands(path)
    assert needle in str(info.value) and str(path) in str(info.value)


def test_build_ninja_compile_edges():
    text = ("build CMakeFiles/app.dir/src/main.c.obj: C_COMPILER__app_unscanned_ /w/app/src/main.c"
            " || cmake_object_order_depends_target_app\n"
            "build zephyr/CMakeFiles/z.dir/a$ b.S.obj: ASM_COMPILER__z_ /w/z/a$ b.S\n"
            "build x: CUSTOM_COMMAND y\n")
    units = ninja_compile_units(text, "/w/build")
    assert [(u.output, u.source) for u in units] == [
        ("CMakeFiles/app.dir/src/main.c.obj", "/w/app/src/main.c"),
        ("zephyr/CMakeFiles/z.dir/a b.S.obj", "/w/z/a b.S")]


def test_ninja_link_edge_inputs():
    text = ("build zephyr/zephyr.elf zephyr/zephyr.map | ${cmake_ninja_workdir}zephyr/zephyr.elf: "
            "C_EXECUTABLE_LINKER__zephyr_final_ zephyr/CMakeFiles/z.dir/empty.c.obj | "
            "zephyr/linker.cmd || app/libapp.a\n"
            "  LINK_LIBRARIES = -Wl,--whole-archive app/libapp.a -Wl,--no-whole-archive "
            "/opt/sdk/lib/libfoo.a -lgcc -lc\n"
            "  TARGET_FILE = zephyr/zephyr.elf\n")
    assert ninja_link_inputs(text) == ["zephyr/CMakeFiles/z.dir/empty.c.obj", "app/libapp.a",
                                       "/opt/sdk/lib/libfoo.a", "-lgcc", "-lc"]
    assert ninja_link_inputs("build a: phony\n") is None


def test_codemodel_reply(tmp_path):
    reply = tmp_path / ".cmake" / "api" / "v1" / "reply"
    reply.mkdir(parents=True)
    (reply / "index-2024.json").write_text(json.dumps(
        {"objects": [{"kind": "codemodel", "jsonFile": "codemodel-v2-1.json"}]}))
    (reply / "codemodel-v2-1.json").write_text(json.dumps({
        "paths": {"source": "/w/app", "build": str(tmp_path)},
        "configurations": [{"targets": [{"jsonFile": "target-app.json"},
                                        {"jsonFile": "target-final.json"}]}]}))
    (reply / "target-app.json").write_text(json.dumps({
        "type": "STATIC_LIBRARY", "sources": [{"path": "src/main.c"}, {"path": "inc/x.h"}],
        "compileGroups": [{"sourceIndexes": [0]}]}))
    (reply / "target-final.json").write_text(json.dumps({
        "type": "EXECUTABLE", "sources": [], "link": {"commandFragments": [
            {"fragment": "app/libapp.a", "role": "libraries"}, {"fragment": "-lgcc"}]}}))
    model = load_codemodel(tmp_path)
    assert model.sources == ("/w/app/src/main.c",)
    assert model.link_fragments == ("app/libapp.a", "-lgcc")
    (reply / "target-app.json").write_text("{broken")
    assert load_codemodel(tmp_path) is None
    assert load_codemodel(tmp_path / "elsewhere") is None


def test_deps_log_round_trip_and_versions():
    records = {"a.o": ["a.c", "/inc/x.h", "b.h"], "b.o": ["b.c", "/inc/x.h"]}
    assert parse_ninja_deps(encode_ninja_deps(records)) == records
    assert parse_ninja_deps(encode_ninja_deps(records, version=3)) == records
    with pytest.raises(UnknownDepsLog):
        parse_ninja_deps(b"# ninjadeps\n" + struct.pack("<i", 9))
    with pytest.raises(UnknownDepsLog):
        parse_ninja_deps(b"not a log")


def test_a_later_record_replaces_an_earlier_one():
    # ids: a.o=0, a.c=1, old.h=2, x.o=3, new.h=4; ninja appends a.o's record on rebuild.
    log = encode_ninja_deps({"a.o": ["a.c", "old.h"], "x.o": ["new.h"]})
    rebuilt = struct.pack("<i", 0) + struct.pack("<q", 2) + struct.pack("<2i", 1, 4)
    log += struct.pack("<I", len(rebuilt) | 0x80000000) + rebuilt
    assert parse_ninja_deps(log)["a.o"] == ["a.c", "new.h"]


def test_ids_out_of_step_stop_the_reader():
    log = encode_ninja_deps({"a.o": ["a.c"]})
    second = encode_ninja_deps({"b.o": ["b.c"]})
    assert parse_ninja_deps(log + second[len(b"# ninjadeps\n") + 4:]) == {"a.o": ["a.c"]}


def test_torn_last_record_is_ignored():
    data = encode_ninja_deps({"a.o": ["a.c", "x.h"], "b.o": ["b.c"]})
    assert parse_ninja_deps(data[:-3]) == {"a.o": ["a.c", "x.h"]}


@pytest.mark.skipif(not HAVE_NINJA, reason="needs ninja and gcc")
def test_our_reader_agrees_with_ninja_on_a_real_log(tmp_path):
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "a.h").write_text("#define X 1\n")
    (tmp_path / "m.c").write_text('#include "a.h"\n#include <stddef.h>\n'
                                  'int main(void){return X;}\n')
    (tmp_path / "n.c").write_text('#include "a.h"\nint f(void){return X;}\n')
    (tmp_path / "build.ninja").write_text(
        "rule cc\n  command = gcc -Iinc -MD -MF $out.d -c $in -o $out\n  deps = gcc\n"
        "  depfile = $out.d\nbuild m.o: cc m.c\nbuild n.o: cc n.c\n")
    subprocess.run(["ninja", "-C", str(tmp_path)], check=True, capture_output=True)
    ours = collect_deps(tmp_path)
    assert ours.source == ".ninja_deps"
    assert ours.deps == ninja_tool_deps(tmp_path)
    assert ours.deps["n.o"][0] == "n.c" and "inc/a.h" in ours.deps["n.o"]


def test_depfiles_are_the_fallback(tmp_path):
    (tmp_path / "CMakeFiles").mkdir()
    (tmp_path / "CMakeFiles" / "x.c.obj.d").write_text(
        "CMakeFiles/x.c.obj: /src/x.c /inc/dir\\ with\\ space.h \\\n  /inc/y.h\n")
    found = collect_deps(tmp_path)
    assert found.source == ".d files"
    assert found.deps == {"CMakeFiles/x.c.obj": ["/src/x.c", "/inc/dir with space.h", "/inc/y.h"]}
    empty = collect_deps(tmp_path / "CMakeFiles" / "nothing")
    assert empty.source is None and "no .ninja_deps" in empty.problem


def test_unknown_log_version_falls_back(tmp_path):
    (tmp_path / ".ninja_deps").write_bytes(b"# ninjadeps\n" + struct.pack("<i", 99))
    (tmp_path / "a.d").write_text("a.o: a.c\n")
    found = collect_deps(tmp_path)
    assert "deps log version 99" in found.problem
    assert found.source in ("ninja -t deps", ".d files")


def test_depfile_syntax():
    assert parse_depfile("a.o b.o: x.c y.h\n# comment: no\n") == {"a.o": ["x.c", "y.h"],
                                                               "b.o": ["x.c", "y.h"]}
    assert parse_depfile("C:/w/a.o: C:/w/a.c\n") == {"C:/w/a.o": ["C:/w/a.c"]}


def test_map_file_load_lines(tmp_path):
    # GNU ld writes the LOAD lines after "Linker script and memory map" (see the real map below).
    path = tmp_path / "zephyr.map"
    path.write_text("Archive member included\n\nLinker script and memory map\n\n"
                    "LOAD /usr/lib/gcc/arm/12/libgcc.a\nLOAD app/libapp.a\nLOAD linker stubs\n")
    assert map_file_inputs(path) == ["/usr/lib/gcc/arm/12/libgcc.a", "app/libapp.a"]
    assert map_file_inputs(tmp_path / "none.map") is None


def test_map_file_load_lines_of_a_real_map():
    real = Path(__file__).resolve().parents[2] / "examples/nrf52840-mcuboot/mcuboot/zephyr/zephyr.map"
    loads = map_file_inputs(real)
    assert "/usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7e-m/nofp/libgcc.a" in loads
    assert "modules/mbedtls/libmodules__mbedtls.a" in loads
