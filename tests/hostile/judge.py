"""What every run on hostile input must do, whatever the input.

- finish within the limits of tests/hostile/harness.py: 10 s of CPU, never 10 s blocked,
  512 MiB of memory (not killed, no MemoryError);
- exit 0 or 1 (the damage did not matter, or was reported as findings), or 2 or 3 with exactly
  one error line, last on stderr, at most ERROR_LINE_LIMIT characters, naming the damaged file
  (or, for a setting aimed at a hostile file, that file);
- never an "internal error", never a traceback.
"""

from __future__ import annotations

import signal
from pathlib import PurePath

from tests.hostile.catalogue import POINTER_MUTATIONS, CaseRun
from tests.hostile.commandlines import PATH_NEEDLES
from tests.hostile.harness import LIMIT_SECONDS, WALL_SECONDS, Outcome

ERROR_LINE_LIMIT = 4200  # zsec_west.errors.MESSAGE_LIMIT and the prefix


def named_files(case_run: CaseRun) -> tuple[str, ...]:
    """Names one of which the error line must contain."""
    case = case_run.case
    if case.group == "paths":
        return (PATH_NEEDLES[case.mutation],)
    if case.group == "argv":  # the error is about an option's value; any line naming it will do
        return ("",)
    names = [PurePath(case.target).name]
    if case.mutation == "extra-args-key-tlv":  # the error may name the setting or the key file
        names += ["MCUBOOT_EXTRA_IMGTOOL_ARGS", "root-rsa-2048.pem"]
    if case.mutation in POINTER_MUTATIONS:
        names.append(case.mutation.removeprefix("points-at-"))
    return tuple(names)


def problems(case_run: CaseRun, outcome: Outcome) -> list[str]:
    """Why `outcome` is not acceptable (empty: it is)."""
    if outcome.signal is not None:
        if outcome.blocked:
            return [f"blocked: no CPU time after {LIMIT_SECONDS} s (hang)"]
        name = signal.Signals(outcome.signal).name
        return [{"SIGALRM": f"ran over the {WALL_SECONDS} s wall-clock backstop",
                 "SIGXCPU": f"used more than {LIMIT_SECONDS} s of CPU time",
                 "SIGKILL": "killed by the parent after every limit"}.get(name, f"died of {name}")]
    found = []
    if case_run.case.mutation == "extra-args-key-tlv" and case_run.command.name == "sign-build" \
            and outcome.code == 0:
        found.append("signed an image with the private signing key in a custom TLV (defect 1)")
    if outcome.code not in (0, 1, 2, 3):
        found.append(f"exit status {outcome.code} (an exception escaped main)")
    if "internal error" in outcome.err:
        found.append("internal error")
    if "Traceback (most recent call last)" in outcome.err:
        found.append("traceback on stderr")
    if outcome.code in (2, 3):
        found += _error_line_problems(case_run, outcome)
    return found


def _error_line_problems(case_run: CaseRun, outcome: Outcome) -> list[str]:
    errors = [line for line in outcome.err_lines if ": error: " in line]
    if len(errors) != 1:
        return [f"{len(errors)} error lines, not one"]
    if outcome.err_lines[-1] != errors[0]:
        return ["the error is not the last line"]
    if len(errors[0]) > ERROR_LINE_LIMIT:
        return [f"the error line has {len(errors[0])} characters"]
    if not any(name in errors[0] for name in named_files(case_run)):
        return ["the error does not name the damaged file"]
    return []


def judge(case_run: CaseRun, outcome: Outcome) -> None:
    found = problems(case_run, outcome)
    assert not found, f"{case_run.id}: {'; '.join(found)}\n{outcome.describe()}"
