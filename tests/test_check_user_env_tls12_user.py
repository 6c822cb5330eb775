"""tls12_user: the user's WinINet SecureProtocols gets bit 0x800 unless a policy value governs it."""

from __future__ import annotations

import re

import pytest
from checkutil import assert_lints_clean, fragment_body, parse_user, render_user

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.render import render_package

CHECK_ID = "tls12_user"


@pytest.fixture(scope="module")
def check():
    return get_check(CHECK_ID)


def test_metadata_follows_the_user_package_rules(check):
    assert check.context is Context.USER
    assert check.tier is Tier.SAFE
    assert (check.budget_seconds, check.rank) == (1, 20)
    assert check.remediation_template is not None


def test_desired_state_encodes_the_domain_facts(check):
    desired = check.desired_state({})
    assert desired["Path"] == r"HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
    assert desired["Name"] == "SecureProtocols"
    assert desired["Bit"] == 0x800
    policies = {p["Label"]: p["Path"] for p in desired["Policies"]}
    assert policies == {
        "hkcu": r"HKCU:\Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings",
        "hklm": r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings",
    }


def test_rendered_scripts_lint_clean_and_carry_the_desired_state(tmp_path):
    rendered = render_user(tmp_path, CHECK_ID)
    assert_lints_clean(rendered)
    for data in (rendered.detect, rendered.remediate):
        assert b"'Bit' = 2048" in data
    assert b"function Repair-RmTls12User" in rendered.remediate
    assert b"function Repair-RmTls12User" not in rendered.detect


def test_detection_keeps_other_bits_and_never_fights_policy(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID).detect, "Test-RmTls12User")
    # The new value is the old one with the TLS 1.2 bit added, nothing removed.
    assert "Value = [int]($value -bor $Desired.Bit)" in body
    # A policy value is checked before the user value and only ever reported.
    assert body.index("$Desired.Policies") < body.index("$Desired.Path")
    assert "'advisory' -Reason 'policy_without_tls12'" in body
    assert "Set-RmRegistryValue" not in body


def test_remediation_writes_through_the_backed_up_helper(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID).remediate, "Repair-RmTls12User")
    assert "Set-RmRegistryValue -Path $item.Path -Name $item.Name -Value $item.Value -Kind 'DWord'" in body
    assert "Remove-RmRegistryValue" not in body


def test_fix_can_be_turned_off_by_the_package(tmp_path):
    package = parse_user(tmp_path, CHECK_ID, fix=False)
    cfg = next(c for c in package.checks if c.id == CHECK_ID)
    assert cfg.fix is False
    data = render_package(package).remediate
    assert re.search(rb"'Id' = 'tls12_user'.*?'Fix' = \$false", data, re.S)
