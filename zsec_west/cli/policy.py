"""Workspace policy: defaults for the commands from the environment and west's configuration.

A vendor SDK or a CI image sets them once (`west config --system zsec.profile production`, or
ZSEC_PROFILE=production in the image) instead of on every command line. Precedence, highest first:

  1. the option on the command line;
  2. the environment variable (ZSEC_PROFILE, ...), read by `zsec` and by `west sec-*`;
  3. west's configuration (`zsec.profile`, ...; west merges its system, global and workspace
     files), read by `west sec-*` and by the steps the Zephyr module runs inside `west build`;
  4. the command's own default.

The parser hook (`prepare_parser`) sets the default of every option the policy can fill to None,
so that after parsing "not given" can be told from "given with the default value"; `apply_policy`
then fills what was not given. Both front ends call the two hooks, so `zsec X` and `west sec-X`
behave alike.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zsec_west.errors import UsageError

SECTION = "zsec"
_DEFAULTS_ATTR = "_zsec_policy_defaults"


@dataclass(frozen=True)
class Setting:
    key: str  # the west configuration option, without the section
    kind: str  # text | severity | path | paths | key

    @property
    def env(self) -> str:
        return "ZSEC_" + self.key.upper().replace("-", "_")

    @property
    def west_key(self) -> str:
        return f"{SECTION}.{self.key}"


SETTINGS = {s.key: s for s in (
    Setting("profile", "text"),
    Setting("fail-on", "severity"),
    Setting("waivers", "path"),
    Setting("rules", "paths"),
    Setting("vuln-data", "paths"),
    Setting("sign-key", "key"),
)}

# command -> {argparse dest: (setting key, type of the parsed value)}. The value type is what
# argparse itself would have produced for the option (check's --rules holds Paths, sbom's
# --vuln-data strings), so the command cannot tell a policy value from a typed one.
TARGETS: dict[str, dict[str, tuple[str, type]]] = {
    "check": {"profile": ("profile", str), "fail_on": ("fail-on", str),
              "waivers": ("waivers", Path), "rules": ("rules", Path)},
    "sbom": {"fail_on": ("fail-on", str), "vuln_data": ("vuln-data", str)},
    "tfm": {"fail_on": ("fail-on", str)},
    "sign": {"key": ("sign-key", str)},  # the `sign` action only, not verify/getpub
}


@dataclass(frozen=True)
class PolicyValue:
    text: str
    origin: str  # where it came from, for messages: "ZSEC_PROFILE" or "west config zsec.profile"
    base: Path | None  # what a relative path is relative to (None: the current directory)


@dataclass(frozen=True)
class Policy:
    values: Mapping[str, PolicyValue] = field(default_factory=dict)

    def get(self, key: str) -> PolicyValue | None:
        return self.values.get(key)


ConfigGetter = Callable[[str], "str | None"]


def load_policy(environ: Mapping[str, str], config_get: ConfigGetter | None = None,
                west_topdir: Path | None = None) -> Policy:
    """The policy from the environment, then west's configuration (relative paths in west's
    configuration are relative to the workspace top directory, like the build's key paths)."""
    values: dict[str, PolicyValue] = {}
    for setting in SETTINGS.values():
        text = environ.get(setting.env, "").strip()
        if text:
            values[setting.key] = PolicyValue(text, setting.env, None)
            continue
        if config_get is not None:
            text = (config_get(setting.west_key) or "").strip()
            if text:
                values[setting.key] = PolicyValue(text, f"west config {setting.west_key}", west_topdir)
    return Policy(values)


def west_config_getter(west_topdir: Path | None) -> ConfigGetter | None:
    """A reader of west's configuration for a workspace (system and global files without one);
    None when west cannot read it."""
    try:
        from west.configuration import Configuration
        config = Configuration(topdir=west_topdir)
    except Exception:  # a missing or broken west installation leaves only the environment
        return None
    return lambda option: config.get(option)


def _resolve(text: str, base: Path | None) -> str:
    path = Path(text).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    return str(path)


def refuse_pin_value(text: str, origin: str) -> None:
    """A PIN does not belong in configuration files, Kconfig or the environment's key setting."""
    if text.startswith("pkcs11:") and "pin-value=" in text:
        raise UsageError(f"{origin}: the pkcs11: URI carries the token PIN (pin-value); "
                         "configuration must not hold it",
                         hint="use pin-source=FILE in the URI, or name a variable with --key-password-env")


def convert(key: str, value: PolicyValue, as_type: type) -> Any:
    """The parsed-option value for a policy setting; UsageError naming its origin if invalid."""
    kind = SETTINGS[key].kind
    text = value.text
    if kind == "severity":
        from zsec_west.findings import Severity  # noqa: PLC0415 - signing needs no findings model

        labels = [s.label for s in Severity]
        if text.lower() not in labels:
            raise UsageError(f"{value.origin}: '{text}' is not a severity ({', '.join(labels)})")
        return text.lower()
    if kind == "path":
        return as_type(_resolve(text, value.base))
    if kind == "paths":
        return [as_type(_resolve(part, value.base)) for part in text.split(os.pathsep) if part.strip()]
    if kind == "key":
        if text.startswith("pkcs11:"):
            refuse_pin_value(text, value.origin)
            return text
        return _resolve(text, value.base)
    return text


def _policy_parser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser | None:
    """The parser holding the options: the command's own, or for `sign` its `sign` action."""
    if command != "sign":
        return parser
    for action in parser._actions:  # argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get("sign")
            return chosen if isinstance(chosen, argparse.ArgumentParser) else None
    return None


def prepare_parser(parser: argparse.ArgumentParser, command: str) -> None:
    """Let the policy fill the command's options: their defaults become None (see module doc)."""
    dests = TARGETS.get(command)
    target = _policy_parser(parser, command) if dests else None
    if target is None or dests is None:
        return
    originals: dict[str, tuple[str, type, Any]] = {}
    for action in target._actions:
        if action.dest in dests and action.dest not in originals:
            key, as_type = dests[action.dest]
            originals[action.dest] = (key, as_type, action.default)
            action.default = None
    target.set_defaults(**{_DEFAULTS_ATTR: originals})


def _sign_key_applies(args: argparse.Namespace) -> bool:
    # -k means the command's public key with --sign-command, and nothing with --fix-sig.
    return not (getattr(args, "sign_command", None) or getattr(args, "fix_sig", None))


def apply_policy(args: argparse.Namespace, policy: Policy) -> list[str]:
    """Fill the options not given on the command line; returns 'option from origin' notes."""
    originals: dict[str, tuple[str, type, Any]] | None = getattr(args, _DEFAULTS_ATTR, None)
    if not originals:
        return []
    notes: list[str] = []
    for dest, (key, as_type, original) in originals.items():
        if getattr(args, dest, None) is not None:
            continue
        value = policy.get(key)
        if value is not None and (key != "sign-key" or _sign_key_applies(args)):
            setattr(args, dest, convert(key, value, as_type))
            notes.append(f"{key} from {value.origin}")
        else:
            setattr(args, dest, original)
    return notes
