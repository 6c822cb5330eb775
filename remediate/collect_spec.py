"""What the support bundle holds (``remediate collect``; the collect script reads it as ``$RmTask``).

One table, rendered into every package's collect script and into docs/collect.md (a test checks the doc
lists exactly these files). Secret stores are not in it and the runtime opens nothing else: TokenBroker
(Accounts, *.tbres), cookies, Credential Manager, browser data and the quarantined items are never read.
"""

from __future__ import annotations

from typing import Any

MAX_ITEM_BYTES = 4 * 1024 * 1024  # one item; a longer log keeps its newest part
MAX_BUNDLE_BYTES = 24 * 1024 * 1024  # all items, before compression

_INTERNET = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
_SCHANNEL = r"HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols"
REGISTRY = (
    {"Entry": "proxy-wininet.txt",
     "Paths": ["HKCU:\\" + _INTERNET, "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"],
     "Names": ["ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL", "AutoDetect", "ProxySettingsPerUser"]},
    {"Entry": "tls-registry.txt",
     "Paths": [f"{_SCHANNEL}\\TLS {v}\\{side}" for v in ("1.0", "1.1", "1.2", "1.3") for side in ("Client", "Server")]
     + ["HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp",
        "HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp",
        "HKLM:\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319",
        "HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319",
        "HKCU:\\" + _INTERNET, "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"],
     "Names": ["Enabled", "DisabledByDefault", "DefaultSecureProtocols", "SchUseStrongCrypto",
               "SystemDefaultTlsVersions", "SecureProtocols"]},
)
# Exported with wevtutil epl as an administrator (SYSTEM: the device package). AppModel-State logs to the
# Application log under its provider name (windows-samples/eventlog appmodel-state-23 sample).
EVENT_LOGS = (
    {"Entry": "events/aad-operational.evtx", "Log": "Microsoft-Windows-AAD/Operational", "Query": ""},
    {"Entry": "events/user-device-registration.evtx", "Log": "Microsoft-Windows-User Device Registration/Admin",
     "Query": ""},
    {"Entry": "events/appmodel-state.evtx", "Log": "Application",
     "Query": "*[System[Provider[@Name='Microsoft-Windows-AppModel-State']]]"},
)
# The signed-in user's Teams logs (user package): new Teams and classic Teams; the newest three of each.
TEAMS = (
    {"Base": "LOCALAPPDATA", "Path": r"Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\Logs",
     "Filter": "MSTeams_*.log"},
    {"Base": "APPDATA", "Path": r"Microsoft\Teams", "Filter": "logs.txt"},
)

# Every file the bundle may hold, with where it comes from: docs/collect.md shows this table.
FILES = (
    ("index.txt", "what the bundle holds and what was left out (size cap or not available)"),
    ("dsregcmd-status.txt", "dsregcmd /status"),
    ("proxy-winhttp.txt", "netsh winhttp show proxy"),
    ("proxy-wininet.txt", "WinINET proxy values (the running account's and the machine policy)"),
    ("tls-registry.txt", "SCHANNEL TLS 1.0-1.3, WinHTTP DefaultSecureProtocols, .NET strong crypto, policy"),
    ("events/aad-operational.evtx", "Microsoft-Windows-AAD/Operational (administrator only)"),
    ("events/user-device-registration.evtx", "Microsoft-Windows-User Device Registration/Admin (administrator only)"),
    ("events/appmodel-state.evtx", "Application log, provider Microsoft-Windows-AppModel-State (administrator only)"),
    ("teams/MSTeams_*.log, teams/logs.txt", "Teams logs of the running user (newest three), redacted"),
    ("remediate/state.txt", "the package's backoff state"),
    ("remediate/log.txt, remediate/log.1.txt", "the package's log"),
    ("remediate/backup/<check>.tsv[.undone-<stamp>]", "registry backups"),
    ("remediate/quarantine/<set>/manifest[.undone].tsv", "quarantine manifests (never the quarantined items)"),
)


def task() -> dict[str, Any]:
    """``$RmTask`` of the collect script."""
    return {"MaxItemBytes": MAX_ITEM_BYTES, "MaxBundleBytes": MAX_BUNDLE_BYTES, "Registry": list(REGISTRY),
            "EventLogs": list(EVENT_LOGS), "Teams": list(TEAMS)}


def markdown_table() -> str:
    rows = ["| file in the bundle | what it holds |", "|---|---|"]
    return "\n".join(rows + [f"| `{name}` | {what} |" for name, what in FILES])
