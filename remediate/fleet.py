"""Run a package over many hosts: detect, then (when asked and needed) remediate and verify.

Each host is one worker thread with its own runner (pypsrp/pywinrm objects are not thread-safe), reused for
every phase of that host. Each host's record is appended to the results file the moment it finishes (flush +
fsync: a crash loses nothing done). Ctrl-C stops handing out hosts; finished records are kept, hosts in flight
are recorded as ``interrupted``. A host that overruns its whole-cycle deadline (plus a grace) is recorded as
``timeout`` and its worker abandoned, so one stuck host never stalls the fleet.

Over WinRM/PSRP a remediation run sends one cycle script, which runs detect, remediate and verify in one
pipeline (Invoke-RmCycle, one JSON line per step): 7 HTTP requests per host over PSRP instead of 11. Its
lines go through the same rules as the results of separate scripts (``_HostRun._decide``); the record is
the same.

Exit code of a fleet run (``fleet_exit_code``), highest wins, so the most serious condition is never hidden:

    HOST_ERROR (4)          some host gave no verdict (unreachable, auth, timeout, bad output, interrupted)
    REMEDIATION_FAILED (3)  a remediation ran and failed, or the verify detection still found the issue
    NON_COMPLIANT (1)       non-compliance remains (detect-only, dry-run, deferred)
    OK (0)                  every host compliant, fixed or skipped
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import structlog

from remediate.errors import ExitCode, RemediateError, RunnerError
from remediate import defaults, rmm
from remediate.inventory import dedupe
from remediate.results import (FLEET_STATUS, Phase, ResultParseError, ScriptResult, Verdict, parse_result_line,
                               script_exit_code)
from remediate.runners import REMOTE, make_runner
from remediate.runners.base import ConnectionSettings, Runner, RunOutcome
from remediate.runners.local import running_as_system
from remediate.launcher import wrap_for_interactive_user
from remediate.output import Result, table, terminal_width

log = structlog.get_logger("remediate.fleet")

# (package id, phase, dry_run, cycle) -> script text; cycle: the one-pipeline detect/remediate/verify script
ScriptsFor = Callable[[str, Phase, bool, bool], str]
Progress = Callable[[dict[str, Any], int, int], None]  # (record, done, total)

STATUS_EXIT: dict[str, ExitCode] = {status: code for status, (_, code) in FLEET_STATUS.items()}
STEP_PHASE = {"detect": Phase.DETECT, "remediate": Phase.REMEDIATE, "verify": Phase.DETECT}  # cycle step -> phase
GRACE_S = 10.0  # beyond the host deadline before a worker is abandoned (runners bound their own requests)


@dataclass(frozen=True)
class RunMode:
    """What ``remediate run`` does to the hosts. ``dry_run`` always wins (Ansible's ``--check``): with it no
    remediation that changes anything is ever sent, whatever other flag is given and in whatever order."""

    remediate: bool  # send the remediation for real, then verify
    dry_run: bool  # send the remediation in dry-run mode: it reports what it would do

    @classmethod
    def from_flags(cls, *, detect_only: bool = False, remediate: bool = False, dry_run: bool = False) -> RunMode:
        if detect_only and remediate:
            raise ValueError("--detect-only and --remediate contradict each other")
        return cls(remediate=remediate and not dry_run, dry_run=dry_run and not detect_only)


@dataclass(frozen=True)
class FleetOptions:
    package: str
    remediate: bool = False  # detect-only unless asked
    dry_run: bool = False  # run the remediation in dry-run mode: it describes, changes nothing; no verify
    concurrency: int = defaults.CONCURRENCY
    host_timeout_s: float = defaults.HOST_TIMEOUT_S  # whole cycle per host: detect + remediate + verify
    user_context: bool = False  # a user package: run it as the interactive user over WinRM/PSRP
    results_path: Path | None = None


@dataclass
class FleetResult:
    records: list[dict[str, Any]]
    interrupted: bool = False
    not_started: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.INTERRUPTED if self.interrupted else fleet_exit_code(self.records)


def fleet_exit_code(records: Iterable[dict[str, Any]]) -> ExitCode:
    """The documented precedence (module docstring): the highest code among the hosts' statuses."""
    return max((STATUS_EXIT.get(r.get("status", "error"), ExitCode.HOST_ERROR) for r in records),
               default=ExitCode.OK)


def summarize(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    records = list(records)
    return {
        "hosts": len(records),
        "status": dict(sorted(Counter(r["status"] for r in records).items())),
        "errors": dict(sorted(Counter(r["error"]["code"] for r in records if r.get("error")).items())),
        "exit_code": int(fleet_exit_code(records)),
    }


class ResultsWriter:
    """Append-only JSON Lines; every record is flushed and fsync'd before the next host is reported."""

    def __init__(self, path: Path | None) -> None:
        self._file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115 - closed in close()

    def write(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


# -- one host -------------------------------------------------------------------------------------------
class _HostRun:
    """The detect → remediate → verify cycle of one host, under one deadline, with one runner."""

    def __init__(self, host: str, settings: ConnectionSettings, options: FleetOptions,
                 scripts: dict[str, str], connect: ConnectionSettings | None = None) -> None:
        self.host = host
        self.settings = connect or settings.with_host(host)  # connect: the host's own address, port, transport
        self.options = options
        self.scripts = scripts
        self.start = time.monotonic()
        self.deadline = self.start + options.host_timeout_s
        self.record: dict[str, Any] = {
            "host": host, "package": options.package, "transport": self.settings.transport, "status": "error",
            "verdict": None, "phases": [], "error": None, "findings": [], "failing": [], "requests": 0,
        }

    def run(self, runner_factory: Callable[[ConnectionSettings], Runner]) -> dict[str, Any]:
        try:
            with runner_factory(self.settings) as runner:
                self._cycle(runner)
        except RunnerError as err:
            self._fail(err.code, str(err), err.stage)
        except RemediateError as err:  # e.g. the launcher cannot embed this package
            self._fail("config_error", f"{self.host}: {err}", None)
        self.record["duration_s"] = round(time.monotonic() - self.start, 3)
        return self.record

    def _fail(self, code: str, message: str, stage: str | None, status: str = "error") -> None:
        self.record["status"] = status
        self.record["error"] = {"code": code, "message": message, "stage": stage}

    def _cycle(self, runner: Runner) -> None:
        if one_pipeline(self.options, self.settings.transport):
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
        elif fix.verdict is Verdict.DEFERRED:
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
        if self.options.user_context and _needs_launcher(self.settings.transport):
            script = wrap_for_interactive_user(script, package=self.options.package, phase=phase, timeout_s=left)
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
        try:
            return runner.run_script(script, timeout_s=left)
        except RunnerError as err:
            # The connection is made for the first script: with one pipeline, that is still the detection's.
            where = "detect" if name == "cycle" and err.stage == "connect" else name
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


def run_host(host: str, settings: ConnectionSettings, options: FleetOptions, scripts_for: ScriptsFor,
             runner_factory: Callable[[ConnectionSettings], Runner] = make_runner) -> dict[str, Any]:
    """One host's whole cycle; never raises for a host failure (it is in the record)."""
    return _HostRun(host, settings, options, _scripts(options, settings, scripts_for)).run(runner_factory)


def one_pipeline(options: FleetOptions, transport: str) -> bool:
    """Remote remediation runs send one cycle script (PSRP: 7 requests instead of 11). A user package keeps a
    script per phase: the interactive-user launcher relays only its payload's last line."""
    return (options.remediate or options.dry_run) and not options.user_context and transport in REMOTE


def _scripts(options: FleetOptions, settings: ConnectionSettings, scripts_for: ScriptsFor) -> dict[str, str]:
    """Every script the run may need by name (detect, remediate, cycle), rendered once up front (a render error
    stops before any host)."""
    if one_pipeline(options, settings.transport):
        return {"cycle": scripts_for(options.package, Phase.REMEDIATE, options.dry_run, True)}
    scripts = {"detect": scripts_for(options.package, Phase.DETECT, False, False)}
    if options.remediate or options.dry_run:
        scripts["remediate"] = scripts_for(options.package, Phase.REMEDIATE, options.dry_run, False)
    return scripts


# -- many hosts ------------------------------------------------------------------------------------------
def run_fleet(hosts: Iterable[str], settings: ConnectionSettings, options: FleetOptions, scripts_for: ScriptsFor,
              *, progress: Progress | None = None,
              runner_factory: Callable[[ConnectionSettings], Runner] = make_runner,
              per_host: Mapping[str, Mapping[str, Any]] | None = None) -> FleetResult:
    """Run the cycle on every host with bounded concurrency; records come back in completion order.

    ``per_host`` maps a host name to the settings it overrides (an inventory's address, port, transport, auth,
    ssl); they are all checked here, before any host is touched."""
    todo = dedupe(hosts)
    scripts = _scripts(options, settings, scripts_for)
    connect = {host: replace(settings, **{"host": host, **overrides})
               for host, overrides in (per_host or {}).items() if host in todo}
    fleet = _Fleet(todo, settings, options, scripts, progress, runner_factory, connect)
    return fleet.run()


class _Fleet:
    def __init__(self, hosts: list[str], settings: ConnectionSettings, options: FleetOptions,
                 scripts: dict[str, str], progress: Progress | None,
                 runner_factory: Callable[[ConnectionSettings], Runner],
                 connect: Mapping[str, ConnectionSettings] | None = None) -> None:
        self.hosts = hosts
        self.connect = dict(connect or {})
        self.settings = settings
        self.options = options
        self.scripts = scripts
        self.progress = progress
        self.runner_factory = runner_factory
        self.pending: queue.Queue[str] = queue.Queue()
        for host in hosts:
            self.pending.put(host)
        self.done: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.in_flight: dict[str, float] = {}  # host -> start time (monotonic)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.records: list[dict[str, Any]] = []
        self.finished: set[str] = set()

    def run(self) -> FleetResult:
        writer = ResultsWriter(self.options.results_path)
        log.info("fleet.start", hosts=len(self.hosts), package=self.options.package, **self.settings.describe())
        for _ in range(max(1, min(self.options.concurrency, len(self.hosts)))):
            self._spawn()
        interrupted = False
        try:
            while len(self.finished) < len(self.hosts):
                self._collect(writer, timeout=0.2)
                self._reap_overdue(writer)
        except KeyboardInterrupt:
            interrupted = True
            self.stop.set()
            with self.lock:
                stuck = list(self.in_flight)
            for host in stuck:
                record = self._error_record(host, "interrupted", f"{host}: stopped by Ctrl-C", "cycle",
                                            "interrupted")
                self._finish(writer, host, record, notify=False)
        finally:
            writer.close()
        not_started = [h for h in self.hosts if h not in self.finished]
        log.info("fleet.done", interrupted=interrupted, **summarize(self.records))
        return FleetResult(self.records, interrupted=interrupted, not_started=not_started)

    def _spawn(self) -> None:
        threading.Thread(target=self._worker, name="remediate-fleet", daemon=True).start()

    def _worker(self) -> None:
        while not self.stop.is_set():
            try:
                host = self.pending.get_nowait()
            except queue.Empty:
                return
            with self.lock:
                self.in_flight[host] = time.monotonic()
            log.debug("fleet.host.start", host=host)
            try:
                record = _HostRun(host, self.settings, self.options, self.scripts,
                                  self.connect.get(host)).run(self.runner_factory)
            except Exception as exc:  # noqa: BLE001 - a bug for one host must not stall the fleet; it is recorded
                record = self._error_record(host, "internal_error", f"{host}: {type(exc).__name__}: {exc}", "cycle")
            with self.lock:
                abandoned = host not in self.in_flight
                self.in_flight.pop(host, None)
            if abandoned:
                return  # the main thread already recorded it; a replacement worker took this slot
            self.done.put((host, record))

    def _collect(self, writer: ResultsWriter, timeout: float) -> None:
        try:
            host, record = self.done.get(timeout=timeout)
        except queue.Empty:
            return
        self._finish(writer, host, record)

    def _reap_overdue(self, writer: ResultsWriter) -> None:
        limit = self.options.host_timeout_s + GRACE_S
        now = time.monotonic()
        with self.lock:
            overdue = [h for h, started in self.in_flight.items() if now - started > limit]
            for host in overdue:
                del self.in_flight[host]
        for host in overdue:
            message = f"{host}: no result within {self.options.host_timeout_s:g} s (worker abandoned)"
            self._finish(writer, host, self._error_record(host, "timeout", message, "cycle"))
            self._spawn()

    def _finish(self, writer: ResultsWriter, host: str, record: dict[str, Any], notify: bool = True) -> None:
        if host in self.finished:
            return
        self.finished.add(host)
        self.records.append(record)
        writer.write(record)
        log.info("fleet.host.done", host=host, status=record["status"],
                 error=(record.get("error") or {}).get("code"), duration_s=record.get("duration_s"))
        if notify and self.progress is not None:
            self.progress(record, len(self.finished), len(self.hosts))

    def _error_record(self, host: str, code: str, message: str, stage: str, status: str = "error") -> dict[str, Any]:
        started = self.in_flight.get(host)
        transport = self.connect.get(host, self.settings).transport
        return {"host": host, "package": self.options.package, "transport": transport,
                "status": status, "verdict": None, "phases": [], "findings": [], "failing": [], "requests": 0,
                "error": {"code": code, "message": message, "stage": stage},
                "duration_s": round(time.monotonic() - started, 3) if started else 0.0}


# -- glue for the command line ---------------------------------------------------------------------------
def _needs_launcher(transport: str) -> bool:
    """A user package runs as the admin over WinRM/PSRP and as SYSTEM under an agent: both need the launcher."""
    return transport in REMOTE or (transport == "local" and running_as_system())


def format_table(records: list[dict[str, Any]]) -> list[str]:
    """Aligned lines, one host each (sorted; long cells wrap to the terminal, never cut), then the summary."""
    rows = []
    for r in sorted(records, key=lambda r: r["host"].lower()):
        err = r.get("error") or {}
        detail = err.get("message") or ", ".join(r.get("failing") or [])
        rows.append([r["host"], r["status"], r.get("verdict") or "-", err.get("code") or "-", detail])
    lines = table(["host", "status", "verdict", "error", "detail"], rows, terminal_width())
    s = summarize(records)
    counts = ", ".join(f"{n} {status}" for status, n in s["status"].items()) or "nothing run"
    lines.append(f"{s['hosts']} hosts: {counts}")
    if s["errors"]:
        lines.append("errors: " + ", ".join(f"{n} {code}" for code, n in s["errors"].items()))
    return lines


# -- remediate state reset ---------------------------------------------------------------------------------
def reset_state(hosts: Iterable[str], settings: ConnectionSettings, package_id: str, script: str, *,
                timeout_s: float = 60.0, concurrency: int = 1,
                runner_factory: Callable[[ConnectionSettings], Runner] = make_runner) -> list[dict[str, Any]]:
    """Run the package's state-reset script (``render.render_reset_script``) on each host, ``concurrency`` at a
    time; one record per host, in host order: ``{"host", "package", "deleted": [paths], "errors": [messages],
    "error": None | {"code", "message"}}``."""

    def one(host: str) -> dict[str, Any]:
        record: dict[str, Any] = {"host": host, "package": package_id, "deleted": [], "errors": [], "error": None}
        try:
            with runner_factory(settings.with_host(host)) as runner:
                outcome = runner.run_script(script, timeout_s=timeout_s)
            lines = [x for x in outcome.stdout.splitlines() if x.strip()]
            answer = json.loads(lines[-1]) if lines else None
            if not isinstance(answer, dict):
                raise ValueError("no answer")
            record["deleted"] = list(answer.get("deleted") or [])
            record["errors"] = list(answer.get("errors") or [])
        except RunnerError as err:
            record["error"] = {"code": err.code, "message": str(err)}
        except ValueError as exc:
            record["error"] = {"code": "bad_output", "message": f"{host}: the reset script gave no answer ({exc})"}
        return record

    host_list = list(hosts)
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(host_list) or 1))) as pool:
        return list(pool.map(one, host_list))


def run_result(result: FleetResult, package_id: str, *, remediate: bool, rmm_format: str | None = None) -> Result:
    """``remediate run``: a table, the records (JSON envelope with a summary, or one JSON line per host), or with
    ``rmm_format`` the answer an RMM script in that profile would give (its lines and exit code)."""
    notes = [f"remediate: interrupted; {len(result.records)} hosts recorded, {len(result.not_started)} not started"
             ] if result.interrupted else []
    data = {"summary": summarize(result.records), "records": result.records}
    if rmm_format and not result.interrupted:
        answer = rmm.format_records(rmm_format, result.records, package_id, "remediate" if remediate else "detect")
        return Result("run", data, answer.lines, rows=result.records, exit_code=answer.exit_code)
    return Result("run", data, format_table(result.records), rows=result.records, exit_code=result.exit_code,
                  notes=notes)


def reset_result(records: list[dict[str, Any]]) -> Result:
    """``remediate state reset``: one line per host; exit 4 when any host failed."""
    lines = []
    for record in records:
        if record["error"]:
            lines.append(f"{record['host']}: error {record['error']['code']}: {record['error']['message']}")
            continue
        deleted = ", ".join(record["deleted"]) or "no state file"
        lines.append(f"{record['host']}: deleted {deleted}" + "".join(f"; {e}" for e in record["errors"]))
    failed = any(r["error"] or r["errors"] for r in records)
    return Result("state reset", records, lines, rows=records,
                  exit_code=ExitCode.HOST_ERROR if failed else ExitCode.OK)
