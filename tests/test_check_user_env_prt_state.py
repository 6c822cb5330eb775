"""prt_state: a missing or stale PRT on an Entra-joined device gets dsregcmd /refreshprt, as the user."""

from __future__ import annotations

import re

import pytest

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.errors import ConfigError
from remediate.lint import lint_bytes
from remediate.packages import parse_package
from remediate.render import render_package

CHECK_ID = "prt_state"


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


@pytest.fixture(scope="module")
def desired(check):
    return check.desired_state({o.name: o.default for o in check.options})


def test_metadata_follows_the_user_package_rules(check):
    assert check.context is Context.USER  # the user/SSO part of dsregcmd is valid only as the user
    assert check.tier is Tier.SAFE
    assert (check.budget_seconds, check.rank) == (8, 60)
    assert check.option("max_prt_age_hours").default == 4  # the PRT renews about every 4 hours


def test_desired_state_encodes_dsregcmd(desired):
    assert desired["Program"] == r"System32\dsregcmd.exe"
    assert (desired["StatusArguments"], desired["RefreshArguments"]) == ("/status", "/refreshprt")
    assert (desired["AadJoinedField"], desired["DomainJoinedField"]) == ("AzureAdJoined", "DomainJoined")
    assert (desired["PrtField"], desired["PrtUpdateField"]) == ("AzureAdPrt", "AzureAdPrtUpdateTime")
    names = [f["Name"] for f in desired["DiagnosticFields"]]
    assert {"HTTP Error", "Server Error Code", "Server Error Description"} <= set(names)


def test_timeouts_fit_the_budget(check, desired):
    # The remediation phase detects, refreshes and detects again.
    assert 2 * desired["StatusTimeoutSeconds"] + desired["RefreshTimeoutSeconds"] <= check.budget_seconds


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


def test_options_reach_the_script_and_are_bounded(tmp_path, repo_root):
    data = render_package(_package(tmp_path, repo_root, max_prt_age_hours=8, settle_minutes=45,
                                   retry_hours=12)).detect
    assert b"'max_prt_age_hours' = 8" in data
    assert b"'settle_minutes' = 45" in data
    assert b"'retry_hours' = 12" in data
    with pytest.raises(ConfigError, match="minimum"):
        _package(tmp_path, repo_root, max_prt_age_hours=0)


def test_rendered_scripts_lint_clean(tmp_path, repo_root):
    rendered = render_package(_package(tmp_path, repo_root))
    for data in (rendered.detect, rendered.remediate):
        assert lint_bytes(data) == []
    assert b"function Repair-RmPrtState" in rendered.remediate


def test_detection_runs_dsregcmd_through_the_runtime_and_never_refreshes(tmp_path, repo_root):
    body = _function(render_package(_package(tmp_path, repo_root)).detect, "Test-RmPrtState")
    assert "Invoke-RmNative -FilePath $exe -Arguments $Desired.StatusArguments" in body
    assert "ConvertFrom-RmColonList -Text $status.Output" in body
    assert "RefreshArguments" not in body
    assert "'pass' -Reason 'not_joined'" in body
    # An unparsable update time is only reported: the failure needs a parsed time older than the threshold.
    assert "$facts['prt_update_time'] = $raw" in body
    assert "if ($age -gt [double]$Options.max_prt_age_hours)" in body


def test_remediation_refreshes_under_shouldprocess_and_records_the_time(tmp_path, repo_root):
    body = _function(render_package(_package(tmp_path, repo_root)).remediate, "Repair-RmPrtState")
    assert body.index("$PSCmdlet.ShouldProcess($exe, $Desired.RefreshArguments)") < body.index("Invoke-RmNative")
    assert "Invoke-RmNative -FilePath $exe -Arguments $Desired.RefreshArguments" in body
    assert "$Run.State[$Desired.StateKey] = [DateTime]::UtcNow" in body
