"""account_conflict: advisory only, the registry locations of DOMAIN.md s.3, the limit option reaches the script."""

from __future__ import annotations

import re

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.lint import lint_bytes
from remediate.packages import parse_package
from remediate.render import render_package

CHECK = get_check("account_conflict")
USER_TOML = "caa20002-user.toml"
DEFAULTS = CHECK.resolve_options({}, file=None, key="t")


def _descriptor(script: bytes, check_id: str) -> str:
    text = script.decode("ascii")
    start = text.index(f"'Id' = '{check_id}'")
    end = text.find("'Id' = '", start + 1)
    return text[start:end if end != -1 else len(text)]


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


def test_option_override_reaches_the_script(repo_root, tmp_path):
    src = (repo_root / "packaging" / USER_TOML).read_text()
    path = tmp_path / USER_TOML
    path.write_text(re.sub(r"\[checks\.account_conflict\][^\[]*",
                           "[checks.account_conflict]\noffice_account_limit = 3\n", src))
    pkg = render_package(parse_package(path))
    block = _descriptor(pkg.detect, "account_conflict")
    assert "'office_account_limit' = 3" in block and "'OfficeAccountLimit' = 3" in block
    assert "function Repair-RmAccountConflict" not in pkg.remediate.decode()
    for data, name in ((pkg.detect, "detect.ps1"), (pkg.remediate, "remediate.ps1")):
        assert lint_bytes(data, name) == []
