"""prt_state: a missing or stale PRT on an Entra-joined device gets dsregcmd /refreshprt, as the user."""

from __future__ import annotations

import re

import pytest
from checkutil import assert_lints_clean, fragment_body, parse_user, render_user

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.errors import ConfigError

CHECK_ID = "prt_state"


@pytest.fixture(scope="module")
def check():
    return get_check(CHECK_ID)


@pytest.fixture(scope="module")
def desired(check):
    return check.desired_state({o.name: o.default for o in check.options})


def test_metadata_follows_the_user_package_rules(check):
    assert check.context is Context.USER  # the user/SSO part of dsregcmd is valid only as the user
    assert check.tier is Tier.SAFE
    assert (check.budget_seconds, check.rank) == (12, 60)
    # The PRT renews lazily about every 4 hours (a healthy one can be 4-6 h old): the threshold sits above.
    assert check.option("max_prt_age_hours").default == 8 and check.option("max_prt_age_hours").min > 4


def test_desired_state_encodes_dsregcmd(desired):
    assert desired["Program"] == r"System32\dsregcmd.exe"
    assert (desired["StatusArguments"], desired["RefreshArguments"]) == ("/status", "/refreshprt")
    assert (desired["AadJoinedField"], desired["DomainJoinedField"]) == ("AzureAdJoined", "DomainJoined")
    assert (desired["PrtField"], desired["PrtUpdateField"]) == ("AzureAdPrt", "AzureAdPrtUpdateTime")
    names = [f["Name"] for f in desired["DiagnosticFields"]]
    assert {"HTTP Error", "Server Error Code", "Server Error Description"} <= set(names)


def test_timeouts_fit_the_budget(check, desired):
    # The remediation phase detects, refreshes and verifies; the verification reuses the run's /status output.
    assert desired["StatusTimeoutSeconds"] >= 10  # sized to dsregcmd on a joined device (DOMAIN.md s.9)
    assert desired["StatusTimeoutSeconds"] + desired["RefreshTimeoutSeconds"] <= check.budget_seconds


@pytest.mark.parametrize("text, parts", [
    ("2024-05-06 07:08:09.000 UTC", (2024, 5, 6, 7, 8, 9)),
    ("2024-05-06 07:08:09 UTC", (2024, 5, 6, 7, 8, 9)),
    ("  2019-10-25 08:48:47.123 UTC ", (2019, 10, 25, 8, 48, 47)),
    ("2024-05-06T07:08:09.000 UTC", (2024, 5, 6, 7, 8, 9)),
])
def test_update_time_pattern_reads_the_dsregcmd_form(desired, text, parts):
    match = re.match(desired["TimePattern"], text)
    assert match and tuple(int(match.group(i)) for i in range(1, 7)) == parts


@pytest.mark.parametrize("text", ["", "06/05/2024 07:08:09", "2024-05-06 07:08:09.000", "2024-05-06 07:08 UTC",
                                  "NO"])
def test_unknown_time_formats_do_not_match(desired, text):
    assert re.match(desired["TimePattern"], text) is None


def test_options_reach_the_script_and_are_bounded(tmp_path):
    data = render_user(tmp_path, CHECK_ID, max_prt_age_hours=8, settle_minutes=45, retry_hours=12).detect
    assert b"'max_prt_age_hours' = 8" in data
    assert b"'settle_minutes' = 45" in data
    assert b"'retry_hours' = 12" in data
    with pytest.raises(ConfigError, match="minimum"):
        parse_user(tmp_path, CHECK_ID, max_prt_age_hours=0)


def test_rendered_scripts_lint_clean(tmp_path):
    rendered = render_user(tmp_path, CHECK_ID)
    assert_lints_clean(rendered)
    assert b"function Repair-RmPrtState" in rendered.remediate


def test_detection_runs_dsregcmd_through_the_runtime_and_never_refreshes(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID).detect, "Test-RmPrtState")
    assert "Invoke-RmNative -FilePath $exe -Arguments $Desired.StatusArguments" in body
    assert "ConvertFrom-RmColonList -Text $output" in body
    assert "RefreshArguments" not in body
    assert "'pass' -Reason 'not_joined'" in body
    # An unparsable update time is only reported: the failure needs a parsed time older than the threshold.
    assert "$facts['prt_update_time'] = $raw" in body
    assert "if ($age -gt [double]$Options.max_prt_age_hours)" in body


def test_remediation_refreshes_under_shouldprocess_and_records_the_time(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID).remediate, "Repair-RmPrtState")
    assert body.index("$PSCmdlet.ShouldProcess($exe, $Desired.RefreshArguments)") < body.index("Invoke-RmNative")
    assert "Invoke-RmNative -FilePath $exe -Arguments $Desired.RefreshArguments" in body
    assert "$Run.State[$Desired.StateKey] = Get-RmStamp\r\n" in body  # now, UTC (Get-RmStamp default)
