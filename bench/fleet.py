"""Fleet throughput: N loopback hosts, per-request latency, a script runtime, concurrency C; Ansible alongside.

    .venv/bin/python bench/fleet.py [--hosts 500 --concurrency 50 --latency-ms 20 --runtime-ms 100]

For PSRP and WinRM, detect-only and detect -> remediate -> verify, it measures the makespan of
``remediate.fleet.run_fleet`` against the ideal bound, and the HTTP requests and bytes per host as the hosts
counted them. Then the same hosts in the same run are driven by Ansible (ansible-core, ``ansible.builtin.psrp``
connection, ``raw`` module, forks = C), the tool a user would pick instead.

Ideal bound: ceil(N / C) waves, each as long as one host's sequential waits,
    R x latency + S x max(0, (P / S) x runtime - latency)
with R the requests per host the hosts counted, S the scripts per host and P the phases they ran (a detection
is 1 script, 1 phase; our remote cycle 1 script, 3 phases; Ansible's cycle 3 scripts, 3 phases). A script's
runtime overlaps the round trip of the Receive that waits for it (the server starts it when the Command
arrives), which is why only the part beyond one latency adds. Efficiency = ideal / measured makespan.

Columns ``cpu ms/host`` and ``host cpu`` are the CPU time per host of the client (this process, or Ansible's
processes) and of the loopback hosts' processes: on 2 cores they say whether the makespan is CPU-bound.
Columns ``rt p50/p90/p99`` are the HTTP round trips as the client timed them (single-process runs only).

The hosts run in ``--host-processes`` processes of their own (bench/_loopback_fleet.py, one port, each its
slice of addresses) on 127.0.0.0/8 only, so that the harness is not the bottleneck; every step is bounded by
a timeout. The scripts sent are the real generated scripts of ``--package`` behind a one-line phase marker, so
request counts and bytes include the fragmentation of ~100 KB scripts (``--tiny-scripts`` sends 2-line ones).

``--real-pwsh N`` measures instead N hosts whose PowerShell is real against N programmed hosts: requests,
bytes and seconds per host, per transport and mode (bench/_real_pwsh_fleet.py).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from _util import ROOT, VENV_BIN

sys.path.insert(0, str(ROOT))

from remediate.fleet import FleetOptions, run_fleet  # noqa: E402
from remediate.runners.base import ConnectionSettings  # noqa: E402

GOAL_EFFICIENCY = 0.80  # issue 16: at N = 2,000, C = 50, 100 ms scripts, hosts in their own processes
GOAL_PSRP_REQUESTS = 8
GOAL_CLIENT_CPU_MS = 6.0
GOAL_VS_ANSIBLE = 6.0
SERVER_START_S = 120.0


@dataclass
class Row:
    tool: str
    mode: str  # detect | cycle
    concurrency: int
    hosts: int
    ok: int  # hosts with the expected outcome
    makespan_s: float
    ideal_s: float
    requests: float  # per host, as counted by the hosts
    kib_in: float  # per host, client -> host
    kib_out: float  # per host, host -> client
    scripts: float  # per host
    phases: float  # per host: detect, remediate, verify each count once, in one script or in three
    client_cpu_ms: float  # per host: this process (our fleet) or Ansible's processes
    server_cpu_ms: float  # per host: the loopback hosts' processes (a real fleet spends it on the hosts)
    client_processes: int = 1
    round_trips: dict[str, float] = field(default_factory=dict)  # ms as the client saw them: p50, p90, p99, max

    @property
    def efficiency(self) -> float:
        return self.ideal_s / self.makespan_s if self.makespan_s else 0.0

    @property
    def throughput(self) -> float:
        return self.ok / self.makespan_s if self.makespan_s else 0.0


# -- the hosts ------------------------------------------------------------------------------------------
class _HostProcess:
    """One loopback-hosts process (bench/_loopback_fleet.py): start, ask, stop."""

    def __init__(self, count: int, first: int, port: int, latency_ms: float, runtime_ms: float,
                 spread_ms: float) -> None:
        argv = [sys.executable, str(ROOT / "bench" / "_loopback_fleet.py"), "--hosts", str(count),
                "--latency-ms", str(latency_ms), "--runtime-ms", str(runtime_ms), "--spread-ms", str(spread_ms),
                "--port", str(port), "--first", str(first)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.hello = self._read(SERVER_START_S)

    def _read(self, timeout_s: float) -> dict[str, Any]:
        box: list[str] = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout_s)
        if not box or not box[0]:
            self.stop()
            raise RuntimeError(f"the loopback fleet did not answer within {timeout_s:g} s")
        return json.loads(box[0])

    def ask(self, command: str) -> dict[str, Any]:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read(60)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(10)


class Hosts:
    """The loopback fleet, split over ``processes`` host processes on one port, so that the hosts' own CPU
    (XML, NTLM, CLIXML: about as much as the client's) is not one interpreter that every client request
    queues behind. ``stats`` merges the per-host counters and sums the processes' CPU seconds."""

    def __init__(self, count: int, latency_ms: float, runtime_ms: float, spread_ms: float = 0.0,
                 processes: int = 1) -> None:
        processes = max(1, min(processes, count))
        sizes = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
        self.procs: list[_HostProcess] = []
        try:
            first = 0
            for size in sizes:
                port = self.procs[0].hello["port"] if self.procs else 0
                self.procs.append(_HostProcess(size, first, port, latency_ms, runtime_ms, spread_ms))
                first += size
        except BaseException:
            self.stop()
            raise
        hello = self.procs[0].hello
        self.port: int = hello["port"]
        self.names: list[str] = [name for p in self.procs for name in p.hello["hosts"]]
        self.user: str = hello["user"]
        self.password: str = hello["password"]

    def ask(self, command: str) -> dict[str, Any]:
        answers = [p.ask(command) for p in self.procs]
        if command != "stats":
            return answers[0]
        return {"hosts": {k: v for a in answers for k, v in a["hosts"].items()},
                "cpu_s": sum(a["cpu_s"] for a in answers)}

    def stop(self) -> None:
        for p in self.procs:
            p.stop()


def per_host(stats: dict[str, dict[str, int]]) -> dict[str, float]:
    n = max(1, len(stats))
    keys = ("requests", "bytes_in", "bytes_out", "scripts", "phases")
    return {key: sum(s[key] for s in stats.values()) / n for key in keys}


def ideal(hosts: int, concurrency: int, requests: float, scripts: float, phases: float, latency_s: float,
          runtime_s: float) -> float:
    waves = math.ceil(hosts / concurrency)
    per_script = runtime_s * phases / scripts if scripts else 0.0
    return waves * (requests * latency_s + scripts * max(0.0, per_script - latency_s))


# -- the scripts ----------------------------------------------------------------------------------------
def bench_scripts(package_id: str | None) -> dict[str, str]:
    """{detect, remediate, cycle: script}: the package's generated scripts behind a marker line, or stand-ins.
    The hosts play a cycle script (it calls Invoke-RmCycle) step by step, as the fleet tests' hosts do."""
    bodies = {"detect": "exit 0\r\n", "remediate": "exit 0\r\n", "cycle": "# Invoke-RmCycle\r\nexit 0\r\n"}
    if package_id:
        from remediate.packages import load_packages
        from remediate.render import render_script
        from remediate.results import Phase

        package = next(p for p in load_packages(ROOT / "remediate" / "packaging") if p.id == package_id)
        bodies = {phase: render_script(package, Phase(phase), dry_run=False).decode("ascii")
                  for phase in ("detect", "remediate")}
        bodies["cycle"] = render_script(package, Phase.REMEDIATE, cycle=True).decode("ascii")
    return {name: f"# remediate-bench {'cycle' if name == 'cycle' else f'phase={name}'}\r\n{body}"
            for name, body in bodies.items()}


# -- remediate ------------------------------------------------------------------------------------------
def run_remediate(hosts: Hosts, transport: str, cycle: bool, args: argparse.Namespace,
                  scripts: dict[str, str], concurrency: int, processes: int | str = 1) -> Row:
    hosts.ask("reset")
    cpu = Cpu(hosts)
    settings = ConnectionSettings("placeholder", transport=transport, port=hosts.port, ssl=False, auth="ntlm",
                                  username=hosts.user, password=hosts.password, connect_timeout=5.0,
                                  read_timeout=30.0)
    if processes == "auto":
        from remediate.defaults import default_processes

        processes = default_processes(len(hosts.names), concurrency)
    pool = {"processes": processes} if processes != 1 else {}  # (a tree from before the pool has no such option)
    options = FleetOptions("bench", remediate=cycle, concurrency=concurrency, host_timeout_s=args.host_timeout,
                           **pool)
    RoundTrips.take()
    start = time.monotonic()
    result = run_fleet(hosts.names, settings, options,
                       lambda _pkg, phase, _dry, cycle: scripts["cycle" if cycle else phase.value])
    makespan = time.monotonic() - start
    want = "fixed" if cycle else "non_compliant"
    ok = sum(1 for r in result.records if r["status"] == want)
    row = _row(f"remediate {transport}", cycle, hosts, ok, makespan, cpu, args, concurrency)
    row.round_trips = RoundTrips.take()
    row.client_processes = processes
    return row


class RoundTrips:
    """Every HTTP round trip's wall time as the client sees it (request out to response read), auth legs
    included: requests' adapter is timed in this process. Runs with a pool of client processes time their
    round trips in the children, which this does not see (their rows have no distribution)."""

    samples: list[float] = []

    @classmethod
    def install(cls) -> None:
        import requests.adapters

        original = requests.adapters.HTTPAdapter.send

        def timed(self, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                cls.samples.append(time.perf_counter() - start)  # list.append is atomic under the GIL

        requests.adapters.HTTPAdapter.send = timed

    @classmethod
    def take(cls) -> dict[str, float]:
        samples, cls.samples = sorted(cls.samples), []
        if not samples:
            return {}
        pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] * 1000  # noqa: E731
        return {"n": len(samples), "p50": pick(0.50), "p90": pick(0.90), "p99": pick(0.99),
                "max": samples[-1] * 1000}


class Cpu:
    """CPU seconds spent from now on: by this process and its reaped children, and by the hosts' process."""

    def __init__(self, hosts: Hosts) -> None:
        self.client = _own_cpu()
        self.server = hosts.ask("stats")["cpu_s"]

    def spent(self, stats: dict[str, Any]) -> tuple[float, float]:
        return _own_cpu() - self.client, stats["cpu_s"] - self.server


def _own_cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _row(tool: str, cycle: bool, hosts: Hosts, ok: int, makespan: float, cpu: Cpu,
         args: argparse.Namespace, concurrency: int) -> Row:
    stats = hosts.ask("stats")
    client_cpu, server_cpu = cpu.spent(stats)
    counts = per_host(stats["hosts"])
    n = len(hosts.names)
    bound = ideal(n, concurrency, counts["requests"], counts["scripts"], counts["phases"],
                  args.latency_ms / 1000, args.runtime_ms / 1000)
    return Row(tool, "cycle" if cycle else "detect", concurrency, n, ok, makespan, bound, counts["requests"],
               counts["bytes_in"] / 1024, counts["bytes_out"] / 1024, counts["scripts"], counts["phases"],
               client_cpu / n * 1000, server_cpu / n * 1000)


# -- Ansible --------------------------------------------------------------------------------------------
PLAYBOOK = """\
- hosts: fleet
  gather_facts: false
  tasks:
    - name: detect
      ansible.builtin.raw: "{{ detect_script }}"
      register: detect
      changed_when: false
      failed_when: "'\\"verdict\\"' not in detect.stdout"
    - name: remediate
      ansible.builtin.raw: "{{ remediate_script }}"
      register: fix
      when: cycle and '"non_compliant"' in detect.stdout
    - name: verify
      ansible.builtin.raw: "{{ detect_script }}"
      register: verify
      changed_when: false
      failed_when: "'\\"compliant\\"' not in verify.stdout"
      when: cycle and fix is not skipped
"""


def ansible_files(workdir: Path, hosts: Hosts, scripts: dict[str, str]) -> None:
    lines = ["[fleet]"] + [f"h{i:04d} ansible_host={name}" for i, name in enumerate(hosts.names)]
    lines += ["", "[fleet:vars]", "ansible_connection=psrp", "ansible_psrp_protocol=http",
              f"ansible_port={hosts.port}", "ansible_psrp_auth=ntlm", "ansible_psrp_message_encryption=auto",
              "ansible_psrp_connection_timeout=5", "ansible_psrp_read_timeout=30",
              "ansible_psrp_reconnection_retries=0", "ansible_psrp_ignore_proxy=true"]
    (workdir / "inventory.ini").write_text("\n".join(lines) + "\n")
    # JSON strings are YAML scalars; !unsafe keeps Jinja from templating PowerShell's braces.
    secrets = [f"ansible_user: {json.dumps(hosts.user)}", f"ansible_password: {json.dumps(hosts.password)}"]
    script_vars = [f"{phase}_script: !unsafe {json.dumps(text)}" for phase, text in scripts.items()
                   if phase != "cycle"]  # Ansible runs a task per phase
    (workdir / "vars.yml").write_text("\n".join(secrets + script_vars) + "\n")
    (workdir / "play.yml").write_text(PLAYBOOK)
    (workdir / "ansible.cfg").write_text("[defaults]\nhost_key_checking = False\nretry_files_enabled = False\n"
                                         "display_skipped_hosts = False\ndisplay_ok_hosts = False\n")


def ansible_available() -> str | None:
    candidate = VENV_BIN / "ansible-playbook"
    return str(candidate) if candidate.exists() else shutil.which("ansible-playbook")


def run_ansible(hosts: Hosts, cycle: bool, args: argparse.Namespace, scripts: dict[str, str],
                playbook: str, concurrency: int) -> Row:
    hosts.ask("reset")
    cpu = Cpu(hosts)
    with tempfile.TemporaryDirectory(prefix="bench-ansible-") as tmp:
        workdir = Path(tmp)
        ansible_files(workdir, hosts, scripts)
        env = dict(os.environ, ANSIBLE_CONFIG=str(workdir / "ansible.cfg"), ANSIBLE_LOCAL_TEMP=str(workdir / "tmp"),
                   ANSIBLE_HOME=str(workdir / "home"), LC_ALL="C.UTF-8", LANG="C.UTF-8", NO_PROXY="*",
                   PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        argv = [playbook, "-i", str(workdir / "inventory.ini"), str(workdir / "play.yml"), "-f",
                str(concurrency), "-e", f"@{workdir / 'vars.yml'}", "-e", json.dumps({"cycle": cycle})]
        start = time.monotonic()
        proc = subprocess.run(argv, env=env, cwd=workdir, capture_output=True, text=True, timeout=args.ansible_timeout)
        makespan = time.monotonic() - start
    ok = _ansible_ok(proc.stdout, cycle)
    if ok < len(hosts.names):
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
        print(f"ansible: {ok}/{len(hosts.names)} hosts as expected (exit {proc.returncode}):\n{tail}",
              file=sys.stderr)
    return _row("ansible psrp (raw)", cycle, hosts, ok, makespan, cpu, args, concurrency)


def _ansible_ok(stdout: str, cycle: bool) -> int:
    """Hosts whose recap says: every task it ran succeeded, and (cycle) the remediation ran (changed=1)."""
    ok = 0
    for line in stdout.splitlines():
        if ":" not in line or "ok=" not in line:
            continue
        fields = dict(part.split("=", 1) for part in line.split(":", 1)[1].split() if "=" in part)
        if fields.get("failed") == "0" and fields.get("unreachable") == "0" and \
                (not cycle or (fields.get("changed") == "1" and fields.get("ok") == "3")):
            ok += 1
    return ok


# -- report ---------------------------------------------------------------------------------------------
HEADER = (f"{'tool':22} {'mode':7} {'C':>4} {'P':>2} {'ok':>9} {'makespan':>9} {'ideal':>8} {'effic.':>7} {'hosts/s':>8} "
          f"{'req/host':>9} {'KiB up':>8} {'KiB down':>9} {'cpu ms/host':>11} {'host cpu':>8} "
          f"{'rt p50':>7} {'rt p90':>7} {'rt p99':>7}")


def format_row(r: Row) -> str:
    rt = r.round_trips
    trips = " ".join(f"{rt[q]:7.1f}" if q in rt else f"{'-':>7}" for q in ("p50", "p90", "p99"))
    return (f"{r.tool:22} {r.mode:7} {r.concurrency:4d} {r.client_processes:2d} {f'{r.ok}/{r.hosts}':>9} {r.makespan_s:8.2f}s {r.ideal_s:7.2f}s "
            f"{r.efficiency:6.0%} {r.throughput:8.1f} {r.requests:9.1f} {r.kib_in:8.1f} {r.kib_out:9.1f} "
            f"{r.client_cpu_ms:11.1f} {r.server_cpu_ms:8.1f} {trips}")


def goals(rows: list[Row], concurrency: int) -> list[str]:
    """Issue 16's goals, for the rows at ``concurrency`` (the goals are stated for C = 50)."""
    by = {(r.tool, r.mode): r for r in rows if r.concurrency == concurrency}
    out = []
    for key in (("remediate psrp", "cycle"), ("remediate winrm", "cycle")):
        if key in by:
            e = by[key].efficiency
            verdict = "met" if e >= GOAL_EFFICIENCY else f"missed by {(GOAL_EFFICIENCY - e) * 100:.0f} points"
            out.append(f"efficiency >= {GOAL_EFFICIENCY:.0%} ({key[0]} {key[1]}, C = {concurrency}): {e:.0%} "
                       f"{verdict}")
    if ("remediate psrp", "cycle") in by:
        row = by[("remediate psrp", "cycle")]
        verdict = "met" if row.requests <= GOAL_PSRP_REQUESTS else f"missed by {row.requests - GOAL_PSRP_REQUESTS:.0f}"
        out.append(f"PSRP requests per full cycle <= {GOAL_PSRP_REQUESTS}: {row.requests:.1f} {verdict}")
        cpu = row.client_cpu_ms
        verdict = "met" if cpu <= GOAL_CLIENT_CPU_MS else f"missed by {cpu - GOAL_CLIENT_CPU_MS:.1f} ms"
        out.append(f"client CPU per PSRP cycle <= {GOAL_CLIENT_CPU_MS:g} ms: {cpu:.1f} ms {verdict}")
    for mode in ("detect", "cycle"):
        ours, theirs = by.get(("remediate psrp", mode)), by.get(("ansible psrp (raw)", mode))
        if ours and theirs and theirs.throughput:
            ratio = ours.throughput / theirs.throughput
            verdict = "met" if ratio >= GOAL_VS_ANSIBLE else f"missed by {GOAL_VS_ANSIBLE - ratio:.2f}x"
            out.append(f"throughput vs Ansible >= {GOAL_VS_ANSIBLE:.0f}x ({mode}, PSRP both): {ratio:.2f}x {verdict}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="Fleet throughput on loopback hosts, with Ansible alongside.")
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--concurrency", default="50", help="one value or a comma list (a sweep)")
    parser.add_argument("--host-processes", type=int, default=4, help="loopback-host processes sharing the fleet")
    parser.add_argument("--client-processes", default="1",
                        help="our client's processes (run_fleet's pool): a number, a comma list, or 'auto'")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every HTTP answer")
    parser.add_argument("--runtime-ms", type=float, default=100.0, help="how long every script runs")
    parser.add_argument("--package", default="caa20002-device", help="whose generated scripts are sent")
    parser.add_argument("--tiny-scripts", action="store_true", help="send two-line scripts instead")
    parser.add_argument("--transports", default="psrp,winrm")
    parser.add_argument("--modes", default="detect,cycle")
    parser.add_argument("--no-ansible", action="store_true")
    parser.add_argument("--host-timeout", type=float, default=120.0, help="per-host deadline of our fleet runs")
    parser.add_argument("--ansible-timeout", type=float, default=1800.0, help="per Ansible run, seconds")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--real-pwsh", type=int, metavar="N", help="instead: N hosts with real PowerShell "
                        "(a simulated Windows) against N programmed hosts (bench/_real_pwsh_fleet.py)")
    args = parser.parse_args()
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    processes = [c if c == "auto" else int(c) for c in args.client_processes.split(",")]

    import remediate.log

    remediate.log.configure("error")
    if args.real_pwsh:
        from _real_pwsh_fleet import main as real_pwsh_main

        return real_pwsh_main(args)
    RoundTrips.install()
    scripts = bench_scripts(None if args.tiny_scripts else args.package)
    print(f"{args.hosts} loopback hosts in {args.host_processes} processes, concurrency {args.concurrency}, "
          f"client processes {args.client_processes}, latency {args.latency_ms:g} ms per request, script runtime "
          f"{args.runtime_ms:g} ms per phase, scripts {len(scripts['detect']):,} / {len(scripts['remediate']):,} / "
          f"{len(scripts['cycle']):,} (cycle) bytes, {os.cpu_count()} cores", flush=True)
    hosts = Hosts(args.hosts, args.latency_ms, args.runtime_ms, processes=args.host_processes)
    rows: list[Row] = []
    modes = [m == "cycle" for m in args.modes.split(",")]
    try:
        print(HEADER, flush=True)
        for concurrency in concurrencies:
            for procs in processes:
                for transport in args.transports.split(","):
                    for cycle in modes:
                        rows.append(run_remediate(hosts, transport, cycle, args, scripts, concurrency, procs))
                        print(format_row(rows[-1]), flush=True)
        playbook = None if args.no_ansible else ansible_available()
        if not args.no_ansible and playbook is None:
            print("ansible-playbook not found: install the bench extra (pip install -e '.[bench]')", file=sys.stderr)
        if playbook:
            for concurrency in concurrencies:
                for cycle in modes:
                    rows.append(run_ansible(hosts, cycle, args, scripts, playbook, concurrency))
                    print(format_row(rows[-1]), flush=True)
    finally:
        hosts.stop()
    print()
    for line in goals(rows, 50 if 50 in concurrencies else concurrencies[0]):
        print(line)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"efficiency": r.efficiency, "throughput": r.throughput}
                                         for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
