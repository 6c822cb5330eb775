"""account_conflict: advisory only, the registry locations of DOMAIN.md s.3, the limit option reaches the script."""

from __future__ import annotations

import re

from checkutil import USER_TOML, assert_lints_clean, descriptor, render_with_table

from remediate.checks import get_check
from remediate.checks.base import Context, Tier

CHECK = get_check("account_conflict")
DEFAULTS = CHECK.resolve_options({}, file=None, key="t")


def test_metadata_advisory_user_no_remediation():
    assert CHECK.context is Context.USER
    assert CHECK.tier is Tier.ADVISORY
    assert not CHECK.evidence_gated
    assert (CHECK.budget_seconds, CHECK.rank) == (2, 90)
    assert CHECK.remediation_template is None


def test_desired_state_names_the_registry_locations():
    desired = CHECK.desired_state(DEFAULTS)
    assert desired["UserJoinInfo"] == r"HKCU:\Software\Microsoft\Windows NT\CurrentVersion\WorkplaceJoin\JoinInfo"
    assert desired["DeviceJoinInfo"] == r"HKLM:\SYSTEM\CurrentControlSet\Control\CloudDomainJoin\JoinInfo"
    assert desired["OfficeIdentities"] == r"HKCU:\Software\Microsoft\Office\16.0\Common\Identity\Identities"
    assert (desired["UserTenantValue"], desired["UserEmailValue"]) == ("TenantId", "UserEmail")
    assert desired["DeviceTenantValue"] == "TenantId"
    assert (desired["OfficeEmailValue"], desired["OfficeProviderValue"]) == ("EmailAddress", "ProviderId")
    assert desired["OfficeAccountLimit"] == 1


def test_detection_only_reads_and_never_returns_fail():
    detect = CHECK.detection_template.read_text()
    assert "-State 'fail'" not in detect  # advisory checks never ask for a remediation
    states = set(re.findall(r"-State '(\w+)'", detect))
    assert states == {"advisory", "pass"}
    for forbidden in ("Set-Rm", "Remove-Rm", "Move-Rm", "Invoke-RmNative", "WPJCleanUp", "/leave", "Remove-Item"):
        assert forbidden not in detect, forbidden
    # Tenant ids are compared case- and brace-insensitively.
    assert detect.count(".Trim('{', '}', ' ').ToLowerInvariant()") == 2


def test_fix_text_never_suggests_destructive_tools_as_our_action():
    assert CHECK.fix.startswith("none (advisory)")
    assert "never WPJCleanUp or dsregcmd /leave" in CHECK.fix


def test_option_override_reaches_the_script(tmp_path):
    pkg = render_with_table(tmp_path, USER_TOML, "account_conflict",
                            "[checks.account_conflict]\noffice_account_limit = 3\n")
    block = descriptor(pkg.detect, "account_conflict")
    assert "'office_account_limit' = 3" in block and "'OfficeAccountLimit' = 3" in block
    assert "function Repair-RmAccountConflict" not in pkg.remediate.decode()
    assert_lints_clean(pkg)
