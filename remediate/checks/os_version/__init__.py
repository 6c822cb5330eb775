"""Outdated OS: the Windows build below a configured floor (DOMAIN.md s.3, "outdated OS / app")."""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

# CurrentBuild is a REG_SZ ("19045"), UBR a REG_DWORD (the monthly update revision), DisplayVersion "22H2".
# ProductName is not reported: Windows 11 still writes "Windows 10" there.
CURRENT_VERSION = r"HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion"


def desired(options):
    return {
        "Path": CURRENT_VERSION,
        "BuildName": "CurrentBuild",
        "UbrName": "UBR",
        "DisplayName": "DisplayVersion",
        "MinBuild": options["min_build"],
    }


CHECK = Check(
    id="os_version",
    title="Windows build at or above the supported floor",
    context=Context.SYSTEM,
    tier=Tier.ADVISORY,
    budget_seconds=1,
    rank=91,
    signal=("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion CurrentBuild below the configured floor "
            "(option min_build); UBR and DisplayVersion reported"),
    fix="none (advisory): update Windows through the normal update channel",
    options=(
        Option("min_build", int, 19045, "lowest Windows build considered current (19045 = Windows 10 22H2)",
               min=7600, max=99999),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
