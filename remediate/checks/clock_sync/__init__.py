"""Wrong date/time: W32Time running, sync enabled, clock offset within a threshold (DOMAIN.md s.3).

A clock far off makes tokens look expired or not yet valid (0xCAA20003 invalid_grant) and certificates look
out of date (0xCAA82F05). The fix starts the time service and resyncs from the configured source; the source
itself (W32Time Type / NtpServer, or the domain hierarchy on NT5DS) is never changed.
"""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

W32TIME_SERVICE = r"HKLM:\SYSTEM\CurrentControlSet\Services\W32Time"
HOSTNAME = r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"
URL = r"https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?"


def desired(options):
    return {
        "ServiceName": "W32Time",
        "ServicePath": W32TIME_SERVICE,
        "StartName": "Start",
        "StartAutomatic": 2,  # Services\<name>\Start: 2 automatic, 3 manual (trigger-start), 4 disabled
        "StartDisabled": 4,
        "ParametersPath": W32TIME_SERVICE + r"\Parameters",
        "TypeName": "Type",
        "NoSyncType": "NoSync",  # Type values: NTP, NT5DS (domain hierarchy), AllSync, NoSync
        "DomainType": "NT5DS",
        "W32tm": r"System32\w32tm.exe",
        # One NTP sample, data lines only, e.g. "10:41:07, +00.0123456s" (an error line has no offset).
        "StripchartArguments": f"/stripchart /computer:{options['ntp_server']} /samples:1 /dataonly",
        "OffsetPattern": r",\s*([+-][0-9]+(?:[.,][0-9]+)?)s\s*$",
        "ResyncArguments": "/resync /force",
        "HttpDateUrl": options["http_date_url"],
        "ThresholdSeconds": options["threshold_seconds"],
        "NtpTimeoutSeconds": 3,
        "HttpTimeoutMs": 2000,
        "ResyncTimeoutSeconds": 4,
        "StartTimeoutSeconds": 10,
    }


CHECK = Check(
    id="clock_sync",
    title="Clock synchronised (W32Time running, sync enabled, offset within a threshold)",
    context=Context.SYSTEM,
    tier=Tier.SAFE,
    budget_seconds=8,
    rank=10,
    signal=("W32Time stopped with an automatic start type (option require_service_running, off by default), "
            "disabled or missing; W32Time\\Parameters "
            "Type=NoSync; |offset| above threshold_seconds, measured with w32tm /stripchart against ntp_server "
            "(3 s deadline), else from the Date header of a HEAD request to http_date_url (2 s deadline); an "
            "unmeasurable offset is reported as a fact, not a failure"),
    fix=("start W32Time when stopped, then w32tm /resync /force; the time source is never changed (a "
         "domain-joined NT5DS device keeps its domain hierarchy); NoSync or a disabled service is advisory. "
         "Right after a start the service may have no time data yet: a fix that does not verify then is "
         "'deferred' (resync_pending), not failed, and costs no backoff attempt"),
    backup="nothing is changed but the service state (the previous state is in the log)",
    undo="Stop-Service W32Time if it had been stopped on purpose (the log names the run that started it)",
    options=(
        Option("ntp_server", str, "time.windows.com", "NTP server the offset is measured against (w32tm "
               "/stripchart); only measured, never configured as the time source", pattern=HOSTNAME),
        Option("threshold_seconds", int, 300, "largest tolerated clock offset in seconds", min=5, max=86400),
        Option("http_date_url", str, "https://login.microsoftonline.com/",
               "URL whose HTTP Date header is the fallback reference when NTP is unreachable", pattern=URL),
        Option("require_service_running", bool, False,
               "a stopped W32Time whose start type is automatic is a failure even when the offset is fine (it "
               "is started); a trigger-start (manual) W32Time is stopped by design on Entra-joined and "
               "workgroup devices and never fails for that alone"),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
