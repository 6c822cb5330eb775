"""A simulated Windows machine as plain data: what the scripts read through the OS seam, and what they change.

A scenario starts from :func:`healthy` (a signed-in user on an Entra-joined Windows 11 device, nothing wrong)
and changes a few things with the small methods below; :func:`tests.simwin.run.run_script` hands the state to
the simulated Windows (SimWindows.ps1) as JSON and reads back what the run changed.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

SYSTEM_SID = "S-1-5-18"
USER_SID = "S-1-12-1-1111111111-2222222222-3333333333-4444444444"
INTERACTIVE = "S-1-5-4"
ADMINS = "S-1-5-32-544"
DEFAULT_CLOCK = "2026-11-30T12:00:00Z"

SAMPLES = Path(__file__).resolve().parent / "samples"

DSREG_ENTRA = """
+----------------------------------------------------------------------+
| Device State                                                         |
+----------------------------------------------------------------------+

             AzureAdJoined : YES
          EnterpriseJoined : NO
              DomainJoined : NO
               Device Name : PC-0042

+----------------------------------------------------------------------+
| Device Details                                                       |
+----------------------------------------------------------------------+

                  DeviceId : 11111111-2222-3333-4444-555555555555
          DeviceAuthStatus : SUCCESS

+----------------------------------------------------------------------+
| Tenant Details                                                       |
+----------------------------------------------------------------------+

                TenantName : Contoso
                  TenantId : aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee

+----------------------------------------------------------------------+
| User State                                                           |
+----------------------------------------------------------------------+

                    NgcSet : NO
           WorkplaceJoined : NO
             WamDefaultSet : YES

+----------------------------------------------------------------------+
| SSO State                                                            |
+----------------------------------------------------------------------+

                AzureAdPrt : YES
      AzureAdPrtUpdateTime : {prt_time} UTC
      AzureAdPrtExpiryTime : 2026-12-14 10:00:00.000 UTC
       AzureAdPrtAuthority : https://login.microsoftonline.com/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
             EnterprisePrt : NO
"""

NETSH_DIRECT = "\nCurrent WinHTTP proxy settings:\n\n    Direct access (no proxy server).\n\n"
STRIPCHART_OK = ("Tracking time.windows.com [20.101.57.9:123].\nCollecting 1 samples.\n"
                 "The current time is 30/11/2026 12:00:00.\n12:00:00, {offset:+08.7f}s\n")


def stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


class Machine:
    """One simulated device. ``state`` is exactly the JSON the simulated Windows reads."""

    def __init__(self, state: dict[str, Any], account: str):
        self.state = state
        self.account = account  # 'system' | 'user' | 'admin' (a WinRM network logon)
        self.culture = "en-US"
        self.files: dict[str, bytes] = {}  # path relative to the machine root -> content
        self.user_name = "alex"

    def run_as(self, account: str) -> "Machine":
        """Who runs the next script: 'system' (Intune device package), 'user' (user package), 'admin'."""
        self.account = account
        self.state["identity"] = dict(IDENTITIES[account])
        return self

    def copy(self) -> "Machine":
        other = Machine(copy.deepcopy(self.state), self.account)
        other.culture, other.files, other.user_name = self.culture, dict(self.files), self.user_name
        return other

    # ---- clock ----
    @property
    def now(self) -> dt.datetime:
        return parse_stamp(self.state["clock"])

    def advance(self, **delta) -> "Machine":
        self.state["clock"] = stamp(self.now + dt.timedelta(**delta))
        return self

    # ---- registry ----
    def _key(self, path: str) -> str:
        hive, _, rest = path.partition(":\\")
        root = {"HKLM": "HKLM", "HKU": "HKU", "HKCU": "HKU\\" + USER_SID}[hive]
        return root + ("\\" + rest.strip("\\") if rest else "")

    def set_value(self, path: str, name: str, value: Any, kind: str = "DWord") -> "Machine":
        """Set a value; ``path`` as the scripts write it ('HKLM:\\SOFTWARE\\...', 'HKCU:\\...')."""
        if kind == "Binary" and isinstance(value, (bytes, bytearray)):
            value = value.hex().upper()
        key = self.state["registry"].setdefault(self._key(path), {"values": {}})
        key["values"][name] = {"kind": kind, "value": value}
        return self

    def add_key(self, path: str) -> "Machine":
        self.state["registry"].setdefault(self._key(path), {"values": {}})
        return self

    def value(self, path: str, name: str, after: dict | None = None):
        registry = (after or self.state)["registry"]
        for key, data in registry.items():
            if key.lower() == self._key(path).lower():
                for value_name, entry in data["values"].items():
                    if value_name.lower() == name.lower():
                        return entry["value"]
        return None

    # ---- everything else ----
    def add_event(self, log: str, event_id: int, data: list[str], *, hours_ago: float = 1.0,
                  user: str | None = USER_SID, provider: str = "Microsoft-Windows-AAD") -> "Machine":
        when = self.now - dt.timedelta(hours=hours_ago)
        self.state["events"].setdefault(log, []).append(
            {"Id": event_id, "Time": stamp(when), "UserSid": user or "", "Provider": provider, "Data": data})
        return self

    def native(self, program: str, args: str, stdout: str = "", exit: int = 0, seconds: float = 0.1,
               then: dict | None = None) -> "Machine":
        """The output of a native program (matched by file name and an args regex), first rule wins."""
        rule = {"program": program, "args": args, "stdout": stdout, "stderr": "", "exit": exit, "seconds": seconds}
        if then:
            rule["then"] = then
        self.state["native"].insert(0, rule)
        return self

    def fault(self, operation: str, target: str = "", message: str = "Access is denied.") -> "Machine":
        self.state["faults"][f"{operation}:{target}" if target else operation] = message
        return self

    def file(self, relative: str, content: bytes | str = b"x") -> "Machine":
        self.files[relative] = content.encode("utf-8") if isinstance(content, str) else content
        return self


IDENTITIES = {
    "system": {"Sid": SYSTEM_SID, "Groups": [ADMINS], "IsAdmin": True, "SessionId": 0},
    "user": {"Sid": USER_SID, "Groups": [INTERACTIVE, "S-1-5-11"], "IsAdmin": False, "SessionId": 1},
    "admin": {"Sid": "S-1-5-21-9-9-9-500", "Groups": [ADMINS, "S-1-5-2"], "IsAdmin": True, "SessionId": 0},
}


def healthy(account: str = "system") -> Machine:
    """A healthy Entra-joined Windows 11 device with one signed-in user; ``account`` is who runs the script."""
    identity = dict(IDENTITIES[account])
    clock = DEFAULT_CLOCK
    prt_time = (parse_stamp(clock) - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.000")
    state: dict[str, Any] = {
        "identity": identity,
        "clock": clock,
        "clock_error_s": 0.0,
        "registry": {},
        "events": {"Microsoft-Windows-AAD/Operational": [], "Application": []},
        "services": {"W32Time": {"Status": "Running", "StartType": "Manual"}},
        "tasks": {"\\Microsoft\\Windows\\Workplace Join\\Automatic-Device-Join": {"State": "Ready", "Runs": 0}},
        "appx": {"Microsoft.AAD.BrokerPlugin": [{"Version": "1000.19041.1", "Status": "Ok"}],
                 "Microsoft.Windows.CloudExperienceHost": [{"Version": "10.0.19041.1", "Status": "Ok"}]},
        "processes": [],
        "network": {"Vpn": [], "Adapters": [{"Index": 7, "Alias": "Wi-Fi", "Description": "Intel(R) Wi-Fi 6 AX201"}],
                    "Metrics": {"7": 35}, "Routes": [{"Index": 7, "Alias": "Wi-Fi", "Metric": 0}]},
        "endpoints": {},
        "http_date": {"Problem": ""},
        "native": [],
        "faults": {},
        "acl": {},
    }
    machine = Machine(state, account)
    machine.native("dsregcmd.exe", "/status", DSREG_ENTRA.format(prt_time=prt_time))
    machine.native("dsregcmd.exe", "/refreshprt", "PRT refresh scheduled\n")
    machine.native("netsh.exe", "winhttp show proxy", NETSH_DIRECT)
    machine.native("w32tm.exe", "/stripchart", STRIPCHART_OK.format(offset=0.0123))
    machine.native("w32tm.exe", "/resync", "Sending resync command to local computer\nThe command completed successfully.\n")
    machine.native("cmdkey.exe", "/list", "\nCurrently stored credentials:\n\n* NONE *\n")
    machine.set_value("HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", "CurrentBuild", "22631", "String")
    machine.set_value("HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", "UBR", 4460)
    machine.set_value("HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", "DisplayVersion", "23H2", "String")
    machine.set_value("HKLM:\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters", "Type", "NTP", "String")
    machine.set_value("HKLM:\\SYSTEM\\CurrentControlSet\\Services\\W32Time", "Start", 3)
    machine.set_value("HKLM:\\SYSTEM\\CurrentControlSet\\Control\\CloudDomainJoin\\JoinInfo\\ABCDEF", "TenantId",
                      "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "String")
    machine.set_value("HKLM:\\SYSTEM\\CurrentControlSet\\Services\\NlaSvc\\Parameters\\Internet",
                      "EnableActiveProbing", 1)
    for program in ("dsregcmd.exe", "w32tm.exe", "netsh.exe", "cmdkey.exe"):
        machine.file(f"Windows/System32/{program}", "MZ")
    for folder in ("Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy", "Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy"):
        machine.file(f"Windows/SystemApps/{folder}/Appxmanifest.xml", "<Package/>")
    return machine
