"""What a loopback "host" does with a script: a tiny PowerShell subset plus programmable faults.

The interpreter understands only the statements our tests write, one per line:

    Write-Output 'text'        a line on the output stream ('' is a quote, as in PowerShell)
    Write-Error 'text'         a non-terminating error record
    throw 'text'               a terminating error (PSRP: pipeline Failed; WinRM: stderr + exit 1)
    Start-Sleep -Seconds N     (or -Milliseconds N) a delay
    exit N                     the exit code; nothing after it runs
    # loopback: hang           never finish (until the client stops the pipeline)

Everything else is ignored, so a real generated script runs as "no output, exit 0" unless a
``HostProgram.script`` callable decides otherwise (it sees the script text, e.g. a phase marker).

A cycle script (one that calls ``Invoke-RmCycle``: the fleet's detect -> remediate -> verify in one pipeline)
is played as the generated one runs: the callable is asked once per step, with the script as that step's
own script would read: a first line ``# loopback cycle step=<step> phase=<phase> dry_run=<bool>`` (the
tests' phase markers) and the rendered ``'Phase' = '<phase>'`` setting, so callables written per phase
answer it unchanged. Each step's result line gets its ``cycle_step``; the steps follow Invoke-RmCycle's rules
(remediate/powershell/runtime/Invoke-RmCycle.ps1), the host's stand-in for PowerShell running them.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Step:
    kind: str  # output | error | sleep | hang
    value: str | float = ""


@dataclass(frozen=True)
class Action:
    """The outcome of one script run."""

    output: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    exit_code: int | None = None  # None: the script never called exit (PowerShell then ends with 0)
    delay_s: float = 0.0
    hang: bool = False
    throw: str | None = None

    def steps(self) -> list[Step]:
        steps: list[Step] = []
        if self.delay_s:
            steps.append(Step("sleep", self.delay_s))
        steps += [Step("output", line) for line in self.output]
        steps += [Step("error", line) for line in self.errors]
        if self.hang:
            steps.append(Step("hang"))
        return steps


@dataclass
class HostProgram:
    """How one loopback host behaves. The defaults make a healthy host that interprets scripts."""

    fault_code: int | None = None  # WS-Man fault answered to shell creation (e.g. 5 access denied)
    auth_fail: bool = False  # reject every credential (a locked or wrong account)
    http_hang: bool = False  # accept TCP, never answer HTTP (a frozen host)
    http_garbage: bool = False  # answer 200 with something that is not WS-Management
    latency_s: float = 0.0  # delay before every HTTP answer (a slow link)
    drop_at: int | None = None  # at this HTTP request (1-based) close the connection without an answer
    truncate_at: int | None = None  # at this HTTP request answer headers and half the body, then close
    script: Callable[[str, dict], Action] | None = None  # (script text, per-host state) -> Action
    pwsh: object | None = None  # a pwsh_bridge.PwshConfig: real PowerShell (PSRP: ``pwsh -s``; cmd: pwsh)
    state: dict = field(default_factory=dict)


_QUOTED = r"'((?:[^']|'')*)'"
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Write-Output\s+" + _QUOTED + r"\s*$", re.I), "output"),
    (re.compile(r"^Write-Error\s+" + _QUOTED + r"\s*$", re.I), "error"),
    (re.compile(r"^throw\s+" + _QUOTED + r"\s*$", re.I), "throw"),
    (re.compile(r"^Start-Sleep\s+-Seconds\s+([0-9.]+)\s*$", re.I), "sleep_s"),
    (re.compile(r"^Start-Sleep\s+-Milliseconds\s+([0-9]+)\s*$", re.I), "sleep_ms"),
    (re.compile(r"^exit\s+(-?[0-9]+)\s*$", re.I), "exit"),
    (re.compile(r"^#\s*loopback:\s*hang\s*$", re.I), "hang"),
]


@dataclass
class Run:
    """A script being interpreted: the steps to play and how it ends."""

    steps: list[Step]
    exit_code: int | None
    throw: str | None = None


def interpret(script: str) -> Run:
    steps: list[Step] = []
    for raw in script.splitlines():
        line = raw.strip()
        for pattern, kind in _RULES:
            match = pattern.match(line)
            if not match:
                continue
            if kind in ("output", "error"):
                steps.append(Step(kind, match.group(1).replace("''", "'")))
            elif kind == "throw":
                return Run(steps, None, match.group(1).replace("''", "'"))
            elif kind == "sleep_s":
                steps.append(Step("sleep", float(match.group(1))))
            elif kind == "sleep_ms":
                steps.append(Step("sleep", int(match.group(1)) / 1000))
            elif kind == "exit":
                return Run(steps, int(match.group(1)))
            elif kind == "hang":
                steps.append(Step("hang"))
            break
    return Run(steps, None)


def plan(program: HostProgram, script: str, lock: threading.Lock) -> Run:
    """The run for this script on this host: the program's callable wins over the interpreter."""
    if program.script is None:
        return interpret(script)
    with lock:
        if CYCLE_MARK in script:
            action = play_cycle(program.script, program.state, dry_run=bool(_DRY_RUN.search(script)),
                                script=script)
        else:
            action = program.script(script, program.state)
    return Run(action.steps(), action.exit_code, action.throw)


CYCLE_MARK = "Invoke-RmCycle"
_DRY_RUN = re.compile(r"dry_run=True|'DryRun' = \$true")
_PHASE = re.compile(r"'Phase' = '\w+'")  # the rendered $RmConfig setting
_CYCLE = (("detect", "detect"), ("remediate", "remediate"), ("verify", "detect"))  # (step, phase)


def play_cycle(step: Callable[[str, dict], Action], state: dict, *, dry_run: bool, script: str = "") -> Action:
    """One Action for a cycle script: the per-step answers of ``step`` one after the other, the last one's exit."""
    output: list[str] = []
    errors: list[str] = []
    delay = 0.0
    action = Action()
    for name, phase in _CYCLE:
        header = f"# loopback cycle step={name} phase={phase} dry_run={dry_run and phase == 'remediate'}\r\n"
        action = step(header + _PHASE.sub(f"'Phase' = '{phase}'", script, count=1), state)
        delay += action.delay_s
        verdict, line = _tag(action.output[-1] if action.output else "", name)
        output += [*action.output[:-1], line] if action.output else []
        errors += action.errors
        if action.hang or action.throw is not None or verdict is None:
            break
        if name == "detect" and verdict != "non_compliant":
            break
        if name == "remediate" and (dry_run or verdict in ("deferred", "skipped", "failed", "error")):
            break
    return Action(tuple(output), tuple(errors), action.exit_code, delay, action.hang, action.throw)


def _tag(line: str, step: str) -> tuple[str | None, str]:
    """(verdict, the line with its cycle_step) for a result line; (None, line) for anything else."""
    try:
        data = json.loads(line)
    except ValueError:
        return None, line
    if not isinstance(data, dict) or "verdict" not in data:
        return None, line
    data["cycle_step"] = step
    return str(data["verdict"]), json.dumps(data, separators=(",", ":"))
