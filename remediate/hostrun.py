"""One host's detect -> remediate -> verify cycle under one deadline, with one runner (``run_host``).

Over WinRM/PSRP a remediation run sends one cycle script, which runs detect, remediate and verify in one
pipeline (Invoke-RmCycle, one JSON line per step): 7 HTTP requests per host over PSRP instead of 11. Its
lines go through the same rules as the results of separate scripts (``_HostRun._decide``); the record is
the same. ``remediate.fleet`` runs many of these at once, and decides for each host what this module is
handed: the scripts (a "cycle" script means one pipeline), the host's own connection settings and whether
its scripts go through the interactive-user launcher. So this module names no concrete runner and no
transport, and sits below the pool of client processes (remediate/fleetpool.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remediate import defaults
from remediate.errors import RemediateError, RunnerError
from remediate.results import Phase, ResultParseError, ScriptResult, Verdict, parse_result_line, script_exit_code
from remediate.runners.base import ConnectionSettings, Runner, RunOutcome

# (package id, phase, dry_run, cycle) -> script text; cycle: the one-pipeline detect/remediate/verify script
ScriptsFor = Callable[[str, Phase, bool, bool], str]
# (script, package, phase, seconds left) -> the script wrapped for the interactive user (remediate.launcher)
Launch = Callable[..., str]
STEP_PHASE = {"detect": Phase.DETECT, "remediate": Phase.REMEDIATE, "verify": Phase.DETECT}  # cycle step -> phase


@dataclass(frozen=True)
class FleetOptions:
    package: str
    remediate: bool = False  # detect-only unless asked
    dry_run: bool = False  # run the remediation in dry-run mode: it describes, changes nothing; no verify
    concurrency: int = field(default_factory=defaults.default_concurrency)
    processes: int = 1  # client processes; >1 splits the hosts over a pool (remediate/fleetpool.py)
    host_timeout_s: float = defaults.HOST_TIMEOUT_S  # whole cycle per host: detect + remediate + verify
    user_context: bool = False  # a user package: run it as the interactive user over WinRM/PSRP
    results_path: Path | None = None


class _HostRun:
    """The detect → remediate → verify cycle of one host, under one deadline, with one runner.

    ``connect``: the host's own address, port, transport (an inventory's), else ``settings`` for this host;
    ``launch``: wraps each phase's script for the interactive user (a user package over WinRM/PSRP or as
    SYSTEM), or None."""

    def __init__(self, host: str, settings: ConnectionSettings, options: FleetOptions,
                 scripts: dict[str, str], connect: ConnectionSettings | None = None,
                 launch: Launch | None = None) -> None:
        self.host = host
        self.settings = connect or settings.with_host(host)
        self.launch = launch
        self.options = options
        self.scripts = scripts
        self.start = time.monotonic()
        self.deadline = self.start + options.host_timeout_s
        self.runner: Runner | None = None
        self.worker: threading.Thread | None = None
        self.interrupted = threading.Event()
        self.record: dict[str, Any] = {
            "host": host, "package": options.package, "transport": self.settings.transport, "status": "error",
            "verdict": None, "phases": [], "error": None, "findings": [], "failing": [], "requests": 0,
        }

    def run(self, runner_factory: Callable[[ConnectionSettings], Runner]) -> dict[str, Any]:
        try:
            with runner_factory(self.settings) as runner:
                self.runner = runner
                if self.interrupted.is_set():  # stopped while the runner was being made
                    runner.interrupt()
                self._cycle(runner)
        except RunnerError as err:
            self._fail(err.code, str(err), err.stage)
        except RemediateError as err:  # e.g. the launcher cannot embed this package
            self._fail("config_error", f"{self.host}: {err}", None)
        self.record["duration_s"] = round(time.monotonic() - self.start, 3)
        self.record["requests"] = self._requests()
        return self.record

    def _requests(self) -> int:
        """Every round trip to the host, those of failed, timed-out and closing requests included; runners
        without a counter (local runs, test doubles) are summed per phase."""
        counted = getattr(self.runner, "requests", None)
        return counted if isinstance(counted, int) else self.record["requests"]

    def interrupt(self) -> None:
        """From another thread: stop this host's pipeline at the runner's next look and close its shell."""
        self.interrupted.set()
        runner = self.runner
        if runner is not None:
            runner.interrupt()

    def failed_record(self, code: str, message: str, status: str = "error") -> dict[str, Any]:
        """This host's record as it stands, failed with ``code`` (for a host recorded by the main thread while
        its worker still runs: the worker's own record is then dropped)."""
        record = dict(self.record, phases=list(self.record["phases"]), status=status,
                      error={"code": code, "message": message, "stage": "cycle"},
                      duration_s=round(time.monotonic() - self.start, 3), requests=self._requests())
        return record

    def _fail(self, code: str, message: str, stage: str | None, status: str = "error") -> None:
        self.record["status"] = status
        self.record["error"] = {"code": code, "message": message, "stage": stage}

    def _cycle(self, runner: Runner) -> None:
        if "cycle" in self.scripts:  # one pipeline: detect, remediate and verify in one script
            self._decide(_CycleLines(self, runner).next_step)
        else:
            self._decide(lambda step: self._phase(runner, step))

    def _decide(self, step: Callable[[str], ScriptResult | None]) -> None:
        """The fleet's rules over the results of detect, remediate, verify, asked for in that order; ``step``
        runs the next script (one per phase) or reads the cycle script's next line. None: the host's record
        already says what went wrong. The cycle script's Invoke-RmCycle decides which steps run by the same
        rules (remediate/powershell/runtime/Invoke-RmCycle.ps1)."""
        detect = step("detect")
        if detect is None:
            return
        verdict = detect.verdict
        self.record["verdict"] = verdict.value
        if verdict in (Verdict.COMPLIANT, Verdict.SKIPPED):
            self.record["status"] = verdict.value
            return
        if verdict is Verdict.ERROR:
            self._fail("script_error", f"{self.host}: detection reported an error", "detect")
            return
        if not (self.options.remediate or self.options.dry_run):
            self.record["status"] = "non_compliant"
            return
        fix = step("remediate")
        if fix is None:
            return
        if self.options.dry_run:
            self.record["status"] = "would_remediate"
        elif fix.verdict in (Verdict.DEFERRED, Verdict.SKIPPED):
            # SKIPPED: another run (e.g. Intune's) held the package's mutex, so nothing was tried; the issue
            # remains for now, as with a deferral. Not a failed remediation, and a verify would only say so.
            self.record["status"] = "deferred"
        elif fix.verdict in (Verdict.FAILED, Verdict.ERROR):
            self._fail("script_error", f"{self.host}: remediation reported {fix.verdict.value}", "remediate",
                       status="remediation_failed")
        else:
            verify = step("verify")
            if verify is None:
                return
            self.record["verdict"] = verify.verdict.value
            if verify.verdict is Verdict.COMPLIANT:
                self.record["status"] = "fixed"
            else:
                self._fail("still_non_compliant", f"{self.host}: the issue remains after remediation", "verify",
                           status="remediation_failed")

    def _left(self, name: str) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise RunnerError(f"{self.host}: no time left for {name}", code="timeout", host=self.host, stage=name)
        return left

    def _phase(self, runner: Runner, name: str) -> ScriptResult | None:
        """One step as a script of its own (detect-only runs, local runs, user packages)."""
        left = self._left(name)
        phase = STEP_PHASE[name]
        script = self.scripts[phase.value]
        if self.launch is not None:
            script = self.launch(script, package=self.options.package, phase=phase, timeout_s=left)
        outcome = self._run(runner, name, script, left)
        entry = self._entry(name, outcome)
        self.record["phases"].append(entry)
        self.record["requests"] += outcome.requests
        try:
            result = parse_result_line(outcome.stdout)
        except ResultParseError as exc:
            self._bad_output(name, str(exc))
            return None
        return self._accept(entry, result, outcome.errors)

    def _run(self, runner: Runner, name: str, script: str, left: float) -> RunOutcome:
        started, before = time.monotonic(), getattr(runner, "requests", None)
        try:
            return runner.run_script(script, timeout_s=left)
        except RunnerError as err:
            # The connection is made for the first script: with one pipeline, that is still the detection's.
            where = "detect" if name == "cycle" and err.stage == "connect" else name
            if err.stage != "connect":  # the script ran (or hung): its phase is in the record, with its time
                after = getattr(runner, "requests", None)
                self.record["phases"].append({
                    "phase": "detect" if name == "cycle" else name, "exit_code": None,
                    "duration_s": round(time.monotonic() - started, 3),
                    "requests": after - before if isinstance(after, int) and isinstance(before, int) else 0,
                    "errors": []})
            err.stage = err.stage and f"{where}:{err.stage}"
            raise

    def _bad_output(self, name: str, why: str) -> None:
        status = "remediation_failed" if name == "remediate" else "error"
        self._fail("bad_output", f"{self.host}: {name} output is not a remediate result ({why})", name, status)

    def _accept(self, entry: dict[str, Any], result: ScriptResult, errors: tuple[str, ...]) -> ScriptResult | None:
        entry.update(verdict=result.verdict.value, reason=result.data.get("reason"))
        self.record["findings"] = result.findings
        self.record["failing"] = result.failing
        # Intune semantics (DOMAIN.md section 5): a remediation that exits non-zero or writes to stderr failed.
        if entry["phase"] == "remediate" and (entry["exit_code"] != 0 or errors):
            why = f"exit {entry['exit_code']}" if entry["exit_code"] else "error output"
            self._fail("script_error", f"{self.host}: remediation failed ({why})", entry["phase"],
                       "remediation_failed")
            return None
        return result

    @staticmethod
    def _entry(name: str, outcome: RunOutcome) -> dict[str, Any]:
        return {"phase": name, "exit_code": outcome.exit_code, "duration_s": round(outcome.duration_s, 3),
                "requests": outcome.requests, "errors": list(outcome.errors[:5])}


class _CycleLines:
    """The cycle script, run once; its result lines handed to the decision rules one step at a time.

    Each line becomes the step's entry in record["phases"], as a script of its own would have: its exit code is
    the one that step's script would have used, except the last line's, which is the pipeline's. The pipeline's
    requests, duration and error records go with the last step the rules read."""

    def __init__(self, run: _HostRun, runner: Runner) -> None:
        self.run = run
        self.outcome = run._run(runner, "cycle", run.scripts["cycle"], run._left("cycle"))
        run.record["requests"] += self.outcome.requests
        # Result lines only: stray output before them is ignored, as a script of its own reads only its last line.
        self.lines = [line.strip() for line in self.outcome.stdout.splitlines() if line.strip().startswith("{")]
        self.read = 0

    def next_step(self, name: str) -> ScriptResult | None:
        outcome, last = self.outcome, self.read >= len(self.lines) - 1
        entry = {"phase": name, "exit_code": outcome.exit_code, "duration_s": 0.0, "requests": 0, "errors": []}
        self._own_pipeline(entry)
        self.run.record["phases"].append(entry)
        try:
            if self.read >= len(self.lines):
                if not self.lines:  # no result line at all: the same reason as for a script of its own
                    parse_result_line(self.outcome.stdout)
                raise ResultParseError(f"the cycle ended before {name}")
            result = parse_result_line(self.lines[self.read])
        except ResultParseError as exc:
            self.run._bad_output(name, str(exc))
            return None
        self.read += 1
        step = result.data.get("cycle_step", name)  # an unhandled error's line has none: the step it stopped
        if step != name:
            self.run._bad_output(name, f"the cycle's next step is {step}")
            return None
        if not last:
            entry["exit_code"] = script_exit_code(result.phase, result.verdict)
        return self.run._accept(entry, result, outcome.errors)

    def _own_pipeline(self, entry: dict[str, Any]) -> None:
        """Move the pipeline's totals onto ``entry``: the latest step read carries them."""
        for earlier in self.run.record["phases"]:
            earlier.update(duration_s=0.0, requests=0, errors=[])
        entry.update(duration_s=round(self.outcome.duration_s, 3), requests=self.outcome.requests,
                     errors=list(self.outcome.errors[:5]))

