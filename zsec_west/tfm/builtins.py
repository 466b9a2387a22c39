"""TF-M's built-in checks: the rules of data/rules/tfm.yaml whose logic needs more than Kconfig.

Each reads the TF-M analysis of the domain (the sub-build as TF-M saw it, the images, the key
files, the advisories), made once per run and domain, and reports findings located in the
application's Kconfig fragments. `sec-tfm` and `sec-check` run them through the same engine
(zsec_west.rules.engine) with the same rule ids.
"""

from __future__ import annotations

from collections.abc import Callable

from zsec_west.builddir.bootloader import keygen_advice, tfm_signature
from zsec_west.builddir.model import Domain
from zsec_west.errors import DataFileError
from zsec_west.findings import Evidence, Finding, Location, Status
from zsec_west.keys.devkeys import short_name
from zsec_west.rules.engine import Builtin, CheckContext
from zsec_west.rules.model import CatalogueRule
from zsec_west.tfm.analysis import TfmAnalysis, analyse

_MEMO = "tfm-analysis:"


def analysis_of(domain: Domain, ctx: CheckContext) -> TfmAnalysis:
    """The TF-M analysis of `domain` (kind "tfm"), made once per run."""
    key = _MEMO + domain.name
    if key not in ctx.cache:
        ctx.cache[key] = analyse(ctx.build, domain)
    return ctx.cache[key]


def remember(ctx: CheckContext, analysis: TfmAnalysis) -> None:
    """Let the checks use an analysis the caller already made (sec-tfm shows its facts too)."""
    ctx.cache[_MEMO + analysis.domain.name] = analysis


class _Emitter:
    """Findings of one rule on one domain, located in the application's Kconfig fragments."""

    def __init__(self, rule: CatalogueRule, domain: Domain, ctx: CheckContext):
        self.rule = rule
        self.analysis = analysis_of(domain, ctx)
        self.override = rule.severity_for(ctx.profile_chain)
        self.findings: list[Finding] = []

    def location(self, symbol: str | None) -> Location | None:
        if symbol is None:
            return None
        try:
            return self.analysis.app.location(symbol)
        except Exception:  # a location is a convenience; never let it sink the report
            return None

    def add(self, status: Status, message: str, *, subject: str = "", actual: str | None = None,
            expected: str | None = None, symbol: str | None = None,
            detail: str | None = None, advice: str | None = None) -> list[Finding]:
        self.findings.append(Finding(
            rule=self.rule.rule, domain=self.analysis.domain.name, status=status, message=message,
            evidence=Evidence(actual, expected),
            location=self.location(symbol) if status is Status.FAIL else None,
            subject=subject or self.rule.id, severity_override=self.override, detail=detail, advice=advice,
        ))
        return self.findings


Check = Callable[[_Emitter], list[Finding]]


def _builtin(check: Check) -> Builtin:
    def run(rule: CatalogueRule, domain: Domain, ctx: CheckContext) -> list[Finding]:
        emitter = _Emitter(rule, domain, ctx)
        check(emitter)
        return emitter.findings
    run.__doc__ = check.__doc__
    return run


def isolation(e: _Emitter) -> list[Finding]:
    """TF-M's isolation level as the sub-build saw it, else as Kconfig asks."""
    a = e.analysis
    level = a.sub.value("TFM_ISOLATION_LEVEL") or (
        str(a.config.isolation_level) if a.config.isolation_level is not None else None)
    if level is None:
        return e.add(Status.NOT_APPLICABLE, "isolation level not recorded")
    if level.strip() == "1":
        return e.add(Status.FAIL,
                     "secure partitions are isolated from the non-secure side only, not from each other",
                     actual="1", expected="2 or 3", symbol="TFM_ISOLATION_LEVEL")
    return e.add(Status.PASS, f"isolation level {level}", actual=level)


def _must_be_off(e: _Emitter, setting: str, kconfig_value: bool | None, what: str,
                 danger: str) -> list[Finding]:
    """A TF-M option that must be off in production: its cache `setting`, else CONFIG_`setting`."""
    on = e.analysis.effective_bool(setting, kconfig_value)
    if on is None:
        return e.add(Status.NOT_APPLICABLE, f"{what} not recorded")
    if on:
        return e.add(Status.FAIL, danger, actual="y", expected="n", symbol=setting)
    return e.add(Status.PASS, f"{what} is off", actual="n")


def provisioning(e: _Emitter) -> list[Finding]:
    """Dummy provisioning as the TF-M sub-build saw it."""
    return _must_be_off(e, "TFM_DUMMY_PROVISIONING", e.analysis.config.dummy_provisioning,
                        "dummy provisioning",
                        "the device gets TF-M's dummy attestation key and dummy BL2 root-of-trust keys")


def exception_dump(e: _Emitter) -> list[Finding]:
    """Secure exception information dumps."""
    return _must_be_off(e, "TFM_EXCEPTION_INFO_DUMP", e.analysis.config.exception_info_dump,
                        "exception info dump",
                        "secure faults print register state and stack pointers on the console")


def bl2(e: _Emitter) -> list[Finding]:
    """Whether TF-M's BL2 verifies the images."""
    on = e.analysis.effective_bool("BL2", e.analysis.config.bl2)
    if on is None:
        return e.add(Status.NOT_APPLICABLE, "BL2 setting not recorded")
    if on:
        return e.add(Status.PASS, "BL2 verifies the secure and non-secure images", actual="y")
    return e.add(Status.FAIL, "no BL2: the images are not verified at boot by TF-M",
                 actual="n", expected="y", symbol="TFM_BL2")


_HOW = {
    "content": "",
    "exported public key": " (recognised by the public key TF-M exported; the key file itself is "
                           "not on this machine)",
}


def keys(e: _Emitter) -> list[Finding]:
    """The BL2 signing keys of the TF-M images, judged by content, exported key or file name."""
    a = e.analysis
    if not a.keys:
        return e.add(Status.NOT_APPLICABLE, "no BL2 signing keys in this build")
    for key in a.keys:
        subject = f"key:{key.role}"
        symbol = "TFM_KEY_FILE_S" if key.role == "S" else "TFM_KEY_FILE_NS"
        who = "secure" if key.role == "S" else "non-secure"
        if len(a.keys) == 1 and key.role == "S" and a.config.image_number == 1:
            who = "combined secure + non-secure"
        if key.dev_key:
            how = _HOW.get(key.method, f" (recognised by its file name {key.file_name}; the file is "
                                       "not on this machine to check its content)")
            advice = keygen_advice(tfm_signature(a.app.kconfig), (f"CONFIG_{symbol}",))
            e.add(Status.FAIL, f"the {who} image key is {key.dev_key}{how}", subject=subject,
                  actual=key.path, expected="a private key of your own", symbol=symbol,
                  detail=f"{who}: {short_name(key.dev_key)}", advice=advice)
        elif key.method == "unknown":
            e.add(Status.NOT_APPLICABLE, f"{who} image key {key.path}: {key.detail}",
                  subject=subject, actual=key.path)
        else:
            e.add(Status.PASS, f"{who} image key {key.path}: {key.detail}", subject=subject,
                  actual=key.path)
    return e.findings


def _resign_advice(e: _Emitter) -> str:
    signature = tfm_signature(e.analysis.app.kconfig)
    key_type = signature.key_type or "<type>"
    return (f"Sign the images with keys of your own ({signature.key_type or 'the type'} BL2 verifies: "
            f"zsec sign keygen -t {key_type} -k my-s-key.pem, and -k my-ns-key.pem), rebuild with "
            "CONFIG_TFM_KEY_FILE_S and CONFIG_TFM_KEY_FILE_NS pointing at them so that BL2 trusts them, then "
            "re-sign the release images: zsec sign --build-dir BUILD -k my-ns-key.pem --secure-key my-s-key.pem.")


def images(e: _Emitter) -> list[Finding]:
    """The key in each signed TF-M output image's PUBKEY/KEYHASH TLV."""
    signed = [(out, img) for out in e.analysis.images.images for img in out.images]
    if not signed:
        return e.add(Status.NOT_APPLICABLE, "no signed TF-M images in the build directory to inspect")
    for out, img in signed:
        subject = f"image:{out.role}" + (f"@0x{img.offset:x}" if len(out.images) > 1 else "")
        where = out.role + (f" at 0x{img.offset:x}" if len(out.images) > 1 else "")
        if img.dev_key:
            e.add(Status.FAIL, f"{where} ({img.sw_type or 'image'} v{img.version}) carries "
                               f"{img.dev_key} in its {img.key_source} TLV", subject=subject,
                  actual=img.key_sha256, expected="the hash of a key of your own",
                  detail=f"{where}: {short_name(img.dev_key)}", advice=_resign_advice(e))
        elif img.key_source:
            e.add(Status.PASS, f"{where}: {img.key_source} key {(img.key_sha256 or '')[:16]}… is not "
                               "a published development key", subject=subject, actual=img.key_sha256)
        else:
            e.add(Status.NOT_APPLICABLE, f"{where}: the image names no key", subject=subject)
    return e.findings


def build_type(e: _Emitter) -> list[Finding]:
    """TF-M's CMake build type."""
    a = e.analysis
    value = a.sub.value("CMAKE_BUILD_TYPE") or a.config.build_type
    if not value:
        return e.add(Status.NOT_APPLICABLE, "TF-M build type not recorded")
    if value.lower() == "debug":
        return e.add(Status.FAIL, "the secure image is a Debug build", actual=value,
                     expected="Release or MinSizeRel", symbol="TFM_CMAKE_BUILD_TYPE_DEBUG")
    return e.add(Status.PASS, f"build type {value}", actual=value)


def log_levels(e: _Emitter) -> list[Finding]:
    """Log levels of the SPM, the secure partitions and BL2."""
    a = e.analysis
    log = a.config.log
    if log.silenced:
        return e.add(Status.PASS, "TF-M logging is silenced (TFM_LOG_LEVEL_SILENCE)")
    levels = {
        "SPM": (a.sub.value("TFM_SPM_LOG_LEVEL") or log.spm or "", "TFM_SPM_LOG_LEVEL_DEBUG"),
        "partitions": (a.sub.value("TFM_PARTITION_LOG_LEVEL") or log.partition or "",
                       "TFM_PARTITION_LOG_LEVEL_DEBUG"),
        "BL2": (a.sub.value("MCUBOOT_LOG_LEVEL") or log.bl2 or "", "TFM_BL2_LOG_LEVEL_DEBUG"),
    }
    debug = [(name, symbol) for name, (value, symbol) in levels.items()
             if value.upper().endswith("DEBUG")]
    shown = ", ".join(f"{name} {value.rsplit('_', 1)[-1] or '?'}" for name, (value, _) in
                      levels.items() if value)
    if not shown:
        return e.add(Status.NOT_APPLICABLE, "TF-M log levels not recorded")
    if debug:
        return e.add(Status.FAIL, f"debug-level logging for {', '.join(n for n, _ in debug)}",
                     actual=shown, expected="ERROR or SILENCE", symbol=debug[0][1])
    return e.add(Status.PASS, f"log levels: {shown}", actual=shown)


def suites(e: _Emitter) -> list[Finding]:
    """Regression and PSA architecture test suites in the secure image."""
    built_in = e.analysis.config.test_suites
    if not built_in:
        return e.add(Status.PASS, "no regression or PSA test suites")
    symbol = "TFM_REGRESSION_S" if "TFM_REGRESSION_S" in built_in[0] else (
        "TFM_REGRESSION_NS" if "REGRESSION_NS" in built_in[0] else "TFM_PSA_TEST_NONE")
    return e.add(Status.FAIL, "built in: " + "; ".join(built_in), actual="; ".join(built_in),
                 expected="none", symbol=symbol)


def mismatch(e: _Emitter) -> list[Finding]:
    """Settings the TF-M sub-build got differently from what the application's .config asks."""
    a = e.analysis
    if a.sub.cache is None:
        return e.add(Status.NOT_APPLICABLE, "no TF-M sub-build cache to compare with")
    if not a.mismatches:
        return e.add(Status.PASS, "the TF-M sub-build matches the .config")
    for found in a.mismatches:
        e.add(Status.FAIL, f"{found.setting}: .config asks for {found.zephyr}, TF-M was configured "
                           f"with {found.tfm}", subject=f"mismatch:{found.setting}", actual=found.tfm,
              expected=found.zephyr)
    return e.findings


def advisory(e: _Emitter) -> list[Finding]:
    """One TF-M security advisory (the rule TFM-TFMV-<n> is advisory TFMV-<n>) on this build."""
    wanted = e.rule.id.removeprefix("TFM-")
    verdict = next((v for v in e.analysis.verdicts if v.advisory.id == wanted), None)
    if verdict is None:
        raise DataFileError(f"rule {e.rule.id}: no TF-M advisory {wanted} in the advisory table",
                            path=e.rule.origin)
    version = str(e.analysis.sub.version.version)
    fixed = f">= {verdict.advisory.fixed}" if verdict.advisory.fixed else None
    if verdict.affected is True:
        return e.add(Status.FAIL, verdict.reason, actual=version, expected=fixed)
    if verdict.affected is None and verdict.in_range:
        return e.add(Status.FAIL, f"possibly affected: {verdict.reason}", actual=version, expected=fixed)
    if verdict.affected is None:
        return e.add(Status.NOT_APPLICABLE, verdict.reason)
    if verdict.in_range is False:
        return e.add(Status.PASS, verdict.reason, actual=version)
    return e.add(Status.NOT_APPLICABLE, verdict.reason, actual=version)


ADVISORY = "tfm-advisory"

TFM_BUILTINS: dict[str, Builtin] = {
    "tfm-isolation": _builtin(isolation),
    "tfm-provisioning": _builtin(provisioning),
    "tfm-bl2": _builtin(bl2),
    "tfm-keys": _builtin(keys),
    "tfm-images": _builtin(images),
    "tfm-build-type": _builtin(build_type),
    "tfm-logging": _builtin(log_levels),
    "tfm-exception-dump": _builtin(exception_dump),
    "tfm-test-suites": _builtin(suites),
    "tfm-mismatch": _builtin(mismatch),
    ADVISORY: _builtin(advisory),
}
