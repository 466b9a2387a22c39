"""From a build to SBOM files: inventory, packages, hashes, documents, the system document.

`generate(build, options)` writes one document per image domain (named after the domain; a
plain build's after its application) plus `system.<ext>` when the build has several images,
and returns what it wrote, the components for vulnerability matching, and every gap.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from zsec_west.builddir import SYSBUILD, Build, Domain
from zsec_west.errors import UsageError
from zsec_west.files.reading import name_problem
from zsec_west.files.writing import Output, write_error, write_set
from zsec_west.sbom.bsi import contact_kind
from zsec_west.sbom.component import Component
from zsec_west.sbom.document import DocumentInfo, SystemEntry, SystemImage
from zsec_west.sbom.gcpause import gc_paused
from zsec_west.sbom.hashing import hash_files
from zsec_west.sbom.identifiers import check_organization, load_table
from zsec_west.sbom.inventory import Inventory, collect
from zsec_west.sbom.packages import GENERATED, attach_facts
from zsec_west.sbom.planner import DomainPlan, Planner
from zsec_west.sbom.writers import SBOM_FORMATS, extension, writer

DEFAULT_NAMESPACE = "https://spdx.org/spdxdocs/zsec-west"

# RFC 3986: a scheme, then only unreserved, reserved (but no '#': SPDX forbids a fragment) and
# percent-encoded characters.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")


def namespace_problem(prefix: str) -> str | None:
    """Why `prefix` cannot start an SPDX document namespace (an absolute URI without '#')."""
    if _URI.fullmatch(prefix):
        return None
    if "#" in prefix:
        return "must not contain '#' (SPDX document namespaces have no fragment)"
    return ("is not an absolute URI such as https://example.com/spdx (a scheme, then no spaces or "
            "other characters RFC 3986 does not allow)")


# Console.progress: (label, total) -> a context manager with advance(n)
ProgressFactory = Callable[[str, int], Any]


@dataclass(frozen=True)
class SbomOptions:
    """What to write and how; every field has a sensible default."""

    output_dir: Path | None = None  # default: <build dir>/sbom
    fmt: str = "spdx-json"
    domains: tuple[str, ...] = ()  # default: every image
    supplier: str | None = None  # the application's (and image's) supplier
    author: str | None = None  # organisation named as the SBOM's creator (default: supplier)
    namespace_prefix: str = DEFAULT_NAMESPACE
    created: _dt.datetime | None = None  # default: now (UTC); SOURCE_DATE_EPOCH via the CLI
    workers: int | None = None
    identifiers: Path | None = None  # another identifiers table (tests, site overrides)
    author_contact: str | None = None  # e-mail or URL of the author (CycloneDX, SPDX 3)
    supplier_contact: str | None = None  # e-mail or URL of the application's supplier
    # False: the documents are left in SbomResult.outputs, for the caller to write with other
    # files of the run (the VEX document) as one set: write_documents(result, more)
    write: bool = True


@dataclass(frozen=True)
class WrittenDocument:
    domain: str  # domain name, or "system"
    path: Path
    packages: int
    files: int  # files listed with hashes
    missing_files: int  # files the build used that could not be read here
    sha256: str


@dataclass
class SbomResult:
    """What generate() produced."""

    output_dir: Path
    fmt: str
    documents: list[WrittenDocument] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    plans: list[DomainPlan] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    files_hashed: int = 0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    outputs: list[Output] = field(default_factory=list)  # the documents, written or to write


def _created(options: SbomOptions) -> _dt.datetime:
    moment = options.created or _dt.datetime.now(_dt.timezone.utc)
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _namespace(options: SbomOptions, build: Build, name: str, created: _dt.datetime,
               digest: str) -> str:
    """Unique per document content and time, yet reproducible for identical inputs."""
    unique = uuid.uuid5(uuid.NAMESPACE_URL, f"{build.top.name}|{name}|{created.isoformat()}|"
                                            f"{digest}")
    return (f"{options.namespace_prefix.rstrip('/')}/{quote(build.top.name or 'build', safe='')}/"
            f"{quote(name, safe='')}-{unique}")


def _plan_digest(plan: DomainPlan) -> str:
    digest = hashlib.sha256()
    for package in plan.packages:
        digest.update(f"{package.key}={package.version.version}\n".encode())
        for name, facts in package.files:
            digest.update(f"{name}:{facts.sha1}\n".encode())
    for rel, facts in plan.image.files:
        digest.update(f"{rel}:{facts.sha256}\n".encode())
    return digest.hexdigest()


def select_domains(build: Build, names: tuple[str, ...]) -> list[Domain]:
    if not names:
        return build.images
    chosen = build.select(list(names))
    for domain in chosen:
        if domain.kind == SYSBUILD:
            raise UsageError("the sysbuild level has no image of its own; name an image domain "
                             f"({', '.join(d.name for d in build.images)})")
    return chosen


def _creator_comment(inv: Inventory) -> str:
    used = "; ".join(inv.used) or "build metadata only"
    text = (f"Generated from the build directory of domain '{inv.domain}' without a pre-build "
            f"step. Inputs read: {used}.")
    if inv.gaps:
        text += " Not available: " + "; ".join(gap.split(": ", 1)[-1] for gap in inv.gaps) + "."
    return text


def _domain_gaps(inv: Inventory, plan: DomainPlan) -> list[str]:
    gaps = list(inv.gaps) + list(plan.notes)
    missing = sum(len(p.missing) for p in plan.packages)
    listed = sum(len(p.files) for p in plan.packages)
    if missing:
        gaps.append(f"{plan.domain.name}: {missing} of {missing + listed} files the build used "
                    "could not be read here; they are counted, not listed")
    if plan.unattributed:
        sample = ", ".join(plan.unattributed[:3])
        gaps.append(f"{plan.domain.name}: {len(plan.unattributed)} files outside every known "
                    f"package are not listed (e.g. {sample})")
    if plan.image.missing:
        gaps.append(plan.image.missing)
    return gaps


def _document_comment(plan: DomainPlan, gaps: list[str]) -> str | None:
    lines = []
    if plan.unused_modules:
        lines.append("Modules known to the build but not used by this image: "
                     + ", ".join(sorted(plan.unused_modules)) + ".")
    lines += [gap.split(": ", 1)[-1][:1].upper() + gap.split(": ", 1)[-1][1:] + "."
              for gap in gaps]
    return " ".join(lines) or None


def generate(build: Build, options: SbomOptions, progress: ProgressFactory | None = None
             ) -> SbomResult:
    """Write the SBOM documents of `build` and return what was written."""
    if options.fmt not in SBOM_FORMATS:
        raise UsageError(f"unknown SBOM format {options.fmt!r} ({', '.join(SBOM_FORMATS)})")
    for flag, value in (("--supplier", options.supplier), ("--author", options.author)):
        problem = check_organization(value) if value is not None else None
        if problem:
            raise UsageError(f"{flag} {value!r} {problem}")
    for flag, value in (("--supplier-contact", options.supplier_contact),
                        ("--author-contact", options.author_contact)):
        if value is not None and contact_kind(value) is None:
            raise UsageError(f"{flag} {value!r} is neither an e-mail address nor an http(s) URL")
    problem = namespace_problem(options.namespace_prefix)
    if problem:
        raise UsageError(f"--namespace-prefix {options.namespace_prefix!r} {problem}")
    domains = select_domains(build, options.domains)
    output_dir = options.output_dir or build.top / "sbom"
    result = SbomResult(output_dir, options.fmt)
    table = load_table(options.identifiers)
    planner = Planner(build, table, supplier=options.supplier)
    created = _created(options)

    with gc_paused():  # tens of thousands of file facts and strings, walked again and again
        _run(build, options, domains, result, planner, created, progress)
    if options.write:
        write_documents(result)
    return result


def write_documents(result: SbomResult, more: Sequence[Output] = ()) -> None:
    """Write the documents of `result` and `more` (a VEX document) as one set: all new, or
    when one cannot be written, all as they were (files/writing.py write_set). Only the output
    directory is created when missing."""
    problem = name_problem(result.output_dir)
    if problem:
        raise UsageError(problem, path=result.output_dir)
    try:
        result.output_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError("--output-dir names a file, not a directory", path=result.output_dir) from None
    except OSError as exc:
        raise write_error(exc, result.output_dir) from None
    targets = write_set([*result.outputs, *more])
    where = dict(zip((out.path for out in result.outputs), targets, strict=False))
    result.documents = [replace(doc, path=where.get(doc.path, doc.path)) for doc in result.documents]


def _run(build: Build, options: SbomOptions, domains: list[Domain], result: SbomResult,
         planner: Planner, created: _dt.datetime, progress: ProgressFactory | None) -> None:
    output_dir = result.output_dir
    clock = time.perf_counter()
    inventories = [collect(domain) for domain in domains]
    known_versions = {inv.compiler: inv.compiler_version for inv in inventories
                      if inv.compiler and inv.compiler_version}
    for inv in inventories:
        # The TF-M sub-build has no compile database; it uses the same compiler as its parent.
        if inv.compiler and not inv.compiler_version:
            inv.compiler_version = known_versions.get(inv.compiler)
    plans = [planner.plan(domain, inv) for domain, inv in zip(domains, inventories, strict=False)]
    result.timings["inventory"] = time.perf_counter() - clock
    clock = time.perf_counter()
    local_paths = [local for plan in plans for package in plan.packages for path in package.paths
                   if (local := package.local_path(path)) is not None]
    unique = list(dict.fromkeys(local_paths))
    context = progress("hashing", len(unique)) if progress and unique else nullcontext()
    with context as bar:
        # The writer's library loads while a helper process starts hashing (hashing.py).
        facts = hash_files(unique, workers=options.workers,
                           progress=bar.advance if bar is not None else None,
                           meanwhile=lambda: writer(options.fmt))
    result.files_hashed = len(unique)
    for plan in plans:
        attach_facts(plan.packages, facts)
    result.plans = plans
    result.timings["hashing"] = time.perf_counter() - clock
    clock = time.perf_counter()

    suffix = extension(options.fmt)
    entries = [_domain_document(build, options, created, output_dir / f"{plan.domain.name}{suffix}",
                             inv, plan, result)
               for inv, plan in zip(inventories, plans, strict=False)]
    if len(entries) > 1 or (build.is_sysbuild and entries and not options.domains):
        result.documents.append(_system_document(build, options, plans, entries, created,
                                              output_dir / f"system{suffix}", result))
    result.timings["documents"] = time.perf_counter() - clock


def _domain_document(build: Build, options: SbomOptions, created: _dt.datetime, path: Path,
                  inv: Inventory, plan: DomainPlan, result: SbomResult) -> SystemEntry:
    """One domain's document; records it, its components and gaps in `result`."""
    domain = plan.domain.name
    gaps = _domain_gaps(inv, plan)
    result.gaps += gaps
    info = DocumentInfo(
        name=domain, namespace=_namespace(options, build, domain, created, _plan_digest(plan)),
        created=created, author=options.author or plan.image.supplier,
        creator_comment=_creator_comment(inv), comment=_document_comment(plan, gaps),
        author_contact=options.author_contact, supplier_contact=options.supplier_contact)
    written_doc = writer(options.fmt).domain_document(plan, info, options.fmt)
    text, ids, namespace = written_doc.text, written_doc.package_ids, written_doc.namespace
    data = text.encode("utf-8")  # once, for the file and both digests (megabytes)
    result.outputs.append(Output(path, data))
    written = WrittenDocument(domain, path, len(plan.packages) + 1,
                              sum(len(p.files) for p in plan.packages),
                              sum(len(p.missing) for p in plan.packages),
                              hashlib.sha256(data).hexdigest())
    result.documents.append(written)
    # Generated files are this build's own output, not a component to match advisories to.
    result.components += [package.component(domain, ids[package.key])
                          for package in plan.packages if package.kind != GENERATED]
    image_file = None
    if plan.image.files:
        base = plan.domain.build_dir / plan.image.files[0][0]
        try:
            image_file = base.resolve().relative_to(build.top.resolve()).as_posix()
        except ValueError:
            image_file = plan.image.files[0][0]
    return SystemEntry(domain, _written_name(path), namespace, hashlib.sha1(data).hexdigest(),
                       written.sha256, plan.image, image_file)


def _written_name(path: Path) -> str:
    """The name the document will have: a symlink's target is what is written (writing.py)."""
    return Path(os.path.realpath(path)).name if os.path.islink(path) else path.name


def _system_document(build: Build, options: SbomOptions, plans: list[DomainPlan],
                  entries: list[SystemEntry], created: _dt.datetime, path: Path,
                  result: SbomResult) -> WrittenDocument:
    default = next((p for p in plans if p.domain.is_default), plans[0])
    name = f"{default.image.name}-system"
    flash_order = build.domains_file.flash_order if build.domains_file else ()
    if flash_order:
        entries = sorted(entries, key=lambda e: flash_order.index(e.domain)
                         if e.domain in flash_order else len(flash_order))
    digest = hashlib.sha256("".join(e.sha256 for e in entries).encode()).hexdigest()
    info = DocumentInfo(
        name="system", namespace=_namespace(options, build, "system", created, digest),
        created=created, author=options.author or default.image.supplier,
        creator_comment="Generated by zsec-west: the images of this build and the documents "
                        "that describe each of them.",
        comment=None, author_contact=options.author_contact,
        supplier_contact=options.supplier_contact)
    system = SystemImage(name, default.image.version, default.image.supplier, tuple(flash_order))
    text = writer(options.fmt).system_document(system, entries, info, options.fmt)
    result.outputs.append(Output(path, text))
    return WrittenDocument("system", path, len(entries) + 1, 0, 0,
                           hashlib.sha256(text.encode("utf-8")).hexdigest())
