"""clock_sync: W32Time, sync type and measured offset; start + resync, never a new time source (safe, SYSTEM)."""

from __future__ import annotations

import re

import pytest
from checkutil import assert_lints_clean, code_only, function_text, parse_device, render_device

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.errors import ConfigError

CHECK = get_check("clock_sync")
DEFAULTS = {o.name: o.default for o in CHECK.options}


def test_tier_context_budget_and_rank():
    assert (CHECK.context, CHECK.tier, CHECK.budget_seconds, CHECK.rank) == (Context.SYSTEM, Tier.SAFE, 8, 10)
    assert DEFAULTS["ntp_server"] == "time.windows.com" and DEFAULTS["threshold_seconds"] == 300
    assert DEFAULTS["http_date_url"] == "https://login.microsoftonline.com/"


def test_desired_state_encodes_the_w32time_facts():
    state = CHECK.desired_state(DEFAULTS)
    assert state["ParametersPath"] == r"HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters"
    assert (state["TypeName"], state["NoSyncType"], state["DomainType"]) == ("Type", "NoSync", "NT5DS")
    assert state["StripchartArguments"] == "/stripchart /computer:time.windows.com /samples:1 /dataonly"
    assert state["ResyncArguments"] == "/resync /force"
    assert state["StartDisabled"] == 4
    # Detection deadlines keep the check inside its budget: NTP + HTTP fallback.
    assert state["NtpTimeoutSeconds"] + state["HttpTimeoutMs"] / 1000 < CHECK.budget_seconds


@pytest.mark.parametrize(("line", "offset"), [
    ("10:41:07, +00.0123456s", "+00.0123456"),
    ("10:41:07, -3600.5000000s\r", "-3600.5000000"),
    ("10:41:07, +00,0123456s", "+00,0123456"),
    ("10:41:07, error: 0x800705B4", None),
    ("The current time is 4/1/2024 10:41:07 AM.", None),
    ("Tracking time.windows.com [20.101.57.9:123].", None),
], ids=["positive", "negative-crlf", "decimal-comma", "error", "banner", "tracking"])
def test_offset_pattern(line, offset):
    pattern = CHECK.desired_state(DEFAULTS)["OffsetPattern"]
    match = re.search(pattern, line, re.M)
    assert (match.group(1) if match else None) == offset


def test_option_overrides_reach_the_script(tmp_path):
    rendered = render_device(tmp_path, "clock_sync", ntp_server="ntp.contoso.com", threshold_seconds=120,
                             http_date_url="https://www.office.com/", require_service_running=False)
    data = rendered.detect
    assert b"'/stripchart /computer:ntp.contoso.com /samples:1 /dataonly'" in data
    assert b"'ThresholdSeconds' = 120" in data and b"'HttpDateUrl' = 'https://www.office.com/'" in data
    assert b"'require_service_running' = $false" in data
    assert b"time.windows.com" not in data


@pytest.mark.parametrize("server", ["time.windows.com /config /manualpeerlist:evil", "a;b", "-x", ""])
def test_ntp_server_cannot_inject_arguments(tmp_path, server):
    with pytest.raises(ConfigError, match="clock_sync.ntp_server"):
        parse_device(tmp_path, "clock_sync", ntp_server=server)


def test_fix_starts_and_resyncs_but_never_changes_the_source(tmp_path):
    rendered = render_device(tmp_path, "clock_sync")
    repair = code_only(function_text(rendered.remediate, "Repair-RmClockSync"))
    assert "Start-RmOsService -Name $Desired.ServiceName" in repair
    assert "$PSCmdlet.ShouldProcess($Desired.ServiceName, 'Start-Service')" in repair
    assert "$PSCmdlet.ShouldProcess($w32tm, $Desired.ResyncArguments)" in repair
    for forbidden in ("/config", "Set-Service", "Set-RmRegistryValue", "Set-Date", "NtpServer"):
        assert forbidden not in repair
    detect = function_text(rendered.detect, "Test-RmClockSync")
    assert "Invoke-RmNative -FilePath $w32tm -Arguments $Desired.StripchartArguments" in detect
    assert "'sync_disabled'" in detect and "'w32time_disabled'" in detect  # never fixed: advisory
    assert "'offset_unmeasured'" in detect
    assert_lints_clean(rendered)
