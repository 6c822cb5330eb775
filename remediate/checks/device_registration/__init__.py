"""Hybrid join broken: device join state from dsregcmd and the Automatic-Device-Join task (DOMAIN.md s.3).

Only the device part of ``dsregcmd /status`` is valid as SYSTEM (DOMAIN.md s.2). The one local fix is the
disabled join task on a domain-joined device; a device disabled or deleted in Entra ID needs an admin, and
``dsregcmd /leave`` is never run (DOMAIN.md s.3 ladder: never).
"""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

# dsregcmd /status "Name : Value" fields of the device part, and the fact each becomes.
FIELDS = (
    ("AzureAdJoined", "azure_ad_joined"),
    ("DomainJoined", "domain_joined"),
    ("DeviceAuthStatus", "device_auth"),
    ("TenantName", "tenant"),
)


def desired(options):
    return {
        "Dsregcmd": r"System32\dsregcmd.exe",
        "StatusArguments": "/status",
        # Pre-join diagnostics on a domain-joined device that is not hybrid joined take well over 10 s
        # (DOMAIN.md s.9); 18 s is what the device package's budget (under 60 s, tests/test_packages.py) leaves.
        "TimeoutSeconds": 18,
        "Fields": [{"Name": name, "Fact": fact} for name, fact in FIELDS],
        "Yes": "YES",
        "No": "NO",
        "AuthFailedPrefix": "FAILED",  # "FAILED. Device is either disabled or deleted"
        "FactLength": 40,
        "TaskPath": "\\Microsoft\\Windows\\Workplace Join\\",
        "TaskName": "Automatic-Device-Join",
        "TaskDisabled": "Disabled",
        # GPO "Register domain joined computers as devices" = Disabled writes autoWorkplaceJoin=0: by design.
        "PolicyPath": r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\WorkplaceJoin",
        "PolicyName": "autoWorkplaceJoin",
        "StartTask": options["start_task"],
    }


CHECK = Check(
    id="device_registration",
    title="Device registration: join state, device authentication, hybrid join task",
    context=Context.SYSTEM,
    tier=Tier.SAFE,
    budget_seconds=19,
    rank=40,
    signal=("dsregcmd /status device part (AzureAdJoined, DomainJoined, DeviceAuthStatus, TenantName as facts); "
            "a domain-joined device whose task \\Microsoft\\Windows\\Workplace Join\\Automatic-Device-Join is "
            "disabled fails unless policy autoWorkplaceJoin=0 disables hybrid join on purpose (advisory); "
            "DeviceAuthStatus FAILED (device disabled or deleted in Entra ID) is advisory: an admin action; "
            "dsregcmd timing out (18 s) or a join state that is not YES/NO is advisory (unknown)"),
    fix=("enable the Automatic-Device-Join task and start it (option start_task); never dsregcmd /leave, "
         "never a change to join policy"),
    backup="nothing is copied: the task was disabled before (the log names the run that enabled it)",
    undo="Disable-ScheduledTask -TaskPath '\\Microsoft\\Windows\\Workplace Join\\' -TaskName Automatic-Device-Join",
    options=(
        Option("start_task", bool, True, "start the join task right after enabling it (else at next trigger)"),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
