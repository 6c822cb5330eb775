"""Run a package over many hosts: detect, then (when asked and needed) remediate and verify.

Each host is one worker thread with its own runner (pypsrp/pywinrm objects are not thread-safe), reused for
every phase of that host (remediate/hostrun.py). Each host's record is appended to the results file by its
worker the moment it finishes (one write, then fsync: a crash loses nothing done). Ctrl-C or SIGTERM stops
handing out hosts; finished records are kept, hosts in flight are recorded as ``interrupted`` and their
pipelines stopped and shells closed. A host that overruns its whole-cycle deadline (plus a grace) is recorded
as ``timeout`` and its worker abandoned, so one stuck host never stalls the fleet. A large fleet may be split
over a pool of client processes (remediate/fleetpool.py), each running this engine on its share.

Over WinRM/PSRP a remediation run sends one cycle script, which runs detect, remediate and verify in one
pipeline (Invoke-RmCycle, one JSON line per step): 7 HTTP requests per host over PSRP instead of 11.

The exit code of a fleet run: ``fleet_exit_code`` (remediate/resultsfile.py), highest wins.
"""

from __future__ import annotations

import collections
import json
import signal
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import structlog

from remediate import rmm
from remediate.errors import ExitCode, RunnerError
from remediate.hostrun import FleetOptions, Launch, ScriptsFor, _HostRun
from remediate.inventory import dedupe
from remediate.launcher import wrap_for_interactive_user
from remediate.output import Result, table, terminal_width
from remediate.results import Phase
from remediate.resultsfile import FleetResult, ResultsWriter, fleet_exit_code, summarize, utc_stamp
from remediate.runners import REMOTE, make_runner
from remediate.runners.base import ConnectionSettings, Runner
from remediate.runners.local import running_as_system
from remediate.stopsignals import STOP_WAIT_S, StopSignals

__all__ = ["FleetOptions", "FleetResult", "ResultsWriter", "fleet_exit_code", "format_table", "one_pipeline",
           "reset_result", "reset_state", "run_fleet", "run_host", "run_result", "summarize"]

log = structlog.get_logger("remediate.fleet")

Progress = Callable[[dict[str, Any], int, int], None]  # (record, done, total)

# A host whose worker has not come back this long after its deadline is recorded as ``timeout`` and its worker
# abandoned. Runners bound every request by the time left and stop the pipeline at the deadline, so this only
# covers a request already on the wire (documented in ``remediate run --help``, option --timeout).
GRACE_S = 10.0
POLL_S = 0.1  # how often the main thread looks at signals and overdue hosts


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


# -- one host ----------------------------------------------------------------------------------------------
def run_host(host: str, settings: ConnectionSettings, options: FleetOptions, scripts_for: ScriptsFor,
             runner_factory: Callable[[ConnectionSettings], Runner] = make_runner) -> dict[str, Any]:
    """One host's whole cycle; never raises for a host failure (it is in the record)."""
    connect = settings.with_host(host)
    return _HostRun(host, settings, options, _scripts(options, settings, scripts_for), connect,
                    _launch(options, connect.transport)).run(runner_factory)


def one_pipeline(options: FleetOptions, transport: str) -> bool:
    """Remote remediation runs send one cycle script (PSRP: 7 requests instead of 11). A user package keeps a
    script per phase: the interactive-user launcher relays only its payload's last line."""
    return (options.remediate or options.dry_run) and not options.user_context and transport in REMOTE


def _scripts(options: FleetOptions, settings: ConnectionSettings, scripts_for: ScriptsFor) -> dict[str, str]:
    """Every script the run may need by name (detect, remediate, cycle), rendered once up front (a render error
    stops before any host). A "cycle" script makes every host run its cycle in one pipeline."""
    if one_pipeline(options, settings.transport):
        return {"cycle": scripts_for(options.package, Phase.REMEDIATE, options.dry_run, True)}
    scripts = {"detect": scripts_for(options.package, Phase.DETECT, False, False)}
    if options.remediate or options.dry_run:
        scripts["remediate"] = scripts_for(options.package, Phase.REMEDIATE, options.dry_run, False)
    return scripts


def _launch(options: FleetOptions, transport: str) -> Launch | None:
    """The interactive-user launcher for a user package run as the admin over WinRM/PSRP or as SYSTEM under an
    agent; None otherwise."""
    needed = transport in REMOTE or (transport == "local" and running_as_system())
    return wrap_for_interactive_user if options.user_context and needed else None


# -- many hosts ------------------------------------------------------------------------------------------
def run_fleet(hosts: Iterable[str], settings: ConnectionSettings, options: FleetOptions, scripts_for: ScriptsFor,
              *, progress: Progress | None = None,
              runner_factory: Callable[[ConnectionSettings], Runner] = make_runner,
              per_host: Mapping[str, Mapping[str, Any]] | None = None) -> FleetResult:
    """Run the cycle on every host with bounded concurrency; records come back in completion order. With
    ``options.processes`` > 1 the hosts are split over that many client processes (remediate/fleetpool.py):
    the same records, order and signal handling.

    ``per_host`` maps a host name to the settings it overrides (an inventory's address, port, transport, auth,
    ssl); they are all checked here, before any host is touched. The results file is opened (and its last
    line ended) and the scripts rendered before any host is contacted too: an unwritable path or a render
    error stops the run with nothing done."""
    todo = dedupe(hosts)
    connect = {host: replace(settings, **{"host": host, **overrides})
               for host, overrides in (per_host or {}).items() if host in todo}
    writer = ResultsWriter(options.results_path)
    try:
        scripts = _scripts(options, settings, scripts_for)
        processes = min(options.processes, len(todo), options.concurrency)
        if processes > 1:
            from remediate.fleetpool import Pool

            return Pool(todo, settings, options, scripts, progress, runner_factory, writer, processes,
                        engine=_Fleet, connect=connect).run()
        return _Fleet(todo, settings, options, scripts, progress, runner_factory, writer, connect=connect).run()
    finally:
        writer.close()


class _Fleet:
    """Workers write their own host's record the moment it is done (no hand-off through the main thread,
    which may be busy starting hundreds of workers). Whoever first *claims* a host under ``lock`` - its
    worker with a result, or the main thread with ``interrupted``/``timeout`` - writes its one record.

    Every host is always in exactly one of ``pending``, ``in_flight``, ``finished``: a worker takes a host
    and registers it in one step under the lock, so no signal can catch a host between the two. SIGINT and
    SIGTERM only set a flag (a handler that raised could fire inside any critical section); the main thread
    polls it while it starts workers and while it waits."""

    def __init__(self, hosts: list[str], settings: ConnectionSettings, options: FleetOptions,
                 scripts: dict[str, str], progress: Progress | None,
                 runner_factory: Callable[[ConnectionSettings], Runner], writer: ResultsWriter, *,
                 connect: Mapping[str, ConnectionSettings] | None = None, events: str = "fleet") -> None:
        self.events = events  # log event prefix: "fleet", or "fleet.process" in a pool's child
        self.hosts = hosts
        self.connect = dict(connect or {})  # host -> its own settings (an inventory's address, port, transport)
        self.settings = settings
        self.options = options
        self.scripts = scripts
        self.progress = progress
        self.runner_factory = runner_factory
        self.writer = writer
        self.pending: collections.deque[str] = collections.deque(hosts)
        self.in_flight: dict[str, _HostRun] = {}
        self.lock = threading.Lock()
        self.progress_lock = threading.Lock()
        self.wake = threading.Event()
        self.stop = False
        self.signalled: int | None = None
        self.records: list[dict[str, Any]] = []
        self.finished: set[str] = set()
        self.workers: list[threading.Thread] = []
        self.abandoned: set[threading.Thread] = set()  # workers of hosts recorded as timed out

    def run(self) -> FleetResult:
        log.info(f"{self.events}.start", hosts=len(self.hosts), package=self.options.package,
                 **self.settings.describe())
        with StopSignals(self._on_signal):
            for _ in range(max(1, min(self.options.concurrency, len(self.hosts)))):
                if self.signalled is not None:
                    break
                self._spawn()
            while self.signalled is None and len(self.finished) < len(self.hosts):
                self.wake.wait(POLL_S)
                self.wake.clear()
                self._reap_overdue()
            if self.signalled is not None:
                self._interrupt()
            else:  # every host is recorded; the workers still report their last host (progress), then end
                for worker in self.workers:
                    if worker not in self.abandoned:
                        worker.join()
        with self.lock:
            not_started = list(self.pending)
            records = list(self.records)
        interrupted = self.signalled is not None
        log.info(f"{self.events}.done", interrupted=interrupted, not_started=len(not_started), **summarize(records))
        return FleetResult(records, interrupted=interrupted, not_started=not_started)

    def _on_signal(self, signum: int) -> None:
        self.signalled = signum

    def _interrupt(self) -> None:
        """Stop handing out hosts, record every host in flight as interrupted, then give their workers a
        bounded time to stop their remote pipelines and close their shells (STOP_WAIT_S)."""
        with self.lock:
            self.stop = True
            stopped = list(self.in_flight.values())
        name = "SIGTERM" if self.signalled == signal.SIGTERM else "Ctrl-C"
        for run in stopped:
            run.interrupt()
            self._finish(run.host, run.failed_record("interrupted", f"{run.host}: stopped by {name}",
                                                     "interrupted"), notify=False)
        deadline = time.monotonic() + STOP_WAIT_S
        for worker in self.workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        alive = sum(w.is_alive() for w in self.workers)
        if alive:
            log.warning("fleet.stop.abandoned", workers=alive, wait_s=STOP_WAIT_S)

    def _spawn(self) -> None:
        worker = threading.Thread(target=self._worker, name="remediate-fleet", daemon=True)
        self.workers.append(worker)
        worker.start()

    def _take(self) -> _HostRun | None:
        with self.lock:
            if self.stop or self.signalled is not None or not self.pending:
                return None
            host = self.pending.popleft()
            connect = self.connect.get(host) or self.settings.with_host(host)
            run = self.in_flight[host] = _HostRun(host, self.settings, self.options, self.scripts, connect,
                                                  _launch(self.options, connect.transport))
            run.worker = threading.current_thread()
            return run

    def _worker(self) -> None:
        while (run := self._take()) is not None:
            log.debug("fleet.host.start", host=run.host)
            try:
                record = run.run(self.runner_factory)
            except Exception as exc:  # noqa: BLE001 - a bug for one host must not stall the fleet; it is recorded
                record = run.failed_record("internal_error", f"{run.host}: {type(exc).__name__}: {exc}")
            if not self._finish(run.host, record):
                return  # already recorded (abandoned after its deadline, or interrupted): a new worker took over

    def _reap_overdue(self) -> None:
        limit = self.options.host_timeout_s + GRACE_S
        now = time.monotonic()
        with self.lock:
            overdue = [run for run in self.in_flight.values() if now - run.start > limit]
        for run in overdue:
            message = f"{run.host}: no result within {self.options.host_timeout_s:g} s (worker abandoned)"
            run.interrupt()
            if self._finish(run.host, run.failed_record("timeout", message)):
                self.abandoned.add(run.worker)
                self._spawn()

    def _finish(self, host: str, record: dict[str, Any], notify: bool = True) -> bool:
        """Claim ``host`` and write its record; False when it was already recorded."""
        record["finished_at"] = utc_stamp()
        with self.lock:
            if host in self.finished:
                return False
            self.finished.add(host)
            self.in_flight.pop(host, None)
            self.records.append(record)
            self.writer.write(record)
            done = len(self.finished)
        self.writer.sync()
        self.wake.set()
        log.info("fleet.host.done", host=host, status=record["status"],
                 error=(record.get("error") or {}).get("code"), duration_s=record.get("duration_s"))
        if notify and self.progress is not None:
            with self.progress_lock:
                try:
                    self.progress(record, done, len(self.hosts))
                except Exception as exc:  # noqa: BLE001 - a failing progress display must not stop a worker
                    log.warning("fleet.progress.failed", error=f"{type(exc).__name__}: {exc}")
        return True


# -- glue for the command line ---------------------------------------------------------------------------
def format_table(records: list[dict[str, Any]]) -> list[str]:
    """Aligned lines, one host each (sorted; long cells wrap to the terminal, never cut), then the summary.
    Every field from a host passes ``printable``: a newline or a terminal escape in it can never forge a row."""
    rows = []
    for r in sorted(records, key=lambda r: str(r["host"]).lower()):
        err = r.get("error") or {}
        detail = printable(err.get("message") or ", ".join(str(f) for f in r.get("failing") or []))
        rows.append([printable(r["host"]), printable(r["status"]), printable(r.get("verdict") or "-"),
                     printable(err.get("code") or "-"), detail])
    lines = table(["host", "status", "verdict", "error", "detail"], rows, terminal_width())
    s = summarize(records)
    counts = ", ".join(f"{n} {printable(status)}" for status, n in s["status"].items()) or "nothing run"
    lines.append(f"{s['hosts']} hosts: {counts}")
    if s["errors"]:
        lines.append("errors: " + ", ".join(f"{n} {printable(code)}" for code, n in s["errors"].items()))
    return lines


def printable(value: Any) -> str:
    """``value`` as text with every control or format character (ESC, CR, LF, BiDi overrides) shown as '?'."""
    return "".join("?" if unicodedata.category(ch)[0] == "C" else ch for ch in str(value))


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
