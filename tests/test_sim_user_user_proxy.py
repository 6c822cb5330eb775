"""Scenarios for user_proxy, run in real PowerShell against the simulated Windows (tests/simwin).

DOMAIN.md section 3: a loopback proxy with nothing listening is a stale sniffer setting (opt-in fix: ProxyEnable=0);
a real proxy, a PAC file, a listening loopback proxy or per-machine settings are only reported. The check probes
the loopback port with a real TcpClient: the listening case opens a real listener on 127.0.0.1 here. The pt-BR
AutoConfigURL listing comes from tests/simwin/samples/registry (sources in SOURCES.md there).
"""

from __future__ import annotations

import socket

import pytest

from simwin.machine import SAMPLES
from simwin.regquery import load_reg_query
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "user_proxy"
KEY = "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
PER_MACHINE = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"


@pytest.fixture
def closed_port():
    """A loopback port nobody listens on (bound once to get a free number, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def listener():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def _proxy(sim: Sim, server: str) -> None:
    sim.machine.set_value(KEY, "ProxyEnable", 1)
    sim.machine.set_value(KEY, "ProxyServer", server, "String")


def test_stale_loopback_proxy_is_turned_off_when_enabled(tmp_path, closed_port):
    sim = Sim.user(tmp_path, check=CHECK, fix=True)
    _proxy(sim, f"http=127.0.0.1:{closed_port};https=127.0.0.1:{closed_port}")
    found = sim.detect()
    assert found.finding(CHECK)["reason"] == "stale_loopback_proxy" and found.exit_code == 1
    assert found.finding(CHECK)["facts"]["loopback"] == [f"127.0.0.1:{closed_port}=closed"]
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "fixed" and fixed.result["verdict"] == "remediated"
    assert sim.machine.value(KEY, "ProxyEnable") == 0
    assert sim.machine.value(KEY, "ProxyServer") == f"http=127.0.0.1:{closed_port};https=127.0.0.1:{closed_port}"
    again = sim.remediate()
    assert again.finding(CHECK)["reason"] == "no_manual_proxy"
    assert not [c for c in again.changes() if c.startswith("registry.")]


def test_a_listening_loopback_proxy_is_the_users_choice(tmp_path, listener):
    sim = Sim.user(tmp_path, check=CHECK, fix=True)
    sim.machine.culture = "th-TH"
    _proxy(sim, f"localhost:{listener}")
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "loopback_proxy_listening")
    assert f"localhost:{listener}=listening" in finding["facts"]["loopback"]
    assert sim.machine.value(KEY, "ProxyEnable") == 1 and run.exit_code == 0


@pytest.mark.parametrize(("server", "reason"), [
    ("proxy.corp.example:8080", "proxy_configured"),
    ("http=prøxy.bü.example:3128;https=127.0.0.1:8888", "proxy_configured"),
    ("", "proxy_enabled_without_server"),
], ids=["corporate", "non-ascii-mixed-with-loopback", "enabled-without-server"])
def test_a_real_or_unclear_proxy_is_only_reported(tmp_path, server, reason):
    sim = Sim.user(tmp_path, check=CHECK, fix=True)
    _proxy(sim, server)
    run = sim.remediate()
    assert (run.finding(CHECK)["state"], run.finding(CHECK)["reason"]) == ("advisory", reason)
    assert sim.machine.value(KEY, "ProxyEnable") == 1
    assert not [c for c in run.changes() if c.startswith("registry.")]


def test_captured_pt_br_pac_url_is_advisory(tmp_path):
    sim = Sim.user(tmp_path)
    load_reg_query(sim.machine, SAMPLES / "registry" / "hkcu-internet-settings-autoconfigurl-ptbr.txt")
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "pac_configured")
    assert finding["facts"]["pac_url"] == "http://siprx.caixa:4713/files/siprx-pacv4.pac"
    assert run.exit_code == 0


def test_per_machine_proxy_settings_make_the_users_values_irrelevant(tmp_path, closed_port):
    sim = Sim.user(tmp_path, check=CHECK, fix=True)
    _proxy(sim, f"127.0.0.1:{closed_port}")
    sim.machine.set_value(PER_MACHINE, "ProxySettingsPerUser", 0)
    run = sim.remediate()
    assert run.finding(CHECK)["reason"] == "per_machine_proxy_settings"
    assert sim.machine.value(KEY, "ProxyEnable") == 1


def test_shipped_package_with_fix_off_changes_nothing(tmp_path, closed_port):
    sim = Sim.user(tmp_path)  # the shipped package: user_proxy fix = false
    _proxy(sim, f"127.0.0.1:{closed_port}")
    run = sim.remediate()
    assert run.finding(CHECK)["state"] in ("skipped", "advisory")
    assert not [c for c in run.changes() if c.startswith("registry.")]
    assert sim.machine.value(KEY, "ProxyEnable") == 1
    dry = sim.dry_run()
    assert not [c for c in dry.changes() if c.startswith("registry.")]


def test_shipped_package_with_fix_off_keeps_detection_compliant(tmp_path, closed_port):
    sim = Sim.user(tmp_path)
    _proxy(sim, f"127.0.0.1:{closed_port}")
    run = sim.detect()
    assert run.finding(CHECK)["state"] == "advisory" and run.result["verdict"] == "compliant"
    assert run.exit_code == 0


def test_fix_off_dry_run_and_write_denied(tmp_path, closed_port):
    sim = Sim.user(tmp_path, check=CHECK, fix=True)
    _proxy(sim, f"[::1]:{closed_port}")
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run" and sim.machine.value(KEY, "ProxyEnable") == 1
    sim.machine.fault("registry.write")
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "failed" and run.exit_code == 1
    assert sim.state_file()[f"{CHECK}.failures"] == "1"
