"""Git remotes as the SBOM names them: host, owner and repository of a remote URL, its package URL,
and whether two remotes name the same repository (a fork's remote is not the project's)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit


def split_remote(url: str | None) -> tuple[str | None, str | None, str | None]:
    """A git remote -> (host, owner, repository); scp-like 'git@host:owner/repo.git' too."""
    if not url:
        return None, None, None
    text = url.strip()
    scp = re.match(r"^[\w.-]+@([\w.-]+):(.+)$", text)
    if scp and "://" not in text:
        host, path = scp.group(1), scp.group(2)
    else:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host, path = parts.hostname, parts.path
    if not host:
        return None, None, None
    segments = [s for s in path.strip("/").split("/") if s]
    if segments and segments[-1].endswith(".git"):
        segments[-1] = segments[-1][:-4]
    owner = "/".join(segments[:-1]) or None
    repo = segments[-1] if segments else None
    return host, owner, repo


def purl_for_remote(url: str | None, revision: str | None) -> str | None:
    """The package URL of a git repository at a revision: pkg:github/o/r@rev on GitHub,
    else pkg:git/host/path@rev."""
    host, owner, repo = split_remote(url)
    if not host or not repo:
        return None
    version = f"@{quote(revision, safe='')}" if revision else ""
    if host.casefold() == "github.com" and owner:
        return f"pkg:github/{owner}/{repo}{version}"
    parts = [host, *(owner.split("/") if owner else [])]
    namespace = "/".join(quote(part, safe="") for part in parts)
    return f"pkg:git/{namespace}/{quote(repo, safe='')}{version}"


def same_repository(url: str | None, canonical: str) -> bool:
    """Whether a git remote names the canonical repository (any scheme, .git, case)."""
    host, owner, repo = split_remote(url)
    c_host, c_owner, c_repo = split_remote(canonical)
    return bool(host) and (host or "").casefold() == (c_host or "").casefold() and \
        (owner or "").casefold() == (c_owner or "").casefold() and \
        (repo or "").casefold() == (c_repo or "").casefold()
