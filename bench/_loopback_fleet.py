"""A fleet of loopback WS-Management hosts in its own process, for bench/fleet.py.

The hosts live in a separate process so that the client under test (our fleet runner, or Ansible) does not
share an interpreter lock with the server: on a real fleet the hosts are other machines. Each host answers
every HTTP request after ``--latency-ms`` and plays every phase for ``--runtime-ms``; a script's phase is
read from a marker line (``# remediate-bench phase=detect``), as the fleet tests do, and a cycle script (it
calls Invoke-RmCycle) plays its steps one after the other (tests/wsman_server/engine.py):

    detect     non_compliant (exit 1) until the host was fixed, then compliant (exit 0)
    remediate  remediated (exit 0), and the host is fixed from now on

Protocol on stdin/stdout, one JSON line per command: the first line out names the port and the hosts;
``stats`` answers per-host counters (requests, bytes in/out, shells, scripts, phases) and this process's CPU
seconds; ``reset`` zeroes the counters and un-fixes every host; ``quit`` (or end of input) stops the server.

Several of these processes can serve one fleet (bench/fleet.py ``--host-processes``): the first picks the
port, the others listen on the same port (``--port``) on their own slice of addresses (``--first``), so the
client sees one fleet behind one port while the hosts' work is spread over processes.

    .venv/bin/python bench/_loopback_fleet.py --hosts 4 --latency-ms 20 --runtime-ms 100
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.wsman_server import Action, HostProgram, LoopbackServer  # noqa: E402
from tests.wsman_server import server as server_module  # noqa: E402
from tests.wsman_server.fixtures import PASSWORD, USER  # noqa: E402

PACKAGE = "bench"


def result_line(phase: str, verdict: str) -> str:
    data = {"schema_version": 1, "package": PACKAGE, "phase": phase, "verdict": verdict, "findings": []}
    return json.dumps(data, separators=(",", ":"))


def make_play(runtime_s: float):
    def play(script: str, state: dict) -> Action:
        runtime = state.get("runtime_s", runtime_s)
        state["phases"] = state.get("phases", 0) + 1
        if "phase=remediate" in script:
            state["fixed"] = True
            return Action(output=(result_line("remediate", "remediated"),), exit_code=0, delay_s=runtime)
        fixed = state.get("fixed", False)
        verdict = "compliant" if fixed else "non_compliant"
        return Action(output=(result_line("detect", verdict),), exit_code=0 if fixed else 1, delay_s=runtime)

    return play


def stats(server: LoopbackServer, names: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in names:
        host = server.host(name)
        with host.cond:
            out[name] = {"requests": host.requests, "bytes_in": host.bytes_in, "bytes_out": host.bytes_out,
                         "shells": host.shells_created, "scripts": len(host.scripts),
                          "phases": host.program.state.get("phases", 0), "open_shells": len(host.shells),
                          "closed_at": host.closed_at}
    return {"hosts": out, "cpu_s": time.process_time()}


def reset(server: LoopbackServer, names: list[str]) -> None:
    for name in names:
        host = server.host(name)
        with host.cond:
            host.requests = host.bytes_in = host.bytes_out = host.shells_created = host.auth_attempts = 0
            host.scripts.clear()
            host.closed_at = None
            runtime = host.program.state.get("runtime_s")
            host.program.state.clear()
            if runtime is not None:
                host.program.state["runtime_s"] = runtime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--runtime-ms", type=float, default=100.0)
    parser.add_argument("--spread-ms", type=float, default=0.0,
                        help="host i runs runtime + spread x (i x 0.618 mod 1): finishes spread over time")
    parser.add_argument("--port", type=int, default=0, help="listen on this port (0: pick one)")
    parser.add_argument("--first", type=int, default=0, help="index of this process's first loopback address")
    args = parser.parse_args()
    server_module._ADDRESSES = itertools.count(args.first)  # this process's slice of 127.0.x.y
    with tempfile.TemporaryDirectory(prefix="bench-wsman-") as workdir, LoopbackServer(Path(workdir)) as server:
        server.port = args.port
        play = make_play(args.runtime_ms / 1000)
        names = []
        for i in range(args.hosts):
            n = args.first + i  # the host's index in the whole fleet: the same spread however it is split
            runtime_s = (args.runtime_ms + args.spread_ms * ((n * 0.6180339887) % 1.0)) / 1000
            program = HostProgram(latency_s=args.latency_ms / 1000, script=play, state={"runtime_s": runtime_s})
            names.append(server.add_host(program))
        print(json.dumps({"port": server.port, "hosts": names, "user": USER, "password": PASSWORD}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                print(json.dumps(stats(server, names)), flush=True)
            elif command == "reset":
                reset(server, names)
                print(json.dumps({"reset": True}), flush=True)
            elif command == "quit":
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
