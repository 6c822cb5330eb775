"""Office identity overrides that Microsoft does not support (DOMAIN.md s.3): removed unless a policy sets them."""

from pathlib import Path

from remediate.checks.base import Check, Context, Tier

IDENTITY_KEY = r"HKCU:\Software\Microsoft\Office\16.0\Common\Identity"
POLICY_KEY = r"HKCU:\Software\Policies\Microsoft\Office\16.0\Common\Identity"
# Value name -> the DWORD that turns modern authentication / WAM off for Office.
OVERRIDES = (
    ("EnableADAL", 0),
    ("DisableADALatopWAMOverride", 1),
    ("DisableAADWAM", 1),
)


def desired(options):
    """The desired state, rendered once and read by both the detection and the remediation."""
    return {
        "Path": IDENTITY_KEY,
        "PolicyPath": POLICY_KEY,
        "Values": [{"Name": name, "Bad": bad} for name, bad in OVERRIDES],
    }


CHECK = Check(
    id="office_identity_overrides",
    title="No unsupported Office identity overrides (EnableADAL, DisableADALatopWAMOverride, DisableAADWAM)",
    context=Context.USER,
    tier=Tier.SAFE,
    budget_seconds=2,
    rank=35,
    signal=("Office 16.0 Common\\Identity EnableADAL=0, DisableADALatopWAMOverride=1 or DisableAADWAM=1 (DWORD) "
            "in HKCU; the same value set by the Office policy key is advisory"),
    fix="delete those values from the user's Identity key (never sets them)",
    backup="deleted values in %LOCALAPPDATA%\\remediate\\backup\\office_identity_overrides.tsv",
    undo="recreate the values listed in office_identity_overrides.tsv with their recorded kind and data",
    desired=desired,
    directory=Path(__file__).parent,
)
