"""A pool of client processes for large fleets: the hosts dealt out over processes, each a fleet of its own.

One process runs at most about one core of client work (pypsrp/pywinrm hold the GIL while they build and
parse every message), so a fleet of thousands of hosts is split over ``processes`` child processes
(remediate/defaults.py chooses how many). Each child runs the same engine as a single-process run
(``remediate.fleet._Fleet``, handed in as ``engine``: this module sits below the fleet's) on every k-th host
with its share of the concurrency, and sends each host's record up a pipe the moment it is done; the parent
writes it to the results file (one write, then fsync) and reports progress, in the order records arrive:
completion order, as in one process.

Signals: the parent catches SIGINT/SIGTERM and tells every child to stop; a child stops as a single-process
run does (hosts in flight recorded as ``interrupted``, their pipelines stopped and shells closed within
STOP_WAIT_S). A Ctrl-C at a terminal reaches the children too, with the same effect. A child that ends
without accounting for its hosts (killed, crashed) has them recorded by the parent: ``interrupted`` after a
signal, else ``internal_error``; a host is never recorded twice and never silently lost.

Children are forked (Linux/macOS): they inherit the rendered scripts, the settings (each host's own too) and
the runner factory without pickling. The parent has no other threads when it forks (the CLI's run is
single-threaded up to here).
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from multiprocessing.connection import Connection, wait
from typing import Any

import structlog

from remediate.hostrun import FleetOptions
from remediate.resultsfile import FleetResult, ResultsWriter, summarize, utc_stamp
from remediate.runners.base import ConnectionSettings, Runner
from remediate.stopsignals import STOP_WAIT_S, StopSignals

log = structlog.get_logger("remediate.fleet")


class _PipeWriter:
    """A child's results 'file': each record goes up the pipe to the parent, which writes and syncs it.
    ``_Fleet`` calls ``write`` under its lock, so sends never interleave."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def write(self, record: dict[str, Any]) -> None:
        self.conn.send(("record", record))

    def sync(self) -> None:
        pass

    def close(self) -> None:
        pass


def _child(engine: Callable[..., Any], hosts: list[str], settings: ConnectionSettings, options: FleetOptions,
           scripts: dict[str, str], runner_factory: Callable[[ConnectionSettings], Runner],
           connect: Mapping[str, ConnectionSettings], up: Connection, down: Connection) -> None:
    fleet = engine(hosts, settings, options, scripts, None, runner_factory, _PipeWriter(up), connect=connect,
                   events="fleet.process")

    def listen() -> None:
        try:
            kind, signum = down.recv()
        except (EOFError, OSError):  # the parent is gone: stop as on Ctrl-C
            kind, signum = "stop", signal.SIGINT
        if kind == "stop" and fleet.signalled is None:
            fleet.signalled = signum

    threading.Thread(target=listen, name="remediate-pool-control", daemon=True).start()
    result = fleet.run()
    up.send(("done", result.not_started, result.interrupted))
    up.close()


class Pool:
    """The parent: deals the hosts, relays records to the results file and progress, forwards signals."""

    def __init__(self, hosts: list[str], settings: ConnectionSettings, options: FleetOptions,
                 scripts: dict[str, str], progress: Callable[[dict[str, Any], int, int], None] | None,
                 runner_factory: Callable[[ConnectionSettings], Runner], writer: ResultsWriter,
                 processes: int, engine: Callable[..., Any],
                 connect: Mapping[str, ConnectionSettings] | None = None) -> None:
        self.engine = engine  # remediate.fleet._Fleet: one process's fleet
        self.connect = dict(connect or {})  # host -> its own settings (an inventory's address, port, transport)
        self.hosts = hosts
        self.settings = settings
        self.options = options
        self.scripts = scripts
        self.progress = progress
        self.runner_factory = runner_factory
        self.writer = writer
        self.processes = max(1, min(processes, len(hosts), options.concurrency))
        self.records: list[dict[str, Any]] = []
        self.recorded: set[str] = set()
        self.not_started: list[str] = []
        self.signalled: int | None = None

    def run(self) -> FleetResult:
        log.info("fleet.start", hosts=len(self.hosts), package=self.options.package, processes=self.processes,
                 **self.settings.describe())
        ctx = multiprocessing.get_context("fork")
        k = self.processes
        shards = [self.hosts[i::k] for i in range(k)]
        children: list[tuple[Any, Connection, Connection, list[str]]] = []
        with StopSignals(self._on_signal):
            for i, shard in enumerate(shards):
                share = self.options.concurrency // k + (1 if i < self.options.concurrency % k else 0)
                child_options = replace(self.options, concurrency=max(1, share), processes=1, results_path=None)
                up_read, up_write = ctx.Pipe(duplex=False)
                down_read, down_write = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, name=f"remediate-fleet-{i}", daemon=True,
                                   args=(self.engine, shard, self.settings, child_options, self.scripts,
                                         self.runner_factory, {h: self.connect[h] for h in shard if h in self.connect},
                                         up_write, down_read))
                proc.start()
                up_write.close()
                down_read.close()
                children.append((proc, up_read, down_write, shard))
            self._relay(children, STOP_WAIT_S)
        for proc, up, down, _shard in children:
            proc.join(1.0)
            if proc.is_alive():
                proc.kill()
                proc.join(5.0)
            up.close()
            down.close()
        self._account_for_lost(children)
        interrupted = self.signalled is not None
        log.info("fleet.done", interrupted=interrupted, not_started=len(self.not_started), processes=k,
                 **summarize(self.records))
        return FleetResult(self.records, interrupted=interrupted, not_started=self.not_started)

    def _on_signal(self, signum: int) -> None:
        self.signalled = signum

    def _relay(self, children: list, stop_wait_s: float) -> None:
        """Records up from the children until every child said done (or, after a signal, its time is up)."""
        live = {up: down for _proc, up, down, _shard in children}
        told = False
        give_up = float("inf")
        while live:
            if self.signalled is not None and not told:
                told = True
                give_up = time.monotonic() + stop_wait_s + 2.0  # the children's own wait, and a margin
                for down in live.values():
                    try:
                        down.send(("stop", self.signalled))
                    except OSError:
                        pass
            if time.monotonic() > give_up:
                break
            for up in wait(list(live), timeout=0.1):
                try:
                    message = up.recv()
                except (EOFError, OSError):
                    live.pop(up, None)
                    continue
                if message[0] == "record":
                    self._record(message[1])
                elif message[0] == "done":
                    self.not_started.extend(message[1])
                    live.pop(up, None)

    def _record(self, record: dict[str, Any]) -> None:
        if record["host"] in self.recorded:
            return
        self.recorded.add(record["host"])
        self.records.append(record)
        self.writer.write(record)
        self.writer.sync()
        if self.progress is not None:
            try:
                self.progress(record, len(self.records), len(self.hosts))
            except Exception as exc:  # noqa: BLE001 - a failing progress display must not stop the run
                log.warning("fleet.progress.failed", error=f"{type(exc).__name__}: {exc}")

    def _account_for_lost(self, children: list) -> None:
        """Hosts of a child that ended without recording them or saying they were not started."""
        not_started = set(self.not_started)
        for proc, _up, _down, shard in children:
            for host in shard:
                if host in self.recorded or host in not_started:
                    continue
                if self.signalled is not None:
                    code, status, why = "interrupted", "interrupted", "stopped by a signal"
                else:
                    code, status, why = "internal_error", "error", f"client process ended (exit {proc.exitcode})"
                self._record({
                    "host": host, "package": self.options.package,
                    "transport": self.connect.get(host, self.settings).transport,
                    "status": status, "verdict": None, "phases": [], "findings": [], "failing": [], "requests": 0,
                    "error": {"code": code, "message": f"{host}: {why}", "stage": "cycle"},
                    "duration_s": None, "finished_at": utc_stamp(),
                })
