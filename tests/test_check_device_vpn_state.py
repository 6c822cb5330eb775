"""vpn_state: built-in and third-party tunnels, default route (advisory, SYSTEM, never disconnects)."""

from __future__ import annotations

from checkutil import assert_lints_clean, function_text, render_device

from remediate.checks import get_check
from remediate.checks.base import Context, Tier

CHECK = get_check("vpn_state")


def test_tier_context_budget_and_rank():
    assert (CHECK.context, CHECK.tier, CHECK.budget_seconds, CHECK.rank) == (Context.SYSTEM, Tier.ADVISORY, 3, 90)
    assert CHECK.remediation_template is None


def test_default_patterns_are_the_domain_list():
    patterns = CHECK.desired_state({"adapter_patterns": CHECK.option("adapter_patterns").default})["AdapterPatterns"]
    for client in ("PANGP", "AnyConnect", "Fortinet", "Juniper", "WireGuard", "Wintun", "TAP-Windows", "OpenVPN"):
        assert client in patterns


def test_pattern_override_reaches_the_script_escaped(tmp_path):
    rendered = render_device(tmp_path, "vpn_state", adapter_patterns=["Zscaler", "O'Tunnel"])
    assert b"'Zscaler'" in rendered.detect and b"'O''Tunnel'" in rendered.detect
    assert b"'PANGP'" not in rendered.detect


def test_detection_reads_builtin_adapters_and_default_route_and_never_disconnects(tmp_path):
    rendered = render_device(tmp_path, "vpn_state")
    body = function_text(rendered.detect, "Test-RmVpnState")
    seam = function_text(rendered.detect, "Get-RmOsNetwork")
    assert "Get-RmOsNetwork -Prefix $Desired.DefaultRoute" in body
    assert "Get-VpnConnection -AllUserConnection" in seam
    assert "Get-NetRoute -DestinationPrefix $Prefix" in seam
    assert "'0.0.0.0/0'" in rendered.detect.decode()
    for verb in ("Disconnect", "rasdial", "Disable-NetAdapter", "Stop-Service"):
        assert verb not in body
    assert "'fail'" not in body
    assert b"function Repair-RmVpnState" not in rendered.remediate
    assert_lints_clean(rendered)
