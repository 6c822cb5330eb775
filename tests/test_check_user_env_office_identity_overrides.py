"""office_identity_overrides: unsupported Office identity values are removed (backed up), never set."""

from __future__ import annotations

import re

import pytest
from checkutil import assert_lints_clean, fragment_body, parse_user, render_user

from remediate.checks import get_check
from remediate.checks.base import Context, Tier

CHECK_ID = "office_identity_overrides"


@pytest.fixture(scope="module")
def check():
    return get_check(CHECK_ID)


def test_metadata_follows_the_user_package_rules(check):
    assert check.context is Context.USER
    assert check.tier is Tier.SAFE
    assert (check.budget_seconds, check.rank) == (2, 35)
    assert check.options == ()


def test_desired_state_names_the_three_overrides_and_their_bad_values(check):
    desired = check.desired_state({})
    assert desired["Path"] == r"HKCU:\Software\Microsoft\Office\16.0\Common\Identity"
    assert desired["PolicyPath"] == r"HKCU:\Software\Policies\Microsoft\Office\16.0\Common\Identity"
    assert {v["Name"]: v["Bad"] for v in desired["Values"]} == {
        "EnableADAL": 0,
        "DisableADALatopWAMOverride": 1,
        "DisableAADWAM": 1,
    }


def test_rendered_scripts_lint_clean(tmp_path):
    rendered = render_user(tmp_path, CHECK_ID)
    assert_lints_clean(rendered)
    for data in (rendered.detect, rendered.remediate):
        assert re.search(rb"'Name' = 'DisableADALatopWAMOverride'\s+'Bad' = 1\s", data)
    assert b"function Repair-RmOfficeIdentityOverride" in rendered.remediate


def test_policy_set_values_are_only_reported(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID).detect, "Test-RmOfficeIdentityOverride")
    assert "$Desired.PolicyPath" in body
    assert "if ($userBad -and -not $policyBad)" in body
    assert "'advisory' -Reason 'override_set_by_policy'" in body


def test_remediation_removes_with_backup_and_never_sets(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID).remediate, "Repair-RmOfficeIdentityOverride")
    assert "Remove-RmRegistryValue -Path $item.Path -Name $item.Name -Check $Check.Id" in body
    assert "Set-RmRegistryValue" not in body
    assert "ShouldProcess" not in body  # Remove-RmRegistryValue asks ShouldProcess itself


def test_fix_can_be_turned_off_by_the_package(tmp_path):
    package = parse_user(tmp_path, CHECK_ID, fix=False)
    assert next(c for c in package.checks if c.id == CHECK_ID).fix is False
