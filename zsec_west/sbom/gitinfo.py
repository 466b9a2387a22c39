"""What git says about a checkout: HEAD, the commit a build recorded, its tag and describe,
and files as they were at that commit. Every git call has a timeout and fails soft (None); a
file that is there but is no readable file (a FIFO, /dev/zero) is an error naming it."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from zsec_west.errors import BuildDirError
from zsec_west.files.reading import read_if_present

_GIT_TIMEOUT = 10


def run_git(path: Path, *args: str) -> str | None:
    """`git -C path args...`'s output, or None when git fails or is missing."""
    try:
        result = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True,
                                timeout=_GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def in_repository(path: Path) -> bool:
    """Whether git could find a repository for `path` (a .git in it or above it, or one named
    by the environment); where none can be, asking git costs a process and says nothing."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    path = path.absolute()
    return any((folder / ".git").exists() for folder in (path, *path.parents))


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
    head = run_git(root, "rev-parse", "HEAD")
    if not head:
        return None
    target = commit or head
    resolved = run_git(root, "rev-parse", "--verify", "--quiet", f"{target}^{{commit}}")
    if not resolved:
        return GitFacts(head, target, None, None, False)
    tag = run_git(root, "describe", "--tags", "--exact-match", resolved)
    describe = run_git(root, "describe", "--tags", "--abbrev=12", "--always", resolved)
    dirty = False
    if resolved == head:
        dirty = bool(run_git(root, "status", "--porcelain", "--untracked-files=no"))
    return GitFacts(head, resolved, tag, describe, dirty)


def read_at(root: Path, rel: str, facts: GitFacts | None) -> str | None:
    """A file of the checkout as it was at the recorded commit (git show), else as it is."""
    if facts is not None and facts.commit != facts.head:
        return run_git(root, "show", f"{facts.commit}:{rel}")
    data = read_if_present(root / rel, "build", BuildDirError)
    return data.decode("utf-8", errors="replace") if data is not None else None


GitCache = dict[tuple[str, str | None], "GitFacts | None"]


def cached_git_facts(root: Path, commit: str | None, cache: GitCache | None) -> GitFacts | None:
    """git_facts, asked once per (tree, commit) in one run (sysbuild domains share trees)."""
    key = (str(root), commit)
    if cache is not None and key in cache:
        return cache[key]
    facts = git_facts(*key)
    if cache is not None:
        cache[key] = facts
    return facts
