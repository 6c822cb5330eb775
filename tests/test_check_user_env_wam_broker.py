"""wam_broker: the WAM plug-ins are re-registered from the Windows image, as the user (Microsoft's fix)."""

from __future__ import annotations

import pytest
from checkutil import assert_lints_clean, fragment_body, parse_user, render_user

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.errors import ConfigError

CHECK_ID = "wam_broker"


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


def test_options_reach_the_script(tmp_path):
    data = render_user(tmp_path, CHECK_ID, event_window_hours=24, max_events=50, check_events=False).detect
    assert b"'event_window_hours' = 24" in data
    assert b"'max_events' = 50" in data
    assert b"'check_events' = $false" in data
    with pytest.raises(ConfigError, match="maximum"):
        parse_user(tmp_path, CHECK_ID, event_window_hours=10000)


def test_rendered_scripts_lint_clean(tmp_path):
    rendered = render_user(tmp_path, CHECK_ID)
    assert_lints_clean(rendered)
    assert b"function Repair-RmWamBroker" in rendered.remediate


def test_detection_reads_the_user_registration_and_the_events(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID).detect, "Test-RmWamBroker")
    assert "Get-RmOsAppxPackage -Name $package.Name" in body
    assert "-AllUsers" not in body  # the signed-in user's registration, not the machine's
    assert "Join-Path $env:windir ($Desired.SystemApps + '\\' + $package.Folder + '\\' + $Desired.Manifest)" in body
    assert "Get-RmOsEvent -LogName $Desired.EventLog -ProviderName $Desired.EventProvider" in body
    # Events of other users are not this user's problem; events since our last registration are answered.
    assert "$_.UserSid -eq $Run.Context.Sid" in body
    assert "$Run.State[$Desired.StateKey]" in body
    assert "'advisory' -Reason 'manifest_missing'" in body
    assert "Add-AppxPackage" not in body


def test_remediation_is_microsofts_registration_under_shouldprocess(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID).remediate, "Repair-RmWamBroker")
    assert "Register-RmOsAppxPackage -Manifest $item.Manifest" in body
    assert body.index("$PSCmdlet.ShouldProcess($item.Manifest") < body.index("Register-RmOsAppxPackage")
    assert "$Run.State[$Desired.StateKey] = Get-RmStamp\r\n" in body  # now, UTC (Get-RmStamp default)
