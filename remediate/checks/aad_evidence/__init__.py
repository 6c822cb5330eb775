"""Evidence first: what the AAD log and AppModel-State say about sign-in failures (DOMAIN.md s.2)."""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

AAD_LOG = "Microsoft-Windows-AAD/Operational"
# 1098 token broker failure (inner code + AADSTS in the text), 1104 Cloud AP plugin error, 1081 OAuth
# response error, 1084 HTTP transport error, 1085/1160 logon failure, 1097 warning.
AAD_EVENT_IDS = (1081, 1084, 1085, 1097, 1098, 1104, 1160)
# Warnings: read and counted, but never a failure (routine on healthy devices, DOMAIN.md s.9).
AAD_WARNING_IDS = (1097,)
BROKER_PACKAGE = "Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy"


def desired(options):
    return {
        "Log": AAD_LOG,
        "EventIds": list(AAD_EVENT_IDS),
        "WarningIds": list(AAD_WARNING_IDS),
        "AppModelLog": "Application",
        "AppModelProviders": list(options["appmodel_providers"]),
        "BrokerPackage": BROKER_PACKAGE,
    }


CHECK = Check(
    id="aad_evidence",
    title="Sign-in failure evidence in the AAD and AppModel-State logs",
    context=Context.SYSTEM,
    tier=Tier.ADVISORY,
    budget_seconds=15,
    rank=0,
    signal=("Microsoft-Windows-AAD/Operational events 1081/1084/1085/1097/1098/1104/1160 in the window: codes "
            "from the event data, read culture-free (hex, unsigned or signed decimal, AADSTS), classified by "
            "layer and grouped by user SID; a failure is a code that implicates the user's sign-in state "
            "(remediate explain), never a 1097 warning, the 0xCAA5001C wrapper or interaction_required alone; "
            "Application log AppModel-State events naming the WAM broker plug-in"),
    fix=("none (detection only); writes per-user evidence files (codes, and failure_codes/last_failure with "
         "the implicating codes only) the user package gates its fixes on"),
    backup="nothing is changed",
    undo="delete <ProgramData>\\remediate\\evidence (it is rebuilt on the next run)",
    options=(
        Option("window_hours", int, 72, "how far back to look for evidence", min=1, max=720),
        Option("max_events", int, 2000, "upper bound of events read per log (keeps the run cheap)", min=10,
               max=50000),
        Option("appmodel_providers", list, ["Microsoft-Windows-AppModel-State"],
               "event providers of the AppModel-State events in the Application log",
               pattern=r"[A-Za-z0-9 ._/-]{1,100}"),
        Option("write_user_evidence", bool, True,
               "write <ProgramData>\\remediate\\evidence\\<SID>.txt for the user package"),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
