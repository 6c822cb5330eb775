"""TokenBroker\\Accounts files: quarantined only with broker/key failure evidence for this user (DOMAIN.md s.3).

Microsoft moves these files aside in four troubleshooting articles, and also says "don't manually delete
tokens" in general: the check is opt-in and ships with ``fix = false`` (and then reports advisory, never
non-compliant: the runtime turns a 'fail' of a switched-off fix into 'advisory').

Evidence gate (DOMAIN.md s.1-3, s.9): the device package's ``failure_codes`` for this user with a recent
``last_failure``, and a code that implicates the broker's token store: the layers tpm (0x?028????, 0x?029????),
keystore (0x?009????, e.g. 0x80090016 NTE_BAD_KEYSET) and broker (0xCAABxxxx), and the exact codes 0x80070520
(logon session does not exist) and 0x80090016. The 'system' layer is no longer a default: it holds 0xCAA5001C,
the generic wrapper of every event 1098, which is on every healthy device (s.9); routine codes never count.

Care for the user: the user is signed out of their apps, so never while any app holds the microphone or
camera (a call; flags older than ``call_stale_hours`` are left over from a crash), the user is told first,
at most one clear per ``min_hours_between_clears`` (state key ``token_broker_accounts.last_attempt``), and
folders above ``max_files_mb`` are not moved (advisory ``files_too_large``: something else is wrong there).
"""

from pathlib import Path

from remediate import codes
from remediate.checks.base import Check, Context, Option, Tier

# Both folders lie under %LOCALAPPDATA%; only the *files in* them are moved, never the folders themselves.
BROKER_ACCOUNTS = r"Packages\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\AC\TokenBroker\Accounts"
CXH_ACCOUNTS = r"Packages\Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy\AC\TokenBroker\Accounts"
# Code layers (remediate.codes, by family rule) that speak of the broker's keys or status: 0x?028????/0x?029????
# TPM, 0x?009???? key store (80090016 NTE_BAD_KEYSET), 0xCAABxxxx broker status.
LAYERS = ("broker", "keystore", "tpm")
# Exact codes outside those layers: 0x80070520 (logon session does not exist) is an HRESULT.
CODES = ("0x80070520", "0x80090016")
CONSENT_STORE = r"HKCU:\Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"
NOTICE = {
    "Title": "Work account sign-in repaired",
    "Text": ("Sign-in to your work account keeps failing on this PC. Its saved sign-in tokens are reset now; "
             "Office and Teams may ask you to sign in again."),
}


def desired(options):
    return {
        "Folders": [
            {"Base": "LOCALAPPDATA", "Path": BROKER_ACCOUNTS},
            {"Base": "LOCALAPPDATA", "Path": CXH_ACCOUNTS},
        ],
        "Gate": codes.evidence_gate(options["codes"], options["layers"]),
        "ConsentStore": CONSENT_STORE,
        "Devices": ["microphone", "webcam"],
        "AppMatch": ".",  # any app: every app signed in through the broker loses its tokens
        "Notice": NOTICE,
        "ClearedKey": "token_broker_accounts.cleared",
        "AttemptKey": "token_broker_accounts.last_attempt",
    }


CHECK = Check(
    id="token_broker_accounts",
    title="TokenBroker account files quarantined on broker or key failure evidence",
    context=Context.USER,
    tier=Tier.OPT_IN,
    budget_seconds=5,
    rank=80,
    evidence_gated=True,
    signal=("a recent failure of this user with a broker/key code (options layers and codes), newer than the "
            "last clear and the last attempt, and files in %LOCALAPPDATA%\\Packages\\"
            "Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\\AC\\TokenBroker\\Accounts or its "
            "Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy twin"),
    fix=("unless in a call: notify the user, move the files in those two Accounts folders (not the folders) "
         "to quarantine; the user may have to sign in again. Opt-in: Microsoft advises against deleting "
         "tokens by hand in general"),
    backup=("files moved to %LOCALAPPDATA%\\remediate\\quarantine\\<time>-token_broker_accounts "
            "(manifest.tsv); purged after the retention period"),
    undo="close Office and Teams, move the files listed in manifest.tsv back to their original paths",
    options=(
        Option("window_hours", int, 72, "evidence window", min=1, max=720),
        Option("evidence_mode", str, "evidence", "evidence: fix only with evidence; always: fix regardless",
               choices=("evidence", "always")),
        Option("layers", list, list(LAYERS), "code layers (remediate explain) that count as broker evidence",
               pattern=r"broker|keystore|system|tpm|oauth|protocol|hresult"),
        Option("codes", list, list(CODES), "exact codes that count as broker evidence (canonical hex)",
               pattern=r"0x[0-9A-F]{8}"),
        Option("call_stale_hours", int, 12, "a call flag older than this is left over from a crash", min=1,
               max=72),
        Option("min_hours_between_clears", int, 24, "at most one clear per this many hours per user", min=1,
               max=720),
        Option("max_files_mb", int, 64, "larger Accounts folders are not quarantined (advisory)", min=1,
               max=10000),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
