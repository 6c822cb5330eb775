"""The user's Primary Refresh Token (DOMAIN.md s.2-3): present and recent on an Entra-joined device.

dsregcmd's user and SSO parts are valid only as the signed-in user. DOMAIN.md s.9: the PRT renews lazily,
about every 4 hours at use or unlock, so a healthy PRT can be 4-6 hours old: the age threshold (8 h) sits
above that. Local and non-synced accounts never have a PRT: for them the check does not apply (pass).
"""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

# 'YYYY-MM-DD HH:MM:SS.000 UTC' as dsregcmd prints AzureAdPrtUpdateTime; the fraction is optional.
TIME_PATTERN = r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*UTC\s*$"
# PRT diagnostics of the SSO part, reported as facts when the PRT is missing or stale.
DIAGNOSTICS = (
    ("Attempt Status", "attempt_status"),
    ("HTTP Error", "http_error"),
    ("HTTP status", "http_status"),
    ("Server Error Code", "server_error_code"),
    ("Server Error Description", "server_error_description"),
)


def desired(options):
    """The desired state, rendered once and read by both the detection and the remediation."""
    return {
        "Program": r"System32\dsregcmd.exe",  # under %windir%; the runtime runs 64-bit PowerShell
        "StatusArguments": "/status",
        "RefreshArguments": "/refreshprt",
        # dsregcmd /status answers in a second or two on joined devices; the slow case (pre-join diagnostics,
        # well over 10 s) is a domain-only device, which the registry answers first (DeviceJoinInfo), so
        # dsregcmd never runs there. The verification after a refresh reuses the run's output (CacheKey):
        # /refreshprt returns at once and the PRT changes later, so a second /status could show nothing new.
        "StatusTimeoutSeconds": 10,
        "RefreshTimeoutSeconds": 2,
        "CacheKey": "prt_state.status",
        "DeviceJoinInfo": r"HKLM:\SYSTEM\CurrentControlSet\Control\CloudDomainJoin\JoinInfo",
        # Ngc prerequisite check: YES when the signed-in user is present in Entra ID (cloud or synced).
        "UserInEntraField": "IsUserAzureAD",
        "EntraUserSidPrefix": "S-1-12-1-",
        "AadJoinedField": "AzureAdJoined",
        "DomainJoinedField": "DomainJoined",
        "PrtField": "AzureAdPrt",
        "PrtUpdateField": "AzureAdPrtUpdateTime",
        "Yes": "YES",
        "No": "NO",
        "TimePattern": TIME_PATTERN,
        "DiagnosticFields": [{"Name": name, "Fact": fact} for name, fact in DIAGNOSTICS],
        "StateKey": "prt_state.refreshed",
        "MaxFactChars": 120,
    }


CHECK = Check(
    id="prt_state",
    title="Primary Refresh Token present and recent for the user",
    context=Context.USER,
    tier=Tier.SAFE,
    budget_seconds=12,
    rank=60,
    signal=("dsregcmd /status as the user, AzureAdJoined YES, the user in Entra ID (IsUserAzureAD, an S-1-12-1 "
            "SID; local and non-synced accounts do not apply): AzureAdPrt NO or AzureAdPrtUpdateTime older than "
            "max_prt_age_hours (unknown time format = fact); PRT diagnostics as facts; no Entra join (registry "
            "JoinInfo or dsregcmd) = not_joined"),
    fix=("dsregcmd /refreshprt; then refresh_pending for settle_minutes, refresh_did_not_help (advisory) until "
         "retry_hours"),
    backup="nothing to back up: the refresh changes no local setting",
    undo="nothing to undo; the refresh time is kept in the state file (prt_state.refreshed)",
    options=(
        # Above the ~4 h lazy renewal (a healthy PRT can be 4-6 h old, DOMAIN.md s.9).
        Option("max_prt_age_hours", int, 8, "a PRT updated longer ago than this is stale", min=5, max=168),
        Option("settle_minutes", int, 30, "after a refresh, how long a still-stale PRT counts as pending",
               min=5, max=240),
        Option("retry_hours", int, 24, "after a refresh that did not help, wait this long before the next one",
               min=1, max=168),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
