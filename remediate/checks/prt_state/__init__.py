"""The user's Primary Refresh Token (DOMAIN.md s.2-3): present and recent on an Entra-joined device.

dsregcmd's user and SSO parts are valid only as the signed-in user; the PRT renews about every 4 hours.
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
        # detection + refresh + detection must fit the check's 8 s budget
        "StatusTimeoutSeconds": 3,
        "RefreshTimeoutSeconds": 2,
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
    budget_seconds=8,
    rank=60,
    signal=("dsregcmd /status as the user, AzureAdJoined YES: AzureAdPrt NO or AzureAdPrtUpdateTime older than "
            "max_prt_age_hours (unknown time format = fact); PRT diagnostics as facts; no Entra join = not_joined"),
    fix=("dsregcmd /refreshprt; then refresh_pending for settle_minutes, refresh_did_not_help (advisory) until "
         "retry_hours"),
    backup="nothing to back up: the refresh changes no local setting",
    undo="nothing to undo; the refresh time is kept in the state file (prt_state.refreshed)",
    options=(
        Option("max_prt_age_hours", int, 4, "a PRT updated longer ago than this is stale", min=1, max=168),
        Option("settle_minutes", int, 30, "after a refresh, how long a still-stale PRT counts as pending",
               min=5, max=240),
        Option("retry_hours", int, 24, "after a refresh that did not help, wait this long before the next one",
               min=1, max=168),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
