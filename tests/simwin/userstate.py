"""Per-user sign-in state for the user package's scenarios: the device package's evidence file, Teams (cache,
processes, call flags) and the TokenBroker files, as plain data on a simulated machine.

The evidence file is what the device package's aad_evidence writes (ProgramData/remediate/evidence/<SID>.txt,
key=value lines): ``last_event``/``codes`` cover every AAD event (noise included), ``last_failure``/
``failure_codes`` only failures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from simwin.machine import DSREG_ENTRA, USER_SID, Machine, stamp

EVIDENCE = f"ProgramData/remediate/evidence/{USER_SID}.txt"
CONSENT = "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\CapabilityAccessManager\\ConsentStore"
TEAMS_APP = "MSTeams_8wekyb3d8bbwe"
BROKER_ACCOUNTS = "Packages/Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy/AC/TokenBroker/Accounts"
CXH_ACCOUNTS = "Packages/Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy/AC/TokenBroker/Accounts"
# What a healthy device's AAD log always holds (DOMAIN.md s.9): warnings, interaction_required, the wrapper.
NOISE_CODES = "0xCAA5001C:18,0xCAA2000C:12,AADSTS50058:9,AADSTS50076:3"


def local(machine: Machine, relative: str = "") -> str:
    """A path under the user's %LOCALAPPDATA%, relative to the machine root."""
    return f"Users/{machine.user_name}/AppData/Local/{relative}".rstrip("/")


def teams_cache(machine: Machine) -> str:
    return local(machine, f"Packages/{TEAMS_APP}/LocalCache/Microsoft/MSTeams")


def put(sim, relative: str, content: bytes | str) -> None:
    """A file on the machine: laid out by the first run, or written at once when the machine already runs."""
    root = sim.tmp / "root"
    if not root.exists():
        sim.machine.file(relative, content)
        return
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def evidence(sim, *, noise_hours_ago: float | None = 0.5, failure_hours_ago: float | None = None,
             failure_codes: str | None = None, codes: str = NOISE_CODES, extra: str = "") -> None:
    """The device package's evidence file for the user: noise always (as on every device), failures if given."""
    now = sim.machine.now
    lines = []
    if noise_hours_ago is not None:
        lines += [f"last_event={stamp(now - dt.timedelta(hours=noise_hours_ago))}", "events=42", f"codes={codes}"]
    if failure_hours_ago is not None:
        lines.append(f"last_failure={stamp(now - dt.timedelta(hours=failure_hours_ago))}")
    if failure_codes is not None:
        lines.append(f"failure_codes={failure_codes}")
    put(sim, EVIDENCE, "\r\n".join(lines + ([extra] if extra else [])) + "\r\n")


def filetime(when: dt.datetime) -> int:
    return int((when - dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)).total_seconds() * 10_000_000)


def call_flags(machine: Machine, *, started_hours_ago: float, app: str = TEAMS_APP, device: str = "microphone",
               stopped: bool = False) -> None:
    """ConsentStore flags as Windows writes them: Start/Stop FILETIMEs, Stop = 0 while the device is in use."""
    key = f"{CONSENT}\\{device}\\{app}"
    machine.add_key(f"{CONSENT}\\{device}")  # Windows has the parent keys; the sim opens only existing keys
    start = machine.now - dt.timedelta(hours=started_hours_ago)
    machine.set_value(key, "LastUsedTimeStart", filetime(start), "QWord")
    machine.set_value(key, "LastUsedTimeStop", filetime(start + dt.timedelta(minutes=30)) if stopped else 0, "QWord")


def teams_running(machine: Machine, *, webview_linger: int = 1) -> None:
    """New Teams in the user's session with its WebView2 child (holding EBWebView until it notices its host
    is gone, ``webview_linger`` move attempts later) and another app's WebView2 that must never be touched."""
    machine.state["processes"] += [
        {"Id": 4242, "Name": "ms-teams", "SessionId": 1},
        {"Id": 4243, "Name": "msedgewebview2", "SessionId": 1, "Host": "ms-teams", "Holds": ["EBWebView"],
         "Linger": webview_linger},
        {"Id": 7001, "Name": "msedgewebview2", "SessionId": 1, "Host": "olk", "Holds": ["OneAuth"]},
        {"Id": 7000, "Name": "olk", "SessionId": 1},
        {"Id": 9100, "Name": "ms-teams", "SessionId": 2},  # another user's Teams on the same host
    ]


def teams_files(sim) -> None:
    cache = teams_cache(sim.machine)
    put(sim, f"{cache}/EBWebView/Default/Cache/Cache_Data/data_0", b"\0" * 512)
    put(sim, f"{cache}/IndexedDB/https_teams.microsoft.com_0.indexeddb.leveldb/000003.log", "idb")
    put(sim, f"{cache}/settings.json", "{}")
    put(sim, f"{cache}/Backgrounds/Uploads/my-office.png", "png")
    # Teams' own log holds routine noise like every healthy one (the old log fallback took it for evidence).
    put(sim, f"{cache}/Logs/MSTeams_2026-11-30_10-00-00.00.log",
        "2026-11-30T10:00:00.000Z Warn AADSTS50058: silent sign-in failed, interaction_required 0xCAA2000C\n")


def exists(sim, relative: str) -> bool:
    return (sim.tmp / "root" / relative).exists()


def quarantine_manifests(sim) -> list[Path]:
    return sorted((sim.tmp / "root" / local(sim.machine, "remediate/quarantine")).glob("*/manifest.tsv"))


def disruptions(run) -> list[str]:
    """What a user would notice: processes stopped or started, files moved, notifications."""
    return [c for c in run.journal if c.startswith(("process.stop", "process.start", "move ", "notify "))]


def fresh_prt(machine: Machine) -> None:
    """The PRT renews about every 4 h on a healthy device (DOMAIN.md s.2): dsregcmd shows it 1 h old now."""
    prt_time = (machine.now - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.000")
    machine.native("dsregcmd.exe", "/status", DSREG_ENTRA.format(prt_time=prt_time))
