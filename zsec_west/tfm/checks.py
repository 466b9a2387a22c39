"""TF-M findings: the rules of data/tfm-rules.yaml and the advisories, evaluated on one TF-M domain.

`tfm_findings(build, domain)` is the entry point sec-check uses for domains of kind "tfm", so
`west sec-check` and `west sec-tfm` report the same TF-M findings from the same code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

from zsec_west.builddir.model import Build, Domain
from zsec_west.errors import DataFileError
from zsec_west.findings import Evidence, Finding, Location, Rule, Severity, Status
from zsec_west.tfm.advisories import Advisory
from zsec_west.tfm.analysis import TfmAnalysis, analyse

RULES_FILE = "data/tfm-rules.yaml"


def _rule_from(entry: object, index: int) -> Rule:
    if not isinstance(entry, dict):
        raise DataFileError(f"rule {index} is not a mapping", path=RULES_FILE)
    where = str(entry.get("id") or f"rule {index}")
    for key in ("id", "title", "severity", "rationale", "fix"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise DataFileError(f"{where}: missing or empty '{key}'", path=RULES_FILE)
    if not re.fullmatch(r"TFM-[A-Z0-9-]+", entry["id"]):
        raise DataFileError(f"{where}: rule ids look like TFM-UPPER-CASE", path=RULES_FILE)
    try:
        severity = Severity.parse(entry["severity"])
    except ValueError as exc:
        raise DataFileError(f"{where}: {exc}", path=RULES_FILE) from None
    refs = entry.get("references") or []
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise DataFileError(f"{where}: references must be a list of strings", path=RULES_FILE)
    return Rule(id=entry["id"], title=entry["title"].strip(), severity=severity,
                category=str(entry.get("category") or "tfm"),
                rationale=" ".join(entry["rationale"].split()), fix=" ".join(entry["fix"].split()),
                references=tuple(refs), source=str(entry.get("source") or "zsec"),
                help_uri=refs[0] if refs else None)


def parse_rules(text: str) -> dict[str, Rule]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(f"not valid YAML: {exc}", path=RULES_FILE) from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise DataFileError("expected a mapping with a 'rules' list", path=RULES_FILE)
    rules: dict[str, Rule] = {}
    for index, entry in enumerate(data["rules"], start=1):
        rule = _rule_from(entry, index)
        if rule.id in rules:
            raise DataFileError(f"duplicate rule id {rule.id}", path=RULES_FILE)
        rules[rule.id] = rule
    return rules


@lru_cache(maxsize=1)
def load_rules() -> dict[str, Rule]:
    """The TF-M rules shipped with the package, validated."""
    text = resources.files("zsec_west").joinpath(RULES_FILE).read_text(encoding="utf-8")
    return parse_rules(text)


def advisory_rule(advisory: Advisory) -> Rule:
    fixed = f"v{advisory.fixed}" if advisory.fixed else "a fixed release"
    commits = f" (fix commit {', '.join(advisory.fix_commits)})" if advisory.fix_commits else ""
    rationale = advisory.summary + (f" Affected: {advisory.range_text}; {advisory.note}."
                                    if advisory.note else f" Affected: {advisory.range_text}.")
    label = f"{advisory.id} ({advisory.cve})" if advisory.cve else advisory.id
    return Rule(id=f"TFM-{advisory.id}", title=f"{label}: {advisory.title}",
                severity=advisory.severity, category="advisory", rationale=rationale,
                fix=f"Update TF-M to {fixed} or later{commits}, or disable the affected "
                    "configuration.",
                references=(advisory.url, *([f"https://www.cve.org/CVERecord?id={advisory.cve}"]
                                            if advisory.cve else [])),
                source="tf-m-security-advisories", help_uri=advisory.url)


class _Emitter:
    """Builds findings for one domain with locations in the application's Kconfig fragments."""

    def __init__(self, analysis: TfmAnalysis):
        self.analysis = analysis
        self.rules = load_rules()
        self.findings: list[Finding] = []

    def location(self, symbol: str | None) -> Location | None:
        if symbol is None:
            return None
        try:
            return self.analysis.app.location(symbol)
        except Exception:  # a location is a convenience; never let it sink the report
            return None

    def add(self, rule: Rule | str, status: Status, message: str, *, subject: str = "",
            actual: str | None = None, expected: str | None = None,
            symbol: str | None = None) -> None:
        rule = self.rules[rule] if isinstance(rule, str) else rule
        self.findings.append(Finding(
            rule=rule, domain=self.analysis.domain.name, status=status, message=message,
            evidence=Evidence(actual, expected),
            location=self.location(symbol) if status is Status.FAIL else None,
            subject=subject or rule.id,
        ))


def _isolation(e: _Emitter) -> None:
    a = e.analysis
    level = a.sub.value("TFM_ISOLATION_LEVEL") or (
        str(a.config.isolation_level) if a.config.isolation_level is not None else None)
    if level is None:
        e.add("TFM-ISOLATION-LEVEL", Status.NOT_APPLICABLE, "isolation level not recorded")
    elif level.strip() == "1":
        e.add("TFM-ISOLATION-LEVEL", Status.FAIL,
              "secure partitions are isolated from the non-secure side only, not from each other",
              actual="1", expected="2 or 3", symbol="TFM_ISOLATION_LEVEL")
    else:
        e.add("TFM-ISOLATION-LEVEL", Status.PASS, f"isolation level {level}", actual=level)


def _must_be_off(e: _Emitter, rule: str, setting: str, kconfig_value: bool | None, what: str,
                 danger: str) -> None:
    """A TF-M option that must be off in production: its cache `setting`, else CONFIG_`setting`."""
    on = e.analysis.effective_bool(setting, kconfig_value)
    if on is None:
        e.add(rule, Status.NOT_APPLICABLE, f"{what} not recorded")
    elif on:
        e.add(rule, Status.FAIL, danger, actual="y", expected="n", symbol=setting)
    else:
        e.add(rule, Status.PASS, f"{what} is off", actual="n")


def _provisioning(e: _Emitter) -> None:
    _must_be_off(e, "TFM-DUMMY-PROVISIONING", "TFM_DUMMY_PROVISIONING",
                 e.analysis.config.dummy_provisioning, "dummy provisioning",
                 "the device gets TF-M's dummy attestation key and dummy BL2 root-of-trust keys")


def _bl2(e: _Emitter) -> None:
    bl2 = e.analysis.effective_bool("BL2", e.analysis.config.bl2)
    if bl2 is None:
        e.add("TFM-NO-BL2", Status.NOT_APPLICABLE, "BL2 setting not recorded")
    elif bl2:
        e.add("TFM-NO-BL2", Status.PASS, "BL2 verifies the secure and non-secure images", actual="y")
    else:
        e.add("TFM-NO-BL2", Status.FAIL, "no BL2: the images are not verified at boot by TF-M",
              actual="n", expected="y", symbol="TFM_BL2")


def _keys(e: _Emitter) -> None:
    a = e.analysis
    if not a.keys:
        e.add("TFM-DEV-KEY", Status.NOT_APPLICABLE, "no BL2 signing keys in this build")
        return
    for key in a.keys:
        subject = f"key:{key.role}"
        symbol = "TFM_KEY_FILE_S" if key.role == "S" else "TFM_KEY_FILE_NS"
        who = "secure" if key.role == "S" else "non-secure"
        if len(a.keys) == 1 and key.role == "S" and a.config.image_number == 1:
            who = "combined secure + non-secure"
        if key.dev_key:
            how = {
                "content": "",
                "exported public key": " (recognised by the public key TF-M exported; the key "
                                       "file itself is not on this machine)",
                "file name": f" (recognised by its file name {key.file_name}; the file is not on "
                             "this machine to check its content)",
            }[key.method]
            e.add("TFM-DEV-KEY", Status.FAIL, f"the {who} image key is {key.dev_key}{how}",
                  subject=subject, actual=key.path, expected="a private key of your own",
                  symbol=symbol)
        elif key.method == "unknown":
            e.add("TFM-DEV-KEY", Status.NOT_APPLICABLE, f"{who} image key {key.path}: {key.detail}",
                  subject=subject, actual=key.path)
        else:
            e.add("TFM-DEV-KEY", Status.PASS, f"{who} image key {key.path}: {key.detail}",
                  subject=subject, actual=key.path)


def _images(e: _Emitter) -> None:
    signed = [(out, img) for out in e.analysis.images.images for img in out.images]
    if not signed:
        e.add("TFM-IMAGE-DEV-KEY", Status.NOT_APPLICABLE,
              "no signed TF-M images in the build directory to inspect")
        return
    for out, img in signed:
        subject = f"image:{out.role}" + (f"@0x{img.offset:x}" if len(out.images) > 1 else "")
        where = out.role + (f" at 0x{img.offset:x}" if len(out.images) > 1 else "")
        if img.dev_key:
            e.add("TFM-IMAGE-DEV-KEY", Status.FAIL,
                  f"{where} ({img.sw_type or 'image'} v{img.version}) carries {img.dev_key} in its "
                  f"{img.key_source} TLV", subject=subject, actual=img.key_sha256,
                  expected="the hash of a key of your own")
        elif img.key_source:
            e.add("TFM-IMAGE-DEV-KEY", Status.PASS,
                  f"{where}: {img.key_source} key {(img.key_sha256 or '')[:16]}… is not a published "
                  "development key", subject=subject, actual=img.key_sha256)
        else:
            e.add("TFM-IMAGE-DEV-KEY", Status.NOT_APPLICABLE, f"{where}: the image names no key",
                  subject=subject)


def _build_type(e: _Emitter) -> None:
    a = e.analysis
    value = a.sub.value("CMAKE_BUILD_TYPE") or a.config.build_type
    if not value:
        e.add("TFM-DEBUG-BUILD", Status.NOT_APPLICABLE, "TF-M build type not recorded")
    elif value.lower() == "debug":
        e.add("TFM-DEBUG-BUILD", Status.FAIL, "the secure image is a Debug build", actual=value,
              expected="Release or MinSizeRel", symbol="TFM_CMAKE_BUILD_TYPE_DEBUG")
    else:
        e.add("TFM-DEBUG-BUILD", Status.PASS, f"build type {value}", actual=value)


def _logging(e: _Emitter) -> None:
    a = e.analysis
    log = a.config.log
    levels = {
        "SPM": (a.sub.value("TFM_SPM_LOG_LEVEL") or log.spm or "", "TFM_SPM_LOG_LEVEL_DEBUG"),
        "partitions": (a.sub.value("TFM_PARTITION_LOG_LEVEL") or log.partition or "",
                       "TFM_PARTITION_LOG_LEVEL_DEBUG"),
        "BL2": (a.sub.value("MCUBOOT_LOG_LEVEL") or log.bl2 or "", "TFM_BL2_LOG_LEVEL_DEBUG"),
    }
    if log.silenced:
        e.add("TFM-VERBOSE-LOG", Status.PASS, "TF-M logging is silenced (TFM_LOG_LEVEL_SILENCE)")
        return
    debug = [(name, symbol) for name, (value, symbol) in levels.items()
             if value.upper().endswith("DEBUG")]
    shown = ", ".join(f"{name} {value.rsplit('_', 1)[-1] or '?'}" for name, (value, _) in
                      levels.items() if value)
    if not shown:
        e.add("TFM-VERBOSE-LOG", Status.NOT_APPLICABLE, "TF-M log levels not recorded")
    elif debug:
        e.add("TFM-VERBOSE-LOG", Status.FAIL,
              f"debug-level logging for {', '.join(n for n, _ in debug)}", actual=shown,
              expected="ERROR or SILENCE", symbol=debug[0][1])
    else:
        e.add("TFM-VERBOSE-LOG", Status.PASS, f"log levels: {shown}", actual=shown)


def _exception_dump(e: _Emitter) -> None:
    _must_be_off(e, "TFM-EXCEPTION-INFO-DUMP", "TFM_EXCEPTION_INFO_DUMP",
                 e.analysis.config.exception_info_dump, "exception info dump",
                 "secure faults print register state and stack pointers on the console")


def _test_suites(e: _Emitter) -> None:
    suites = e.analysis.config.test_suites
    if suites:
        symbol = "TFM_REGRESSION_S" if "TFM_REGRESSION_S" in suites[0] else (
            "TFM_REGRESSION_NS" if "REGRESSION_NS" in suites[0] else "TFM_PSA_TEST_NONE")
        e.add("TFM-TEST-SUITES", Status.FAIL, "built in: " + "; ".join(suites),
              actual="; ".join(suites), expected="none", symbol=symbol)
    else:
        e.add("TFM-TEST-SUITES", Status.PASS, "no regression or PSA test suites")


def _mismatch(e: _Emitter) -> None:
    a = e.analysis
    if a.sub.cache is None:
        e.add("TFM-CONFIG-MISMATCH", Status.NOT_APPLICABLE,
              "no TF-M sub-build cache to compare with")
        return
    if not a.mismatches:
        e.add("TFM-CONFIG-MISMATCH", Status.PASS, "the TF-M sub-build matches the .config")
        return
    for mismatch in a.mismatches:
        e.add("TFM-CONFIG-MISMATCH", Status.FAIL,
              f"{mismatch.setting}: .config asks for {mismatch.zephyr}, TF-M was configured with "
              f"{mismatch.tfm}", subject=f"mismatch:{mismatch.setting}", actual=mismatch.tfm,
              expected=mismatch.zephyr)


def _advisories(e: _Emitter) -> None:
    for verdict in e.analysis.verdicts:
        rule = advisory_rule(verdict.advisory)
        if verdict.affected is True:
            e.add(rule, Status.FAIL, verdict.reason, actual=str(e.analysis.sub.version.version),
                  expected=f">= {verdict.advisory.fixed}" if verdict.advisory.fixed else None)
        elif verdict.affected is None and verdict.in_range:
            e.add(rule, Status.FAIL, f"possibly affected: {verdict.reason}",
                  actual=str(e.analysis.sub.version.version),
                  expected=f">= {verdict.advisory.fixed}" if verdict.advisory.fixed else None)
        elif verdict.affected is None:
            e.add(rule, Status.NOT_APPLICABLE, verdict.reason)
        elif verdict.in_range is False:
            e.add(rule, Status.PASS, verdict.reason, actual=str(e.analysis.sub.version.version))
        else:
            e.add(rule, Status.NOT_APPLICABLE, verdict.reason,
                  actual=str(e.analysis.sub.version.version))


def findings_of(analysis: TfmAnalysis) -> list[Finding]:
    """Every TF-M rule and advisory on one analysed domain, passes and non-applicable included."""
    emitter = _Emitter(analysis)
    for check in (_isolation, _provisioning, _bl2, _keys, _images, _build_type, _logging,
                  _exception_dump, _test_suites, _mismatch, _advisories):
        check(emitter)
    return emitter.findings


def tfm_findings(build: Build, domain: Domain) -> list[Finding]:
    """The TF-M findings for `domain` (kind "tfm"; its .parent is the application image)."""
    return findings_of(analyse(build, domain))
