"""The hostile suite's runner: every selected run happens once per session, in parallel forks.

Each test of the suite is one command on one case. After collection, the templates are made and
each command runs once on its intact template, in this process (to load shipped data and lazy
imports before forking) and in a traced child (the baseline: which files the command opens).
A content mutation of a file that a command never opens cannot change what it does, so that
run is deselected; mutations of the file itself (FIFO, missing, directory ...) run everywhere.
The first test that asks for an outcome then runs every selected run (harness.run_all, two or
more at a time) and the tests only judge.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.hostile import catalogue, commandlines, mutations
from tests.hostile.catalogue import Case, CaseRun
from tests.hostile.harness import Outcome, Run, run_all

FULL = os.environ.get("ZSEC_HOSTILE_FULL") == "1"
# Groups whose damage is the command line: never run in this process (a warm-up of
# `--jobs 1000000` would start a million threads here), no baseline.
COMMAND_LINE_GROUPS = ("paths", "argv")


def selected_groups() -> list[catalogue.Group]:
    return [g for g in catalogue.groups() if FULL or not g.full_only]


def case_runs(groups: list[catalogue.Group]) -> list[CaseRun]:
    return [CaseRun(Case(group.name, target, mutation), command)
            for group in groups
            for target, found in group.targets.items()
            for mutation in found
            for command in group.commands_for(target)]


def in_process(argv: list[str], cwd: Path) -> int:
    """`zsec argv` in this process (to warm caches before forking, or to make a template file)."""
    from zsec_west.cli.app import main

    old = Path.cwd()
    os.chdir(cwd)
    try:
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            try:
                return main(argv)
            except SystemExit as exc:
                return int(exc.code or 0)
    finally:
        os.chdir(old)


def snapshot(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@dataclass
class Hostile:
    root: Path
    groups: dict[str, catalogue.Group]
    templates: dict[str, Path] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    baselines: dict[str, Outcome] = field(default_factory=dict)
    case_dirs: dict[str, Path] = field(default_factory=dict)
    run_dirs: dict[str, Path] = field(default_factory=dict)
    before: dict[str, dict[str, str]] = field(default_factory=dict)
    key: Path | None = None

    @classmethod
    def create(cls, root: Path) -> Hostile:
        catalogue.make_specials(root / "specials")
        state = cls(root, {g.name: g for g in catalogue.groups()})
        state.key = catalogue.signing_key()
        if state.key is None:  # without the shared development keys, a fresh key signs
            from cryptography.hazmat.primitives.asymmetric import rsa

            from zsec_west.sign import keytools
            state.key = root / "rsa-2048.pem"
            state.key.write_bytes(keytools.private_pem(rsa.generate_private_key(65537, 2048)))
        return state

    # -- templates ----------------------------------------------------------------------------
    def template(self, group: str) -> Path:
        if group not in self.templates:
            path = self.root / "templates" / group
            self.groups[group].build(path)
            self._finish_template(path)
            self.templates[group] = path
        return self.templates[group]

    def _finish_template(self, path: Path) -> None:
        if (path / "good.pem").exists():  # keys, images, firmware: a signed image of in.bin
            in_process(["sign", "-k", "good.pem", *catalogue.SIGN_ARGS, "in.bin", "signed.bin"], path)
            # As Intel HEX, padded: the image at the slot start and the trailer at its end, apart.
            in_process(["sign", "-k", "good.pem", *catalogue.SIGN_ARGS, "--pad", "--hex-addr", "0x10000",
                        "in.bin", "signed.hex"], path)
            assert (path / "signed.bin").is_file() and (path / "signed.hex").is_file(), path
        if (path / "nvd.json").exists():  # feeds: an index and a VEX document of the hello build
            hello = str(self.hello)
            in_process(["sbom", "-d", hello, "--db", "index.sqlite", "--vuln-data", "nvd.json",
                        "--output-dir", "out"], path)
            in_process(["sbom", "-d", hello, "--vulns", "--vex-out", "vex.json", "--output-dir", "out"], path)
            shutil.rmtree(path / "out", ignore_errors=True)

    def _standalone_build(self, name: str, source: Path) -> Path:
        if name not in self.templates:
            path = self.root / "templates" / name / "B"
            catalogue.copy_build(source, path)
            self.templates[name] = path
        return self.templates[name]

    @property
    def hello(self) -> Path:
        return self._standalone_build("_hello", catalogue.BUILDS_41 / "hello")

    @property
    def tfm(self) -> Path:
        return self._standalone_build("_tfm", catalogue.BUILDS_41 / "tfm-ns")

    def argv(self, command: catalogue.Command, case: Case | None = None) -> tuple[str, ...]:
        names = {"{KEY}": str(self.key), "{HELLO}": str(self.hello), "{TFM}": str(self.tfm)}
        if case is not None and case.group == "paths":
            names["{P}"] = commandlines.PATH_VALUES[case.mutation]
        return tuple(names.get(word, word) for word in command.argv)

    # -- baselines ------------------------------------------------------------------------------
    def prepare(self, runs: list[CaseRun]) -> None:
        """Templates and baselines for these runs."""
        pairs = sorted({(r.case.group, r.command) for r in runs if r.case.group not in COMMAND_LINE_GROUPS},
                       key=lambda p: (p[0], p[1].name))
        for group in {r.case.group for r in runs}:
            self.template(group)
        fresh = [p for p in pairs if f"{p[0]}::{p[1].name}" not in self.baselines]
        jobs = []
        for group, command in fresh:
            self.template(group)
            directory = self.root / "baselines" / f"{group}-{command.name}"
            shutil.copytree(self.templates[group], directory, copy_function=os.link, symlinks=True)
            in_process(list(self.argv(command)), directory)  # warms this process's caches
            shutil.rmtree(directory)
            shutil.copytree(self.templates[group], directory, copy_function=os.link, symlinks=True)
            jobs.append(Run(self.argv(command), directory, command.env, trace=True))
        for (group, command), outcome in zip(fresh, run_all(jobs, self.root / "scratch"), strict=True):
            self.baselines[f"{group}::{command.name}"] = outcome
        self.before.update({g: snapshot(p) for g, p in self.templates.items() if g not in self.before})

    def relevant(self, case_run: CaseRun) -> bool:
        """Whether the run can tell the case from the intact template: the file itself is
        replaced (FIFO, missing ...), or the command opens the file whose content changed."""
        case = case_run.case
        if case.mutation in mutations.SPECIAL or case.group in COMMAND_LINE_GROUPS:
            return True
        baseline = self.baselines[f"{case.group}::{case_run.command.name}"]
        target = os.path.normpath(baseline.run.cwd / case.target)
        return target in baseline.opened

    # -- running ------------------------------------------------------------------------------
    def run(self, runs: list[CaseRun]) -> None:
        todo = [r for r in runs if r.id not in self.outcomes]
        if not todo:
            return
        self.prepare(todo)
        jobs = [Run(self.argv(r.command, r.case), self.run_dir(r), r.command.env) for r in todo]
        for case_run, outcome in zip(todo, run_all(jobs, self.root / "scratch"), strict=True):
            self.outcomes[case_run.id] = outcome

    def case_dir(self, case: Case) -> Path:
        """The case: the template, hard-linked, with its target damaged."""
        if case.id not in self.case_dirs:
            directory = self.root / "cases" / f"{len(self.case_dirs):05d}"
            catalogue.make_case(case, self.templates[case.group], directory, self.root / "specials")
            self.case_dirs[case.id] = directory
        return self.case_dirs[case.id]

    def run_dir(self, case_run: CaseRun) -> Path:
        """A directory of the run's own, linked from its case: the runs of a case run at the
        same time, and one that writes (signing replaces zephyr.signed.bin) must not change
        what another reads."""
        directory = self.root / "runs" / f"{len(self.run_dirs):05d}"
        shutil.copytree(self.case_dir(case_run.case), directory, copy_function=os.link, symlinks=True)
        self.run_dirs[case_run.id] = directory
        return directory

    def outcome(self, case_run: CaseRun, session: pytest.Session) -> Outcome:
        if case_run.id not in self.outcomes:
            self.run(_selected_runs(session.items) or [case_run])
        return self.outcomes[case_run.id]


def _case_run_of(item: pytest.Item) -> CaseRun | None:
    callspec = getattr(item, "callspec", None)
    value = callspec.params.get("case_run") if callspec else None
    return value if isinstance(value, CaseRun) else None


def _selected_runs(items: list[pytest.Item]) -> list[CaseRun]:
    return [run for run in map(_case_run_of, items) if run is not None]


_STATE = pytest.StashKey[Hostile]()


def _state(config: pytest.Config) -> Hostile:
    if _STATE not in config.stash:
        factory = getattr(config, "_tmp_path_factory", None)
        root = factory.mktemp("hostile") if factory else Path(tempfile.mkdtemp(prefix="zsec-hostile-"))
        config.stash[_STATE] = Hostile.create(root)
    return config.stash[_STATE]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect content mutations of files the command never opens (see the module's doc)."""
    runs = _selected_runs(items)
    if not runs:
        return
    state = _state(config)
    state.prepare(runs)
    keep, drop = [], []
    for item in items:
        case_run = _case_run_of(item)
        (keep if case_run is None or state.relevant(case_run) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def hostile(request: pytest.FixtureRequest):
    state = _state(request.config)
    yield state
    dump = os.environ.get("ZSEC_HOSTILE_DUMP")
    if dump:  # for studying a run: every outcome as JSON
        import json
        everything = {**state.outcomes, **{f"baseline:{k}": v for k, v in state.baselines.items()}}
        Path(dump).write_text(json.dumps({
            key: {"argv": list(o.run.argv), "cwd": str(o.run.cwd), "code": o.code, "signal": o.signal,
                  "err": o.err if len(o.err) < 8000 else o.err[:4000] + "\n[...]\n" + o.err[-4000:], "seconds": round(o.seconds, 3), "peak_kib": o.peak_kib,
                  "cpu": round(o.cpu_seconds, 3), "blocked": o.blocked}
            for key, o in everything.items()}, indent=1))
