"""Who makes a component and how vulnerability databases name it: CPE 2.3, package URLs, suppliers.

The knowledge lives in `zsec_west/data/identifiers.yaml`; this module loads and validates it and
combines it with what the build recorded (module.yml external references, git remotes, versions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from zsec_west.errors import DataFileError
from zsec_west.files import shipped
from zsec_west.files.yamldoc import load_located, located, parse_located
from zsec_west.sbom.remotes import purl_for_remote, split_remote
from zsec_west.versions import is_commit

DATA_FILE = "identifiers.yaml"  # in zsec_west/data

# Characters CPE 2.3 formatted strings require to be quoted with a backslash.
_CPE_SPECIAL = re.compile(r"([!\"#$%&'()+,/:;<=>@\[\]^`{|}~\\])")
_VERSION_FORMATS = ("zephyr-version", "regex", "defines")


def cpe_escape(value: str) -> str:
    return _CPE_SPECIAL.sub(r"\\\1", value)


@dataclass(frozen=True)
class VersionFile:
    """Where a checkout states its version, and how to read it."""

    path: str
    format: str
    pattern: str | None = None
    names: tuple[str, ...] = ()
    base: int = 10  # regex with several groups: each group is a number in this base


@dataclass(frozen=True)
class KnownComponent:
    """One entry of the table: a module (or Zephyr itself) and its identifiers."""

    name: str
    supplier: str
    homepage: str | None
    license: str | None
    cpe: str | None
    cpe_basis: str
    extra_cpes: tuple[str, ...]
    purl: str | None
    tag: str
    aliases: tuple[str, ...]
    version_files: tuple[VersionFile, ...]
    source: str
    repository: str | None = None  # the canonical repository (https URL)


@dataclass(frozen=True)
class CompilerFamily:
    name: str
    match: re.Pattern[str]
    supplier: str
    cpe: str | None
    purl: str | None
    license: str | None
    source: str
    homepage: str | None = None


@dataclass(frozen=True)
class Identifiers:
    """What identifies one package: CPEs (version filled in), PURLs, and where they came from."""

    cpes: tuple[str, ...] = ()
    purls: tuple[str, ...] = ()
    basis: str = "none"  # "module.yml", "table", "remote", "none"
    note: str | None = None


class IdentifierTable:
    """The validated identifiers table."""

    def __init__(self, modules: dict[str, KnownComponent], organizations: dict[str, str],
                 families: list[CompilerFamily], variants: dict[str, str], path: Path):
        self.path = path
        self._modules = modules
        self._by_name: dict[str, KnownComponent] = {}
        for entry in modules.values():
            for key in (entry.name, *entry.aliases):
                self._by_name[_key(key)] = entry
        self._organizations = {key.casefold(): value for key, value in organizations.items()}
        self.families = families
        self.variants = variants

    @property
    def modules(self) -> dict[str, KnownComponent]:
        return dict(self._modules)

    def lookup(self, name: str) -> KnownComponent | None:
        return self._by_name.get(_key(name))

    def organization_for_remote(self, url: str | None) -> str | None:
        """'https://github.com/zephyrproject-rtos/mbedtls' -> 'Zephyr Project'.

        Unknown owners become 'host/owner' (e.g. 'github.com/acme'), so a supplier is never lost.
        """
        host, owner, _ = split_remote(url)
        if not host:
            return None
        if owner and owner.casefold() in self._organizations:
            return self._organizations[owner.casefold()]
        if host.casefold() in self._organizations:
            return self._organizations[host.casefold()]
        if owner:
            return f"{host}/{owner}"
        return host

    def compiler_family(self, compiler: str | None) -> CompilerFamily | None:
        if not compiler:
            return None
        name = re.split(r"[\\/]", compiler)[-1]
        for family in self.families:
            if family.match.search(name):
                return family
        return None


def _key(name: str) -> str:
    return name.casefold().replace("_", "-")


def fill_cpe(template: str, version: str) -> str:
    return template.replace("{version}", cpe_escape(version))


def fill_purl(template: str, tag: str | None) -> str:
    if tag is None:
        # No release: the versionless package URL still names the package.
        return template.split("@", 1)[0]
    return template.replace("{tag}", quote(tag, safe=""))


def identify(entry: KnownComponent | None, *, release: str | None, revision: str | None,
             remote: str | None, external_references: tuple[str, ...] = ()) -> Identifiers:
    """CPEs and PURLs for one package.

    The module's own `security: external-references` win over the table. The PURL of the
    repository the build actually used (the remote at the exact commit) is always added when
    known, because forks (zephyrproject-rtos/mbedtls) are what vulnerability data with git
    ranges refers to.
    """
    cpes: list[str] = []
    purls: list[str] = []
    basis = "none"
    note = None
    declared = [ref.strip() for ref in external_references if isinstance(ref, str) and ref.strip()]
    if declared:
        basis = "module.yml"
        cpes = [ref for ref in declared if ref.startswith("cpe:")]
        purls = [ref for ref in declared if ref.startswith("pkg:")]
    elif entry is not None:
        basis = "table"
        if release and entry.cpe:
            cpes = [fill_cpe(entry.cpe, release)] + [fill_cpe(t, release) for t in entry.extra_cpes]
        elif entry.cpe:
            note = ("no release version known, so no CPE (a commit does not match NVD version "
                    "ranges)")
        if entry.purl:
            tag = entry.tag.replace("{version}", release) if release else None
            if tag is not None or not (remote and revision):
                purls.append(fill_purl(entry.purl, tag))
    fork = purl_for_remote(remote, revision) if remote and is_commit(revision) else None
    if fork and fork.casefold() not in {p.casefold() for p in purls}:
        purls.append(fork)
        if basis == "none":
            basis = "remote"
    return Identifiers(tuple(dict.fromkeys(cpes)), tuple(dict.fromkeys(purls)), basis, note)


# --- loading ---------------------------------------------------------------------------------
# Errors name `file:line` of the entry at fault (when the table was read from a file) and the key.

def _text(data: dict[str, Any], key: str, where: str, path: Path, *, required: bool = True,
          default: str | None = None) -> str | None:
    value = data.get(key, default)
    if value is None:
        if required:
            raise DataFileError(f"{where}: '{key}' is missing", path=located(path, data))
        return None
    if not isinstance(value, str) or not value.strip():
        raise DataFileError(f"{where}: '{key}' must be a non-empty string", path=located(path, data, key))
    return value


def _strings(data: dict[str, Any], key: str, where: str, path: Path) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DataFileError(f"{where}: '{key}' must be a list of strings", path=located(path, data, key))
    return tuple(value)


def check_organization(name: str) -> str | None:
    """Why `name` cannot be an SPDX Organization, or None. SPDX writes 'Organization: name
    (email)', so parentheses would turn part of the name into an e-mail address."""
    if "(" in name or ")" in name:
        return "must not contain parentheses (SPDX reads them as an e-mail address)"
    if not name.strip() or "\n" in name:
        return "must be one non-empty line"
    return None


def _org(value: str | None, where: str, at: str | Path) -> str | None:
    problem = check_organization(value) if value else None
    if problem:
        raise DataFileError(f"{where}: {value!r} {problem}", path=at)
    return value


def _check_cpe_template(value: str | None, where: str, at: str | Path) -> None:
    if value is None:
        return
    fields = value.split(":")
    if len(fields) != 13 or fields[:2] != ["cpe", "2.3"] or fields[2] not in ("a", "o", "h") \
            or fields[5] != "{version}":
        raise DataFileError(f"{where}: CPE template must be 'cpe:2.3:<a|o|h>:<vendor>:<product>:"
                            f"{{version}}:' plus 7 more fields, got {value!r}", path=at)


def _version_file(item: Any, here: str, path: Path, at: str) -> VersionFile:
    if not isinstance(item, dict):
        raise DataFileError(f"{here}: must be a mapping", path=at)
    at = located(path, item)
    fmt = _text(item, "format", here, path)
    if fmt not in _VERSION_FORMATS:
        raise DataFileError(f"{here}: format must be one of {', '.join(_VERSION_FORMATS)}", path=at)
    pattern = _text(item, "pattern", here, path, required=fmt == "regex")
    if pattern is not None:
        try:
            groups = re.compile(pattern).groups
        except re.error as exc:
            raise DataFileError(f"{here}: bad pattern: {exc}", path=at) from None
        if not 1 <= groups <= 4:
            raise DataFileError(f"{here}: pattern needs one group (the version) or one per "
                                "version part", path=at)
    names = _strings(item, "names", here, path)
    if fmt == "defines" and not names:
        raise DataFileError(f"{here}: format 'defines' needs 'names'", path=at)
    base = item.get("base", 10)
    if base not in (10, 16):
        raise DataFileError(f"{here}: base must be 10 or 16", path=at)
    return VersionFile(_text(item, "path", here, path) or "", fmt, pattern, names, base)


def _version_files(raw: Any, where: str, path: Path, at: str) -> tuple[VersionFile, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DataFileError(f"{where}: 'version_files' must be a list", path=at)
    return tuple(_version_file(item, f"{where}.version_files[{index}]", path, located(path, raw, index))
                 for index, item in enumerate(raw))


def _module(name: str, raw: Any, path: Path, at: str) -> KnownComponent:
    where = f"modules.{name}"
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: must be a mapping", path=at)
    cpe = _text(raw, "cpe", where, path, required=False)
    _check_cpe_template(cpe, where, located(path, raw, "cpe"))
    extra = _strings(raw, "extra_cpes", where, path)
    for template in extra:
        _check_cpe_template(template, where, located(path, raw, "extra_cpes"))
    purl = _text(raw, "purl", where, path, required=False)
    if purl is not None and (not purl.startswith("pkg:") or "{tag}" not in purl):
        raise DataFileError(f"{where}: purl template must start with 'pkg:' and contain "
                            "'{tag}'", path=located(path, raw, "purl"))
    basis = _text(raw, "cpe_basis", where, path, required=cpe is not None, default=None)
    if basis is not None and basis not in ("nvd", "assigned"):
        raise DataFileError(f"{where}: cpe_basis must be 'nvd' or 'assigned'",
                            path=located(path, raw, "cpe_basis"))
    return KnownComponent(
        name=name,
        supplier=_org(_text(raw, "supplier", where, path), where, located(path, raw, "supplier")) or "",
        homepage=_text(raw, "homepage", where, path, required=False),
        license=_text(raw, "license", where, path, required=False),
        cpe=cpe, cpe_basis=basis or "none", extra_cpes=extra, purl=purl,
        tag=_text(raw, "tag", where, path, required=False, default="v{version}") or "",
        aliases=_strings(raw, "aliases", where, path),
        version_files=_version_files(raw.get("version_files"), where, path,
                                     located(path, raw, "version_files")),
        source=_text(raw, "source", where, path) or "",
        repository=_repository(raw, where, path),
    )


def _repository(raw: dict[str, Any], where: str, path: Path) -> str | None:
    value = _text(raw, "repository", where, path, required=False)
    if value is not None and not value.startswith("https://"):
        raise DataFileError(f"{where}: repository must be an https:// URL",
                            path=located(path, raw, "repository"))
    return value.rstrip("/") if value else None


def _family(name: str, raw: Any, path: Path, at: str) -> CompilerFamily:
    where = f"toolchains.families.{name}"
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: must be a mapping", path=at)
    try:
        match = re.compile(_text(raw, "match", where, path) or "")
    except re.error as exc:
        raise DataFileError(f"{where}: bad 'match' pattern: {exc}", path=located(path, raw, "match")) from None
    cpe = _text(raw, "cpe", where, path, required=False)
    _check_cpe_template(cpe, where, located(path, raw, "cpe"))
    return CompilerFamily(
        name, match, _org(_text(raw, "supplier", where, path), where, located(path, raw, "supplier")) or "",
        cpe, _text(raw, "purl", where, path, required=False),
        _text(raw, "license", where, path, required=False), _text(raw, "source", where, path) or "",
        _text(raw, "homepage", where, path, required=False))


def _organizations(data: dict[str, Any], path: Path) -> dict[str, str]:
    organizations = data.get("organizations") or {}
    if not isinstance(organizations, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in organizations.items()):
        raise DataFileError("'organizations' must map owners to organisation names",
                            path=located(path, data, "organizations"))
    for owner, name in organizations.items():
        _org(name, f"organizations.{owner}", located(path, organizations, owner))
    return organizations


def parse_table(data: Any, path: Path) -> IdentifierTable:
    """Validate the YAML structure; every problem names the entry and the key."""
    if not isinstance(data, dict) or data.get("schema") != 1:
        raise DataFileError("not an identifiers table (expected 'schema: 1')", path=located(path, data))
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, dict) or not raw_modules:
        raise DataFileError("'modules' must be a non-empty mapping", path=located(path, data, "modules"))
    modules = {str(name): _module(str(name), raw, path, located(path, raw_modules, str(name)))
               for name, raw in raw_modules.items()}
    organizations = _organizations(data, path)
    toolchains = data.get("toolchains") or {}
    raw_families = toolchains.get("families") or {}
    families = [_family(str(name), raw, path, located(path, raw_families, str(name)))
                for name, raw in raw_families.items()]
    variants = toolchains.get("variants") or {}
    if not isinstance(variants, dict):
        raise DataFileError("'toolchains.variants' must be a mapping", path=located(path, toolchains, "variants"))
    for variant, name in variants.items():
        _org(str(name), f"toolchains.variants.{variant}", located(path, variants, str(variant)))
    return IdentifierTable(modules, organizations, families,
                           {str(k): str(v) for k, v in variants.items()}, path)


def load_table(path: Path | None = None) -> IdentifierTable:
    """The table at `path` (default: the shipped one), validated."""
    return _load_cached(str(path) if path is not None else None)


@lru_cache(maxsize=4)
def _load_cached(path_text: str | None) -> IdentifierTable:
    if path_text is None:
        label = Path(shipped.label(DATA_FILE))
        return parse_table(parse_located(shipped.read_text(DATA_FILE), label), label)
    path = Path(path_text)
    return parse_table(load_located(path), path)
