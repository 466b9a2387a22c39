"""Zephyr's own hardening database, read from a Zephyr tree and turned into catalogue rules.

Two generations exist. Current trees have `scripts/kconfig/hardening.yaml` (profiles and rules)
plus `hardening.yaml` fragments next to the Kconfig files they concern; Zephyr 3.x has
`scripts/kconfig/hardened.csv` (`SYMBOL,value[,experimental]`). Either is loaded when the build's
tree is reachable; a damaged database raises DataFileError and the caller carries on without it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zsec_west.errors import DataFileError
from zsec_west.files.reading import is_dir, is_file, read_input_text
from zsec_west.files.yamldoc import LineDict, LineList, Where, load_yaml
from zsec_west.findings import Rule, Severity
from zsec_west.rules.fileformat import parse_profiles
from zsec_west.rules.model import CatalogueRule, Leaf, ProfileDef, format_value, normalise_value

CENTRAL = Path("scripts") / "kconfig" / "hardening.yaml"
CSV_FILE = Path("scripts") / "kconfig" / "hardened.csv"
# Where hardeninglib looks for fragments (samples and tests are deliberately not searched).
FRAGMENT_AREAS = ("arch", "boards", "drivers", "kernel", "lib", "modules", "share", "soc", "subsys")
FRAGMENT_NAME = "hardening.yaml"

SOURCE_YAML = "zephyr-hardening-db"
SOURCE_CSV = "zephyr-hardened-csv"
RULE_PREFIX = "ZEPHYR-"

_SYMBOL = re.compile(r"^[A-Z0-9_]+$")  # the YAML schema's pattern
_CSV_SYMBOL = re.compile(r"^[A-Za-z0-9_]+$")  # Kconfig itself allows lower case (BT_MESH_V1d1)
_RULE_FIELDS = {"value", "min", "max", "rationale", "references", "profiles"}


@dataclass(frozen=True)
class ZephyrDb:
    """The database of one Zephyr tree: where it was read from and what it holds."""

    root: Path
    kind: str  # "yaml" or "csv"
    files: tuple[Path, ...]
    rules: tuple[CatalogueRule, ...]
    profiles: tuple[ProfileDef, ...] = ()

    @property
    def path(self) -> Path:
        """The file a report names as the database (the central file or the CSV)."""
        return self.files[0]


def load_zephyr_db(base: Path) -> ZephyrDb | None:
    """The hardening database of the tree at `base`; None when the tree has none."""
    if is_file(base / CENTRAL):
        return _load_yaml_db(base)
    if is_file(base / CSV_FILE):
        return _load_csv_db(base)
    return None


# -- YAML generation ------------------------------------------------------------------------

def fragment_paths(base: Path) -> list[Path]:
    """The central file first, then every fragment under the searched areas, sorted."""
    found: list[Path] = []
    for area in FRAGMENT_AREAS:
        top = base / area
        if is_dir(top):
            found += [p for p in top.rglob(FRAGMENT_NAME) if is_file(p)]
    return [base / CENTRAL] + sorted(found)


def _load_yaml_db(base: Path) -> ZephyrDb:
    paths = fragment_paths(base)
    rules: list[CatalogueRule] = []
    profiles: tuple[ProfileDef, ...] = ()
    defined: dict[str, str] = {}
    for index, path in enumerate(paths):
        doc = load_yaml(path)
        file_profiles, entries = _validate_doc(doc, path, central=index == 0)
        if index == 0:
            profiles = file_profiles
        area = _area(base, path)
        for symbol, (line, body) in entries.items():
            if symbol in defined:
                raise Where(path).error(line, f"rules.{symbol}",
                                        f"{symbol} already has a rule in {defined[symbol]}")
            defined[symbol] = f"{path}:{line}"
            rules.append(_yaml_rule(symbol, body, area, f"{path}:{line}"))
    known = {p.name for p in profiles} | {"base"}
    for rule in rules:
        for profile in rule.profiles:
            if profile not in known:
                file, _, line_text = rule.origin.rpartition(":")
                raise Where(file).error(int(line_text), f"rules.{rule.subject}.profiles",
                                        f"unknown profile '{profile}'")
    return ZephyrDb(base, "yaml", tuple(paths), tuple(rules), profiles)


def _area(base: Path, path: Path) -> str:
    try:
        rel = path.parent.relative_to(base).as_posix()
    except ValueError:
        return "zephyr"
    return "general" if rel == CENTRAL.parent.as_posix() else rel


def _validate_doc(doc: Any, path: Path, central: bool) -> tuple[tuple[ProfileDef, ...],
                                                                 dict[str, tuple[int, LineDict]]]:
    """The checks of Zephyr's hardening schema, with file/line/field in every error."""
    where = Where(path)
    if not isinstance(doc, LineDict):
        raise where.error(getattr(doc, "line", None), None, "top level must be a mapping")
    extra = set(map(str, doc)) - {"profiles", "rules"}
    if extra:
        key = sorted(extra)[0]
        raise where.error(doc.line_of(key), key, "unknown top-level key")
    if "profiles" not in doc and "rules" not in doc:
        raise where.error(doc.line, None, "needs 'rules' (or, in the central file, 'profiles')")
    profiles: tuple[ProfileDef, ...] = ()
    if "profiles" in doc:
        if not central:
            raise where.error(doc.line_of("profiles"), "profiles",
                              "profiles may only be defined in scripts/kconfig/hardening.yaml")
        profiles = parse_profiles(doc, where, str(path))
    node = doc.get("rules")
    if node is None:
        return profiles, {}
    if not isinstance(node, LineDict):
        raise where.error(doc.line_of("rules"), "rules", "must map Kconfig symbols to rules")
    entries: dict[str, tuple[int, LineDict]] = {}
    for symbol, body in node.items():
        line = node.line_of(str(symbol))
        _validate_rule(symbol, body, line, where)
        entries[symbol] = (line, body)
    return profiles, entries


def _validate_rule(symbol: Any, body: Any, line: int, where: Where) -> None:
    field = f"rules.{symbol}"
    if not isinstance(symbol, str) or not _SYMBOL.match(symbol):
        raise where.error(line, "rules", f"{symbol!r} is not a Kconfig symbol name")
    if not isinstance(body, LineDict):
        raise where.error(line, field, "must be a mapping")
    unknown = set(map(str, body)) - _RULE_FIELDS
    if unknown:
        key = sorted(unknown)[0]
        raise where.error(body.line_of(key), f"{field}.{key}", "unknown field")
    rationale = body.get("rationale")
    if not isinstance(rationale, str) or not rationale.strip():
        raise where.error(body.line_of("rationale"), f"{field}.rationale", "required, non-blank text")
    has_value = "value" in body
    if has_value == ("min" in body or "max" in body):
        raise where.error(line, field, "needs exactly one of 'value' or 'min'/'max'")
    if has_value and (isinstance(body["value"], (list, dict)) or body["value"] is None):
        raise where.error(body.line_of("value"), f"{field}.value", "must be text, a number or a boolean")
    for key in ("min", "max"):
        if key in body and (not isinstance(body[key], int) or isinstance(body[key], bool)):
            raise where.error(body.line_of(key), f"{field}.{key}", "must be an integer")
    for key in ("references", "profiles"):
        value = body.get(key)
        if key in body and (not isinstance(value, LineList) or not value
                            or not all(isinstance(v, str) for v in value)):
            raise where.error(body.line_of(key), f"{field}.{key}", "must be a non-empty list of text")


def _problem(leaf: Leaf) -> str:
    return f"Zephyr hardening: CONFIG_{leaf.symbol} is not {leaf.expected_text()} as recommended"


def _yaml_rule(symbol: str, body: LineDict, area: str, origin: str) -> CatalogueRule:
    if "value" in body:
        leaf = Leaf(symbol, value=normalise_value(body["value"]))
    else:
        leaf = Leaf(symbol, min=body.get("min"), max=body.get("max"))
    profiles = tuple(body.get("profiles") or ("base",))
    severity = Severity.MEDIUM if "base" in profiles else Severity.LOW
    rule = Rule(
        id=RULE_PREFIX + symbol,
        title=f"Zephyr hardening: {leaf.describe()}",
        problem=_problem(leaf),
        severity=severity,
        category=f"zephyr/{area}",
        rationale=" ".join(body["rationale"].split()),
        fix=f"Set {leaf.describe()} in the image's configuration (prj.conf or an extra fragment).",
        references=tuple(body.get("references") or ()),
        source=SOURCE_YAML,
    )
    return CatalogueRule(rule, leaf, domains=("any",), profiles=profiles, origin=origin)


# -- CSV generation (Zephyr <= 4.x) -----------------------------------------------------------

def _load_csv_db(base: Path) -> ZephyrDb:
    path = base / CSV_FILE
    return ZephyrDb(base, "csv", (path,), tuple(parse_csv(read_input_text(path, "data", DataFileError), path)))


_MAX_DIGITS = 20  # Kconfig int and hex values are 64-bit at most


def _rows(text: str, where: Where) -> Iterator[list[str]]:
    """csv.reader's rows; its own errors (a field beyond its size limit, a NUL) name the line."""
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise where.error(reader.line_num, None, f"not a CSV row: {exc}") from None
        yield row


def parse_csv(text: str, path: Path) -> list[CatalogueRule]:
    """Rows of hardened.csv; like hardenconfig, lines with fewer than two columns are ignored."""
    where = Where(path)
    rules: list[CatalogueRule] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(_rows(text, where), start=1):
        cells = [cell.strip() for cell in row]
        if len(cells) < 2 or not cells[0] or cells[0].startswith("#"):
            continue
        symbol, raw = cells[0], cells[1]
        if not _CSV_SYMBOL.match(symbol):
            raise where.error(number, "symbol", f"{symbol!r} is not a Kconfig symbol name")
        if not raw:
            raise where.error(number, "recommended", f"{symbol} has no recommended value")
        if symbol in seen:  # the file has repeated rows; the first one counts, as in hardenconfig
            continue
        seen[symbol] = number
        experimental = any(cell.lower() == "experimental" for cell in cells[2:])
        if re.fullmatch(r"-?\d+", raw, re.ASCII) and len(raw) > _MAX_DIGITS:
            raise where.error(number, "recommended", f"{symbol}: a number of {len(raw)} digits is no Kconfig value")
        value: str | int = int(raw) if re.fullmatch(r"-?\d+", raw, re.ASCII) else raw
        leaf = Leaf(symbol, value=value)
        rationale = (f"Zephyr's hardened.csv recommends {format_value(value)} for this symbol"
                     + (" because the feature is experimental and not ready for production use."
                        if experimental else "."))
        rule = Rule(
            id=RULE_PREFIX + symbol,
            title=f"Zephyr hardening: {leaf.describe()}",
            problem=_problem(leaf),
            severity=Severity.INFO if experimental else Severity.LOW,
            category="zephyr/experimental" if experimental else "zephyr/hardened-csv",
            rationale=rationale,
            fix=f"Set {leaf.describe()} in the image's configuration (prj.conf or an extra fragment).",
            references=("https://docs.zephyrproject.org/latest/security/hardening-tool.html",),
            source=SOURCE_CSV,
        )
        rules.append(CatalogueRule(rule, leaf, domains=("any",), profiles=("base",),
                                   origin=f"{path}:{number}"))
    return rules
