"""The rule catalogue of one run: our rules, the user's rule files and Zephyr's database, merged.

Precedence: a user rule with the id of one of ours replaces it (that is how a team retunes a
rule); any of our or the user's rules that checks a symbol in a domain kind takes that symbol
away from Zephyr's database in that kind ("our rule wins on a clash").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from zsec_west.check.profiles import Profiles
from zsec_west.check.rulefile import RuleParser
from zsec_west.check.rules import ANY_KINDS, DOMAIN_KINDS, CatalogueRule, ProfileDef, RuleFile
from zsec_west.check.zephyrdb import ZephyrDb
from zsec_west.errors import DataFileError
from zsec_west.files.yamldoc import load_yaml, parse_yaml

PACKAGE_RULES = "data/rules"
USER_SOURCE = "user"


@lru_cache(maxsize=1)
def package_files() -> tuple[RuleFile, ...]:
    """Our own catalogue, one file per family, validated like any other rule file."""
    folder = resources.files("zsec_west").joinpath(PACKAGE_RULES)
    files = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        source = f"zsec_west/{PACKAGE_RULES}/{entry.name}"
        doc = parse_yaml(entry.read_text(encoding="utf-8"), source)
        files.append(RuleParser(source).parse_file(doc))
    return tuple(files)


def load_rule_file(path: Path) -> RuleFile:
    """A user's rule file (`--rules FILE`), validated the same way as ours."""
    return RuleParser(path, USER_SOURCE).parse_file(load_yaml(path))


@dataclass
class Catalogue:
    """Every rule a run may evaluate, and where each came from."""

    own: list[CatalogueRule]
    profiles: Profiles
    zephyr: ZephyrDb | None = None
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

    def shadowed(self, kind: str) -> list[CatalogueRule]:
        """Zephyr rules that one of ours replaces in `kind` (for -v diagnostics)."""
        covered = self._covered.get(kind, set())
        return [rule for rule in self.zephyr_rules
                if rule.applies_to_kind(kind) and rule.subject in covered]


def build_catalogue(user_files: list[Path] | None = None,
                    zephyr: ZephyrDb | None = None) -> Catalogue:
    """Ours, then the user's (replacing ours by id), then Zephyr's database."""
    rules: dict[str, CatalogueRule] = {}
    own_profiles: list[ProfileDef] = []
    sources = []
    for rule_file in package_files():
        own_profiles += rule_file.profiles
        for rule in rule_file.rules:
            if rule.id in rules:
                raise DataFileError(f"rule id {rule.id} is defined twice (also at "
                                    f"{rules[rule.id].origin})", path=rule.origin)
            rules[rule.id] = rule
    sources.append(f"zsec_west/{PACKAGE_RULES} ({len(rules)} rules)")
    user_profiles: list[ProfileDef] = []
    user_ids: dict[str, str] = {}
    for path in user_files or []:
        rule_file = load_rule_file(path)
        user_profiles += rule_file.profiles
        for rule in rule_file.rules:
            if rule.id in user_ids:
                raise DataFileError(f"rule id {rule.id} is defined twice (also at "
                                    f"{user_ids[rule.id]})", path=rule.origin)
            user_ids[rule.id] = rule.origin
            rules[rule.id] = rule
        sources.append(f"{path} ({len(rule_file.rules)} rules)")
    zephyr_profiles = zephyr.profiles if zephyr else ()
    profiles = Profiles.merge(tuple(own_profiles), tuple(user_profiles), zephyr_profiles)
    if zephyr is not None:
        sources.append(f"{zephyr.path} ({len(zephyr.rules)} rules, Zephyr {zephyr.kind} database)")
    catalogue = Catalogue(list(rules.values()), profiles, zephyr, sources)
    for rule in catalogue.all_rules():
        for name in rule.profiles:
            if name not in profiles.by_name:
                raise DataFileError(f"rule {rule.id} names unknown profile '{name}' "
                                    f"(known: {', '.join(profiles.names())})", path=rule.origin)
    return catalogue


__all__ = ["ANY_KINDS", "Catalogue", "build_catalogue", "load_rule_file", "package_files"]
