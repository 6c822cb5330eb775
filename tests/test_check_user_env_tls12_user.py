"""tls12_user: the user's WinINet SecureProtocols gets bit 0x800 unless a policy value governs it."""

from __future__ import annotations

import re

import pytest

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.lint import lint_bytes
from remediate.packages import parse_package
from remediate.render import render_package

CHECK_ID = "tls12_user"


def _package(tmp_path, repo_root, fix=None):
    """A copy of the shipped user package that certainly holds this check's table."""
    text = (repo_root / "packaging" / "caa20002-user.toml").read_text(encoding="utf-8")
    if f"[checks.{CHECK_ID}]" not in text:
        text += f"\n[checks.{CHECK_ID}]\n"
    path = tmp_path / "caa20002-user.toml"
    path.write_text(text, encoding="utf-8")
    overrides = {CHECK_ID: {"fix": fix}} if fix is not None else None
    return parse_package(path, overrides)


def _function(script: bytes, name: str) -> str:
    text = script.decode("ascii")
    match = re.search(r"^function " + re.escape(name) + r" \{\r\n(.*?)^\}\r\n", text, re.S | re.M)
    assert match, name
    # The fragment itself: what follows the two lines every generated check function starts with.
    return match.group(1).split("$Desired = $Check.Desired\r\n", 1)[1]


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


def test_rendered_scripts_lint_clean_and_carry_the_desired_state(tmp_path, repo_root):
    rendered = render_package(_package(tmp_path, repo_root))
    for data in (rendered.detect, rendered.remediate):
        assert lint_bytes(data) == []
        assert b"'Bit' = 2048" in data
    assert b"function Repair-RmTls12User" in rendered.remediate
    assert b"function Repair-RmTls12User" not in rendered.detect


def test_detection_keeps_other_bits_and_never_fights_policy(tmp_path, repo_root):
    body = _function(render_package(_package(tmp_path, repo_root)).detect, "Test-RmTls12User")
    # The new value is the old one with the TLS 1.2 bit added, nothing removed.
    assert "Value = [int]($value -bor $Desired.Bit)" in body
    # A policy value is checked before the user value and only ever reported.
    assert body.index("$Desired.Policies") < body.index("$Desired.Path")
    assert "'advisory' -Reason 'policy_without_tls12'" in body
    assert "Set-RmRegistryValue" not in body


def test_remediation_writes_through_the_backed_up_helper(tmp_path, repo_root):
    body = _function(render_package(_package(tmp_path, repo_root)).remediate, "Repair-RmTls12User")
    assert "Set-RmRegistryValue -Path $item.Path -Name $item.Name -Value $item.Value -Kind 'DWord'" in body
    assert "Remove-RmRegistryValue" not in body


def test_fix_can_be_turned_off_by_the_package(tmp_path, repo_root):
    package = _package(tmp_path, repo_root, fix=False)
    cfg = next(c for c in package.checks if c.id == CHECK_ID)
    assert cfg.fix is False
    data = render_package(package).remediate
    assert re.search(rb"'Id' = 'tls12_user'.*?'Fix' = \$false", data, re.S)
