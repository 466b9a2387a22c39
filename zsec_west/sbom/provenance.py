"""Where a project's package comes from: its supplier and download location from what the
project is, not from the remote a checkout happens to use."""

from __future__ import annotations

from zsec_west.sbom.identifiers import KnownComponent
from zsec_west.sbom.packages import PackageData
from zsec_west.sbom.remotes import same_repository
from zsec_west.versions import release_from_tag


def canonical_origin(package: PackageData, entry: KnownComponent, remote: str | None) -> None:
    """Who Zephyr is does not depend on the checkout: the project supplies it and its
    canonical repository is where a revision is downloaded from. A fork's remote is the
    download location only for a revision not known to be upstream's (no release tag at it)."""
    info, canonical = package.version, entry.repository or ""
    package.supplier = entry.supplier
    package.originator = None
    upstream_tag = info.tag if info.tag and release_from_tag(info.tag) else None
    fork = bool(remote) and not same_repository(remote, canonical)
    if fork and info.revision and not upstream_tag:
        package.download_location = f"git+{remote}@{info.revision}"
        package.notes.append(f"the revision is not known to be upstream's; the download "
                             f"location is the checkout's remote {remote}")
    elif info.revision:
        package.download_location = f"git+{canonical}@{upstream_tag or info.revision}"
    elif info.release:
        package.download_location = f"git+{canonical}@{entry.tag.replace('{version}', info.release)}"
