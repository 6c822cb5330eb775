"""Fault test: SIGINT/SIGTERM to a real ``remediate run`` process while loopback hosts finish all the time.

The hosts' own counters are the witness: a host that ran a script has exactly one record; a host whose shell
the client closed before the signal (it was done) keeps its verdict; no shell is left open; the counts on
stderr and stdout agree with the file. Rates and concurrency 64-512 are in bench/sigint.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.wsman_server import Action, HostProgram, LoopbackServer
from tests.wsman_server.fixtures import PASSWORD, USER

ROOT = Path(__file__).resolve().parent.parent
RUN_LIMIT_S = 90.0
HOSTS = 24


def _detect(delay_s: float):
    line = json.dumps({"schema_version": 1, "package": "caa20002-device", "phase": "detect",
                       "verdict": "non_compliant", "findings": []})

    def play(script: str, state: dict) -> Action:
        return Action(output=(line,), exit_code=1, delay_s=delay_s)

    return play


@pytest.fixture(scope="module")
def spread_hosts(tmp_path_factory):
    """HOSTS loopback hosts whose detection takes 0.2 to 4.2 s, so hosts finish all the time."""
    with LoopbackServer(tmp_path_factory.mktemp("wsman-signals")) as server:
        names = [server.add_host(HostProgram(script=_detect(0.2 + 4.0 * ((i * 0.618) % 1.0))))
                 for i in range(HOSTS)]
        yield server, names


def _reset(server: LoopbackServer, names: list[str]) -> None:
    for name in names:
        host = server.host(name)
        with host.cond:
            host.scripts.clear()
            host.requests = 0
            host.closed_at = None


def _run_and_signal(server, names, tmp_path: Path, signum: int, after: str,
                    extra: tuple[str, ...] = ()) -> tuple[int, float, Path, str, str]:
    results, err = tmp_path / "results.jsonl", tmp_path / "err.txt"
    argv = [sys.executable, "-c", "from remediate.cli import main; main()", "--log-level", "info", "run", *names, "--package",
            "caa20002-device", "--transport", "psrp", "--no-ssl", "--port", str(server.port), "--auth", "ntlm",
            "--username", USER, "--concurrency", "16", "--timeout", "60", "--results", str(results),
            "--output", "jsonl", *extra]
    env = {**os.environ, "REMEDIATE_PASSWORD": PASSWORD}
    with err.open("w") as stderr:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=ROOT, text=True)
        start = time.monotonic()
        signalled_at = 0.0
        while time.monotonic() - start < RUN_LIMIT_S and proc.poll() is None:
            ready = "fleet.start" in err.read_text() if after == "fleet.start" else \
                results.exists() and results.read_text().count("\n") >= 1
            if ready:
                time.sleep(0.3)
                signalled_at = time.time()
                proc.send_signal(signum)
                break
            time.sleep(0.01)
        try:
            out, _ = proc.communicate(timeout=RUN_LIMIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("remediate run did not end after the signal")
    assert signalled_at, "the run ended before the signal could be sent"
    return proc.returncode, signalled_at, results, out, err.read_text()


@pytest.mark.parametrize("signum, after, extra", [
    pytest.param(signal.SIGINT, "first-record", (), id="sigint-while-hosts-finish"),
    pytest.param(signal.SIGTERM, "first-record", (), id="sigterm-while-hosts-finish"),
    pytest.param(signal.SIGINT, "fleet.start", (), id="sigint-while-workers-start"),
    pytest.param(signal.SIGINT, "first-record", ("--processes", "2"), id="sigint-pool-of-2"),
    pytest.param(signal.SIGTERM, "first-record", ("--processes", "3"), id="sigterm-pool-of-3"),
])
def test_a_signal_loses_no_finished_host(spread_hosts, tmp_path, signum, after, extra):
    server, names = spread_hosts
    _reset(server, names)
    code, signalled_at, results, out, err = _run_and_signal(server, names, tmp_path, signum, after, extra)
    assert code == 130, err[-2000:]
    records = [json.loads(line) for line in results.read_text().splitlines()]
    by_host = {r["host"]: r for r in records}
    assert len(by_host) == len(records), "one record per host"
    for name in names:
        host = server.host(name)
        if host.scripts:
            assert name in by_host, f"{name} ran a script but has no record"
        if host.closed_at is not None and host.closed_at < signalled_at and host.scripts:
            assert by_host[name]["status"] == "non_compliant", f"{name} finished before the signal"
        assert not host.shells, f"{name}: shell left open"
    interrupted = [r for r in records if r["status"] == "interrupted"]
    assert interrupted, "the signal came while hosts were in flight"
    assert all(r["error"]["code"] == "interrupted" for r in interrupted)
    recorded, not_started = map(int, re.search(r"(\d+) hosts recorded, (\d+) not started", err).groups())
    assert recorded == len(records) == len(out.splitlines()) and recorded + not_started == len(names)
