"""Package versions: recorded metadata first, then the git checkout at the recorded commit."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.sbom.workspace import _git, git_commit
from zsec_west.sbom.gitinfo import git_facts, in_repository
from zsec_west.sbom.identifiers import VersionFile, load_table
from zsec_west.sbom.pkgversion import manifest_revisions, read_version_file, resolve, split_meta_revision
from zsec_west.versions import release_from_references, release_from_tag

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.mark.parametrize("text,expected", [
    ("a78176c6ff0733ba08018cba4447bd3f20de7978-dirty-off",
     ("a78176c6ff0733ba08018cba4447bd3f20de7978", True, True)),
    ("4b96cbb174678dcd3ca86e11e1f24bc5f8726da0-off", ("4b96cbb174678dcd3ca86e11e1f24bc5f8726da0",
                                                      False, True)),
    ("afc1c5bf", ("afc1c5bf", False, False)),
    (None, (None, False, False)),
])
def test_split_meta_revision(text, expected):
    assert split_meta_revision(text) == expected


@pytest.mark.parametrize("tag,expected", [
    ("v3.7.1", "3.7.1"), ("TF-Mv2.1.1", "2.1.1"), ("nanopb-0.4.8", "0.4.8"),
    ("V3.6.2", "3.6.2"), ("v4.0.0-rc1", "4.0.0-rc1"), ("main", None), (None, None),
])
def test_release_from_tag(tag, expected):
    assert release_from_tag(tag) == expected


def test_release_from_references():
    assert release_from_references(("cpe:2.3:a:arm:mbed_tls:3.6.2:*:*:*:*:*:*:*",)) == "3.6.2"
    assert release_from_references(("pkg:github/Mbed-TLS/mbedtls@V3.5.2",)) == "3.5.2"
    assert release_from_references(("cpe:2.3:a:x:y:*:*:*:*:*:*:*:*",)) is None


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "lib"
    path.mkdir()
    (path / "VERSION").write_text("VERSION_MAJOR = 1\nVERSION_MINOR = 4\nPATCHLEVEL = 0\n")
    _git(path, "init", "-q")
    git_commit(path, "one")
    _git(path, "tag", "v1.4.0")
    return path


def test_tagged_checkout(repo):
    info = resolve(local_root=repo, recorded=None, entry=None)
    assert (info.version, info.release, info.tag, info.source) == ("1.4.0", "1.4.0", "v1.4.0",
                                                                    "git tag")
    assert len(info.revision) == 40 and not info.dirty


def test_commits_after_a_tag_give_a_describe_not_a_release(repo):
    (repo / "new.c").write_text("int x;\n")
    git_commit(repo, "two")
    info = resolve(local_root=repo, recorded=None, entry=None)
    assert info.release is None
    assert info.version.startswith("v1.4.0-1-g")


def test_dirty_tree(repo):
    (repo / "VERSION").write_text("changed\n")
    info = resolve(local_root=repo, recorded=None, entry=None)
    assert info.dirty


def test_recorded_commit_wins_over_a_moved_checkout(repo):
    first = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                           text=True, check=True).stdout.strip()
    (repo / "VERSION").write_text("VERSION_MAJOR = 2\nVERSION_MINOR = 0\nPATCHLEVEL = 0\n")
    git_commit(repo, "bump")
    _git(repo, "tag", "v2.0.0")
    info = resolve(local_root=repo, recorded={"revision": f"{first}-dirty"}, entry=None)
    assert info.revision == first and info.release == "1.4.0" and info.dirty
    assert "moved since the build" in info.note
    # A version file is read as it was at the recorded commit, not as it is now.
    entry = load_table().lookup("zephyr")
    _git(repo, "tag", "-d", "v1.4.0")
    info = resolve(local_root=repo, recorded={"revision": first}, entry=entry)
    assert (info.release, info.source) == ("1.4.0", "VERSION")


def test_recorded_commit_unknown_to_the_checkout(repo):
    info = resolve(local_root=repo, recorded={"revision": "0" * 40}, entry=None)
    assert info.revision == "0" * 40 and info.version == "0" * 40
    assert "does not have the recorded commit" in info.note


def test_build_release_beats_the_checkout(repo):
    info = resolve(local_root=repo, recorded=None, entry=None, build_release="3.7.1",
                   build_source="the build")
    assert (info.version, info.source) == ("3.7.1", "the build")


def test_no_git_uses_version_files_then_references_then_manifest(tmp_path):
    entry = load_table().lookup("mbedtls")
    tree = tmp_path / "mbedtls"
    (tree / "include" / "mbedtls").mkdir(parents=True)
    (tree / "include" / "mbedtls" / "build_info.h").write_text(
        '#define MBEDTLS_VERSION_STRING         "3.6.2"\n')
    assert resolve(local_root=tree, recorded=None, entry=entry).release == "3.6.2"
    refs = ("pkg:github/Mbed-TLS/mbedtls@v3.5.0",)
    assert resolve(local_root=None, recorded=None, entry=entry, references=refs).release == "3.5.0"
    by_manifest = resolve(local_root=None, recorded=None, entry=entry, manifest_revision="v3.4.0")
    assert (by_manifest.release, by_manifest.source) == ("3.4.0", "west manifest")
    commit = "a" * 40
    assert resolve(local_root=None, recorded=None, entry=entry,
                   manifest_revision=commit).revision == commit
    assert resolve(local_root=None, recorded=None, entry=None).version is None


def test_version_file_formats(tmp_path):
    (tmp_path / "lvgl.h").write_text("#define LVGL_VERSION_MAJOR 8\n#define LVGL_VERSION_MINOR 3\n"
                                     "#define LVGL_VERSION_PATCH 11\n")
    spec = VersionFile("lvgl.h", "defines", names=("LVGL_VERSION_MAJOR", "LVGL_VERSION_MINOR",
                                                    "LVGL_VERSION_PATCH"))
    assert read_version_file(tmp_path, spec) == "8.3.11"
    (tmp_path / "pb.h").write_text('#define NANOPB_VERSION "nanopb-0.4.8"\n')
    assert read_version_file(tmp_path, load_table().lookup("nanopb").version_files[0]) == "0.4.8"
    (tmp_path / "junk.h").write_text('#define NANOPB_VERSION "nanopb-dev"\n')
    assert read_version_file(tmp_path, VersionFile("junk.h", "regex",
                                                   r'NANOPB_VERSION\s+"nanopb-([^"]*)"')) is None
    assert read_version_file(tmp_path, VersionFile("absent.h", "zephyr-version")) is None


def test_manifest_revisions(tmp_path):
    path = tmp_path / "west.yml"
    path.write_text("manifest:\n  defaults:\n    revision: main\n  projects:\n"
                    "    - name: mcuboot\n      revision: v2.1.0\n    - name: cmsis\n"
                    "    - name: 7\n")
    assert manifest_revisions(str(path)) == {"mcuboot": "v2.1.0", "cmsis": "main"}
    (tmp_path / "bad.yml").write_text("manifest: [")
    assert manifest_revisions(str(tmp_path / "bad.yml")) == {}


def test_not_a_git_tree(tmp_path):
    assert git_facts(str(tmp_path)) is None


def test_git_is_asked_only_where_it_can_find_a_repository(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    repo, plain = tmp_path / "repo", tmp_path / "plain" / "deep"
    (repo / "sub" / "dir").mkdir(parents=True)
    plain.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for folder in (repo, repo / "sub" / "dir", plain):
        git_finds = subprocess.run(["git", "-C", str(folder), "rev-parse", "--git-dir"],
                                   capture_output=True, check=False).returncode == 0
        assert in_repository(folder) == git_finds
    assert in_repository(repo / "sub" / "dir")
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    assert in_repository(plain)
