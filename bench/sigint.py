"""Records under SIGINT: a real ``remediate run`` subprocess against loopback hosts, interrupted at random moments.

    .venv/bin/python bench/sigint.py [--concurrency 16 64 128 512] [--trials 10] [--signal INT|TERM]

Each trial runs ``remediate run`` (detect-only over PSRP, the real caa20002-device detection) on
1.5 x concurrency loopback hosts (bench/_loopback_fleet.py, their own process) whose scripts take 0.3 to 3.3 s,
so hosts finish all the time. Trials take turns sending the signal at three moments: ``launch`` (0.2 to 1.5 s
after the process started: maybe before the fleet starts, when nothing may be recorded and no host contacted),
``workers`` (0 to 0.5 s after the ``fleet.start`` log line: while workers start) and ``running`` (0 to 1.5 s
after the first record is on disk). The hosts' own counters are the witness:

    lost          a host that ran a script (the server saw it) but has no record, or more than one
    lost verdict  a host whose shell the client had closed before the signal (it was done) but whose
                  record is not its verdict
    open shells   hosts whose shell was never closed (a pipeline left running)
    counts        records in the file + "not started" (stderr) != hosts, or stdout's records != the file's
    delay         a record's arrival in the file (polled every 5 ms) minus the host's last shell Delete

Goal: 0 lost in every trial, worst delay under 1 s. Every wait is bounded; the hosts listen on 127.0.0.0/8.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _util import ROOT, tool
from fleet import Hosts

RUN_LIMIT_S = 120.0
POLL_S = 0.005


@dataclass
class Trial:
    concurrency: int
    moment: str  # launch | workers | running
    signal_after_s: float = 0.0
    exit_code: int | None = None
    records: int = 0
    lost: list[str] = field(default_factory=list)
    lost_verdicts: list[str] = field(default_factory=list)
    open_shells: int = 0
    counts_ok: bool = False
    worst_delay_s: float = 0.0


def _lines(path: Path, seen: dict[str, float], now: float) -> None:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return
    for line in text.split("\n")[:-1]:
        host = json.loads(line)["host"]
        seen.setdefault(host, now)


def trial(hosts: Hosts, names: list[str], concurrency: int, moment: str, signum: int, rng: random.Random,
          workdir: Path) -> Trial:
    hosts.ask("reset")
    results, out, err = workdir / "results.jsonl", workdir / "out.jsonl", workdir / "err.txt"
    for path in (results, out, err):
        path.unlink(missing_ok=True)
    argv = [tool("remediate"), "--log-level", "info", "run", *names, "--package", "caa20002-device", "--transport", "psrp", "--no-ssl",
            "--port", str(hosts.port), "--auth", "ntlm", "--username", hosts.user, "--concurrency",
            str(concurrency), "--timeout", "60", "--results", str(results), "--output", "jsonl"]
    env = {**os.environ, "REMEDIATE_PASSWORD": hosts.password}
    result = Trial(concurrency, moment)
    arrived: dict[str, float] = {}
    with out.open("w") as stdout, err.open("w") as stderr:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env, cwd=ROOT)
        wait_s = {"launch": rng.uniform(0.2, 1.5), "workers": rng.uniform(0, 0.5), "running": rng.uniform(0, 1.5)}
        first: float | None = None
        fleet_start: float | None = None
        signalled_at = None
        while proc.poll() is None and time.monotonic() - start < RUN_LIMIT_S:
            _lines(results, arrived, time.time())
            if first is None and arrived:
                first = time.monotonic()
            if fleet_start is None and "fleet.start" in err.read_text():
                fleet_start = time.monotonic()
            origin = {"launch": start, "workers": fleet_start, "running": first}[moment]
            due = origin + wait_s[moment] if origin is not None else None
            if signalled_at is None and due is not None and time.monotonic() >= due:
                signalled_at = time.time()
                result.signal_after_s = round(time.monotonic() - start, 2)
                proc.send_signal(signum)
            time.sleep(POLL_S)
        if proc.poll() is None:
            proc.kill()
        result.exit_code = proc.wait(10)
    _lines(results, arrived, time.time())
    _judge(result, hosts.ask("stats")["hosts"], results, out, err, signalled_at, arrived, len(names))
    return result


def _judge(result: Trial, stats: dict, results: Path, out: Path, err: Path, signalled_at: float | None,
           arrived: dict[str, float], total: int) -> None:
    records = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
    by_host: dict[str, list[dict]] = {}
    for record in records:
        by_host.setdefault(record["host"], []).append(record)
    result.records = len(records)
    for name, s in stats.items():
        mine = by_host.get(name, [])
        if len(mine) > 1 or (s["scripts"] and not mine):
            result.lost.append(name)
        closed_before = s["closed_at"] is not None and signalled_at is not None and s["closed_at"] < signalled_at
        if closed_before and s["scripts"] and (not mine or mine[0]["status"] == "interrupted"):
            result.lost_verdicts.append(name)
        if s["open_shells"]:
            result.open_shells += 1
        if mine and mine[0]["status"] != "interrupted" and s["closed_at"] and name in arrived:
            result.worst_delay_s = max(result.worst_delay_s, arrived[name] - s["closed_at"])
    match = re.search(r"(\d+) hosts recorded, (\d+) not started", err.read_text())
    printed = len(out.read_text().splitlines())
    if not records and not any(s["scripts"] or s["requests"] for s in stats.values()):
        result.counts_ok = result.exit_code != 0  # stopped before the fleet started: nothing to record
    elif match:
        result.counts_ok = int(match.group(1)) == len(records) == printed and \
            int(match.group(1)) + int(match.group(2)) == total
    else:  # finished before the signal: every host recorded
        result.counts_ok = len(records) == printed == total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64, 128, 512])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--signal", choices=["INT", "TERM"], default="INT")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    signum = signal.SIGINT if args.signal == "INT" else signal.SIGTERM
    rng = random.Random(args.seed)
    most = max(args.concurrency) * 3 // 2
    hosts = Hosts(most, latency_ms=5, runtime_ms=300, spread_ms=3000)
    failed = False
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sigint-") as tmp:
            print(f"{'conc':>5} {'hosts':>5} {'trial':>5} {'moment':8} {'sig@s':>6} {'exit':>4} {'records':>7} "
                  f"{'lost':>4} {'lost verdict':>12} {'open':>4} {'counts':>6} {'worst delay s':>13}")
            for concurrency in args.concurrency:
                names = hosts.names[:concurrency * 3 // 2]
                for n in range(args.trials):
                    t = trial(hosts, names, concurrency, ("launch", "workers", "running")[n % 3], signum, rng,
                              Path(tmp))
                    bad = t.lost or t.lost_verdicts or t.open_shells or not t.counts_ok
                    failed |= bool(bad)
                    print(f"{concurrency:>5} {len(names):>5} {n + 1:>5} {t.moment:8} {t.signal_after_s:>6.2f} "
                          f"{t.exit_code:>4} {t.records:>7} {len(t.lost):>4} {len(t.lost_verdicts):>12} "
                          f"{t.open_shells:>4} {'ok' if t.counts_ok else 'WRONG':>6} {t.worst_delay_s:>13.3f}",
                          flush=True)
    finally:
        hosts.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
