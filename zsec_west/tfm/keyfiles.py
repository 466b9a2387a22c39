"""The signing keys a TF-M build uses, and whether each is a published development key.

Judged by content when the key (or the public key TF-M exported next to its images) is readable,
else by file name: a build directory copied from another machine names keys that are not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zsec_west.builddir.tfmbuild import SubBuild
from zsec_west.errors import ZsecError
from zsec_west.keys import devkeys
from zsec_west.keys.encoding import Fingerprint
from zsec_west.keys.paths import file_name
from zsec_west.keys.pem import load_public_key
from zsec_west.tfm.facts import TfmConfig
from zsec_west.tfm.images import PublicKeyFile


@dataclass(frozen=True)
class KeyAssessment:
    role: str  # "S" or "NS"
    path: str  # the key file the build used
    setting: str  # where the path came from
    method: str  # "content", "exported public key", "file name" or "unknown"
    dev_key: str | None  # the development key's name when it is one
    key_sha256: str | None
    detail: str

    @property
    def file_name(self) -> str:
        return file_name(self.path)


def assess_keys(config: TfmConfig, sub: SubBuild, exported: list[PublicKeyFile]) -> list[KeyAssessment]:
    """One assessment per key the images are signed with (S, and NS with two images)."""
    if not config.bl2 and not (sub.cache is not None and sub.cache.bool("BL2")):
        return []
    configured = {k.role: k for k in config.key_files}
    roles = ["S"] if config.image_number == 1 else ["S", "NS"]
    results = []
    for role in roles:
        cache_key = f"MCUBOOT_KEY_{role}"
        path, setting = None, None
        if sub.value(cache_key):
            path, setting = sub.value(cache_key), f"tfm/CMakeCache.txt {cache_key}"
        elif role in configured:
            path, setting = configured[role].path, f"CONFIG_{configured[role].symbol}"
        if path is None:
            continue
        results.append(_assess(role, path, setting or "", exported))
    return results


def _assess(role: str, path: str, setting: str, exported: list[PublicKeyFile]) -> KeyAssessment:
    local = Path(path)
    if local.is_file():
        try:
            fingerprint = Fingerprint.of(load_public_key(local))
        except ZsecError as exc:
            problem = exc.message
        else:
            found = devkeys.lookup(fingerprint)
            return KeyAssessment(role, path, setting, "content", found.name if found else None,
                                 fingerprint.sha256,
                                 f"the key is {found.name}" if found
                                 else "the key is not a published development key")
    else:
        problem = "the key file is not on this machine"
    for public in exported:
        if public.role == role and public.key_sha256:
            return KeyAssessment(role, path, setting, "exported public key", public.dev_key,
                                 public.key_sha256,
                                 f"{problem}; the public key TF-M exported ({public.path.name}) is "
                                 + (public.dev_key if public.dev_key
                                    else "not a published development key"))
    by_name = devkeys.by_file_name(path)
    if by_name:
        return KeyAssessment(role, path, setting, "file name", by_name.name, None,
                             f"{problem}; its file name {file_name(path)} is that of {by_name.name}")
    return KeyAssessment(role, path, setting, "unknown", None, None,
                         f"{problem}; its name is not a development key's, the content is unknown")
