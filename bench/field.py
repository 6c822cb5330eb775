"""A fleet simulation: 50 healthy and 50 broken simulated devices, both packages on their Intune schedules for
7 simulated days, in real PowerShell (the generated scripts, with the OS seam spliced to the simulated Windows).

    .venv/bin/python bench/field.py [--healthy 50] [--broken 50] [--days 7] [--workers 2]

Intune's semantics per scheduled run: detection; on exit 1 the remediation; then the post-remediation detection.
The device package runs daily at 09:00 (as SYSTEM), the user package every 4 hours (as the signed-in user).
Healthy devices carry realistic noise (routine AAD warnings and interaction_required events, fi-FI/th-TH/de-DE/
ar-SA cultures, W32Time stopped on Entra-only devices, offline laptops, proxies, Teams running, a 5-hour-old PRT).

Printed: disruptive actions and non-compliant detections on healthy devices (goal: zero each); for broken
devices, which causes were fixed within two runs of their package, which were reported as advisories, and
which devices ended in error (goal: none). Scripts run many to a PowerShell process (tests/simwin/Worker.ps1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from simwin.engine import find_pwsh  # noqa: E402
from simwin.machine import DSREG_ENTRA, USER_SID, Machine, healthy, stamp  # noqa: E402
from simwin.run import machine_paths  # noqa: E402
from simwin.splice import splice  # noqa: E402

AAD = "Microsoft-Windows-AAD/Operational"
SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
WINHTTP = "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
USER_IS = "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
OFFICE_ID = "HKCU:\\Software\\Microsoft\\Office\\16.0\\Common\\Identity"
TEAMS = "Users/alex/AppData/Local/Packages/MSTeams_8wekyb3d8bbwe/LocalCache/Microsoft/MSTeams"
ENDPOINTS = ["login.microsoftonline.com", "login.microsoft.com", "login.windows.net",
             "device.login.microsoftonline.com", "enterpriseregistration.windows.net", "aadcdn.msauth.net"]
CULTURES = ["en-US", "fi-FI", "th-TH", "de-DE", "ar-SA"]
DISRUPTIVE = ("process.stop", "appx.register", "notify", "process.start")


# ---- healthy devices: noise a real fleet has ----

def noisy_healthy(i: int) -> Machine:
    m = healthy("system")
    m.culture = CULTURES[i % len(CULTURES)]
    for hours in (2, 9, 30):  # routine warnings and silent-token interaction_required
        m.add_event(AAD, 1097, ["0xCAA5001C", "Token broker operation failed"], hours_ago=hours)
        m.add_event(AAD, 1098, ["0xCAA2000C", "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
                                "interaction_required"], hours_ago=hours + 1)
    if i % 3 == 0:  # Entra-only: W32Time is trigger-start and normally stopped
        m.state["services"]["W32Time"]["Status"] = "Stopped"
    if i % 5 == 1:  # an offline laptop
        for name in ENDPOINTS:
            m.state["endpoints"][name] = {"Error": "dns_HostNotFound"}
        m.state["http_date"] = {"Problem": "NameResolutionFailure"}
        m.native("w32tm.exe", "/stripchart", "Tracking time.windows.com.\n12:00:00, error: 0x800705B4\n")
    if i % 5 == 2:  # behind a proxy: names resolve at the proxy, not here
        m.native("netsh.exe", "winhttp show proxy",
                 "\nCurrent WinHTTP proxy settings:\n\n    Proxy Server(s) :  proxy.contoso.com:8080\n    Bypass List     :  (none)\n\n")
        for name in ENDPOINTS:
            m.state["endpoints"][name] = {"Error": "dns_HostNotFound"}
    m.state["processes"] = [{"Id": 4242, "Name": "ms-teams", "SessionId": 1},
                            {"Id": 4243, "Name": "msedgewebview2", "SessionId": 1}]
    m.file(TEAMS + "/EBWebView/Default/Cache/data_0", b"x" * 64)
    prt = (m.now - dt.timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S.000")
    m.native("dsregcmd.exe", "/status", DSREG_ENTRA.format(prt_time=prt))
    return m


# ---- broken devices: one cause each (DOMAIN.md section 3), what we expect of it ----

def _evidence(m: Machine, *codes: str) -> None:
    m.add_event(AAD, 1098, list(codes) + ["Token broker operation failed"], hours_ago=1)


def cause_dns_stale(m: Machine) -> None:
    for name in ENDPOINTS[:3]:
        m.state["endpoints"][name] = {"Error": "dns_HostNotFound", "FlushCures": True}


def cause_prt_missing(m: Machine) -> None:
    healthy_text = m.state["native"][[r["args"] for r in m.state["native"]].index("/status")]["stdout"]
    broken = healthy_text.replace("AzureAdPrt : YES", "AzureAdPrt : NO")
    m.native("dsregcmd.exe", "/status", broken)
    m.native("dsregcmd.exe", "/refreshprt", "PRT refresh scheduled\n",
             then={"native": [{"program": "dsregcmd.exe", "args": "/status", "stdout": healthy_text, "stderr": "",
                               "exit": 0, "seconds": 0.1}] + m.state["native"]})


def cause_clock(m: Machine) -> None:
    m.state["clock_error_s"] = 900.0
    m.native("w32tm.exe", "/stripchart", "Tracking time.windows.com.\n12:00:00, +900.0123456s\n")
    m.native("w32tm.exe", "/resync", "The command completed successfully.\n",
             then={"clock_error_s": 0.0, "native": [{"program": "w32tm.exe", "args": "/stripchart",
                                                    "stdout": "12:00:00, +00.0123456s\n", "stderr": "", "exit": 0,
                                                    "seconds": 0.1}] + m.state["native"]})


def cause_join_task(m: Machine) -> None:
    text = m.state["native"][[r["args"] for r in m.state["native"]].index("/status")]["stdout"]
    m.native("dsregcmd.exe", "/status", text.replace("DomainJoined : NO", "DomainJoined : YES"))
    m.state["tasks"]["\\Microsoft\\Windows\\Workplace Join\\Automatic-Device-Join"]["State"] = "Disabled"


def cause_teams(m: Machine) -> None:
    _evidence(m, "0xCAA20002", "AADSTS50000")
    m.file(TEAMS + "/EBWebView/Default/Cache/data_0", b"x" * 64)
    m.state["processes"] = [{"Id": 4242, "Name": "ms-teams", "SessionId": 1}]


CAUSES = {
    # name: (setup, expected) with expected 'fixed' or 'advisory'
    "tls_schannel": (lambda m: m.set_value(SCHANNEL, "Enabled", 0), "fixed"),
    "tls_winhttp": (lambda m: m.set_value(WINHTTP, "DefaultSecureProtocols", 0xA0), "fixed"),
    "tls_user": (lambda m: m.set_value(USER_IS, "SecureProtocols", 0xA0), "fixed"),
    "office_override": (lambda m: m.set_value(OFFICE_ID, "EnableADAL", 0), "fixed"),
    "wam_unregistered": (lambda m: m.state["appx"].pop("Microsoft.AAD.BrokerPlugin"), "fixed"),
    "ncsi_off": (lambda m: m.set_value("HKLM:\\SYSTEM\\CurrentControlSet\\Services\\NlaSvc\\Parameters\\Internet",
                                       "EnableActiveProbing", 0), "fixed"),
    "dns_stale": (cause_dns_stale, "fixed"),
    "clock_off": (cause_clock, "fixed"),
    "join_task_disabled": (cause_join_task, "fixed"),
    "prt_missing": (cause_prt_missing, "fixed"),
    "teams_cache": (cause_teams, "fixed"),
    "vpn": (lambda m: m.state["network"]["Adapters"].append(
        {"Index": 9, "Alias": "Ethernet 3", "Description": "PANGP Virtual Ethernet Adapter"}), "advisory"),
    "old_os": (lambda m: m.set_value("HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", "CurrentBuild",
                                     "17763", "String"), "advisory"),
    "wrong_password": (lambda m: _evidence(m, "0xCAA20003", "AADSTS50126"), "advisory"),
    "device_disabled": (lambda m: _evidence(m, "0xCAA20004", "AADSTS135011"), "advisory"),
    "tls_policy": (lambda m: m.set_value("HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings",
                                         "SecureProtocols", 0xA0), "advisory"),
    "tls_inspection": (lambda m: m.state["endpoints"].update(
        {n: {"Error": "", "Issuer": "CN=Contoso Inspection CA"} for n in ENDPOINTS}), "advisory"),
    "stale_sniffer_proxy": (lambda m: (m.set_value(USER_IS, "ProxyEnable", 1),
                                       m.set_value(USER_IS, "ProxyServer", "127.0.0.1:1", "String")), "advisory"),
}


# ---- the schedule ----

class Device:
    def __init__(self, name: str, machine: Machine, folder: Path, cause: str | None):
        self.name, self.machine, self.folder, self.cause = name, machine, folder, cause
        self.runs = 0
        self.log: list[dict] = []
        self.laid_out = False

    def job(self, script: Path, account: str) -> dict:
        m = self.machine.run_as(account)
        root = self.folder / "root"
        paths = machine_paths(root, m)
        if not self.laid_out:
            for folder in paths.values():
                folder.mkdir(parents=True, exist_ok=True)
            for relative, content in m.files.items():
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_bytes(content)
            self.laid_out = True
        self.runs += 1
        state, after = self.folder / "machine.json", self.folder / "after.json"
        state.write_text(json.dumps(m.state), encoding="utf-8")
        after.write_text('{"journal": []}', encoding="utf-8")
        env = {k: str(v) for k, v in paths.items()}
        env.update(SIMWIN_STATE=str(state), SIMWIN_AFTER=str(after), COMPUTERNAME=self.name, REMEDIATE_DRY_RUN="")
        return {"script": str(script), "env": env, "culture": m.culture}

    def absorb(self) -> list[str]:
        after = json.loads((self.folder / "after.json").read_text(encoding="utf-8"))
        for key, value in after.items():
            if key != "journal":
                self.machine.state[key] = value
        return after.get("journal", [])


class Worker:
    def __init__(self):
        self.proc = subprocess.Popen([find_pwsh(), "-NoProfile", "-NonInteractive", "-File",
                                      str(ROOT / "tests" / "simwin" / "Worker.ps1")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def run(self, job: dict) -> dict:
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


def intune_run(worker: Worker, device: Device, scripts: dict[str, Path], account: str) -> dict:
    """Detection; on exit 1 the remediation and the post-remediation detection, as Intune does."""
    record = {"when": stamp(device.machine.now), "package": "device" if account == "system" else "user"}
    pre = worker.run(device.job(scripts["detect"], account))
    record["journal"] = device.absorb()
    record["pre"] = json.loads(pre["last"]) if pre["last"].startswith("{") else {"verdict": "bad_output"}
    record["pre_exit"] = pre["exit"]
    if pre["exit"] == 1:
        rem = worker.run(device.job(scripts["remediate"], account))
        record["journal"] += device.absorb()
        record["remediation"] = json.loads(rem["last"]) if rem["last"].startswith("{") else {"verdict": "bad_output"}
        post = worker.run(device.job(scripts["detect"], account))
        record["journal"] += device.absorb()
        record["post"] = json.loads(post["last"]) if post["last"].startswith("{") else {"verdict": "bad_output"}
    device.log.append(record)
    return record


def simulate(devices: list[Device], scripts: dict[str, dict[str, Path]], days: int) -> None:
    worker = Worker()
    try:
        for device in devices:
            start = device.machine.now.replace(hour=0, minute=0, second=0)
            events = []
            for day in range(days):
                for hour in range(0, 24, 4):
                    events.append((start + dt.timedelta(days=day, hours=hour, minutes=5), "user"))
                events.append((start + dt.timedelta(days=day, hours=9), "system"))
            for when, account in sorted(events):
                device.machine.state["clock"] = stamp(when)
                package = "device" if account == "system" else "user"
                intune_run(worker, device, scripts[package], account)
    finally:
        worker.close()


def summarise_healthy(devices: list[Device]) -> dict:
    disruptive = [e for d in devices for r in d.log for e in r["journal"] if e.startswith(DISRUPTIVE)]
    moved = sum(1 for d in devices for _ in (d.folder / "root").rglob("manifest.tsv"))
    noncompliant = [(d.name, r["package"], r["when"], r["pre"].get("failing"))
                    for d in devices for r in d.log if r["pre_exit"] == 1]
    return {"devices": len(devices), "runs": sum(len(d.log) for d in devices), "disruptive_actions": len(disruptive),
            "quarantine_sets": moved, "non_compliant_detections": len(noncompliant), "examples": noncompliant[:5]}


def summarise_broken(devices: list[Device]) -> dict:
    fixed, advisory, missed, errors = [], [], [], []
    for d in devices:
        expected = CAUSES[d.cause][1]
        finals = [r.get("post", r["pre"]) for r in d.log]
        if any(r.get("post", r["pre"]).get("verdict") == "error" for r in d.log[-2:]):
            errors.append(d.name)
        if expected == "fixed":
            # Fixed within two runs of the package that owns the cause: a remediation verdict 'remediated'
            # (or a compliant post-detection) in the first two runs that needed one.
            needed = [r for r in d.log if r["pre_exit"] == 1]
            ok = any(r.get("post", {}).get("verdict") == "compliant" for r in needed[:2])
            (fixed if ok else missed).append(f"{d.name}:{d.cause}")
        else:
            states = {f.get("state") for r in d.log for f in r["pre"].get("findings", [])}
            ok = "advisory" in states and all(r["pre_exit"] == 0 for r in d.log)
            (advisory if ok else missed).append(f"{d.name}:{d.cause}")
        del finals
    return {"devices": len(devices), "fixed_within_two_runs": len(fixed), "advisory_reported": len(advisory),
            "missed": missed, "ended_in_error": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--healthy", type=int, default=50)
    parser.add_argument("--broken", type=int, default=50)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if find_pwsh() is None:
        sys.exit("bench/field.py needs PowerShell: set REMEDIATE_PWSH or put pwsh on PATH")
    from remediate.packages import load_packages
    from remediate.render import render_package
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        scripts: dict[str, dict[str, Path]] = {}
        for pkg in load_packages(ROOT / "packaging"):
            rendered = render_package(pkg)
            kind = pkg.id.rsplit("-", 1)[1]
            scripts[kind] = {}
            for phase in ("detect", "remediate"):
                path = base / f"{kind}-{phase}.ps1"
                path.write_text(splice(getattr(rendered, phase).decode("ascii")), encoding="utf-8")
                scripts[kind][phase] = path
        healthy_devices = [Device(f"OK-{i:03d}", noisy_healthy(i), base / f"ok{i}", None) for i in range(args.healthy)]
        names = sorted(CAUSES)
        broken_devices = []
        for i in range(args.broken):
            cause = names[i % len(names)]
            machine = healthy("system")
            machine.culture = CULTURES[i % len(CULTURES)]
            CAUSES[cause][0](machine)
            broken_devices.append(Device(f"BAD-{i:03d}", machine, base / f"bad{i}", cause))
        everyone = healthy_devices + broken_devices
        for d in everyone:
            d.folder.mkdir(parents=True)
        shards = [everyone[i::args.workers] for i in range(args.workers)]
        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(lambda shard: simulate(shard, scripts, args.days), shards))
        seconds = time.monotonic() - started
        runs = sum(d.runs for d in everyone)
        print(json.dumps({"healthy": summarise_healthy(healthy_devices), "broken": summarise_broken(broken_devices),
                          "script_runs": runs, "seconds": round(seconds, 1),
                          "ms_per_run": round(1000 * seconds * args.workers / max(runs, 1), 1)}, indent=2))


if __name__ == "__main__":
    main()
