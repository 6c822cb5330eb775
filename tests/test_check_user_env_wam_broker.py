"""wam_broker: the WAM plug-ins are re-registered from the Windows image, as the user (Microsoft's fix)."""

from __future__ import annotations

import re

import pytest

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.errors import ConfigError
from remediate.lint import lint_bytes
from remediate.packages import parse_package
from remediate.render import render_package

CHECK_ID = "wam_broker"


def _package(tmp_path, repo_root, **overrides):
    """A copy of the shipped user package that certainly holds this check's table, with overrides."""
    text = (repo_root / "packaging" / "caa20002-user.toml").read_text(encoding="utf-8")
    if f"[checks.{CHECK_ID}]" not in text:
        text += f"\n[checks.{CHECK_ID}]\n"
    path = tmp_path / "caa20002-user.toml"
    path.write_text(text, encoding="utf-8")
    return parse_package(path, {CHECK_ID: overrides} if overrides else None)


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
    assert check.context is Context.USER  # Appx registration acts on the calling user only
    assert check.tier is Tier.SAFE
    assert (check.budget_seconds, check.rank) == (10, 40)


def test_desired_state_names_both_plugins_and_their_manifests(check):
    desired = check.desired_state({o.name: o.default for o in check.options})
    packages = {p["Name"]: p["Folder"] for p in desired["Packages"]}
    assert packages == {
        "Microsoft.AAD.BrokerPlugin": "Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy",
        "Microsoft.Windows.CloudExperienceHost": "Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy",
    }
    assert (desired["SystemApps"], desired["Manifest"]) == ("SystemApps", "Appxmanifest.xml")
    # Event Viewer's "AppModel-State" source is this provider in the Application log.
    assert (desired["EventLog"], desired["EventProvider"]) == ("Application", "Microsoft-Windows-AppModel-State")
    assert desired["EventMatch"] == "Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy"
    assert desired["StateKey"].startswith(CHECK_ID + ".")


def test_options_reach_the_script(tmp_path, repo_root):
    data = render_package(_package(tmp_path, repo_root, event_window_hours=24, max_events=50,
                                   check_events=False)).detect
    assert b"'event_window_hours' = 24" in data
    assert b"'max_events' = 50" in data
    assert b"'check_events' = $false" in data
    with pytest.raises(ConfigError, match="maximum"):
        _package(tmp_path, repo_root, event_window_hours=10000)


def test_rendered_scripts_lint_clean(tmp_path, repo_root):
    rendered = render_package(_package(tmp_path, repo_root))
    for data in (rendered.detect, rendered.remediate):
        assert lint_bytes(data) == []
    assert b"function Repair-RmWamBroker" in rendered.remediate


def test_detection_reads_the_user_registration_and_the_events(tmp_path, repo_root):
    body = _function(render_package(_package(tmp_path, repo_root)).detect, "Test-RmWamBroker")
    assert "Get-AppxPackage -Name $package.Name -ErrorAction Stop" in body
    assert "-AllUsers" not in body  # the signed-in user's registration, not the machine's
    assert "Join-Path $env:windir ($Desired.SystemApps + '\\' + $package.Folder + '\\' + $Desired.Manifest)" in body
    assert "ProviderName = $Desired.EventProvider" in body
    # Events of other users are not this user's problem; events since our last registration are answered.
    assert "$_.UserId.Value -eq $Run.Context.Sid" in body
    assert "$Run.State[$Desired.StateKey]" in body
    assert "'advisory' -Reason 'manifest_missing'" in body
    assert "Add-AppxPackage" not in body


def test_remediation_is_microsofts_registration_under_shouldprocess(tmp_path, repo_root):
    body = _function(render_package(_package(tmp_path, repo_root)).remediate, "Repair-RmWamBroker")
    assert ("Add-AppxPackage -Path $item.Manifest -Register -DisableDevelopmentMode -ForceApplicationShutdown"
            in body)
    assert body.index("$PSCmdlet.ShouldProcess($item.Manifest") < body.index("Add-AppxPackage")
    assert "$Run.State[$Desired.StateKey] = [DateTime]::UtcNow" in body
