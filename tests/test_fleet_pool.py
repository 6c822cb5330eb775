"""A pool of client processes (remediate/fleetpool.py) gives the records a single process gives.

Mixed loopback fleets (fixed, bad output, refused, auth failure, hang, fault ...) run with 1 and with 3
client processes: the same status and error code per host, one record per host, the results file in the
order the records came back, progress counting every host once. A child that dies mid-run has its hosts
recorded by the parent, never lost. Signals with a pool: tests/test_run_signals.py.
"""

from __future__ import annotations

import json
import os

import pytest
from tests.test_fleet import PACKAGE, _mixed_fleet, scripts_for
from tests.wsman_server.fixtures import loopback, settings_for  # noqa: F401  (fixtures)

from remediate import defaults as fleet_defaults
from remediate.errors import ExitCode
from remediate.fleet import FleetOptions, run_fleet
from remediate.runners import make_runner


def _outcome(record: dict) -> tuple:
    return record["status"], (record["error"] or {}).get("code"), record["verdict"], \
        [p["phase"] for p in record["phases"]]


@pytest.mark.parametrize("transport", ["psrp", "winrm"])
def test_pool_records_match_one_process(loopback, tmp_path, transport):  # noqa: F811
    expected = _mixed_fleet(loopback, 24)
    settings = settings_for(loopback, "placeholder", transport, read_timeout=5.0)
    seen: list[tuple[str, int, int]] = []
    by_processes = {}
    for processes in (1, 3):
        for host in expected:  # un-fix the healthy hosts so both runs remediate them
            if (host, loopback.port) in loopback.hosts:
                loopback.host(host).program.state.clear()
        results = tmp_path / f"pool-{processes}.jsonl"
        options = FleetOptions(PACKAGE, remediate=True, concurrency=9, processes=processes, host_timeout_s=3.0,
                               results_path=results)
        progress = (lambda record, done, total: seen.append((record["host"], done, total))) if processes > 1 else None
        result = run_fleet(list(expected), settings, options, scripts_for, progress=progress)
        lines = [json.loads(line) for line in results.read_text().splitlines()]
        assert [r["host"] for r in lines] == [r["host"] for r in result.records], "file order = record order"
        assert sorted(r["host"] for r in lines) == sorted(expected), "exactly one record per host"
        assert result.exit_code == ExitCode.HOST_ERROR and not result.interrupted and not result.not_started
        by_processes[processes] = {r["host"]: _outcome(r) for r in lines}
    assert by_processes[3] == by_processes[1]
    assert [done for _host, done, _total in seen] == list(range(1, 25)) and {t for *_, t in seen} == {24}
    assert sorted(host for host, *_ in seen) == sorted(expected)


def test_a_dead_child_loses_no_host(loopback, tmp_path):  # noqa: F811
    hosts = [loopback.add_host() for _ in range(6)]
    doomed = hosts[1]  # dealt to the second of two children (hosts[1::2])

    def factory(settings):
        if settings.host == doomed:
            os._exit(9)  # the child process dies without a word
        return make_runner(settings)

    results = tmp_path / "dead.jsonl"
    options = FleetOptions(PACKAGE, concurrency=2, processes=2, host_timeout_s=10.0, results_path=results)
    result = run_fleet(hosts, settings_for(loopback, "placeholder", "psrp"), options, scripts_for,
                       runner_factory=factory)
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(r["host"] for r in lines) == sorted(hosts)
    lost = {r["host"]: r for r in lines if (r["error"] or {}).get("code") == "internal_error"}
    assert doomed in lost and "client process ended (exit 9)" in lost[doomed]["error"]["message"]
    assert set(lost) <= set(hosts[1::2]), "only the dead child's hosts"
    assert all(r["status"] == "error" for r in lines)  # the others: plain script, no result line (bad_output)


@pytest.mark.parametrize("hosts, concurrency, cores, expected", [
    pytest.param(50, 50, 2, 1, id="small-fleet-one-process"),
    pytest.param(400, 50, 2, 2, id="400-hosts-two-cores"),
    pytest.param(100_000, 50, 16, 8, id="capped-at-8"),
    pytest.param(5_000, 1, 4, 1, id="concurrency-1"),
])
def test_default_processes_follow_cores_and_size(monkeypatch, hosts, concurrency, cores, expected):
    monkeypatch.setattr(fleet_defaults, "cores", lambda: cores)
    assert fleet_defaults.default_processes(hosts, concurrency) == expected
    assert fleet_defaults.default_concurrency() == fleet_defaults.CONCURRENCY_PER_CORE * cores
