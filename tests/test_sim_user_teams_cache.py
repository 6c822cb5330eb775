"""Scenarios for teams_cache, run in real PowerShell against the simulated Windows (tests/simwin).

Sources: DOMAIN.md s.3 (Teams cache row: new Teams package MSTeams, process ms-teams, cache under
LocalCache\\Microsoft\\MSTeams keeping Backgrounds; the ConsentStore call flags), s.9 (healthy devices log
1097 warnings, interaction_required and the 0xCAA5001C wrapper all the time; WebView2 children hold EBWebView
files for a moment after ms-teams exits) and the field-safety issue (no clear without a failure that
implicates the cache, the user told before, Teams started again, at most once per period, size cap).
No Teams folder listing was found among the captured Windows samples (windows-samples/INDEX.md, category 8),
so the cache layout below follows DOMAIN.md's paths only.
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim
from simwin.userstate import (EVIDENCE, call_flags, disruptions, evidence, exists, fresh_prt, put,
                              quarantine_manifests, teams_cache, teams_files, teams_running)

pytestmark = pytest.mark.pwsh

CHECK = "teams_cache"
FAILURE = "0xCAA20002:4,AADSTS50126:1"  # invalid_request with the server's reason beside it


def healthy_user_with_teams(tmp_path, **options) -> Sim:
    sim = Sim.user(tmp_path, check=CHECK, **options) if options else Sim.user(tmp_path)
    teams_running(sim.machine)
    teams_files(sim)
    return sim


@pytest.mark.parametrize("variant", ["noise-only", "noise-in-failure-codes", "old-failure-outside-window",
                                     "network-failure"])
def test_healthy_user_with_routine_noise_is_never_disturbed_over_days(tmp_path, variant):
    """Acceptance: a fleet schedule (detect + remediate every 12 h for 3 days) on a healthy user: nothing."""
    sim = healthy_user_with_teams(tmp_path)
    cache = teams_cache(sim.machine)
    for cycle in range(6 if variant == "noise-only" else 2):
        if variant == "noise-only":
            evidence(sim)
        elif variant == "noise-in-failure-codes":  # even if the device package counted the noise as failures
            evidence(sim, failure_hours_ago=0.5, failure_codes="0xCAA5001C:18,0xCAA2000C:12,AADSTS50058:9")
        elif variant == "old-failure-outside-window":
            evidence(sim, failure_hours_ago=100 + 12 * cycle, failure_codes="0xCAA20002:1")
        else:  # a proxy problem: the network checks' business, not the Teams cache's
            evidence(sim, failure_hours_ago=1, failure_codes="0xCAA70004:6,0xCAA82EE7:2")
        found = sim.detect()
        assert found.finding(CHECK)["state"] == "pass", found.finding(CHECK)
        assert found.exit_code == 0 and found.result["verdict"] == "compliant", found.result
        fixed = sim.remediate()
        assert fixed.finding(CHECK)["state"] == "pass" and fixed.exit_code == 0
        assert disruptions(found) + disruptions(fixed) == []
        sim.machine.advance(hours=12)
        fresh_prt(sim.machine)
    assert [p["Id"] for p in sim.machine.state["processes"]] == [4242, 4243, 7001, 7000, 9100]
    assert exists(sim, f"{cache}/EBWebView/Default/Cache/Cache_Data/data_0") and not quarantine_manifests(sim)


def test_real_evidence_clears_once_tells_the_user_and_restarts_teams(tmp_path):
    sim = healthy_user_with_teams(tmp_path)
    cache = teams_cache(sim.machine)
    evidence(sim, failure_hours_ago=1, failure_codes=FAILURE)
    found = sim.detect()
    assert found.exit_code == 1
    assert found.finding(CHECK)["reason"] == "signin_failing_with_cache"
    assert found.finding(CHECK)["facts"]["codes"] == "0xCAA20002:4"  # the AADSTS code is advice, not cache

    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "fixed", fixed.result
    assert fixed.finding(CHECK)["facts"]["restarted"] == 1 and fixed.finding(CHECK)["facts"]["notified"] is True
    steps = disruptions(fixed)
    # Told first, then only this user's Teams stopped, its WebView2 child waited for (never killed), then
    # the cache moved and Teams started again through its app id.
    assert steps[0].startswith("notify Microsoft Teams restarts")
    assert steps[1] == "process.stop ms-teams 4242"
    assert steps[-1] == "process.start explorer.exe shell:AppsFolder\\MSTeams_8wekyb3d8bbwe!MSTeams"
    assert "move EBWebView" in steps and "process.stop msedgewebview2 4243" not in steps
    assert "process.exit msedgewebview2 4243" in fixed.journal
    names = {p["Id"]: p["Name"] for p in sim.machine.state["processes"]}
    assert 7001 in names and 9100 in names and "ms-teams" in names.values()
    assert not exists(sim, f"{cache}/EBWebView") and not exists(sim, f"{cache}/settings.json")
    assert exists(sim, f"{cache}/Backgrounds/Uploads/my-office.png") and exists(sim, f"{cache}/Logs")
    state = sim.state_file()
    assert state["teams_cache.cleared"] == state["teams_cache.last_attempt"] == "2026-11-30T12:00:00Z"

    # Verified, and the next scheduled runs leave the user alone once Teams has rebuilt its cache.
    assert sim.detect().finding(CHECK)["state"] == "pass"
    teams_files(sim)
    sim.machine.advance(hours=4)
    fresh_prt(sim.machine)
    again = sim.remediate()
    assert again.finding(CHECK)["reason"] == "cleared_since_evidence" and disruptions(again) == []

    # Sign-in still failing 6 h later: not again within min_hours_between_clears (24 h), and not non-compliant.
    sim.machine.advance(hours=2)
    fresh_prt(sim.machine)
    evidence(sim, failure_hours_ago=0.2, failure_codes=FAILURE)
    held = sim.remediate()
    assert held.finding(CHECK)["state"] == "advisory" and held.finding(CHECK)["reason"] == "cleared_recently"
    assert held.exit_code == 0 and disruptions(held) == []
    # A day later the period is over: one more clear is allowed for the new evidence.
    sim.machine.advance(hours=19)
    evidence(sim, failure_hours_ago=0.2, failure_codes=FAILURE)
    assert sim.detect().finding(CHECK)["reason"] == "signin_failing_with_cache"


@pytest.mark.parametrize(("started_hours_ago", "expected"), [(0.5, "deferred"), (20, "fixed")],
                         ids=["call-in-progress", "stale-call-flag"])
def test_never_during_a_call_but_a_stale_flag_does_not_block_for_ever(tmp_path, started_hours_ago, expected):
    sim = healthy_user_with_teams(tmp_path)
    call_flags(sim.machine, started_hours_ago=started_hours_ago)
    call_flags(sim.machine, started_hours_ago=0.1, app="Microsoft.ZuneMusic_8wekyb3d8bbwe", stopped=True)
    evidence(sim, failure_hours_ago=1, failure_codes=FAILURE)
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert finding["state"] == expected, run.result
    if expected == "deferred":
        assert finding["reason"] == "call_in_progress" and run.result["verdict"] == "deferred"
        assert disruptions(run) == [] and run.exit_code == 0
        assert "teams_cache.last_attempt" not in sim.state_file()
    else:
        assert finding["facts"]["call_flags"] == "stale"


def test_webview2_that_never_lets_go_fails_backs_off_and_teams_comes_back(tmp_path):
    sim = healthy_user_with_teams(tmp_path, stop_wait_seconds=1)
    sim.machine.state["processes"][1]["Linger"] = 99
    evidence(sim, failure_hours_ago=1, failure_codes=FAILURE)
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert finding["state"] == "failed" and finding["reason"] == "items_locked" and run.exit_code == 1
    assert finding["facts"]["failed"] == 1 and finding["facts"]["restarted"] == 1
    assert any(c.startswith("process.start explorer.exe") for c in run.journal)
    state = sim.state_file()
    assert state["teams_cache.failures"] == "1" and "teams_cache.cleared" not in state
    # The attempt counts against the period: the next detection is quiet (advisory, compliant).
    sim.machine.advance(hours=4)
    fresh_prt(sim.machine)
    later = sim.detect()
    assert later.finding(CHECK)["reason"] == "cleared_recently" and later.exit_code == 0


def test_cache_above_the_cap_is_not_quarantined(tmp_path):
    sim = healthy_user_with_teams(tmp_path, max_cache_mb=1)
    put(sim, f"{teams_cache(sim.machine)}/EBWebView/Default/Cache/Cache_Data/data_1", b"\0" * (1024 * 1024 + 1))
    evidence(sim, failure_hours_ago=1, failure_codes=FAILURE)
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "advisory" and run.finding(CHECK)["reason"] == "cache_too_large"
    assert disruptions(run) == [] and run.exit_code == 0


def test_dry_run_tells_nobody_and_moves_nothing(tmp_path):
    sim = healthy_user_with_teams(tmp_path)
    evidence(sim, failure_hours_ago=1, failure_codes=FAILURE)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run" and dry.finding(CHECK)["facts"]["would_move"] == 3
    assert disruptions(dry) == [] and sim.state_file() == {}


@pytest.mark.parametrize("culture", ["fi-FI", "th-TH"])
def test_non_ascii_profile_and_culture_undo_manifest_and_unshown_notice(tmp_path, culture):
    """A user whose profile folder is not ASCII, under a culture with other time separators / calendar; the
    notification cannot be shown (e.g. Constrained Language Mode without msg.exe): the fix still runs."""
    sim = Sim.user(tmp_path)
    sim.machine.user_name = "Åsa Öberg"
    sim.machine.culture = culture
    sim.machine.fault("notify")
    teams_running(sim.machine)
    teams_files(sim)
    evidence(sim, failure_hours_ago=1, failure_codes="0xCAA20003:2")
    allowed = ("Users/Åsa Öberg/AppData/Local/remediate/",)
    run = sim.remediate(allowed=allowed)
    finding = run.finding(CHECK)
    assert finding["state"] == "fixed" and finding["facts"]["notified"] is False, run.result
    manifest = quarantine_manifests(sim)[0].read_text(encoding="utf-8")
    assert "Åsa Öberg" in manifest and "EBWebView" in manifest
    assert sim.state_file()["teams_cache.cleared"] == "2026-11-30T12:00:00Z"


@pytest.mark.parametrize("text", [
    "last_failure=30.11.2026 12.00.00\r\nfailure_codes=0xCAA20002:3\r\n",  # fi-FI written stamp
    "last_failure=2569-11-30T11:00:00Z\r\nfailure_codes=0xCAA20002:3\r\n",  # th-TH Buddhist year
    "failure_codes=0xCAA20002:x,=,::,0xZZ:1\r\ngarbage\r\n",
    "",
], ids=["fi-stamp", "buddhist-year", "junk", "empty"])
def test_hostile_evidence_files_close_the_gate_without_errors(tmp_path, text):
    sim = healthy_user_with_teams(tmp_path)
    put(sim, EVIDENCE, text)
    run = sim.detect()
    assert run.finding(CHECK)["state"] == "pass" and run.exit_code == 0, run.result
