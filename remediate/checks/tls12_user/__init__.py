"""TLS 1.2 for the signed-in user: WinINet SecureProtocols in the user's Internet Settings (DOMAIN.md s.3)."""

from pathlib import Path

from remediate.checks.base import Check, Context, Tier

TLS12_BIT = 0x800  # SSL2 0x8, SSL3 0x20, TLS1.0 0x80, TLS1.1 0x200, TLS1.2 0x800, TLS1.3 0x2000
USER_KEY = r"HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
# A policy value under either hive overrides the user's own; it is reported, never changed.
POLICY_KEYS = (
    ("hkcu", r"HKCU:\Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings"),
    ("hklm", r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings"),
)
VALUE_NAME = "SecureProtocols"


def desired(options):
    """The desired state, rendered once and read by both the detection and the remediation."""
    return {
        "Path": USER_KEY,
        "Name": VALUE_NAME,
        "Bit": TLS12_BIT,
        "Policies": [{"Label": label, "Path": path} for label, path in POLICY_KEYS],
    }


CHECK = Check(
    id="tls12_user",
    title="TLS 1.2 enabled in the user's Internet Settings (SecureProtocols)",
    context=Context.USER,
    tier=Tier.SAFE,
    budget_seconds=1,
    rank=20,
    signal=("user SecureProtocols (DWORD) without bit 0x800 and no SecureProtocols policy value (HKCU/HKLM); "
            "a policy value without 0x800 is advisory; absent = OS default"),
    fix="add bit 0x800 to the user's SecureProtocols keeping every other bit",
    backup="old value in %LOCALAPPDATA%\\remediate\\backup\\tls12_user.tsv",
    undo="set SecureProtocols back to the value listed in tls12_user.tsv (delete it if recorded as <absent>)",
    desired=desired,
    directory=Path(__file__).parent,
)
