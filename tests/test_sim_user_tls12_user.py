"""Scenarios for tls12_user, run in real PowerShell against the simulated Windows (tests/simwin).

Desired state: DOMAIN.md section 3 (the user's Internet Settings SecureProtocols with bit 0x800; a policy value
under Software\\Policies overrides it and is only reported). The two captured listings (SecureProtocols 0xa80 and
0x800) come from tests/simwin/samples/registry (sources in SOURCES.md there).
"""

from __future__ import annotations

import pytest

from simwin.machine import SAMPLES
from simwin.regquery import load_reg_query
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "tls12_user"
USER_KEY = "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
HKCU_POLICY = "HKCU:\\Software\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
HKLM_POLICY = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"


@pytest.mark.parametrize(("sample", "value"), [
    ("reg-query-hkcu-internet-settings-secureprotocols-0xa80-en.txt", 0xA80),
    ("reg-query-hkcu-internet-settings-secureprotocols-0x800-pac-en.txt", 0x800),
], ids=["0xa80-tls10-11-12", "0x800-tls12-only"])
def test_captured_settings_with_tls12_pass(tmp_path, sample, value):
    sim = Sim.user(tmp_path)
    assert load_reg_query(sim.machine, SAMPLES / "registry" / sample) > 5
    assert sim.machine.value(USER_KEY, "SecureProtocols") == value
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "tls12_enabled")
    assert finding["facts"]["user_secureprotocols"] == f"0x{value:X}"
    assert run.exit_code == 0


def test_missing_bit_is_added_keeping_the_others_under_fi_fi(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.culture = "fi-FI"
    sim.machine.set_value(USER_KEY, "SecureProtocols", 0xA0)  # SSL3 + TLS 1.0 only
    found = sim.detect()
    assert found.exit_code == 1 and found.finding(CHECK)["reason"] == "user_without_tls12"
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "fixed" and fixed.result["verdict"] == "remediated"
    assert sim.machine.value(USER_KEY, "SecureProtocols") == 0x8A0
    # The backup line carries an invariant stamp (fi-FI would write 12.00.00) and the old value.
    backup = (sim.tmp / "root/Users/alex/AppData/Local/remediate/backup/tls12_user.tsv").read_text(encoding="utf-8")
    stamp, path, name, kind, old = backup.strip().split("\t")
    assert (name, kind, old) == ("SecureProtocols", "DWord", str(0xA0)) and ":" in stamp
    again = sim.remediate()
    assert again.finding(CHECK)["state"] == "pass"
    assert not [c for c in again.changes() if c.startswith("registry.")]
    assert sim.detect().exit_code == 0


@pytest.mark.parametrize(("path", "value", "state", "reason"), [
    (HKCU_POLICY, 0xA0, "advisory", "policy_without_tls12"),
    (HKLM_POLICY, 0xA0, "advisory", "policy_without_tls12"),
    (HKLM_POLICY, 0xA80, "pass", "policy_enables_tls12"),
], ids=["hkcu-policy-without", "hklm-policy-without", "hklm-policy-with"])
def test_a_policy_value_is_reported_and_never_fought(tmp_path, path, value, state, reason):
    sim = Sim.user(tmp_path)
    sim.machine.set_value(USER_KEY, "SecureProtocols", 0xA0)
    sim.machine.set_value(path, "SecureProtocols", value)
    run = sim.remediate()
    assert (run.finding(CHECK)["state"], run.finding(CHECK)["reason"]) == (state, reason)
    assert not [c for c in run.changes() if c.startswith("registry.")]
    assert sim.machine.value(USER_KEY, "SecureProtocols") == 0xA0


def test_a_value_of_another_kind_is_reported_not_overwritten(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.set_value(USER_KEY, "SecureProtocols", "2048", "String")
    run = sim.remediate()
    assert run.finding(CHECK)["reason"] == "unexpected_value_kind" and run.finding(CHECK)["state"] == "advisory"
    assert sim.machine.value(USER_KEY, "SecureProtocols") == "2048"


def test_dry_run_changes_nothing(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.set_value(USER_KEY, "SecureProtocols", 0xA80 & ~0x800)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run"
    assert "would_set" in dry.finding(CHECK)["facts"]
    assert not [c for c in dry.changes() if c.startswith("registry.")]
    assert sim.machine.value(USER_KEY, "SecureProtocols") == 0x280
    assert not (sim.tmp / "root/Users/alex/AppData/Local/remediate/backup/tls12_user.tsv").exists()


def test_write_denied_fails_and_backs_off(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.set_value(USER_KEY, "SecureProtocols", 0xA0)
    sim.machine.fault("registry.write")
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "failed" and run.exit_code == 1
    assert sim.state_file()[f"{CHECK}.failures"] == "1"
    # The next run within the cooldown does not try again.
    assert sim.remediate().finding(CHECK)["reason"] == "backoff"
