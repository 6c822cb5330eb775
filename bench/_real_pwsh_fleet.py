"""bench/fleet.py --real-pwsh N: a handful of hosts whose PowerShell is real, against the programmed hosts.

Each real host is a simulated Windows (tests/simwin/remote.py: the real generated scripts, spliced at the OS
seam, run in ``pwsh -s`` over PSRP or in pwsh behind the cmd shell's stdin bootstrap over WinRM), with TLS 1.2
disabled so that a cycle detects, fixes and verifies. Each programmed host answers the same scripts with
result lines played by the loopback engine, as the rest of bench/fleet.py measures. Per transport and mode
(detect-only, the one-pipeline cycle) it reports per host: HTTP requests and KiB both ways as the hosts counted
them, the mean seconds of a host's record, and how many hosts ended as expected.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _util import ROOT

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from remediate.fleet import FleetOptions, run_fleet  # noqa: E402
from remediate.render import scripts_for as package_scripts  # noqa: E402
from remediate.runners.base import ConnectionSettings  # noqa: E402
from simwin.machine import healthy  # noqa: E402
from simwin.remote import RemoteSim  # noqa: E402
from tests.wsman_server import Action, HostProgram, LoopbackServer  # noqa: E402
from tests.wsman_server.fixtures import PASSWORD, USER  # noqa: E402

SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
EXPECTED = {"detect": "non_compliant", "cycle": "fixed"}


def _line(phase: str, verdict: str) -> str:
    return json.dumps({"schema_version": 1, "package": "caa20002-device", "phase": phase, "verdict": verdict,
                       "findings": []}, separators=(",", ":"))


def programmed() -> HostProgram:
    """Answers the real device scripts as a TLS-disabled machine would: non-compliant until remediated."""

    def respond(script: str, state: dict) -> Action:
        if "'Phase' = 'remediate'" in script:
            state["fixed"] = True
            return Action(output=(_line("remediate", "remediated"),), exit_code=0)
        ok = state.get("fixed", False)
        return Action(output=(_line("detect", "compliant" if ok else "non_compliant"),), exit_code=0 if ok else 1)

    return HostProgram(script=respond)


def _measure(server: LoopbackServer, hosts: list[str], transport: str, cycle: bool, timeout_s: float,
             concurrency: int) -> dict:
    settings = ConnectionSettings(host=hosts[0], transport=transport, port=server.port, ssl=False, auth="ntlm",
                                  username=USER, password=PASSWORD, connect_timeout=10, read_timeout=60)
    options = FleetOptions("caa20002-device", remediate=cycle, concurrency=concurrency, host_timeout_s=timeout_s)
    before = {h: (server.host(h).requests, server.host(h).bytes_in, server.host(h).bytes_out) for h in hosts}
    from remediate.packages import load_packages

    package = next(p for p in load_packages(ROOT / "packaging") if p.id == "caa20002-device")
    started = time.monotonic()
    result = run_fleet(hosts, settings, options, package_scripts(package))
    makespan = time.monotonic() - started
    n = len(hosts)
    deltas = [tuple(now - then for now, then in zip((server.host(h).requests, server.host(h).bytes_in,
                                                     server.host(h).bytes_out), before[h])) for h in hosts]
    mode = "cycle" if cycle else "detect"
    for record in result.records:
        if record["status"] != EXPECTED[mode]:
            failing = [(f["id"], f["state"], f.get("reason")) for f in record.get("findings", [])
                       if f["state"] not in ("pass", "fixed")]
            print(f"  {record['host']}: {record['status']} {record.get('error')} {failing} "
                  f"{[(p['phase'], p['exit_code'], p['duration_s']) for p in record['phases']]}", file=sys.stderr)
    return {"requests": sum(d[0] for d in deltas) / n, "kib_up": sum(d[1] for d in deltas) / n / 1024,
            "kib_down": sum(d[2] for d in deltas) / n / 1024,
            "seconds": statistics.mean(r.get("duration_s", 0.0) for r in result.records),
            "ok": sum(r["status"] == EXPECTED[mode] for r in result.records), "hosts": n, "makespan_s": makespan,
            "statuses": sorted({r["status"] + (f"/{r['error']['code']}" if r.get("error") else "")
                                for r in result.records})}


def main(args) -> int:
    n = args.real_pwsh
    concurrency = min(int(str(args.concurrency).split(",")[0]), n)  # the first of bench/fleet.py's --concurrency
    print(f"{n} hosts with real PowerShell (simulated Windows, TLS 1.2 disabled) and {n} programmed hosts, "
          f"concurrency {concurrency}; per host: requests, KiB up/down as the hosts counted them, "
          f"mean seconds of a host's record", flush=True)
    header = (f"{'hosts':11} {'transport':9} {'mode':7} {'ok':>5} {'req/host':>9} {'KiB up':>8} {'KiB down':>9} "
              f"{'s/host':>7} {'makespan':>9}  statuses")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-real-pwsh-") as tmp, \
            LoopbackServer(Path(tmp) / "server") as server:
        print(header, flush=True)
        for transport in args.transports.split(","):
            for cycle in (False, True):
                # Fresh machines per run: a fixed machine would make the next cycle a detection only.
                real = [server.add_host(HostProgram(pwsh=RemoteSim(
                    Path(tmp) / f"{transport}-{cycle}-{i}", healthy().set_value(SCHANNEL, "Enabled", 0)
                ).pwsh_config())) for i in range(n)]
                fake = [server.add_host(programmed()) for _ in range(n)]
                for kind, hosts in (("real pwsh", real), ("programmed", fake)):
                    row = _measure(server, hosts, transport, cycle, args.host_timeout, concurrency)
                    row.update(kind=kind, transport=transport, mode="cycle" if cycle else "detect")
                    rows.append(row)
                    print(f"{kind:11} {transport:9} {row['mode']:7} {row['ok']:>2}/{row['hosts']:<2} "
                          f"{row['requests']:9.1f} {row['kib_up']:8.1f} {row['kib_down']:9.1f} "
                          f"{row['seconds']:7.2f} {row['makespan_s']:8.2f}s  {', '.join(row['statuses'])}",
                          flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if all(r["ok"] == r["hosts"] for r in rows) else 1
