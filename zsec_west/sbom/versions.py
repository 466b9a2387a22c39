"""Which version of a package went into the build: recorded metadata first, then the checkout.

Sources, most faithful first: what the build itself recorded (the kernel version in
CMakeCache, zephyr.meta revisions and tags, the TF-M sub-build's project version), then the
git checkout read *at the recorded commit* (its tags, `git describe`, version files), then
version files of a checkout that is not a git repository, then module.yml external
references, then the west manifest. A build copied to another machine usually has only the
recorded metadata; that is enough for a version and a revision.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from zsec_west.builddir.model import parse_zephyr_version
from zsec_west.sbom.identifiers import KnownComponent, VersionFile, is_commit, is_release

_TAG_RELEASE = re.compile(r"(\d+(?:\.\d+)+(?:-?(?:rc|alpha|beta)\.?\d*)?)$", re.IGNORECASE)
_GIT_TIMEOUT = 10


@dataclass(frozen=True)
class VersionInfo:
    """A package's version as far as it can be known, and where each part came from."""

    version: str | None = None  # the SPDX version field: release, else describe, else commit
    release: str | None = None  # a release number (for CPEs) when known
    revision: str | None = None  # the full commit when known
    tag: str | None = None  # the tag the revision is exactly at
    dirty: bool = False  # the tree had local changes when built
    off_manifest: bool = False  # zephyr.meta: the revision differs from the manifest's
    source: str = ""  # what the version was read from, for the package comment
    note: str | None = None  # e.g. the checkout moved since the build

    def finish(self) -> VersionInfo:
        version = self.release or self.version or self.revision
        return replace(self, version=version)


def split_meta_revision(text: str | None) -> tuple[str | None, bool, bool]:
    """zephyr.meta 'a78176c6...-dirty-off' -> (commit, dirty, off-manifest)."""
    if not text:
        return None, False, False
    parts = str(text).strip().split("-")
    flags = {p for p in parts[1:]}
    return parts[0] or None, "dirty" in flags, "off" in flags


def release_from_tag(tag: str | None) -> str | None:
    """'v3.7.1' -> '3.7.1', 'TF-Mv2.1.1' -> '2.1.1', 'nanopb-0.4.8' -> '0.4.8'."""
    if not tag:
        return None
    match = _TAG_RELEASE.search(tag.strip())
    return match.group(1) if match and is_release(match.group(1)) else None


def release_from_references(refs: tuple[str, ...]) -> str | None:
    """The version a module.yml CPE (6th field) or PURL (@version) states."""
    for ref in refs:
        if ref.startswith("cpe:2.3:"):
            fields = ref.split(":")
            if len(fields) > 5 and is_release(fields[5].replace("\\", "")):
                return fields[5].replace("\\", "")
    for ref in refs:
        if ref.startswith("pkg:") and "@" in ref:
            release = release_from_tag(ref.rsplit("@", 1)[1].split("?")[0].split("#")[0])
            if release:
                return release
    return None


# --- git -------------------------------------------------------------------------------------

def _git(path: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True,
                                timeout=_GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


@dataclass(frozen=True)
class GitFacts:
    head: str
    commit: str  # the commit asked about (the recorded one when given, else HEAD)
    tag: str | None
    describe: str | None
    dirty: bool


def git_facts(path: str, commit: str | None = None) -> GitFacts | None:
    """Facts of the checkout at `path` about `commit` (default HEAD); None if not a git tree."""
    root = Path(path)
    if not (root / ".git").exists():
        return None
    head = _git(root, "rev-parse", "HEAD")
    if not head:
        return None
    target = commit or head
    resolved = _git(root, "rev-parse", "--verify", "--quiet", f"{target}^{{commit}}")
    if not resolved:
        return GitFacts(head, target, None, None, False)
    tag = _git(root, "describe", "--tags", "--exact-match", resolved)
    describe = _git(root, "describe", "--tags", "--abbrev=12", "--always", resolved)
    dirty = False
    if resolved == head:
        dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no"))
    return GitFacts(head, resolved, tag, describe, dirty)


def _read_at(root: Path, rel: str, facts: GitFacts | None) -> str | None:
    """A file of the checkout as it was at the recorded commit (git show), else as it is."""
    if facts is not None and facts.commit != facts.head:
        return _git(root, "show", f"{facts.commit}:{rel}")
    try:
        return (root / rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def read_version_file(root: Path, spec: VersionFile, facts: GitFacts | None = None) -> str | None:
    """The release a version file states, or None."""
    text = _read_at(root, spec.path, facts)
    if text is None:
        return None
    if spec.format == "zephyr-version":
        found = parse_zephyr_version(text)
    elif spec.format == "regex":
        match = re.search(spec.pattern or "", text, re.M | re.S)
        found = match.group(1) if match else None
    else:  # defines
        numbers = []
        for name in spec.names:
            match = re.search(rf"#\s*define\s+{re.escape(name)}\s+\(?\s*(\d+)", text)
            if not match:
                return None
            numbers.append(str(int(match.group(1))))
        found = ".".join(numbers)
    return found if is_release(found) else None


# --- west manifest ---------------------------------------------------------------------------

def manifest_revisions(path: str) -> dict[str, str]:
    """project name -> revision from a west manifest file (tags or commits); {} if unusable."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    manifest = data.get("manifest") if isinstance(data, dict) else None
    if not isinstance(manifest, dict):
        return {}
    defaults = manifest.get("defaults") or {}
    default_revision = defaults.get("revision") if isinstance(defaults, dict) else None
    result: dict[str, str] = {}
    for project in manifest.get("projects") or []:
        if isinstance(project, dict) and isinstance(project.get("name"), str):
            revision = project.get("revision", default_revision)
            if isinstance(revision, str):
                result[project["name"]] = revision
    return result


# --- resolution ------------------------------------------------------------------------------

def resolve(*, local_root: Path | None, recorded: dict[str, Any] | None,
            entry: KnownComponent | None, references: tuple[str, ...] = (),
            build_release: str | None = None, build_source: str = "",
            recorded_tags: tuple[str, ...] = (), manifest_revision: str | None = None,
            git_cache: dict[tuple[str, str | None], GitFacts | None] | None = None
            ) -> VersionInfo:
    """The version of one package from everything known about it.

    `recorded` is the zephyr.meta entry (revision, ...); `build_release` a release the build
    itself recorded (kernel version, TF-M project version), which beats everything else.
    `git_cache` saves asking git twice about one tree in one run (sysbuild domains share them).
    """
    commit, dirty, off = split_meta_revision((recorded or {}).get("revision"))
    info = VersionInfo(revision=commit if is_commit(commit) else None, dirty=dirty,
                       off_manifest=off, source="zephyr.meta" if commit else "")
    if build_release and is_release(build_release):
        info = replace(info, release=build_release, source=build_source or "build")
    for tag in recorded_tags:
        if release_from_tag(tag):
            info = replace(info, tag=tag, release=info.release or release_from_tag(tag))
            break
    root = local_root if local_root is not None and local_root.is_dir() else None
    facts = None
    if root is not None:
        key = (str(root), info.revision)
        if git_cache is not None and key in git_cache:
            facts = git_cache[key]
        else:
            facts = git_facts(*key)
            if git_cache is not None:
                git_cache[key] = facts
    if facts is not None:
        if facts.describe is None and info.revision:
            info = replace(info, note=f"the checkout does not have the recorded commit "
                                      f"{info.revision[:12]}")
        else:
            if info.revision and facts.head != facts.commit:
                info = replace(info, note=f"the checkout has moved since the build (now at "
                                          f"{facts.head[:12]}); read at the recorded commit")
            info = replace(info, revision=facts.commit, tag=info.tag or facts.tag,
                           dirty=info.dirty or facts.dirty,
                           version=facts.describe if not info.release else info.version)
            if not info.release and release_from_tag(facts.tag):
                info = replace(info, release=release_from_tag(facts.tag), source="git tag")
            elif not info.source:
                info = replace(info, source="git describe")
    if not info.release and root is not None and entry is not None:
        for spec in entry.version_files:
            found = read_version_file(root, spec, facts if facts and facts.describe else None)
            if found:
                info = replace(info, release=found, source=spec.path)
                break
    if not info.release:
        found = release_from_references(references)
        if found:
            info = replace(info, release=found, source=info.source or "module.yml")
    if not info.release and not info.revision and manifest_revision:
        if release_from_tag(manifest_revision):
            info = replace(info, release=release_from_tag(manifest_revision), tag=manifest_revision,
                           source="west manifest")
        elif is_commit(manifest_revision):
            info = replace(info, revision=manifest_revision, source="west manifest")
    return info.finish()

