"""Key files named by the configuration, judged by content: the builtin checks of keys.yaml.

Every Kconfig setting that names a key file is resolved the way the build resolves it (relative
paths from the west workspace, or from the MCUboot tree for MCUboot's own setting; `${CONFIG_X}`
and `$(ZEPHYR_..._MODULE_DIR)` references expanded), the key is loaded and its public-key
fingerprint compared with the published development keys. A copied or renamed demo key is
still a demo key. When the file is not on this machine, its name alone can still give it away,
and the finding says that the content could not be checked.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from zsec_west.builddir.bootloader import BootSignature, keygen_advice, mcuboot_signature, tfm_signature
from zsec_west.builddir.model import APP, MCUBOOT, OTHER, SYSBUILD, TFM, Domain
from zsec_west.builddir.modules import module_variable
from zsec_west.errors import BuildDirError, KeyFileError, ZsecError
from zsec_west.files.reading import exists, read_input
from zsec_west.findings import Evidence, Finding, Severity, Status
from zsec_west.keys import devkeys
from zsec_west.keys.devkeys import DevKey
from zsec_west.keys.encoding import Fingerprint, PublicKey, key_type_name
from zsec_west.keys.paths import resolve_key_path
from zsec_west.keys.pem import is_encrypted_pem, load_public_key
from zsec_west.rules.engine import CheckContext, config_of, make_finding
from zsec_west.rules.model import CatalogueRule

# (symbol, use, what a relative path is relative to), per domain kind. Sources: the help texts of
# Zephyr's modules/Kconfig.mcuboot and share/sysbuild/images/bootloader/Kconfig, MCUboot's
# boot/zephyr/CMakeLists.txt, and Zephyr's modules/trusted-firmware-m/Kconfig.tfm.
KEY_SETTINGS: dict[str, tuple[tuple[str, str, str], ...]] = {
    APP: (("MCUBOOT_SIGNATURE_KEY_FILE", "signing", "topdir"),
          ("MCUBOOT_ENCRYPTION_KEY_FILE", "encryption", "topdir")),
    OTHER: (("MCUBOOT_SIGNATURE_KEY_FILE", "signing", "topdir"),
            ("MCUBOOT_ENCRYPTION_KEY_FILE", "encryption", "topdir")),
    SYSBUILD: (("BOOT_SIGNATURE_KEY_FILE", "signing", "topdir"),
               ("BOOT_ENCRYPTION_KEY_FILE", "encryption", "topdir")),
    MCUBOOT: (("BOOT_SIGNATURE_KEY_FILE", "signing", "mcuboot"),
              ("BOOT_ENCRYPTION_KEY_FILE", "encryption", "mcuboot")),
    TFM: (("TFM_KEY_FILE_S", "signing", "topdir"),
          ("TFM_KEY_FILE_NS", "signing", "topdir")),
}

# States of a key file; everything but "loaded" means its content was not compared.
LOADED, EMPTY, MISSING, UNRESOLVED, ENCRYPTED, NOT_A_KEY, UNREADABLE = (
    "loaded", "empty", "missing", "unresolved", "encrypted", "not-a-key", "unreadable")

_REF = re.compile(r"\$\{([A-Za-z0-9_]+)\}|\$\(([A-Za-z0-9_]+)\)")


@dataclass(frozen=True)
class KeyRef:
    """One key setting of one domain and what we could learn about the file it names."""

    setting: str  # full Kconfig name, e.g. SB_CONFIG_BOOT_SIGNATURE_KEY_FILE
    symbol: str
    use: str  # "signing" or "encryption"
    raw: str
    path: Path | None
    state: str
    detail: str = ""
    key: PublicKey | None = None
    fingerprint: Fingerprint | None = None
    by_content: DevKey | None = None
    by_name: DevKey | None = None

    @property
    def shown(self) -> str:
        return str(self.path) if self.path is not None else self.raw


def _variables(domain: Domain, ctx: CheckContext) -> dict[str, str]:
    """What `$(VAR)`/`${VAR}` may name: the build's Kconfig environment and module directories."""
    values: dict[str, str] = {}

    def offer(key: str, value: str) -> None:
        # Several records may name a directory; a stale path never beats one that exists here.
        if key not in values or exists(value) or not exists(values[key]):
            values[key] = value

    for module in _safe_modules(ctx):
        offer(module_variable(module.name, "MODULE_DIR"), str(module.path))
    for source in (ctx.build.default, config_of(domain)):
        try:
            env = source.kconfig_env
        except OSError:
            continue
        for key, value in env.items():
            offer(key, value)
    base = ctx.zephyr_base or ctx.build.zephyr_base
    if base is not None:
        values["ZEPHYR_BASE"] = str(base)
    if ctx.west_topdir is not None:
        values["WEST_TOPDIR"] = str(ctx.west_topdir)
    return values


def _safe_modules(ctx: CheckContext) -> list:
    try:
        return list(ctx.build.modules)
    except ZsecError:  # a damaged module list must not hide key findings
        return []  # (a MemoryError or a bug must not be hidden either: they are not caught)


def expand(text: str, domain: Domain, ctx: CheckContext) -> str:
    """Expand `${CONFIG_X}` from the domain's Kconfig and `$(VAR)`/`${VAR}` from the build env."""
    kconfig = config_of(domain).kconfig
    variables = _variables(domain, ctx)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        for prefix in ("SB_CONFIG_", "CONFIG_"):
            if name.startswith(prefix):
                value = kconfig.value(name[len(prefix):])
                return str(value) if value is not None else match.group(0)
        return variables.get(name, match.group(0))

    for _ in range(3):  # values may name other variables; three rounds is plenty
        expanded = _REF.sub(replace, text)
        if expanded == text:
            break
        text = expanded
    return text


def _mcuboot_dir(domain: Domain, ctx: CheckContext) -> Path | None:
    variables = _variables(domain, ctx)
    value = variables.get("ZEPHYR_MCUBOOT_MODULE_DIR")
    return Path(value) if value else None


def resolve(raw: str, base: str, domain: Domain, ctx: CheckContext) -> tuple[Path | None, str]:
    """The absolute path a key setting names, or None with the reason it cannot be known."""
    text = expand(raw, domain, ctx)
    if _REF.search(text):
        return None, f"it refers to {_REF.search(text).group(0)}, which this build does not define"  # type: ignore[union-attr]
    root = _mcuboot_dir(domain, ctx) if base == "mcuboot" else ctx.west_topdir
    path = resolve_key_path(text, root)
    if path is None:
        where = "the MCUboot module directory" if base == "mcuboot" else "the west workspace"
        return None, f"relative path, and {where} is not known here"
    return path, ""


def inspect(symbol: str, use: str, base: str, domain: Domain, ctx: CheckContext) -> KeyRef | None:
    """What one key setting of `domain` names; None when the domain does not have the setting."""
    kconfig = config_of(domain).kconfig
    if symbol not in kconfig:
        return None
    setting = kconfig.full_name(symbol)
    raw = kconfig.string(symbol)
    if raw is None or not raw.strip():
        return KeyRef(setting, symbol, use, raw or "", None, EMPTY)
    path, why = resolve(raw.strip(), base, domain, ctx)
    by_name = devkeys.by_file_name(str(path) if path is not None else expand(raw, domain, ctx))
    if path is None:
        return KeyRef(setting, symbol, use, raw, None, UNRESOLVED, why, by_name=by_name)
    try:  # a FIFO, a device or a huge file where the key belongs is unreadable, not a hang
        data = read_input(path, "key", KeyFileError)
    except KeyFileError as exc:
        if exc.message == "file not found":
            return KeyRef(setting, symbol, use, raw, path, MISSING, "the file is not on this machine",
                          by_name=by_name)
        return KeyRef(setting, symbol, use, raw, path, UNREADABLE, exc.message, by_name=by_name)
    if is_encrypted_pem(data):
        return KeyRef(setting, symbol, use, raw, path, ENCRYPTED,
                      "the key is encrypted and its public half cannot be read without the "
                      "passphrase", by_name=by_name)
    try:
        key = load_public_key(path)
    except KeyFileError as exc:
        return KeyRef(setting, symbol, use, raw, path, NOT_A_KEY, exc.message, by_name=by_name)
    fingerprint = Fingerprint.of(key)
    return KeyRef(setting, symbol, use, raw, path, LOADED, key_type_name(key), key, fingerprint,
                  devkeys.lookup(fingerprint), by_name)


def key_refs(domain: Domain, ctx: CheckContext) -> list[KeyRef]:
    """Every key setting of `domain`, inspected once per run."""
    memo_key = f"keys:{domain.name}"
    if memo_key not in ctx.cache:
        refs = []
        for symbol, use, base in KEY_SETTINGS.get(domain.kind, ()):
            ref = inspect(symbol, use, base, domain, ctx)
            if ref is not None:
                refs.append(ref)
        ctx.cache[memo_key] = refs
    return ctx.cache[memo_key]


def mcuboot_key(ctx: CheckContext) -> KeyRef | None:
    """The signing key MCUboot in this build was built with, as a KeyRef."""
    try:
        domain = ctx.build.domain_of_kind(MCUBOOT)
        if domain is None:
            return None
        return next((r for r in key_refs(domain, ctx) if r.use == "signing"), None)
    except BuildDirError:  # MCUboot's own configuration is unreadable; it is reported there
        return None


# -- findings ------------------------------------------------------------------------------------

def signing_key_advice(domain: Domain, ref: KeyRef, ctx: CheckContext) -> str:
    """Fix advice for a development signing key in this build: `zsec sign keygen` with the key
    type the bootloader verifies, and the setting to point at the new key."""
    dev = ref.by_content or ref.by_name
    if domain.kind == TFM:
        signature = tfm_signature(config_of(domain).kconfig)
        settings: tuple[str, ...] = (ref.setting,)
    else:
        found = mcuboot_signature(ctx.build)
        signature = found or BootSignature("MCUboot", None, None, (ref.setting,))
        settings = signature.key_settings
    if signature.key_type is None and dev is not None:
        # A bootloader built with this key verifies its type.
        signature = dataclasses.replace(signature, key_type=dev.type,
                                        type_setting=f"the type of {dev.name}, which {ref.setting} names")
    return keygen_advice(signature, settings)


def _devkey_findings(rule: CatalogueRule, domain: Domain, ctx: CheckContext, use: str) -> list[Finding]:
    refs = [r for r in key_refs(domain, ctx) if r.use == use and r.state != EMPTY]
    if not refs:
        what = "signing" if use == "signing" else "image encryption"
        return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                         f"no {what} key is configured in this domain", f"{use}-key")]
    findings = []
    for ref in refs:
        if ref.by_content is not None:
            message = (f"{ref.setting} names {ref.shown}, which holds {ref.by_content.name}, a "
                       f"published development key (identified by its content, sha256 "
                       f"{ref.fingerprint.sha256[:16]}...)")  # type: ignore[union-attr]
            evidence = Evidence(f"{ref.by_content.name} ({ref.detail})", "a key of your own")
            findings.append(_advised(make_finding(rule, domain, ctx, Status.FAIL, message, ref.setting,
                                                  evidence, ref.symbol, detail=ref.by_content.short_name),
                                     domain, ref, ctx, use))
        elif ref.state == LOADED:
            findings.append(make_finding(rule, domain, ctx, Status.PASS,
                                     f"{ref.setting}: {ref.detail} key, not a known development key "
                                     f"(sha256 {ref.fingerprint.sha256[:16]}...)",  # type: ignore[union-attr]
                                     ref.setting, Evidence(ref.detail, "a key of your own"), ref.symbol))
        elif ref.by_name is not None:
            message = (f"{ref.setting} names {ref.shown}, the file name of a published development "
                       f"key: {ref.by_name.name}. Its content could not be checked: {ref.detail}.")
            evidence = Evidence(f"file name of {ref.by_name.name}", "a key of your own")
            findings.append(_advised(make_finding(rule, domain, ctx, Status.FAIL, message, ref.setting,
                                                  evidence, ref.symbol, detail=ref.by_name.short_name),
                                     domain, ref, ctx, use))
        else:
            findings.append(make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                                     f"{ref.setting}: {ref.shown} could not be checked ({ref.detail}); "
                                     "see ZSEC-KEY-003", ref.setting))
    return findings


def _advised(finding: Finding, domain: Domain, ref: KeyRef, ctx: CheckContext, use: str) -> Finding:
    if use != "signing":
        return finding
    try:
        return dataclasses.replace(finding, advice=signing_key_advice(domain, ref, ctx))
    except BuildDirError:  # MCUboot's configuration is unreadable: the rule's general fix stands
        return finding


def check_signing_key(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    """The signing key files the configuration names, judged by content against the published
    development keys (by file name when the file is not on this machine)."""
    return _devkey_findings(rule, domain, ctx, "signing")


def check_encryption_key(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    """The image encryption key files, judged like the signing keys."""
    return _devkey_findings(rule, domain, ctx, "encryption")


def check_key_file(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    """Every key file the configuration names exists, is readable and holds a key."""
    refs = [r for r in key_refs(domain, ctx) if r.state != EMPTY]
    if not refs:
        return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                         "no key file is named by this domain's configuration", "key-files")]
    findings = []
    for ref in refs:
        if ref.state == LOADED:
            findings.append(make_finding(rule, domain, ctx, Status.PASS,
                                     f"{ref.setting}: {ref.shown} is a readable {ref.detail} key",
                                     ref.setting, Evidence(ref.detail, "a readable key"), ref.symbol))
            continue
        if ref.by_name is not None and ref.state in (MISSING, UNRESOLVED):
            findings.append(make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                                         f"{ref.setting}: {ref.detail}; reported as a development "
                                         "key by its file name (ZSEC-KEY-001)", ref.setting))
            continue
        stale = " (a build directory from another machine?)" if ref.state == MISSING else ""
        severity = Severity.MEDIUM if ref.state == NOT_A_KEY else None
        message = f"{ref.setting} names {ref.shown}: {ref.detail}{stale}"
        if ref.state in (MISSING, UNRESOLVED, ENCRYPTED, UNREADABLE):
            message += "; its content was not compared with the development keys"
        findings.append(make_finding(rule, domain, ctx, Status.FAIL, message, ref.setting,
                                 Evidence(ref.state, "a readable key"), ref.symbol, severity))
    return findings


def check_key_match(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
    """The application's signing key is the one MCUboot in the same build trusts."""
    app = next((r for r in key_refs(domain, ctx) if r.use == "signing" and r.state != EMPTY), None)
    boot = mcuboot_key(ctx)
    subject = app.setting if app else "signing-key"
    if app is None:
        return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                         "this image names no signing key", subject)]
    if boot is None or boot.state == EMPTY:
        return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                         "this build has no MCUboot image with a signing key to compare with", subject)]
    if app.fingerprint is not None and boot.fingerprint is not None:
        if app.fingerprint.sha256 == boot.fingerprint.sha256:
            return [make_finding(rule, domain, ctx, Status.PASS,
                             f"{app.setting} and MCUboot's {boot.setting} hold the same key",
                             subject, Evidence(app.fingerprint.sha256[:16], boot.fingerprint.sha256[:16]),
                             app.symbol)]
        return [make_finding(rule, domain, ctx, Status.FAIL,
                         f"{app.setting} ({app.shown}) is not the key MCUboot trusts "
                         f"({boot.setting}: {boot.shown}); MCUboot will refuse this image", subject,
                         Evidence(f"sha256 {app.fingerprint.sha256[:16]}...",
                                  f"sha256 {boot.fingerprint.sha256[:16]}..."), app.symbol)]
    if app.path is not None and app.path == boot.path:
        return [make_finding(rule, domain, ctx, Status.PASS,
                         f"{app.setting} and MCUboot's {boot.setting} name the same file "
                         f"({app.shown}); its content was not read", subject, symbol=app.symbol)]
    return [make_finding(rule, domain, ctx, Status.NOT_APPLICABLE,
                     f"cannot compare {app.setting} ({app.shown}) with MCUboot's {boot.setting} "
                     f"({boot.shown}): {app.detail or boot.detail}", subject)]
