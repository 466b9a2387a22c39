"""Which version of a package went into the build: recorded metadata first, then the checkout.

Sources, most faithful first: what the build itself recorded (the kernel version in
CMakeCache, zephyr.meta revisions and tags, the TF-M sub-build's project version), then the
git checkout read *at the recorded commit* (its tags, `git describe`, version files), then
version files of a checkout that is not a git repository, then module.yml external
references, then the west manifest. A build copied to another machine usually has only the
recorded metadata; that is enough for a version and a revision. Parsing and comparing the
version text itself is zsec_west.versions' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from zsec_west.errors import DataFileError
from zsec_west.files.reading import is_dir
from zsec_west.files.yamldoc import load_yaml
from zsec_west.sbom.gitinfo import GitCache, GitFacts, cached_git_facts, read_at
from zsec_west.sbom.identifiers import KnownComponent, VersionFile
from zsec_west.versions import (
    is_commit,
    is_release,
    release_from_defines,
    release_from_references,
    release_from_tag,
    zephyr_release,
)


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
    flags = set(parts[1:])
    return parts[0] or None, "dirty" in flags, "off" in flags


def read_version_file(root: Path, spec: VersionFile, facts: GitFacts | None = None) -> str | None:
    """The release a version file states, or None."""
    text = read_at(root, spec.path, facts)
    if text is None:
        return None
    if spec.format == "zephyr-version":
        found = zephyr_release(text)
    elif spec.format == "regex":
        match = re.search(spec.pattern or "", text, re.M | re.S)
        if match is None:
            found = None
        elif len(match.groups()) == 1:
            found = match.group(1)
        else:  # one group per part: LFS_VERSION 0x0002000a -> 2.10
            found = ".".join(str(int(part, spec.base)) for part in match.groups())
    else:  # defines
        found = release_from_defines(text, spec.names)
    return found if is_release(found) else None


def manifest_revisions(path: str) -> dict[str, str]:
    """project name -> revision from a west manifest file (tags or commits); {} if unusable."""
    try:
        data = load_yaml(Path(path))
    except DataFileError:
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


# --- resolution, one source at a time ---------------------------------------------------------

def _recorded(recorded: dict[str, Any] | None, build_release: str | None, build_source: str,
              recorded_tags: tuple[str, ...]) -> VersionInfo:
    """What the build itself recorded: zephyr.meta's revision and tags, a recorded release."""
    commit, dirty, off = split_meta_revision((recorded or {}).get("revision"))
    info = VersionInfo(revision=commit if is_commit(commit) else None, dirty=dirty,
                       off_manifest=off, source="zephyr.meta" if commit else "")
    if build_release and is_release(build_release):
        info = replace(info, release=build_release, source=build_source or "build")
    for tag in recorded_tags:
        if release_from_tag(tag):
            return replace(info, tag=tag, release=info.release or release_from_tag(tag))
    return info


def _from_git(info: VersionInfo, facts: GitFacts) -> VersionInfo:
    """The checkout's view of the recorded commit (or of HEAD when nothing was recorded)."""
    if facts.describe is None and info.revision:
        return replace(info, note=f"the checkout does not have the recorded commit "
                                  f"{info.revision[:12]}")
    if info.revision and facts.head != facts.commit:
        info = replace(info, note=f"the checkout has moved since the build (now at "
                                  f"{facts.head[:12]}); read at the recorded commit")
    info = replace(info, revision=facts.commit, tag=info.tag or facts.tag,
                   dirty=info.dirty or facts.dirty,
                   version=facts.describe if not info.release else info.version)
    if not info.release and release_from_tag(facts.tag):
        return replace(info, release=release_from_tag(facts.tag), source="git tag")
    if not info.source:
        return replace(info, source="git describe")
    return info


def _from_version_files(info: VersionInfo, root: Path, entry: KnownComponent,
                        facts: GitFacts | None) -> VersionInfo:
    for spec in entry.version_files:
        found = read_version_file(root, spec, facts if facts and facts.describe else None)
        if found:
            return replace(info, release=found, source=spec.path)
    return info


def _from_manifest(info: VersionInfo, revision: str) -> VersionInfo:
    release = release_from_tag(revision)
    if release:
        return replace(info, release=release, tag=revision, source="west manifest")
    if is_commit(revision):
        return replace(info, revision=revision, source="west manifest")
    return info


def resolve(*, local_root: Path | None, recorded: dict[str, Any] | None,
            entry: KnownComponent | None, references: tuple[str, ...] = (),
            build_release: str | None = None, build_source: str = "",
            recorded_tags: tuple[str, ...] = (), manifest_revision: str | None = None,
            git_cache: GitCache | None = None) -> VersionInfo:
    """The version of one package from everything known about it.

    `recorded` is the zephyr.meta entry (revision, ...); `build_release` a release the build
    itself recorded (kernel version, TF-M project version), which beats everything else.
    `git_cache` saves asking git twice about one tree in one run (sysbuild domains share them).
    """
    info = _recorded(recorded, build_release, build_source, recorded_tags)
    root = local_root if local_root is not None and is_dir(local_root) else None
    facts = cached_git_facts(root, info.revision, git_cache) if root is not None else None
    if facts is not None:
        info = _from_git(info, facts)
    if not info.release and root is not None and entry is not None:
        info = _from_version_files(info, root, entry, facts)
    if not info.release:
        found = release_from_references(references)
        if found:
            info = replace(info, release=found, source=info.source or "module.yml")
    if not info.release and not info.revision and manifest_revision:
        info = _from_manifest(info, manifest_revision)
    return info.finish()
