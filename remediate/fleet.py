"""Run a package over many hosts: detect, then (when asked and needed) remediate and verify.

Each host is one worker thread with its own runner (pypsrp/pywinrm objects are not thread-safe), reused for
every phase of that host (remediate/hostrun.py). Each host's record is appended to the results file by its
worker the moment it finishes (one write, then fsync: a crash loses nothing done). Ctrl-C or SIGTERM stops
handing out hosts; finished records are kept, hosts in flight are recorded as ``interrupted`` and their
pipelines stopped and shells closed. A host that overruns its whole-cycle deadline (plus a grace) is recorded
as ``timeout`` and its worker abandoned, so one stuck host never stalls the fleet.

Exit code of a fleet run (``fleet_exit_code``), highest wins, so the most serious condition is never hidden:

    HOST_ERROR (4)          some host gave no verdict (unreachable, auth, timeout, bad output, interrupted)
    REMEDIATION_FAILED (3)  a remediation ran and failed, or the verify detection still found the issue
    NON_COMPLIANT (1)       non-compliance remains (detect-only, dry-run, deferred)
    OK (0)                  every host compliant, fixed or skipped
"""

from __future__ import annotations

import collections
import signal
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog

from remediate.errors import ExitCode
from remediate.hostrun import FleetOptions, ScriptsFor, _HostRun, _scripts, one_pipeline, run_host
from remediate.inventory import dedupe
from remediate.results import Phase
from remediate.resultsfile import ResultsWriter, utc_stamp
from remediate.runners import ConnectionSettings, Runner, make_runner

__all__ = ["FleetOptions", "FleetResult", "ResultsWriter", "fleet_exit_code", "format_table", "one_pipeline",
           "package_scripts", "run_fleet", "run_host", "summarize"]

log = structlog.get_logger("remediate.fleet")

Progress = Callable[[dict[str, Any], int, int], None]  # (record, done, total)

STATUS_EXIT: dict[str, ExitCode] = {
    "compliant": ExitCode.OK,
    "fixed": ExitCode.OK,
    "skipped": ExitCode.OK,
    "non_compliant": ExitCode.NON_COMPLIANT,
    "would_remediate": ExitCode.NON_COMPLIANT,
    "deferred": ExitCode.NON_COMPLIANT,
    "remediation_failed": ExitCode.REMEDIATION_FAILED,
    "error": ExitCode.HOST_ERROR,
    "interrupted": ExitCode.HOST_ERROR,
}
# A host whose worker has not come back this long after its deadline is recorded as ``timeout`` and its worker
# abandoned. Runners bound every request by the time left and stop the pipeline at the deadline, so this only
# covers a request already on the wire (documented in ``remediate run --help``, option --timeout).
GRACE_S = 10.0
POLL_S = 0.1  # how often the main thread looks at signals and overdue hosts
STOP_WAIT_S = 8.0  # after Ctrl-C/SIGTERM, how long workers get to stop their pipelines and close their shells


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


# -- many hosts ------------------------------------------------------------------------------------------
def run_fleet(hosts: Iterable[str], settings: ConnectionSettings, options: FleetOptions, scripts_for: ScriptsFor,
              *, progress: Progress | None = None,
              runner_factory: Callable[[ConnectionSettings], Runner] = make_runner) -> FleetResult:
    """Run the cycle on every host with bounded concurrency; records come back in completion order. With
    ``options.processes`` > 1 the hosts are split over that many client processes (remediate/fleetpool.py):
    the same records, order and signal handling.

    The results file is opened (and its last line ended) and the scripts rendered before any host is
    contacted: an unwritable path or a render error stops the run with nothing done."""
    todo = dedupe(hosts)
    writer = ResultsWriter(options.results_path)
    try:
        scripts = _scripts(options, settings, scripts_for)
        processes = min(options.processes, len(todo), options.concurrency)
        if processes > 1:
            from remediate.fleetpool import Pool

            return Pool(todo, settings, options, scripts, progress, runner_factory, writer, processes).run()
        return _Fleet(todo, settings, options, scripts, progress, runner_factory, writer).run()
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
                 runner_factory: Callable[[ConnectionSettings], Runner], writer: ResultsWriter,
                 events: str = "fleet") -> None:
        self.events = events  # log event prefix: "fleet", or "fleet.process" in a pool's child
        self.hosts = hosts
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
        with _StopSignals(self._on_signal):
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
            run = self.in_flight[host] = _HostRun(host, self.settings, self.options, self.scripts)
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


class _StopSignals:
    """SIGINT and SIGTERM call ``on_signal`` instead of raising, while the fleet runs (main thread only:
    Python delivers signals there). The previous handlers come back afterwards."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, on_signal: Callable[[int], None]) -> None:
        self.on_signal = on_signal
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> "_StopSignals":
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self.previous[signum] = signal.signal(signum, lambda n, _frame: self.on_signal(n))
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


# -- glue for the command line ---------------------------------------------------------------------------
def package_scripts(package: Any) -> ScriptsFor:
    """``scripts_for`` backed by the generator: the package's scripts rendered in memory (ASCII, CRLF)."""
    from remediate.render import render_script

    def scripts_for(package_id: str, phase: Phase, dry_run: bool, cycle: bool) -> str:
        return render_script(package, Phase(phase), dry_run=dry_run, cycle=cycle).decode("ascii")

    return scripts_for


def format_table(records: list[dict[str, Any]]) -> list[str]:
    """Fixed-width lines for the terminal: one per host (sorted), then the summary. Every field from a host
    passes ``printable``: a newline or a terminal escape in it can never start a forged row."""
    lines = [f"{'host':32} {'status':18} {'verdict':14} {'error':28} detail"]
    for r in sorted(records, key=lambda r: str(r["host"]).lower()):
        err = r.get("error") or {}
        detail = printable(err.get("message") or ", ".join(str(f) for f in r.get("failing") or []))
        lines.append(f"{printable(r['host'])[:32]:32} {printable(r['status']):18} "
                     f"{printable(r.get('verdict') or '-'):14} {printable(err.get('code') or '-')[:28]:28} "
                     f"{detail[:100]}")
    s = summarize(records)
    counts = ", ".join(f"{n} {printable(status)}" for status, n in s["status"].items()) or "nothing run"
    lines.append(f"{s['hosts']} hosts: {counts}")
    if s["errors"]:
        lines.append("errors: " + ", ".join(f"{n} {printable(code)}" for code, n in s["errors"].items()))
    return lines


def printable(value: Any) -> str:
    """``value`` as text with every control or format character (ESC, CR, LF, BiDi overrides) shown as '?'."""
    return "".join("?" if unicodedata.category(ch)[0] == "C" else ch for ch in str(value))
