"""Scenarios for office_identity_overrides, run in real PowerShell against the simulated Windows (tests/simwin).

DOMAIN.md section 3: Office 16.0 Common\\Identity EnableADAL=0, DisableADALatopWAMOverride=1, DisableAADWAM=1 are
"not supported"; they are removed from the user's key unless the Office policy key sets them (then reported).
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "office_identity_overrides"
KEY = "HKCU:\\Software\\Microsoft\\Office\\16.0\\Common\\Identity"
POLICY = "HKCU:\\Software\\Policies\\Microsoft\\Office\\16.0\\Common\\Identity"
OVERRIDES = {"EnableADAL": 0, "DisableADALatopWAMOverride": 1, "DisableAADWAM": 1}


@pytest.mark.parametrize("name", sorted(OVERRIDES))
def test_each_override_is_found(tmp_path, name):
    sim = Sim.user(tmp_path)
    sim.machine.set_value(KEY, name, OVERRIDES[name])
    sim.machine.set_value(KEY, "Version", 1)  # an unrelated value that must stay
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("fail", "unsupported_identity_override")
    assert finding["facts"]["overrides"] == [name] and run.exit_code == 1


def test_all_overrides_removed_with_backup_for_a_non_ascii_user_under_fi_fi(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.user_name = "jürgen.ålund"
    sim.machine.culture = "fi-FI"
    for name, value in OVERRIDES.items():
        sim.machine.set_value(KEY, name, value)
    sim.machine.set_value(KEY, "Version", 1)
    allowed = ("Users/jürgen.ålund/AppData/Local/remediate/",)
    fixed = sim.remediate(allowed=allowed)
    assert fixed.finding(CHECK)["state"] == "fixed" and fixed.finding(CHECK)["facts"]["removed"] == 3
    assert all(sim.machine.value(KEY, name) is None for name in OVERRIDES)
    assert sim.machine.value(KEY, "Version") == 1
    backup = tmp_path / "root/Users/jürgen.ålund/AppData/Local/remediate/backup" / f"{CHECK}.tsv"
    lines = backup.read_text(encoding="utf-8").splitlines()
    assert sorted(line.split("\t")[2] for line in lines) == sorted(OVERRIDES)
    again = sim.remediate(allowed=allowed)
    assert again.finding(CHECK)["reason"] == "no_overrides"
    assert not [c for c in again.changes() if c.startswith("registry.")]
    assert sim.detect(allowed=allowed).exit_code == 0


def test_a_policy_set_override_is_reported_and_left_alone(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.set_value(KEY, "DisableAADWAM", 1)
    sim.machine.set_value(POLICY, "DisableAADWAM", 1)
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "override_set_by_policy")
    assert finding["facts"]["set_by_policy"] == ["DisableAADWAM"]
    assert sim.machine.value(KEY, "DisableAADWAM") == 1 and sim.machine.value(POLICY, "DisableAADWAM") == 1


def test_other_kinds_and_harmless_values_pass(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.set_value(KEY, "EnableADAL", "0", "String")  # not the documented DWORD
    sim.machine.set_value(KEY, "DisableAADWAM", 0)  # WAM on: fine
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "no_overrides")
    assert finding["facts"]["EnableADAL_kind"] == "String"


def test_dry_run_then_delete_denied(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.set_value(KEY, "EnableADAL", 0)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run" and dry.finding(CHECK)["facts"]["would_remove"] == ["EnableADAL"]
    assert sim.machine.value(KEY, "EnableADAL") == 0
    sim.machine.fault("registry.write")
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "failed" and run.exit_code == 1
    assert sim.state_file()[f"{CHECK}.failures"] == "1"
    assert sim.machine.value(KEY, "EnableADAL") == 0
