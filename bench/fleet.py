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
processes) and of the loopback hosts' process: on 2 cores they say whether the makespan is CPU-bound.

The hosts run in their own process (bench/_loopback_fleet.py) on 127.0.0.0/8 only; every step is bounded by
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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from _util import ROOT, VENV_BIN

sys.path.insert(0, str(ROOT))

from remediate.fleet import FleetOptions, run_fleet  # noqa: E402
from remediate.runners import ConnectionSettings  # noqa: E402

GOAL_EFFICIENCY = 0.90
GOAL_PSRP_REQUESTS = 8
GOAL_VS_ANSIBLE = 3.0
SERVER_START_S = 120.0


@dataclass
class Row:
    tool: str
    mode: str  # detect | cycle
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
    server_cpu_ms: float  # per host: the loopback hosts' process (a real fleet spends it on the hosts)

    @property
    def efficiency(self) -> float:
        return self.ideal_s / self.makespan_s if self.makespan_s else 0.0

    @property
    def throughput(self) -> float:
        return self.ok / self.makespan_s if self.makespan_s else 0.0


# -- the hosts ------------------------------------------------------------------------------------------
class Hosts:
    """The loopback fleet process: start, per-run reset, per-host counters, stop."""

    def __init__(self, count: int, latency_ms: float, runtime_ms: float, spread_ms: float = 0.0) -> None:
        argv = [sys.executable, str(ROOT / "bench" / "_loopback_fleet.py"), "--hosts", str(count),
                "--latency-ms", str(latency_ms), "--runtime-ms", str(runtime_ms), "--spread-ms", str(spread_ms)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        hello = self._read(SERVER_START_S)
        self.port: int = hello["port"]
        self.names: list[str] = hello["hosts"]
        self.user: str = hello["user"]
        self.password: str = hello["password"]

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

        package = next(p for p in load_packages(ROOT / "packaging") if p.id == package_id)
        bodies = {phase: render_script(package, Phase(phase), dry_run=False).decode("ascii")
                  for phase in ("detect", "remediate")}
        bodies["cycle"] = render_script(package, Phase.REMEDIATE, cycle=True).decode("ascii")
    return {name: f"# remediate-bench {'cycle' if name == 'cycle' else f'phase={name}'}\r\n{body}"
            for name, body in bodies.items()}


# -- remediate ------------------------------------------------------------------------------------------
def run_remediate(hosts: Hosts, transport: str, cycle: bool, args: argparse.Namespace,
                  scripts: dict[str, str]) -> Row:
    hosts.ask("reset")
    cpu = Cpu(hosts)
    settings = ConnectionSettings("placeholder", transport=transport, port=hosts.port, ssl=False, auth="ntlm",
                                  username=hosts.user, password=hosts.password, connect_timeout=5.0,
                                  read_timeout=30.0)
    options = FleetOptions("bench", remediate=cycle, concurrency=args.concurrency, host_timeout_s=args.host_timeout)
    start = time.monotonic()
    result = run_fleet(hosts.names, settings, options,
                       lambda _pkg, phase, _dry, cycle: scripts["cycle" if cycle else phase.value])
    makespan = time.monotonic() - start
    want = "fixed" if cycle else "non_compliant"
    ok = sum(1 for r in result.records if r["status"] == want)
    return _row(f"remediate {transport}", cycle, hosts, ok, makespan, cpu, args)


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
         args: argparse.Namespace) -> Row:
    stats = hosts.ask("stats")
    client_cpu, server_cpu = cpu.spent(stats)
    counts = per_host(stats["hosts"])
    n = len(hosts.names)
    bound = ideal(n, args.concurrency, counts["requests"], counts["scripts"], counts["phases"],
                  args.latency_ms / 1000, args.runtime_ms / 1000)
    return Row(tool, "cycle" if cycle else "detect", n, ok, makespan, bound, counts["requests"],
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
                playbook: str) -> Row:
    hosts.ask("reset")
    cpu = Cpu(hosts)
    with tempfile.TemporaryDirectory(prefix="bench-ansible-") as tmp:
        workdir = Path(tmp)
        ansible_files(workdir, hosts, scripts)
        env = dict(os.environ, ANSIBLE_CONFIG=str(workdir / "ansible.cfg"), ANSIBLE_LOCAL_TEMP=str(workdir / "tmp"),
                   ANSIBLE_HOME=str(workdir / "home"), LC_ALL="C.UTF-8", LANG="C.UTF-8", NO_PROXY="*",
                   PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        argv = [playbook, "-i", str(workdir / "inventory.ini"), str(workdir / "play.yml"), "-f",
                str(args.concurrency), "-e", f"@{workdir / 'vars.yml'}", "-e", json.dumps({"cycle": cycle})]
        start = time.monotonic()
        proc = subprocess.run(argv, env=env, cwd=workdir, capture_output=True, text=True, timeout=args.ansible_timeout)
        makespan = time.monotonic() - start
    ok = _ansible_ok(proc.stdout, cycle)
    if ok < len(hosts.names):
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
        print(f"ansible: {ok}/{len(hosts.names)} hosts as expected (exit {proc.returncode}):\n{tail}",
              file=sys.stderr)
    return _row("ansible psrp (raw)", cycle, hosts, ok, makespan, cpu, args)


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
HEADER = (f"{'tool':22} {'mode':7} {'ok':>9} {'makespan':>9} {'ideal':>8} {'effic.':>7} {'hosts/s':>8} "
          f"{'req/host':>9} {'KiB up':>8} {'KiB down':>9} {'cpu ms/host':>11} {'host cpu':>8}")


def format_row(r: Row) -> str:
    return (f"{r.tool:22} {r.mode:7} {f'{r.ok}/{r.hosts}':>9} {r.makespan_s:8.2f}s {r.ideal_s:7.2f}s "
            f"{r.efficiency:6.0%} {r.throughput:8.1f} {r.requests:9.1f} {r.kib_in:8.1f} {r.kib_out:9.1f} "
            f"{r.client_cpu_ms:11.1f} {r.server_cpu_ms:8.1f}")


def goals(rows: list[Row]) -> list[str]:
    by = {(r.tool, r.mode): r for r in rows}
    out = []
    for key in (("remediate psrp", "detect"), ("remediate psrp", "cycle"), ("remediate winrm", "detect"),
                ("remediate winrm", "cycle")):
        if key in by:
            e = by[key].efficiency
            verdict = "met" if e >= GOAL_EFFICIENCY else f"missed by {(GOAL_EFFICIENCY - e) * 100:.0f} points"
            out.append(f"efficiency >= {GOAL_EFFICIENCY:.0%} ({key[0]} {key[1]}): {e:.0%} {verdict}")
    if ("remediate psrp", "cycle") in by:
        req = by[("remediate psrp", "cycle")].requests
        verdict = "met" if req <= GOAL_PSRP_REQUESTS else f"missed by {req - GOAL_PSRP_REQUESTS:.0f}"
        out.append(f"PSRP requests per full cycle <= {GOAL_PSRP_REQUESTS}: {req:.1f} {verdict}")
    for mode in ("detect", "cycle"):
        ours, theirs = by.get(("remediate psrp", mode)), by.get(("ansible psrp (raw)", mode))
        if ours and theirs and theirs.throughput:
            ratio = ours.throughput / theirs.throughput
            verdict = "met" if ratio >= GOAL_VS_ANSIBLE else f"missed by {GOAL_VS_ANSIBLE - ratio:.2f}x"
            out.append(f"throughput vs Ansible >= {GOAL_VS_ANSIBLE:.0f}x ({mode}, PSRP both): {ratio:.2f}x {verdict}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="Fleet throughput on loopback hosts, with Ansible alongside.")
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every HTTP answer")
    parser.add_argument("--runtime-ms", type=float, default=100.0, help="how long every script runs")
    parser.add_argument("--package", default="caa20002-device", help="whose generated scripts are sent")
    parser.add_argument("--tiny-scripts", action="store_true", help="send two-line scripts instead")
    parser.add_argument("--transports", default="psrp,winrm")
    parser.add_argument("--no-ansible", action="store_true")
    parser.add_argument("--host-timeout", type=float, default=120.0, help="per-host deadline of our fleet runs")
    parser.add_argument("--ansible-timeout", type=float, default=1800.0, help="per Ansible run, seconds")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--real-pwsh", type=int, metavar="N", help="instead: N hosts with real PowerShell "
                        "(a simulated Windows) against N programmed hosts (bench/_real_pwsh_fleet.py)")
    args = parser.parse_args()
    import remediate.log

    remediate.log.configure("error")
    if args.real_pwsh:
        from _real_pwsh_fleet import main as real_pwsh_main

        return real_pwsh_main(args)
    scripts = bench_scripts(None if args.tiny_scripts else args.package)
    print(f"{args.hosts} loopback hosts, concurrency {args.concurrency}, latency {args.latency_ms:g} ms per "
          f"request, script runtime {args.runtime_ms:g} ms per phase, scripts {len(scripts['detect']):,} / "
          f"{len(scripts['remediate']):,} / {len(scripts['cycle']):,} (cycle) bytes, {os.cpu_count()} cores",
          flush=True)
    hosts = Hosts(args.hosts, args.latency_ms, args.runtime_ms)
    rows: list[Row] = []
    try:
        print(HEADER, flush=True)
        for transport in args.transports.split(","):
            for cycle in (False, True):
                rows.append(run_remediate(hosts, transport, cycle, args, scripts))
                print(format_row(rows[-1]), flush=True)
        playbook = None if args.no_ansible else ansible_available()
        if not args.no_ansible and playbook is None:
            print("ansible-playbook not found: install the bench extra (pip install -e '.[bench]')", file=sys.stderr)
        if playbook:
            for cycle in (False, True):
                rows.append(run_ansible(hosts, cycle, args, scripts, playbook))
                print(format_row(rows[-1]), flush=True)
    finally:
        hosts.stop()
    print()
    for line in goals(rows):
        print(line)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"efficiency": r.efficiency, "throughput": r.throughput}
                                         for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
