"""The rule catalogue of one run: our rules, generated ones, the user's rule files and a foreign
database (Zephyr's hardening database), merged.

Precedence: a user rule with the id of one of ours replaces it (that is how a team retunes a
rule); any of our or the user's rules that checks a symbol in a domain kind takes that symbol
away from the foreign database in that kind ("our rule wins on a clash").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from zsec_west.errors import DataFileError
from zsec_west.files import shipped
from zsec_west.files.yamldoc import load_yaml
from zsec_west.rules.fileformat import RuleParser
from zsec_west.rules.model import ANY_KINDS, DOMAIN_KINDS, CatalogueRule, ProfileDef, RuleFile
from zsec_west.rules.profiles import Profiles

PACKAGE_RULES = "rules"  # folder in zsec_west/data
USER_SOURCE = "user"


class ForeignRules(Protocol):
    """Rules read from somewhere else (Zephyr's hardening database), with their profiles."""

    @property
    def path(self) -> Path: ...

    @property
    def kind(self) -> str: ...

    @property
    def rules(self) -> tuple[CatalogueRule, ...]: ...

    @property
    def profiles(self) -> tuple[ProfileDef, ...]: ...


@dataclass(frozen=True)
class GeneratedRules:
    """Rules made from another shipped table (e.g. one per TF-M advisory), and where from."""

    source: str
    rules: tuple[CatalogueRule, ...]


@lru_cache(maxsize=1)
def package_files() -> tuple[RuleFile, ...]:
    """Our own catalogue, one file per family, validated like any other rule file."""
    return tuple(RuleParser(shipped.label(name)).parse_file(shipped.document(name))
                 for name in shipped.names(PACKAGE_RULES))


def load_rule_file(path: Path) -> RuleFile:
    """A user's rule file (`--rules FILE`), validated the same way as ours."""
    return RuleParser(path, USER_SOURCE).parse_file(load_yaml(path))


@dataclass
class Catalogue:
    """Every rule a run may evaluate, and where each came from."""

    own: list[CatalogueRule]
    profiles: Profiles
    zephyr: ForeignRules | None = None
    sources: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._covered: dict[str, set[str]] = {kind: set() for kind in DOMAIN_KINDS}
        for rule in self.own:
            for kind in DOMAIN_KINDS:
                if rule.applies_to_kind(kind):
                    self._covered[kind] |= rule.symbols()

    @property
    def zephyr_rules(self) -> list[CatalogueRule]:
        return list(self.zephyr.rules) if self.zephyr else []

    def all_rules(self) -> list[CatalogueRule]:
        return self.own + self.zephyr_rules

    def get(self, rule_id: str) -> CatalogueRule | None:
        wanted = rule_id.strip().upper()
        return next((rule for rule in self.all_rules() if rule.id.upper() == wanted), None)

    def for_kind(self, kind: str) -> list[CatalogueRule]:
        """The rules evaluated on a domain of `kind`, Zephyr's only where ours do not clash."""
        chosen = [rule for rule in self.own if rule.applies_to_kind(kind)]
        covered = self._covered.get(kind, set())
        chosen += [rule for rule in self.zephyr_rules
                   if rule.applies_to_kind(kind) and rule.subject not in covered]
        return chosen

    def in_profile(self, kind: str, profile: str) -> list[CatalogueRule]:
        """`for_kind(kind)` narrowed to the rules `profile` selects."""
        return [rule for rule in self.for_kind(kind) if self.profiles.includes(profile, rule.profiles)]

    def shadowed(self, kind: str) -> list[CatalogueRule]:
        """Zephyr rules that one of ours replaces in `kind` (for -v diagnostics)."""
        covered = self._covered.get(kind, set())
        return [rule for rule in self.zephyr_rules
                if rule.applies_to_kind(kind) and rule.subject in covered]


def _add_unique(rules: dict[str, CatalogueRule], new: Iterable[CatalogueRule],
                seen: dict[str, str]) -> None:
    for rule in new:
        if rule.id in seen:
            raise DataFileError(f"rule id {rule.id} is defined twice (also at {seen[rule.id]})",
                                path=rule.origin)
        seen[rule.id] = rule.origin
        rules[rule.id] = rule


def _check_names(catalogue: Catalogue, builtins: Collection[str] | None) -> None:
    """Every profile and builtin a rule names exists."""
    for rule in catalogue.all_rules():
        for name in rule.profiles:
            if name not in catalogue.profiles.by_name:
                raise DataFileError(f"rule {rule.id} names unknown profile '{name}' "
                                    f"(known: {', '.join(catalogue.profiles.names())})", path=rule.origin)
        if builtins is not None and rule.builtin is not None and rule.builtin not in builtins:
            raise DataFileError(f"rule {rule.id}: unknown builtin check '{rule.builtin}' "
                                f"(known: {', '.join(sorted(builtins))})", path=rule.origin)


def build_catalogue(user_files: list[Path] | None = None, zephyr: ForeignRules | None = None,
                    generated: Iterable[GeneratedRules] = (),
                    builtins: Collection[str] | None = None) -> Catalogue:
    """Ours and the generated ones, then the user's (replacing ours by id), then Zephyr's.

    `builtins` names the builtin checks the caller can run; a rule naming another is refused.
    """
    rules: dict[str, CatalogueRule] = {}
    own_seen: dict[str, str] = {}
    own_profiles: list[ProfileDef] = []
    for rule_file in package_files():
        own_profiles += rule_file.profiles
        _add_unique(rules, rule_file.rules, own_seen)
    sources = [f"{shipped.label(PACKAGE_RULES)} ({len(rules)} rules)"]
    for group in generated:
        _add_unique(rules, group.rules, own_seen)
        sources.append(f"{group.source} ({len(group.rules)} rules)")
    user_profiles: list[ProfileDef] = []
    user_seen: dict[str, str] = {}
    for path in user_files or []:
        rule_file = load_rule_file(path)
        user_profiles += rule_file.profiles
        _add_unique(rules, rule_file.rules, user_seen)
        sources.append(f"{path} ({len(rule_file.rules)} rules)")
    zephyr_profiles = zephyr.profiles if zephyr else ()
    profiles = Profiles.merge(tuple(own_profiles), tuple(user_profiles), zephyr_profiles)
    if zephyr is not None:
        sources.append(f"{zephyr.path} ({len(zephyr.rules)} rules, Zephyr {zephyr.kind} database)")
    catalogue = Catalogue(list(rules.values()), profiles, zephyr, sources)
    _check_names(catalogue, builtins)
    return catalogue


__all__ = ["ANY_KINDS", "Catalogue", "GeneratedRules", "build_catalogue", "load_rule_file",
           "package_files"]
