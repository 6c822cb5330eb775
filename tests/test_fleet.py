"""Fleet flow: detect → remediate → verify per host, records, exit codes, interruption, mixed-fault fleets."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest
import structlog

from remediate import fleet as fleet_mod
from remediate.errors import ExitCode, RunnerError
from remediate.fleet import FleetOptions, fleet_exit_code, run_fleet, run_host, summarize
from remediate.runners.base import ConnectionSettings, RunOutcome
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.engine import CYCLE_MARK, play_cycle
from tests.wsman_server.fixtures import PASSWORD, loopback, settings_for  # noqa: F401  (fixtures)

PACKAGE = "caa20002-device"


def result_line(phase: str, verdict: str, reason: str | None = None) -> str:
    data = {"schema_version": 1, "package": PACKAGE, "phase": phase, "verdict": verdict, "findings": []}
    if reason:
        data["reason"] = reason
    return json.dumps(data, separators=(",", ":"))


def scripts_for(package: str, phase, dry_run: bool, cycle: bool = False) -> str:
    """Stand-in for remediate.render: a marker line tells the loopback host which phase this is; a cycle script
    names Invoke-RmCycle, which the loopback host plays step by step (tests/wsman_server/engine.py)."""
    if cycle:
        return f"# remediate-test cycle dry_run={dry_run}\r\n# {CYCLE_MARK}\r\nexit 0\r\n"
    return f"# remediate-test phase={phase.value} dry_run={dry_run}\r\nexit 0\r\n"


# -- a fake runner: the flow logic without any network ------------------------------------------------
class FakeRunner:
    """Answers per phase from a table: {"detect": [outcome, ...], "remediate": [...]}; verify pops detect.
    A cycle script pops one entry per step it runs, played by the loopback host's rules (play_cycle)."""

    def __init__(self, settings: ConnectionSettings, table: dict[str, list]) -> None:
        self.settings = settings
        self.table = {k: [_fresh(item) for item in v] for k, v in table.items()}
        self.closed = False

    def run_script(self, script: str, timeout_s: float) -> RunOutcome:
        if CYCLE_MARK in script:
            action = play_cycle(self._step, {}, dry_run="dry_run=True" in script)
            return RunOutcome(action.exit_code or 0, "\n".join(action.output), "\n".join(action.errors),
                              action.errors, 0.01, 2)
        return self._answer(script)

    def _answer(self, script: str) -> RunOutcome:
        phase = "remediate" if "phase=remediate" in script else "detect"
        item = self.table[phase].pop(0)
        if isinstance(item, Exception):
            raise item
        if callable(item):
            return item()
        exit_code, stdout, errors = item
        return RunOutcome(exit_code, stdout, "\n".join(errors), tuple(errors), 0.01, 2)

    def _step(self, script: str, state: dict) -> Action:
        outcome = self._answer(script)
        return Action(output=tuple(outcome.stdout.splitlines()), errors=outcome.errors, exit_code=outcome.exit_code)

    def interrupt(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _fresh(item):
    """A new error for every run: the fleet adds the phase to an error's stage in place."""
    if isinstance(item, RunnerError):
        return RunnerError(str(item), code=item.code, host=item.host, stage=item.stage)
    return item


def fake_factory(tables: dict[str, dict[str, list]]):
    return lambda settings: FakeRunner(settings, tables[settings.host])


NC = (1, result_line("detect", "non_compliant"), ())
OK = (0, result_line("detect", "compliant"), ())
FIXED = (0, result_line("remediate", "remediated"), ())


@pytest.mark.parametrize("table, remediate, status, code, phases", [
    pytest.param({"detect": [OK]}, True, "compliant", None, 1, id="compliant-needs-nothing"),
    pytest.param({"detect": [NC]}, False, "non_compliant", None, 1, id="detect-only-reports"),
    pytest.param({"detect": [NC, OK], "remediate": [FIXED]}, True, "fixed", None, 3, id="fixed-and-verified"),
    pytest.param({"detect": [NC, NC], "remediate": [FIXED]}, True, "remediation_failed", "still_non_compliant", 3,
                 id="recurs-after-fix"),
    pytest.param({"detect": [NC], "remediate": [(1, result_line("remediate", "failed"), ())]}, True,
                 "remediation_failed", "script_error", 2, id="remediation-exit-1"),
    pytest.param({"detect": [NC, OK], "remediate": [(0, result_line("remediate", "remediated"), ("Access denied",))]},
                 True, "remediation_failed", "script_error", 2, id="stderr-is-a-script-error"),
    pytest.param({"detect": [NC], "remediate": [(0, result_line("remediate", "deferred"), ())]}, True,
                 "deferred", None, 2, id="deferred-no-verify"),
    pytest.param({"detect": [(0, result_line("detect", "skipped", "no_interactive_user"), ())]}, True,
                 "skipped", None, 1, id="no-interactive-user"),
    pytest.param({"detect": [(1, "Hello from a foreign script", ())]}, True, "error", "bad_output", 1,
                 id="garbage-output"),
    pytest.param({"detect": [(1, result_line("detect", "error"), ())]}, True, "error", "script_error", 1,
                 id="detect-reports-error"),
    pytest.param({"detect": [RunnerError("h: refused", code="refused", host="h", stage="connect")]}, True,
                 "error", "refused", 0, id="runner-error"),
])
def test_host_cycle(table, remediate, status, code, phases):
    """The same host answers give the same record with a script per phase (local) and one cycle script (psrp)."""
    options = FleetOptions(PACKAGE, remediate=remediate)
    records = {transport: run_host("h", ConnectionSettings("h", transport=transport), options, scripts_for,
                                   fake_factory({"h": table}))
               for transport in ("local", "psrp")}
    for record in records.values():
        assert record["status"] == status
        assert (record["error"] or {}).get("code") == code
        assert len(record["phases"]) == phases
        assert json.loads(json.dumps(record)) == record
    assert _shape(records["psrp"]) == _shape(records["local"])


def _shape(record: dict) -> dict:
    """What a user reads in a record, less what differs by transport (requests, durations, the transport)."""
    phases = [{k: v for k, v in p.items() if k not in ("requests", "duration_s")} for p in record["phases"]]
    drop = ("requests", "duration_s", "transport", "phases")
    return {**{k: v for k, v in record.items() if k not in drop}, "phases": phases}


@pytest.mark.parametrize("transport, wanted", [
    pytest.param("local", [("detect", False, False), ("remediate", True, False)], id="per-phase"),
    pytest.param("psrp", [("remediate", True, True)], id="one-pipeline"),
])
def test_dry_run_asks_for_the_dry_run_remediation_and_skips_verify(transport, wanted):
    asked = []

    def scripts(package, phase, dry_run, cycle):
        asked.append((phase.value, dry_run, cycle))
        return scripts_for(package, phase, dry_run, cycle)

    table = {"detect": [NC, OK], "remediate": [(0, result_line("remediate", "non_compliant", "dry_run"), ())]}
    record = run_host("h", ConnectionSettings("h", transport=transport), FleetOptions(PACKAGE, dry_run=True),
                      scripts, fake_factory({"h": table}))
    assert sorted(asked) == wanted
    assert record["status"] == "would_remediate"
    assert [p["phase"] for p in record["phases"]] == ["detect", "remediate"]


@pytest.mark.parametrize("statuses, expected", [
    pytest.param([], ExitCode.OK, id="nothing"),
    pytest.param(["compliant", "fixed", "skipped"], ExitCode.OK, id="all-good"),
    pytest.param(["compliant", "non_compliant"], ExitCode.NON_COMPLIANT, id="non-compliant-remains"),
    pytest.param(["deferred"], ExitCode.NON_COMPLIANT, id="deferred"),
    pytest.param(["non_compliant", "remediation_failed"], ExitCode.REMEDIATION_FAILED, id="fix-failed"),
    pytest.param(["remediation_failed", "error", "fixed"], ExitCode.HOST_ERROR, id="host-error-wins"),
])
def test_fleet_exit_code_precedence(statuses, expected):
    assert fleet_exit_code([{"status": s} for s in statuses]) == expected


def test_records_are_on_disk_as_each_host_finishes_and_hosts_are_deduplicated(tmp_path):
    results = tmp_path / "results.jsonl"
    tables = {h: {"detect": [OK]} for h in ("PC-1", "PC-2", "PC-3")}
    on_disk = []

    def progress(record, done, total):  # runs in the worker that finished the host, after its record is written
        complete = results.read_text().split("\n")[:-1]  # another worker may be writing the next line
        hosts = [json.loads(line)["host"] for line in complete]
        on_disk.append((done, total, record["host"] in hosts and len(hosts) >= done))

    result = run_fleet(["PC-1", "pc-1", "PC-2", "PC-3", "PC-2 "], ConnectionSettings("x"),
                       FleetOptions(PACKAGE, results_path=results), scripts_for, progress=progress,
                       runner_factory=fake_factory({**tables, "pc-1": tables["PC-1"]}))
    assert sorted(on_disk) == [(1, 3, True), (2, 3, True), (3, 3, True)]
    assert sorted(json.loads(line)["host"] for line in results.read_text().splitlines()) == ["PC-1", "PC-2", "PC-3"]
    assert result.exit_code == ExitCode.OK and summarize(result.records)["status"] == {"compliant": 3}


def test_ctrl_c_keeps_finished_records_and_marks_hosts_in_flight(tmp_path):
    results = tmp_path / "results.jsonl"
    release = threading.Event()

    def slow():
        release.wait(5)
        return RunOutcome(*OK, 0.01, 1)

    tables = {"fast": {"detect": [OK]}, "slow": {"detect": [slow]}, "later": {"detect": [OK]}}

    def progress(record, done, total):
        os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, delivered to the main thread while workers run
        time.sleep(0.3)  # the main thread's handler runs before this worker asks for its next host

    result = run_fleet(["fast", "slow", "later"], ConnectionSettings("x"),
                       FleetOptions(PACKAGE, concurrency=2, results_path=results), scripts_for,
                       progress=progress, runner_factory=fake_factory(tables))
    release.set()
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert result.interrupted and result.exit_code == ExitCode.INTERRUPTED
    assert {r["host"]: r["status"] for r in lines} == {"fast": "compliant", "slow": "interrupted"}
    assert result.not_started == ["later"]


def test_a_stuck_worker_is_abandoned_after_its_deadline(monkeypatch):
    monkeypatch.setattr(fleet_mod, "GRACE_S", 0.2)
    block = threading.Event()

    def stuck():
        block.wait(10)
        return RunOutcome(*OK, 0.01, 1)

    tables = {"stuck": {"detect": [stuck]}, "ok": {"detect": [OK]}}
    start = time.monotonic()
    result = run_fleet(["stuck", "ok"], ConnectionSettings("x"), FleetOptions(PACKAGE, host_timeout_s=0.5),
                       scripts_for, runner_factory=fake_factory(tables))
    block.set()
    assert time.monotonic() - start < 3
    assert {r["host"]: (r["error"] or {}).get("code") for r in result.records} == {"stuck": "timeout", "ok": None}


# -- against the loopback server ---------------------------------------------------------------------------
def _healthy(script: str, state: dict) -> Action:
    if "phase=remediate" in script:
        state["fixed"] = True
        return Action(output=(result_line("remediate", "remediated"),), exit_code=0)
    verdict = "compliant" if state.get("fixed") else "non_compliant"
    return Action(output=(result_line("detect", verdict),), exit_code=0 if state.get("fixed") else 1)


def _garbage(script: str, state: dict) -> Action:
    return Action(output=("PS C:\\> something else entirely",), exit_code=0)


def _hang(script: str, state: dict) -> Action:
    return Action(output=("started",), hang=True)


def _slow(script: str, state: dict) -> Action:
    return Action(output=(result_line("detect", "compliant"),), exit_code=0, delay_s=0.5)


def _no_user(script: str, state: dict) -> Action:
    # The launcher itself cannot run here (no PowerShell); answer what it answers with nobody signed in.
    assert "New-ScheduledTaskPrincipal" in script and "RmLauncherPayload" in script
    return Action(output=(result_line("detect", "skipped", "no_interactive_user"),), exit_code=0)


MIX = [  # (kind, program or None for "nothing listens", expected status, expected error code)
    ("healthy", lambda: HostProgram(script=_healthy), "fixed", None),
    ("no-result-line", lambda: HostProgram(), "error", "bad_output"),  # plain script, no JSON line
    ("refused", None, "error", "refused"),
    ("bad-password", lambda: HostProgram(auth_fail=True), "error", "auth_failed"),
    ("hang", lambda: HostProgram(script=_hang), "error", "timeout"),
    ("garbage", lambda: HostProgram(script=_garbage), "error", "bad_output"),
    ("slow", lambda: HostProgram(script=_slow, latency_s=0.05), "compliant", None),
    ("fault", lambda: HostProgram(fault_code=2150859173), "error", "wsman_fault_too_many_shells"),
]


def _mixed_fleet(server, size: int):
    from tests.wsman_server import next_address

    expected = {}
    for i in range(size):
        kind, make, status, code = MIX[i % len(MIX)]
        host = server.add_host(make()) if make else next_address()
        expected[host] = (kind, status, code)
    return expected


def _run_mixed(server, tmp_path, size: int, transport: str, concurrency: int, host_timeout: float):
    expected = _mixed_fleet(server, size)
    results = tmp_path / f"fleet-{transport}-{size}.jsonl"
    settings = settings_for(server, "placeholder", transport, read_timeout=5.0)
    start = time.monotonic()
    with structlog.testing.capture_logs() as logs:
        result = run_fleet(list(expected), settings, FleetOptions(PACKAGE, remediate=True, concurrency=concurrency,
                           host_timeout_s=host_timeout, results_path=results), scripts_for)
    elapsed = time.monotonic() - start
    text = results.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert sorted(r["host"] for r in lines) == sorted(expected), "exactly one record per host"
    wrong = {r["host"]: (expected[r["host"]][0], r["status"], (r["error"] or {}).get("code"))
             for r in lines if (r["status"], (r["error"] or {}).get("code")) != expected[r["host"]][1:]}
    assert not wrong
    assert result.exit_code == ExitCode.HOST_ERROR
    assert PASSWORD not in text and not [e for e in logs if PASSWORD in str(e)]
    return elapsed


@pytest.mark.parametrize("transport", ["psrp", "winrm"])
def test_mixed_fault_fleet_small(loopback, tmp_path, transport):  # noqa: F811
    elapsed = _run_mixed(loopback, tmp_path, 16, transport, concurrency=8, host_timeout=2.5)
    assert elapsed < 12


@pytest.mark.slow
@pytest.mark.parametrize("transport", ["psrp", "winrm"])
def test_mixed_fault_fleet_of_200(loopback, tmp_path, transport, capsys):  # noqa: F811
    elapsed = _run_mixed(loopback, tmp_path, 200, transport, concurrency=50, host_timeout=3.0)
    with capsys.disabled():
        print(f"\n  200-host mixed fleet over {transport}: {elapsed:.1f} s")
    assert elapsed < 45


def test_user_package_goes_through_the_interactive_user_launcher(loopback):  # noqa: F811
    host = loopback.add_host(HostProgram(script=_no_user))
    options = FleetOptions("caa20002-user", user_context=True, remediate=True)
    record = run_host(host, settings_for(loopback, host, "winrm"), options, scripts_for)
    assert (record["status"], record["verdict"]) == ("skipped", "skipped")
    assert "RmLauncherPayload" in loopback.host(host).scripts[0]
