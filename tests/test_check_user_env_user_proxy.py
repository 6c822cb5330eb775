"""user_proxy: proxy settings reported; only a loopback proxy with nothing listening is turned off (opt-in)."""

from __future__ import annotations

import re

import pytest
from checkutil import assert_lints_clean, fragment_body, parse_user, render_user

from remediate.checks import get_check
from remediate.checks.base import Context, Tier
from remediate.errors import ConfigError

CHECK_ID = "user_proxy"


def _cfg(package):
    return next(c for c in package.checks if c.id == CHECK_ID)


@pytest.fixture(scope="module")
def check():
    return get_check(CHECK_ID)


@pytest.fixture(scope="module")
def desired(check):
    return check.desired_state({"connect_timeout_ms": 300})


def test_metadata_opt_in_user_check(check):
    assert check.context is Context.USER
    assert check.tier is Tier.OPT_IN  # DOMAIN.md: "stale loopback proxy removal opt-in"
    assert (check.budget_seconds, check.rank) == (3, 30)


def test_shipped_package_leaves_the_fix_off_unless_enabled(tmp_path):
    assert _cfg(parse_user(tmp_path, CHECK_ID)).fix is False
    assert _cfg(parse_user(tmp_path, CHECK_ID, fix=True)).fix is True


def test_desired_state_encodes_the_domain_facts(desired):
    assert desired["Path"] == r"HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
    assert desired["Names"] == ["ProxyEnable", "ProxyServer", "AutoConfigURL", "AutoDetect"]
    assert (desired["EnableName"], desired["DisabledValue"]) == ("ProxyEnable", 0)
    assert desired["PerMachinePath"] == r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings"
    assert desired["PerMachineName"] == "ProxySettingsPerUser"


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("[::1]", True),
    ("proxy.corp.example", False), ("10.0.0.1", False), ("128.0.0.1", False), ("[::2]", False),
    ("localhost.corp.example", False),
])
def test_loopback_pattern(desired, host, loopback):
    # .NET and Python agree on this subset of regex syntax (anchors, classes, alternation, counted repeats).
    assert bool(re.match(desired["LoopbackPattern"], host)) is loopback


@pytest.mark.parametrize("entry, host, port", [
    ("127.0.0.1:8888", "127.0.0.1", "8888"),
    ("localhost", "localhost", None),
    ("[::1]:8888", "[::1]", "8888"),
    ("proxy.corp.example:3128", "proxy.corp.example", "3128"),
])
def test_endpoint_pattern_after_prefix_stripping(desired, entry, host, port):
    pattern = desired["EndpointPattern"].replace("(?<", "(?P<")  # .NET named groups in Python spelling
    match = re.match(pattern, entry)
    assert match and match.group("host") == host and match.group("port") == port


@pytest.mark.parametrize("entry, rest", [
    ("http=127.0.0.1:8888", "127.0.0.1:8888"), ("https://127.0.0.1:8888", "127.0.0.1:8888"),
])
def test_prefixes_are_stripped(desired, entry, rest):
    text = re.sub(desired["ProtocolPrefix"], "", entry)
    assert re.sub(desired["SchemePrefix"], "", text) == rest


def test_timeout_option_reaches_the_script_and_is_bounded(tmp_path):
    data = render_user(tmp_path, CHECK_ID, connect_timeout_ms=150).detect
    assert b"'connect_timeout_ms' = 150" in data
    assert b"'connect_timeout_ms' = 300" not in data
    with pytest.raises(ConfigError, match="maximum"):
        parse_user(tmp_path, CHECK_ID, connect_timeout_ms=5000)


def test_budget_covers_the_worst_case_probe_time(check, desired):
    worst = desired["MaxEndpoints"] * len(desired["LocalhostAddresses"]) * check.option("connect_timeout_ms").max
    assert worst / 1000 <= check.budget_seconds - 1  # a second left for the registry reads


def test_rendered_scripts_lint_clean(tmp_path):
    rendered = render_user(tmp_path, CHECK_ID, fix=True)
    assert_lints_clean(rendered)
    assert b"function Repair-RmUserProxy" in rendered.remediate


def test_only_a_dead_loopback_proxy_fails(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID).detect, "Test-RmUserProxy")
    fails = [line for line in body.splitlines() if "-State 'fail'" in line]
    assert fails == ["    $finding = New-RmFinding -Id $Check.Id -State 'fail' -Reason 'stale_loopback_proxy' -Facts $facts"]
    assert "'advisory' -Reason 'proxy_configured'" in body
    assert "'advisory' -Reason 'loopback_proxy_listening'" in body
    assert "New-Object -TypeName System.Net.Sockets.TcpClient -ArgumentList $ip.AddressFamily" in body
    assert "WaitOne([int]$Options.connect_timeout_ms, $false)" in body


def test_remediation_only_sets_proxyenable(tmp_path):
    body = fragment_body(render_user(tmp_path, CHECK_ID, fix=True).remediate, "Repair-RmUserProxy")
    assert body.count("Set-RmRegistryValue") == 1
    assert "-Kind 'DWord'" in body
    code = [line for line in body.splitlines() if not line.lstrip().startswith("#")]
    assert not any("ProxyServer" in line or "Remove-RmRegistryValue" in line for line in code)
