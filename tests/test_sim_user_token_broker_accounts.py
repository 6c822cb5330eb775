"""Scenarios for token_broker_accounts, run in real PowerShell against the simulated Windows (tests/simwin).

Sources: DOMAIN.md s.3 (corrupted token cache row: the files in the BrokerPlugin and CloudExperienceHost
TokenBroker\\Accounts folders, opt-in only), s.1 (80090016 NTE_BAD_KEYSET, 0x80070520 logon session does not
exist; TPM and key store families), s.9 (0xCAA5001C wraps every 1098 on healthy devices) and the field-safety
issue (switched-off fixes are quiet; disruptive fixes never during a call, the user told before, at most once
per period, size cap).
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim
from simwin.userstate import (BROKER_ACCOUNTS, CXH_ACCOUNTS, call_flags, disruptions, evidence, exists, local,
                              put, quarantine_manifests)

pytestmark = pytest.mark.pwsh

CHECK = "token_broker_accounts"


def user_with_tokens(tmp_path, **options) -> Sim:
    sim = Sim.user(tmp_path, check=CHECK, **options) if options else Sim.user(tmp_path)
    for folder, name in ((BROKER_ACCOUNTS, "a1b2c3.tbacct"), (BROKER_ACCOUNTS, "d4e5f6.tbacct"),
                         (CXH_ACCOUNTS, "0718.tbacct")):
        put(sim, local(sim.machine, f"{folder}/{name}"), b"\x01\x02token")
    return sim


def test_shipped_switched_off_fix_is_advisory_never_non_compliant(tmp_path):
    """Field issue: with fix = false (as shipped) real evidence is reported, detection stays compliant."""
    sim = user_with_tokens(tmp_path)
    evidence(sim, failure_hours_ago=1, failure_codes="0x80090016:3")
    found = sim.detect()
    finding = found.finding(CHECK)
    assert finding["state"] == "advisory" and finding["reason"] == "broker_failure_with_tokens", finding
    assert finding["facts"]["fix"] == "not_enabled" and finding["facts"]["codes"] == "0x80090016:3"
    assert found.exit_code == 0 and CHECK not in found.result["failing"]
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "advisory" and disruptions(fixed) == []
    assert exists(sim, local(sim.machine, f"{BROKER_ACCOUNTS}/a1b2c3.tbacct"))


@pytest.mark.parametrize("failure_codes", [
    "0xCAA5001C:40",  # the wrapper of every 1098: was a 'system' layer match
    "0xCAA5001C:40,0xCAA2000C:9,AADSTS50058:9",
    "0xCAA20002:3,0xCAA70004:2",  # failures, but not the broker's keys
], ids=["wrapper-only", "routine-noise", "not-implicating"])
def test_enabled_fix_ignores_evidence_that_does_not_implicate_the_token_store(tmp_path, failure_codes):
    sim = user_with_tokens(tmp_path, fix=True)
    evidence(sim, failure_hours_ago=1, failure_codes=failure_codes)
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "pass" and run.finding(CHECK)["reason"] == "no_evidence"
    assert disruptions(run) == [] and not quarantine_manifests(sim)


@pytest.mark.parametrize("failure_codes", ["0x80090016:2", "0x80070520:1", "0x80280009:1", "-2146893802:1"],
                         ids=["nte-bad-keyset", "no-logon-session", "tpm-family", "signed-decimal-junk"])
def test_enabled_fix_moves_files_not_folders_once_and_tells_the_user(tmp_path, failure_codes):
    sim = user_with_tokens(tmp_path, fix=True)
    evidence(sim, failure_hours_ago=2, failure_codes=failure_codes)
    run = sim.remediate()
    if failure_codes.startswith("-"):  # the file format is canonical hex; other spellings are not codes
        assert run.finding(CHECK)["reason"] == "no_evidence" and disruptions(run) == []
        return
    finding = run.finding(CHECK)
    assert finding["state"] == "fixed" and finding["facts"]["moved"] == 3, run.result
    assert disruptions(run)[0].startswith("notify Work account sign-in repaired")
    assert exists(sim, local(sim.machine, BROKER_ACCOUNTS)) and exists(sim, local(sim.machine, CXH_ACCOUNTS))
    assert not exists(sim, local(sim.machine, f"{BROKER_ACCOUNTS}/a1b2c3.tbacct"))
    again = sim.remediate()
    assert again.finding(CHECK)["state"] == "pass" and disruptions(again) == []


def test_call_defers_dry_run_changes_nothing_and_period_holds(tmp_path):
    sim = user_with_tokens(tmp_path, fix=True)
    sim.machine.culture = "th-TH"
    evidence(sim, failure_hours_ago=1, failure_codes="0x80090016:2")
    call_flags(sim.machine, started_hours_ago=0.2, app="zoom.us")  # any app's call: tokens are shared
    deferred = sim.remediate()
    assert deferred.finding(CHECK)["state"] == "deferred" and disruptions(deferred) == []
    call_flags(sim.machine, started_hours_ago=0.2, app="zoom.us", stopped=True)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run" and dry.finding(CHECK)["facts"]["would_move"] == 3
    assert disruptions(dry) == [] and sim.state_file().get(f"{CHECK}.last_attempt") is None
    done = sim.remediate()
    assert done.finding(CHECK)["state"] == "fixed"
    assert sim.state_file()[f"{CHECK}.last_attempt"] == "2026-11-30T12:00:00Z"  # invariant, not Buddhist
    # New files and new evidence 3 h later: within the period, advisory and compliant.
    sim.machine.advance(hours=3)
    put(sim, local(sim.machine, f"{BROKER_ACCOUNTS}/new.tbacct"), b"t")
    evidence(sim, failure_hours_ago=0.5, failure_codes="0x80090016:1")
    held = sim.detect()
    assert held.finding(CHECK)["reason"] == "cleared_recently" and held.exit_code == 0


def test_locked_token_file_fails_and_backs_off(tmp_path):
    sim = user_with_tokens(tmp_path, fix=True)
    sim.machine.state["processes"].append({"Id": 880, "Name": "RuntimeBroker", "SessionId": 1,
                                           "Holds": ["d4e5f6.tbacct"]})
    evidence(sim, failure_hours_ago=1, failure_codes="0x80090016:2")
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "failed" and run.finding(CHECK)["reason"] == "files_locked"
    assert run.finding(CHECK)["facts"]["moved"] == 2 and sim.state_file()[f"{CHECK}.failures"] == "1"
    assert exists(sim, local(sim.machine, f"{BROKER_ACCOUNTS}/d4e5f6.tbacct"))
