"""Scenarios for network_endpoints, run in real PowerShell against the simulated Windows (tests/simwin).

Sources of the desired state: DOMAIN.md section 3 (proxy / firewall / DNS row: endpoints, public CA, NCSI
probe and its policy) and section 9 (netsh output is localized; the culture-free source of the WinHTTP proxy
is the binary WinHttpSettings value). Samples (tests/simwin/samples/SOURCES.md has their rows):
registry/winhttpsettings-default-direct-hex-inline.txt (the Windows default value, direct access: it fixes the
layout the parser reads), netsh-winhttp/show-proxy-long-bypass-list-netsh-context-ja.txt and
set-proxy-no-bypass-ja.txt (Japanese netsh output of a corporate proxy: the old parser read it as 'unknown').
"""

from __future__ import annotations

import re
import struct

import pytest

from simwin.machine import SAMPLES
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "network_endpoints"
CONNECTIONS = "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
NCSI = "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\NlaSvc\\Parameters\\Internet"
NCSI_POLICY = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\NetworkConnectivityStatusIndicator"
ENDPOINTS = ["login.microsoftonline.com", "login.microsoft.com", "login.windows.net",
             "device.login.microsoftonline.com", "enterpriseregistration.windows.net", "aadcdn.msauth.net"]


def sample_bytes(name: str) -> bytes:
    """The bytes of a .reg 'hex:' line."""
    text = (SAMPLES / "registry" / name).read_text(encoding="utf-8")
    return bytes.fromhex(re.search(r"=hex:([0-9a-fA-F,\s\\]+)", text).group(1).replace(",", "").replace("\\", "").split()[0])


def winhttp_settings(flags: int, proxy: str = "", bypass: str = "", counter: int = 7) -> bytes:
    """WinHttpSettings as netsh writes it: version 0x18, counter, flags, length-prefixed proxy and bypass."""
    p, b = proxy.encode("ascii"), bypass.encode("ascii")
    return struct.pack("<IIII", 0x18, counter, flags, len(p)) + p + struct.pack("<I", len(b)) + b


def netsh_ja_proxy() -> tuple[str, str, str]:
    """Proxy and bypass list of the Japanese netsh sample, and its whole text."""
    text = (SAMPLES / "netsh-winhttp" / "show-proxy-long-bypass-list-netsh-context-ja.txt").read_text(encoding="utf-8")
    proxy = re.search(r"プロキシ サーバー:\s+(\S+)", text).group(1)
    bypass = re.search(r"バイパス一覧\s+:\s+(\S+)", text).group(1)
    return proxy, bypass, text


def dns_fails(sim: Sim, *names: str, cured_by_flush: bool = False) -> None:
    for name in names:
        sim.machine.state["endpoints"][name] = {"Error": "dns_SocketException", "FlushCures": cured_by_flush}


def test_sample_fixes_the_layout_the_parser_reads():
    # 18000000 (version) 00000000 (counter) 01000000 (flags: direct) 00000000 (no proxy) 00000000 (no bypass)
    assert sample_bytes("winhttpsettings-default-direct-hex-inline.txt") == winhttp_settings(1, counter=0)


def test_healthy_device_is_compliant_under_fi_fi(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "fi-FI"
    sim.machine.set_value(CONNECTIONS, "WinHttpSettings", sample_bytes("winhttpsettings-default-direct-hex-inline.txt"), "Binary")
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "endpoints_reachable") and run.exit_code == 0
    assert finding["facts"]["winhttp_proxy"] == "direct" and finding["facts"]["reachable"] == 6


def test_stale_cache_is_flushed_verified_and_not_flushed_again(tmp_path):
    sim = Sim.device(tmp_path)
    dns_fails(sim, "login.windows.net", cured_by_flush=True)
    found = sim.detect()
    assert found.exit_code == 1
    assert (found.finding(CHECK)["state"], found.finding(CHECK)["reason"]) == ("fail", "name_resolution_failed")
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "fixed" and fixed.result["verdict"] == "remediated", fixed.result
    assert fixed.changes().count("dns.flush") == 1
    again = sim.remediate()
    assert again.finding(CHECK)["state"] == "pass" and "dns.flush" not in again.changes()


@pytest.mark.parametrize(("network", "reason"), [
    ({"Adapters": [], "Routes": []}, "offline"),
    ({"Routes": []}, "offline"),
    ({}, "dns_unavailable"),
], ids=["no-adapter-up", "adapter-up-no-gateway", "adapter-up-with-gateway-dns-down"])
def test_every_name_failing_is_advisory_never_a_flush(tmp_path, network, reason):
    # Offline laptops and a dead DNS server: a flush cannot help, and failing detection every run would
    # show the whole offline fleet as "Recurred".
    sim = Sim.device(tmp_path)
    sim.machine.state["network"].update(network)
    dns_fails(sim, *ENDPOINTS)
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", reason), finding
    assert run.result["verdict"] == "compliant" and "dns.flush" not in run.changes()


def test_captive_portal_is_advisory_never_a_flush(tmp_path):
    # Behind a portal the names that still resolve (cached) lead to the portal's certificate; others fail.
    sim = Sim.device(tmp_path)
    for name in ENDPOINTS[:2]:
        sim.machine.state["endpoints"][name] = {"Error": "", "Issuer": "CN=guest-portal.hotel.example"}
    dns_fails(sim, *ENDPOINTS[2:])
    detect = sim.detect()
    assert detect.finding(CHECK)["state"] == "advisory" and detect.exit_code == 0
    assert detect.finding(CHECK)["reason"] == "tls_inspection"
    assert "dns.flush" not in sim.remediate().changes()


def test_japanese_proxy_machine_reads_the_proxy_from_the_registry_and_does_not_flush(tmp_path):
    # netsh prints Japanese here (the old parser made it 'unknown', then flushed DNS behind the proxy).
    proxy, bypass, netsh = netsh_ja_proxy()
    sim = Sim.device(tmp_path)
    sim.machine.culture = "ja-JP"
    sim.machine.native("netsh.exe", "winhttp show proxy", netsh)
    sim.machine.set_value(CONNECTIONS, "WinHttpSettings", winhttp_settings(3, proxy, bypass), "Binary")
    dns_fails(sim, *ENDPOINTS[3:])
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "name_resolution_failed_behind_proxy"), finding
    assert finding["facts"]["winhttp_proxy"] == proxy == "webproxy.mew.co.jp:8080"
    assert "dns.flush" not in run.changes() and run.result["verdict"] == "compliant"


@pytest.mark.parametrize(("value", "kind", "expected"), [
    (None, None, "unknown"),
    (winhttp_settings(1)[:12], "Binary", "unknown"),
    (winhttp_settings(3, "proxy.contoso.example:8080")[:-6], "Binary", "unknown"),
    (struct.pack("<IIII", 0x18, 0, 3, 8) + b"pr\xf6xy:80" + struct.pack("<I", 0), "Binary", "unknown"),
    ("direct", "String", "unknown"),
    (1, "DWord", "unknown"),
    (winhttp_settings(3, "http=proxy:80;https=proxy:443", "<local>"), "Binary", "http=proxy:80;https=proxy:443"),
    (winhttp_settings(8), "Binary", "auto"),
], ids=["absent", "truncated-header", "proxy-length-past-end", "non-ascii-proxy", "string-kind", "dword-kind",
        "per-scheme-proxy", "auto-detect"])
def test_winhttp_settings_parse_or_degrade_to_unknown(tmp_path, value, kind, expected):
    # th-TH: the Buddhist calendar must not leak into anything either.
    sim = Sim.device(tmp_path)
    sim.machine.culture = "th-TH"
    key = sim.machine.state["registry"]["HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"]
    key["values"].pop("WinHttpSettings")
    if value is not None:
        sim.machine.set_value(CONNECTIONS, "WinHttpSettings", value, kind)
    finding = sim.detect().finding(CHECK)
    assert finding["facts"]["winhttp_proxy"] == expected
    assert finding["state"] == "pass"


def test_unreadable_connections_key_is_unknown_not_an_error(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.fault("registry.open", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections")
    dns_fails(sim, "login.windows.net", cured_by_flush=True)
    finding = sim.detect().finding(CHECK)
    # Unknown proxy, but other names work end to end directly: the stale-cache pattern still holds.
    assert finding["facts"]["winhttp_proxy"] == "unknown"
    assert (finding["state"], finding["reason"]) == ("fail", "name_resolution_failed")


@pytest.mark.parametrize(("policy", "state", "probe_after"), [
    (None, "fixed", 1),
    (0, "fixed", 1),
    (1, "advisory", 0),
], ids=["no-policy", "policy-0-is-not-off", "policy-1-off"])
def test_ncsi_probe_is_reenabled_unless_policy_turns_it_off(tmp_path, policy, state, probe_after):
    sim = Sim.device(tmp_path)
    sim.machine.set_value(NCSI, "EnableActiveProbing", 0)
    if policy is not None:
        sim.machine.set_value(NCSI_POLICY, "NoActiveProbe", policy)
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == state, run.result
    assert sim.machine.value(NCSI, "EnableActiveProbing") == probe_after
    assert not [c for c in run.changes() if "Policies" in c]
    if state == "fixed":
        backup = (sim.tmp / "root/ProgramData/remediate/backup/network_endpoints.tsv").read_text(encoding="utf-8")
        assert "\tEnableActiveProbing\tDWord\t0" in backup


def test_dry_run_changes_nothing(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.set_value(NCSI, "EnableActiveProbing", 0)
    dns_fails(sim, "aadcdn.msauth.net", cured_by_flush=True)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run"
    assert not [c for c in dry.changes() if c.startswith(("registry.", "dns."))]
    assert sim.machine.value(NCSI, "EnableActiveProbing") == 0


def test_failed_flush_fails_and_backs_off(tmp_path):
    sim = Sim.device(tmp_path)
    dns_fails(sim, "login.windows.net", cured_by_flush=True)
    sim.machine.fault("dns.flush")
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("failed", "dns_flush_failed") and run.exit_code == 1
    assert sim.state_file()[f"{CHECK}.failures"] == "1"


def test_flush_that_does_not_cure_is_failed_not_fixed(tmp_path):
    sim = Sim.device(tmp_path)
    dns_fails(sim, "login.windows.net", cured_by_flush=False)
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("failed", "still_failing") and run.exit_code == 1
    assert sim.state_file()[f"{CHECK}.failures"] == "1"
