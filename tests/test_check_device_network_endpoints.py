"""network_endpoints: DNS/TCP/TLS to the sign-in endpoints, WinHTTP proxy, NCSI probe (safe, SYSTEM)."""

from __future__ import annotations

import pytest
from checkutil import assert_lints_clean, code_only, function_text, parse_device, render_device

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.errors import ConfigError

CHECK = get_check("network_endpoints")
DEFAULTS = {o.name: o.default for o in CHECK.options}
STATE = CHECK.desired_state(DEFAULTS)


def test_tier_context_budget_and_rank():
    assert (CHECK.context, CHECK.tier, CHECK.budget_seconds, CHECK.rank) == (Context.SYSTEM, Tier.SAFE, 10, 30)


def test_defaults_are_the_domain_endpoints_and_public_cas():
    assert STATE["Endpoints"] == ["login.microsoftonline.com", "login.microsoft.com", "login.windows.net",
                                  "device.login.microsoftonline.com", "enterpriseregistration.windows.net",
                                  "aadcdn.msauth.net"]
    assert STATE["Port"] == 443
    for fragment in ("DigiCert", "Microsoft", "GlobalSign", "Baltimore", "Entrust", "Let's Encrypt"):
        assert fragment in STATE["CaFragments"]


def test_desired_state_encodes_the_ncsi_facts():
    assert STATE["NcsiPath"] == r"HKLM:\SYSTEM\CurrentControlSet\Services\NlaSvc\Parameters\Internet"
    assert (STATE["NcsiName"], STATE["NcsiEnabled"]) == ("EnableActiveProbing", 1)
    assert STATE["NcsiPolicyPath"] == r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\NetworkConnectivityStatusIndicator"
    assert (STATE["NcsiPolicyName"], STATE["NcsiPolicyOff"]) == ("NoActiveProbe", 1)  # only 1 turns it off
    # The WinHTTP proxy from the culture-free binary value, not from netsh (localized).
    assert STATE["ProxyPath"] == r"HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections"
    assert STATE["ProxyName"] == "WinHttpSettings"


def test_phase_deadlines_fit_the_budget():
    # Phases run one after the other, endpoints within a phase concurrently; registry reads and the network
    # read (only when names fail) share the rest.
    worst = (STATE["DnsTimeoutMs"] + STATE["TcpTimeoutMs"] + STATE["TlsTimeoutMs"]) / 1000
    assert worst <= CHECK.budget_seconds - 2


def test_options_reach_the_script_escaped(tmp_path):
    rendered = render_device(tmp_path, "network_endpoints", endpoints=["login.contoso.example"],
                             public_ca_fragments=["Let's Encrypt", "Contoso Root"])
    data = rendered.detect
    assert b"'login.contoso.example'" in data and b"'aadcdn.msauth.net'" not in data
    assert b"'Let''s Encrypt'" in data and b"'Contoso Root'" in data and b"'DigiCert'" not in data


def test_default_quote_in_a_ca_name_is_escaped(tmp_path):
    assert b"'Let''s Encrypt'" in render_device(tmp_path, "network_endpoints").detect


@pytest.mark.parametrize("endpoint", ["host name", "a;b", "-x", "https://login.microsoftonline.com/"])
def test_endpoints_must_be_host_names(tmp_path, endpoint):
    with pytest.raises(ConfigError, match="network_endpoints.endpoints"):
        parse_device(tmp_path, "network_endpoints", endpoints=[endpoint])


def test_probes_are_bounded_concurrent_and_validate_certificates(tmp_path):
    rendered = render_device(tmp_path, "network_endpoints")
    detect = code_only(function_text(rendered.detect, "Test-RmNetworkEndpoint"))
    assert "Test-RmOsEndpoint -Name $Desired.Endpoints -Port ([int]$Desired.Port)" in detect
    probe = code_only(function_text(rendered.detect, "Test-RmOsEndpoint"))
    assert "[System.Net.Dns]::GetHostAddressesAsync($endpoint)" in probe
    assert ".ConnectAsync($probe.Address, $Port)" in probe
    assert "[System.Security.Authentication.SslProtocols]::Tls12" in probe
    assert "Wait-RmNetTask -Task $probe.Task -Until $until" in probe
    # A PowerShell callback on a worker thread would crash the host: no validation callback at all.
    assert "ValidationCallback" not in probe and "Add-Type" not in probe
    # The WinHTTP proxy comes from the registry: netsh's output is localized.
    assert "ConvertFrom-RmWinHttpSetting -Value @(Get-RmRegistryValue -Path $Desired.ProxyPath" in detect
    assert "netsh" not in detect.lower() and "Invoke-RmNative" not in detect


def test_fix_touches_only_the_ncsi_probe_and_the_dns_cache(tmp_path):
    rendered = render_device(tmp_path, "network_endpoints")
    repair = code_only(function_text(rendered.remediate, "Repair-RmNetworkEndpoint"))
    assert "Set-RmRegistryValue -Path $Desired.NcsiPath -Name $Desired.NcsiName" in repair
    assert "$PSCmdlet.ShouldProcess('DNS client cache', 'Clear-DnsClientCache')" in repair
    for forbidden in ("netsh", "Invoke-RmNative", "Remove-RmRegistryValue", "Proxy", "NoActiveProbe"):
        assert forbidden not in repair
    detect = function_text(rendered.detect, "Test-RmNetworkEndpoint")
    assert "if ($ncsiOff -and -not $ncsiByPolicy)" in detect  # never fight the policy (NoActiveProbe=1)
    assert "'tls_inspection'" in detect and "'endpoint_unreachable'" in detect
    assert_lints_clean(rendered)
