"""Teams cache: cleared only when this user's sign-in fails in a way a stale client cache explains (DOMAIN.md s.3).

Evidence gate (DOMAIN.md s.1, s.2, s.9): the device package's ``failure_codes`` for this user, recent
(``last_failure`` in the window), with a code that implicates cached client tokens: 0xCAA20002 invalid_request
(s.1: helps "only when the rejected request comes from stale client state"), 0xCAA20003 invalid_grant (expired
or revoked refresh token), 0xCAA90003/0xCAA90004 (refresh token missing / refresh failed). Not: 0xCAA90018
(realm discovery: remediate.codes routes it to the network and account checks, a cache clear does not fix it),
network layers (s.1: the environment is misconfigured), and never the routine noise of healthy devices (1097
warnings, interaction_required 0xCAA2000C / AADSTS50058 / AADSTS50076, the 0xCAA5001C wrapper; s.9). Teams'
own logs are no longer read: their lines carry routine AADSTS noise, and a file's write time is not the time
of the failure (a log that once held a code kept the gate open for ever while Teams wrote to it).

Care for the user (issue: field-safe fleets): never during a call (ConsentStore flags; a flag older than
``call_stale_hours`` is a crashed call, not a call), the user is told first (a notification), WebView2 children
still holding EBWebView files after ms-teams exits are waited for (moves retried up to ``stop_wait_seconds``;
other apps' WebView2 processes are never stopped), Teams is started again when it was running, at most one
clear per ``min_hours_between_clears`` per user (state key ``teams_cache.last_attempt``), and a cache larger
than ``max_cache_mb`` is not moved (advisory ``cache_too_large``).
"""

from pathlib import Path

from remediate import codes
from remediate.checks.base import Check, Context, Option, Tier

NEW_TEAMS_CACHE = r"Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams"  # under %LOCALAPPDATA%
CLASSIC_TEAMS_CACHE = r"Microsoft\Teams"  # under %APPDATA%
CONSENT_STORE = r"HKCU:\Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"
# OAuth / refresh-token failures that a stale cached token explains (see the module docstring).
CODES = ("0xCAA20002", "0xCAA20003", "0xCAA90003", "0xCAA90004")
NOTICE = {
    "Title": "Microsoft Teams restarts for a moment",
    "Text": ("Teams sign-in keeps failing on this PC. Teams closes now, its cache is cleared and it starts "
             "again; you may be asked to sign in."),
}


def desired(options):
    return {
        "Caches": [
            # New Teams is a packaged app: started again through its AppUserModelID.
            {"Kind": "new", "Base": "LOCALAPPDATA", "Path": NEW_TEAMS_CACHE, "Process": "ms-teams",
             "StartBase": "windir", "StartPath": "explorer.exe",
             "StartArguments": r"shell:AppsFolder\MSTeams_8wekyb3d8bbwe!MSTeams"},
            {"Kind": "classic", "Base": "APPDATA", "Path": CLASSIC_TEAMS_CACHE, "Process": "Teams",
             "StartBase": "LOCALAPPDATA", "StartPath": r"Microsoft\Teams\Update.exe",
             "StartArguments": '--processStart "Teams.exe"'},
        ],
        # Kept in place: custom backgrounds (the user's own files) and the logs (the helpdesk's evidence).
        "Keep": sorted({"Backgrounds", "Logs", *options["keep"]}),
        "Gate": codes.evidence_gate(options["codes"], ()),
        "ConsentStore": CONSENT_STORE,
        "Devices": ["microphone", "webcam"],
        "AppMatch": "(?i)teams",
        "Notice": NOTICE,
        "ClearedKey": "teams_cache.cleared",
        "AttemptKey": "teams_cache.last_attempt",
    }


CHECK = Check(
    id="teams_cache",
    title="Teams cache cleared when this user's sign-in is failing",
    context=Context.USER,
    tier=Tier.SAFE,
    budget_seconds=20,
    rank=50,
    evidence_gated=True,
    signal=("a recent failure of this user with a code that implicates cached tokens (option codes; device "
            "package evidence), newer than the last clear and the last attempt (min_hours_between_clears), "
            "and a Teams cache present, not above max_cache_mb"),
    fix=("unless in a call: notify the user, stop this user's Teams, quarantine the cache (except Backgrounds "
         "and Logs), retrying files WebView2 still holds, start Teams again"),
    backup="cache contents moved to %LOCALAPPDATA%\\remediate\\quarantine\\<time>-teams_cache (manifest.tsv)",
    undo="close Teams and move the items listed in manifest.tsv back to their original paths",
    options=(
        Option("window_hours", int, 72, "evidence window", min=1, max=720),
        Option("evidence_mode", str, "evidence", "evidence: fix only with evidence; always: fix regardless",
               choices=("evidence", "always")),
        Option("codes", list, list(CODES), "failure codes that implicate the Teams cache (canonical hex)",
               pattern=r"0x[0-9A-F]{8}"),
        Option("keep", list, [], "extra cache entries to keep (Backgrounds and Logs are always kept)",
               pattern=r"[A-Za-z0-9 ._-]{1,64}"),
        Option("stop_wait_seconds", int, 10, "how long to wait for Teams and its WebView2 children to let go",
               min=1, max=30),
        Option("call_stale_hours", int, 12, "a call flag older than this is left over from a crash", min=1,
               max=72),
        Option("min_hours_between_clears", int, 24, "at most one clear per this many hours per user", min=1,
               max=720),
        Option("max_cache_mb", int, 2048, "a larger cache is not quarantined (advisory cache_too_large)",
               min=1, max=100000),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
