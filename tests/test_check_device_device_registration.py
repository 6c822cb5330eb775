"""device_registration: dsregcmd device part, hybrid join task; enable + start the task only (safe, SYSTEM)."""

from __future__ import annotations

from checkutil import assert_lints_clean, code_only, function_text, render_device

from remediate.checks import get_check
from remediate.checks.base import Context, Tier

CHECK = get_check("device_registration")
STATE = CHECK.desired_state({"start_task": True})


def test_tier_context_budget_and_rank():
    assert (CHECK.context, CHECK.tier, CHECK.budget_seconds, CHECK.rank) == (Context.SYSTEM, Tier.SAFE, 6, 40)


def test_desired_state_encodes_the_domain_facts():
    assert (STATE["TaskPath"], STATE["TaskName"]) == ("\\Microsoft\\Windows\\Workplace Join\\", "Automatic-Device-Join")
    assert STATE["StatusArguments"] == "/status"
    assert [f["Name"] for f in STATE["Fields"]] == ["AzureAdJoined", "DomainJoined", "DeviceAuthStatus", "TenantName"]
    assert STATE["AuthFailedPrefix"] == "FAILED"
    assert (STATE["PolicyPath"], STATE["PolicyName"]) == (r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\WorkplaceJoin",
                                                          "autoWorkplaceJoin")
    assert STATE["TimeoutSeconds"] < CHECK.budget_seconds


def test_task_path_renders_as_a_literal(tmp_path):
    rendered = render_device(tmp_path, "device_registration")
    assert b"'TaskPath' = '\\Microsoft\\Windows\\Workplace Join\\'" in rendered.detect


def test_start_task_override_reaches_the_script(tmp_path):
    assert b"'StartTask' = $true" in render_device(tmp_path, "device_registration").remediate
    rendered = render_device(tmp_path, "device_registration", start_task=False)
    assert b"'StartTask' = $false" in rendered.remediate and b"'start_task' = $false" in rendered.remediate


def test_fix_enables_the_task_under_shouldprocess_and_never_leaves(tmp_path):
    rendered = render_device(tmp_path, "device_registration")
    repair = code_only(function_text(rendered.remediate, "Repair-RmDeviceRegistration"))
    assert "$PSCmdlet.ShouldProcess($task, 'Enable-ScheduledTask')" in repair
    assert "Set-RmOsScheduledTask -TaskPath $Desired.TaskPath -TaskName $Desired.TaskName -Action Enable" in repair
    assert "$PSCmdlet.ShouldProcess($task, 'Start-ScheduledTask')" in repair
    for forbidden in ("/leave", "Unregister-ScheduledTask", "Set-RmRegistryValue", "Remove-RmRegistryValue",
                      "WPJCleanUp", "Invoke-RmNative"):
        assert forbidden not in repair
    detect = function_text(rendered.detect, "Test-RmDeviceRegistration")
    assert "'device_auth_failed'" in detect and "'auto_join_disabled_by_policy'" in detect
    assert "-State 'fail' -Reason 'join_task_disabled'" in detect
    assert_lints_clean(rendered)
