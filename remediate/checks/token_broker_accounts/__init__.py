"""TokenBroker\\Accounts files: quarantined only with broker/token failure evidence for this user (DOMAIN.md s.3).

Microsoft moves these files aside in four troubleshooting articles, and also says "don't manually delete
tokens" in general: the check is opt-in and ships with ``fix = false``.
"""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

# Both folders lie under %LOCALAPPDATA%; only the *files in* them are moved, never the folders themselves.
BROKER_ACCOUNTS = r"Packages\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\AC\TokenBroker\Accounts"
CXH_ACCOUNTS = r"Packages\Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy\AC\TokenBroker\Accounts"
# Code layers (remediate.codes, by family rule) that speak of the broker or its keys: 0x?028????/0x?029????
# TPM, 0x?009???? key store (80090016 NTE_BAD_KEYSET), 0xCAA5???? system (0xCAA5001C token broker operation
# failed), 0xCAABxxxx broker status.
LAYERS = ("broker", "keystore", "system", "tpm")
# Exact codes outside those layers: 0x80070520 (logon session does not exist) is an HRESULT.
CODES = ("0x80070520", "0x80090016")


def desired(options):
    return {
        "Folders": [
            {"Base": "LOCALAPPDATA", "Path": BROKER_ACCOUNTS},
            {"Base": "LOCALAPPDATA", "Path": CXH_ACCOUNTS},
        ],
        "Layers": sorted(options["layers"]),
        "Codes": sorted(options["codes"]),
    }


CHECK = Check(
    id="token_broker_accounts",
    title="TokenBroker account files quarantined on broker or key failure evidence",
    context=Context.USER,
    tier=Tier.OPT_IN,
    budget_seconds=5,
    rank=80,
    evidence_gated=True,
    signal=("this user's sign-in failure evidence in the window carries a broker/key code (options layers "
            "and codes; by default layers tpm, keystore, system, broker and codes 0x80070520, 0x80090016), is "
            "newer than the last clear, and files are present in %LOCALAPPDATA%\\Packages\\"
            "Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\\AC\\TokenBroker\\Accounts or its "
            "Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy twin"),
    fix=("move the files in those two Accounts folders (not the folders) to quarantine; the user may have to "
         "sign in again. Opt-in: Microsoft advises against deleting tokens by hand in general"),
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
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
