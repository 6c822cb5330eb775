"""Accounts that compete for sign-in: work accounts of another tenant, several Office identities (DOMAIN.md s.3).

Advisory only: adding or removing a work or school account needs the user, and the tools that remove them
(WPJCleanUp, dsregcmd /leave) are destructive; this check never calls them.
"""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

# The user's "Access work or school" accounts (Workplace Join), one subkey each: TenantId, UserEmail.
USER_JOIN_INFO = r"HKCU:\Software\Microsoft\Windows NT\CurrentVersion\WorkplaceJoin\JoinInfo"
# The device's Entra join (joined or hybrid joined), one subkey per join: TenantId. Readable by users.
DEVICE_JOIN_INFO = r"HKLM:\SYSTEM\CurrentControlSet\Control\CloudDomainJoin\JoinInfo"
# The identities Office (16.0 = 2016 and later, Microsoft 365 Apps) knows for this user.
OFFICE_IDENTITIES = r"HKCU:\Software\Microsoft\Office\16.0\Common\Identity\Identities"


def desired(options):
    return {
        "UserJoinInfo": USER_JOIN_INFO,
        "UserTenantValue": "TenantId",
        "UserEmailValue": "UserEmail",
        "DeviceJoinInfo": DEVICE_JOIN_INFO,
        "DeviceTenantValue": "TenantId",
        "OfficeIdentities": OFFICE_IDENTITIES,
        "OfficeEmailValue": "EmailAddress",
        "OfficeProviderValue": "ProviderId",
        "OfficeAccountLimit": options["office_account_limit"],
    }


CHECK = Check(
    id="account_conflict",
    title="Work accounts of another tenant or several Office identities for this user",
    context=Context.USER,
    tier=Tier.ADVISORY,
    budget_seconds=2,
    rank=90,
    signal=("Workplace Join entries (HKCU\\...\\WorkplaceJoin\\JoinInfo\\*, TenantId/UserEmail) whose tenant "
            "differs from the device join (HKLM\\SYSTEM\\CurrentControlSet\\Control\\CloudDomainJoin\\JoinInfo\\*); "
            "more distinct Office identities (HKCU\\...\\Office\\16.0\\Common\\Identity\\Identities\\*, "
            "EmailAddress/ProviderId) than the option office_account_limit"),
    fix=("none (advisory): the user removes the other account in Settings > Accounts > Access work or school "
         "or signs out of the extra Office account; never WPJCleanUp or dsregcmd /leave"),
    options=(
        Option("office_account_limit", int, 1, "distinct Office sign-in addresses before it is reported",
               min=1, max=20),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
