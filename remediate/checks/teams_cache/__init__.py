"""Teams cache: clear it only when this user's sign-in is failing and no call is in progress (DOMAIN.md s.3)."""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

NEW_TEAMS_CACHE = r"Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams"  # under %LOCALAPPDATA%
NEW_TEAMS_LOGS = r"Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\Logs"
CLASSIC_TEAMS_CACHE = r"Microsoft\Teams"  # under %APPDATA%
CONSENT_STORE = r"HKCU:\Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"
# Sign-in failure codes that Teams logs carry (hex, as Teams writes them) and the words around them.
LOG_PATTERN = r"(?i)(caa20002|caa70004|caa20003|caa20004|caa82ee2|caa82ee7|caa90018|caa5001c|80090016|aadsts\d{5,7})"


def desired(options):
    return {
        "Caches": [
            {"Kind": "new", "Base": "LOCALAPPDATA", "Path": NEW_TEAMS_CACHE, "Process": "ms-teams"},
            {"Kind": "classic", "Base": "APPDATA", "Path": CLASSIC_TEAMS_CACHE, "Process": "Teams"},
        ],
        # Kept in place: custom backgrounds (the user's own files) and the logs (the evidence).
        "Keep": sorted({"Backgrounds", "Logs", *options["keep"]}),
        "Logs": [
            {"Base": "LOCALAPPDATA", "Path": NEW_TEAMS_LOGS, "Filter": "MSTeams_*.log"},
            {"Base": "APPDATA", "Path": CLASSIC_TEAMS_CACHE, "Filter": "logs.txt"},
        ],
        "LogPattern": LOG_PATTERN,
        "ConsentStore": CONSENT_STORE,
        "Devices": ["microphone", "webcam"],
        "AppMatch": "(?i)teams",
    }


CHECK = Check(
    id="teams_cache",
    title="Teams cache cleared when this user's sign-in is failing",
    context=Context.USER,
    tier=Tier.SAFE,
    budget_seconds=20,
    rank=50,
    evidence_gated=True,
    signal=("sign-in failure evidence for this user in the window (the device package's evidence file, or "
            "CAA/AADSTS codes in the new or classic Teams logs) newer than the last cache clear, and a Teams "
            "cache present"),
    fix=("unless a call is in progress (microphone/webcam in use by Teams): stop this user's Teams, move the "
         "cache contents (except Backgrounds and Logs) to quarantine; deferred during a call"),
    backup="cache contents moved to %LOCALAPPDATA%\\remediate\\quarantine\\<time>-teams_cache (manifest.tsv)",
    undo="close Teams and move the items listed in manifest.tsv back to their original paths",
    options=(
        Option("window_hours", int, 72, "evidence window", min=1, max=720),
        Option("evidence_mode", str, "evidence", "evidence: fix only with evidence; always: fix regardless",
               choices=("evidence", "always")),
        Option("log_tail_lines", int, 4000, "lines read from the end of each Teams log", min=100, max=100000),
        Option("keep", list, [], "extra cache entries to keep (Backgrounds and Logs are always kept)",
               pattern=r"[A-Za-z0-9 ._-]{1,64}"),
        Option("stop_wait_seconds", int, 10, "how long to wait for Teams to exit", min=1, max=30),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
