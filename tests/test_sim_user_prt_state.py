"""Scenarios for prt_state, run in real PowerShell against the simulated Windows (tests/simwin).

DOMAIN.md sections 2-3 and 9: the PRT renews lazily, about every 4 h at use or unlock, so a healthy one can be
4-6 h old: stale means older than 8 h. Local and non-synced accounts never have a PRT (not applicable, never
fail). /refreshprt returns at once and completes later: the verification right after is pending, not failed.
dsregcmd samples: tests/simwin/samples/dsregcmd-status (sources in SOURCES.md there).
"""

from __future__ import annotations

import datetime as dt

import pytest

from simwin.machine import DSREG_ENTRA, SAMPLES
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "prt_state"
JOIN_INFO = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\CloudDomainJoin\\JoinInfo\\ABCDEF"
LOCAL_SID = "S-1-5-21-1111-2222-3333-1001"
SSO_NO = (SAMPLES / "dsregcmd-status" / "msdocs-sso-state-prt-no-0xc000006d-AADSTS50126-enterpriseprt-yes-PARTIAL-en.txt")


def _status(sim: Sim, text: str, seconds: float = 0.1) -> None:
    sim.machine.native("dsregcmd.exe", "/status", text, seconds=seconds)


def _prt_age(sim: Sim, hours: float) -> None:
    when = (sim.machine.now - dt.timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S.000")
    _status(sim, DSREG_ENTRA.format(prt_time=when))


def _prt_missing(device: str = "DomainJoined : NO") -> str:
    """The device part of the simulated Entra join and the captured SSO section with AzureAdPrt NO."""
    head = DSREG_ENTRA.split("| SSO State")[0].rsplit("+---", 1)[0].replace("DomainJoined : NO", device)
    return head + SSO_NO.read_text(encoding="utf-8")


def _local_account(sim: Sim) -> None:
    sim.machine.state["identity"]["Sid"] = LOCAL_SID


def test_captured_entra_joined_status_with_a_four_hour_old_prt_passes(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.state["clock"] = "2025-03-09T15:30:00Z"  # the sample's PRT was updated at 11:00:27 UTC
    _status(sim, (SAMPLES / "dsregcmd-status" / "entra-joined-prt-yes-cloudtgt-win10-22h2-lab-en.txt").read_text())
    finding = sim.detect().finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "prt_current")
    assert finding["facts"]["identity"] == "entra" and finding["facts"]["prt_age_hours"] == 4.5


@pytest.mark.parametrize(("hours", "state"), [(1, "pass"), (6, "pass"), (9, "fail")], ids=["1h", "6h", "9h"])
def test_age_threshold_sits_above_the_lazy_renewal(tmp_path, hours, state):
    sim = Sim.user(tmp_path)
    _prt_age(sim, hours)
    run = sim.detect()
    assert run.finding(CHECK)["state"] == state, run.finding(CHECK)
    assert run.exit_code == (1 if state == "fail" else 0)


def test_stale_prt_refresh_is_pending_not_failed_under_th_th(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.culture = "th-TH"  # the refresh stamp is written and read in the invariant culture
    _prt_age(sim, 10)
    fixed = sim.remediate()
    finding = fixed.finding(CHECK)
    assert finding["state"] == "fixed" and fixed.exit_code == 0
    assert [c for c in fixed.journal if c.startswith("native dsregcmd.exe")] == [
        "native dsregcmd.exe /status", "native dsregcmd.exe /refreshprt"]  # verification reuses /status
    assert f"{CHECK}.failures" not in sim.state_file() or sim.state_file()[f"{CHECK}.failures"] == "0"
    # Intune's post-remediation detection, minutes later: the PRT has not changed yet -> pending, compliant.
    sim.machine.advance(minutes=5)
    after = sim.detect()
    assert after.finding(CHECK)["reason"] == "refresh_pending" and after.exit_code == 0
    # Still stale after the settle time: advisory, no second refresh on the next remediation.
    sim.machine.advance(hours=2)
    later = sim.remediate()
    assert later.finding(CHECK)["reason"] == "refresh_did_not_help"
    assert "native dsregcmd.exe /refreshprt" not in later.journal


def test_missing_prt_of_an_entra_user_is_fixed_with_the_diagnostics_as_facts(tmp_path):
    sim = Sim.user(tmp_path)
    _status(sim, _prt_missing())
    finding = sim.detect().finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("fail", "prt_missing")
    assert finding["facts"]["server_error_code"] == "invalid_grant"
    assert finding["facts"]["server_error_description"].startswith("AADSTS50126")


@pytest.mark.parametrize(("device", "env", "reason"), [
    ("DomainJoined : NO", {}, "not_applicable"),  # local account on an Entra-only device
    ("DomainJoined : YES", {"USERDOMAIN": "PC-0042"}, "not_applicable"),  # local account on a hybrid device
], ids=["entra-only-device", "hybrid-device"])
def test_a_local_account_never_has_a_prt_and_never_fails(tmp_path, device, env, reason):
    sim = Sim.user(tmp_path)
    _local_account(sim)
    _status(sim, _prt_missing(device))
    run = sim.remediate(env=env)
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", reason)
    assert finding["facts"]["identity"] == "local_account"
    assert "native dsregcmd.exe /refreshprt" not in run.journal


def test_user_not_in_entra_and_unverified_domain_user(tmp_path):
    sim = Sim.user(tmp_path)
    _local_account(sim)
    _status(sim, _prt_missing("DomainJoined : YES") + "\n             IsUserAzureAD : NO\n")
    finding = sim.detect(env={"USERDOMAIN": "CONTOSO"}).finding(CHECK)
    assert (finding["state"], finding["facts"]["identity"]) == ("pass", "not_in_entra")
    _status(sim, _prt_missing("DomainJoined : YES"))
    finding = sim.detect(env={"USERDOMAIN": "CONTOSO"}).finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "prt_missing_identity_unverified")


def test_no_entra_join_in_the_registry_skips_dsregcmd(tmp_path):
    sim = Sim.user(tmp_path)
    del sim.machine.state["registry"][JOIN_INFO]
    _status(sim, "never read", seconds=30)
    run = sim.detect()
    assert run.finding(CHECK)["reason"] == "not_joined"
    assert not [c for c in run.journal if "dsregcmd" in c]


def test_slow_dsregcmd_is_advisory_never_a_failure(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.native("dsregcmd.exe", "/status", "", seconds=15)
    run = sim.detect()
    assert run.finding(CHECK)["reason"] == "dsregcmd_failed" and run.finding(CHECK)["facts"]["timed_out"] is True
    assert run.exit_code == 0


def test_dry_run_then_refresh_failure_backs_off(tmp_path):
    sim = Sim.user(tmp_path)
    _prt_age(sim, 12)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run" and "native dsregcmd.exe /refreshprt" not in dry.journal
    sim.machine.native("dsregcmd.exe", "/refreshprt", "Error: 0x80070005", exit=1)
    run = sim.remediate()
    assert (run.finding(CHECK)["state"], run.finding(CHECK)["reason"]) == ("failed", "refresh_failed")
    assert run.exit_code == 1 and sim.state_file()[f"{CHECK}.failures"] == "1"
