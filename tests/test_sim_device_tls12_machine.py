"""Scenarios for tls12_machine, run in real PowerShell against the simulated Windows (tests/simwin).

Sources of the desired state: DOMAIN.md section 3 (SCHANNEL Enabled/DisabledByDefault, WinHTTP
DefaultSecureProtocols in both views, bit 0x800, policy wins). The registry export sample below is copied from
windows-samples/registry/reg-export-schannel-protocols-tls12-client-enabled-ffffffff-PARTIAL.txt (see its
INDEX.md row): a real machine with Enabled=dword:ffffffff, which reads back as -1 and means "on".
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
WINHTTP = "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
WINHTTP32 = "HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
POLICY = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
CHECK = "tls12_machine"


@pytest.mark.parametrize(("path", "name", "value", "reason"), [
    (SCHANNEL, "Enabled", 0, "schannel_client_disabled"),
    (SCHANNEL, "DisabledByDefault", 1, "schannel_client_disabled"),
    (WINHTTP, "DefaultSecureProtocols", 0xA0, "winhttp_without_tls12"),
    (WINHTTP32, "DefaultSecureProtocols", 0x280, "winhttp_without_tls12"),
], ids=["schannel-enabled-0", "schannel-disabledbydefault-1", "winhttp-64", "winhttp-wow64"])
def test_each_cause_is_found_fixed_and_verified(tmp_path, path, name, value, reason):
    sim = Sim.device(tmp_path)
    sim.machine.set_value(path, name, value)
    found = sim.detect()
    assert found.exit_code == 1
    assert found.finding(CHECK)["state"] == "fail" and found.finding(CHECK)["reason"] == reason
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "fixed", fixed.result
    assert fixed.result["verdict"] == "remediated" and fixed.exit_code == 0
    assert sim.detect().finding(CHECK)["state"] == "pass"
    # The old value is kept for undo (one backup line, UTF-8 TSV) and the new one has bit 0x800 / is on.
    new = sim.machine.value(path, name)
    assert (new & 0x800) if name == "DefaultSecureProtocols" else new == (1 if name == "Enabled" else 0)
    backup = (sim.tmp / "root/ProgramData/remediate/backup/tls12_machine.tsv").read_text(encoding="utf-8")
    assert f"\t{name}\tDWord\t" in backup


def test_dword_ffffffff_counts_as_enabled(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.set_value(SCHANNEL, "Enabled", 0xFFFFFFFF)
    run = sim.detect()
    assert run.finding(CHECK)["state"] == "pass" and run.exit_code == 0


def test_policy_without_tls12_is_advisory_and_never_fought(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.set_value(POLICY, "SecureProtocols", 0xA0)
    assert sim.detect().finding(CHECK)["reason"] == "policy_without_tls12"
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "advisory"
    assert not [c for c in run.changes() if "Policies" in c]


def test_dry_run_changes_nothing_and_second_run_is_idempotent(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.set_value(SCHANNEL, "Enabled", 0)
    dry = sim.dry_run()
    assert dry.result["dry_run"] is True and dry.finding(CHECK)["reason"] == "dry_run"
    assert not [c for c in dry.changes() if c.startswith("registry.")]
    assert sim.machine.value(SCHANNEL, "Enabled") == 0
    sim.remediate()
    again = sim.remediate()
    assert again.finding(CHECK)["state"] == "pass"
    assert not [c for c in again.changes() if c.startswith("registry.")]


def test_registry_write_denied_fails_and_backs_off(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.set_value(SCHANNEL, "Enabled", 0)
    sim.machine.fault("registry.write")
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "failed" and run.exit_code == 1
    assert sim.state_file()[f"{CHECK}.failures"] == "1"
