"""Scenarios for clock_sync, run in real PowerShell against the simulated Windows (tests/simwin).

Sources: DOMAIN.md s.3 (W32Time not running, Type=NoSync, offset measured with w32tm /stripchart or the HTTP
Date header beyond a threshold; fix: start W32Time, w32tm /resync /force, never a new time source) and s.9
(w32tm output is localized; W32Time is trigger-start on Entra-joined and workgroup devices, so normally
stopped; right after a start, /resync may answer "no time data available" for a while). The localized
outputs are real captures in tests/simwin/samples/w32tm (sources in SOURCES.md there): fed where the
stripchart sample is expected, they must read as "no sample", never as an offset.
"""

from __future__ import annotations

import copy

import pytest

from simwin.machine import SAMPLES, STRIPCHART_OK
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "clock_sync"
W32TIME = "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\W32Time"
NO_TIME_DATA = ("Sending resync command to local computer\n"
                "The computer did not resync because no time data was available.\n")


def sample(name: str) -> str:
    return (SAMPLES / "w32tm" / name).read_text(encoding="utf-8")


def drift(machine, seconds: float, resync_cures: bool = True, resync_text: str = "", resync_exit: int = 0):
    """The clock is ``seconds`` off (NTP and HTTP agree); a resync corrects it unless told otherwise."""
    cured = copy.deepcopy(machine.state["native"])
    machine.state["clock_error_s"] = seconds
    machine.native("w32tm.exe", "/stripchart", STRIPCHART_OK.format(offset=-seconds))
    then = {"native": cured, "clock_error_s": 0.0} if resync_cures else None
    text = resync_text or "Sending resync command to local computer\nThe command completed successfully.\n"
    machine.native("w32tm.exe", "/resync", text, exit=resync_exit, then=then)


def stop_trigger_start_service(machine):
    machine.state["services"]["W32Time"]["Status"] = "Stopped"  # Start=3 (manual, trigger-start) already


@pytest.mark.parametrize("require_running", [None, True], ids=["shipped-package", "require-running-option"])
def test_trigger_start_service_stopped_on_entra_device_is_healthy(tmp_path, require_running):
    options = {} if require_running is None else {"check": CHECK, "require_service_running": True}
    sim = Sim.device(tmp_path, **options)
    stop_trigger_start_service(sim.machine)
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "clock_in_sync"), finding
    assert finding["facts"]["service"] == "Stopped" and run.exit_code == 0


def test_automatic_service_stopped_is_started_when_the_option_asks(tmp_path):
    sim = Sim.device(tmp_path, check=CHECK, require_service_running=True)
    sim.machine.set_value(W32TIME, "Start", 2)
    sim.machine.state["services"]["W32Time"]["Status"] = "Stopped"
    assert sim.detect().finding(CHECK)["reason"] == "w32time_stopped"
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "fixed" and "service.start W32Time" in fixed.changes()


def test_offset_beyond_threshold_is_resynced_and_verified_under_fi_culture(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "fi-FI"
    drift(sim.machine, 900.5)
    found = sim.detect()
    finding = found.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("fail", "clock_offset") and found.exit_code == 1
    assert finding["facts"]["offset_s"] == -900.5 and finding["facts"]["source"] == "ntp"
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "fixed" and fixed.result["verdict"] == "remediated"
    assert [c for c in fixed.changes() if "w32tm" in c] == ["native w32tm.exe /resync /force"]
    # Second remediation: nothing to do, nothing changed.
    again = sim.remediate()
    assert again.finding(CHECK)["state"] == "pass" and not [c for c in again.changes() if "resync" in c]


def test_stopped_service_is_started_then_no_time_data_is_pending_not_failed(tmp_path):
    sim = Sim.device(tmp_path)
    stop_trigger_start_service(sim.machine)
    drift(sim.machine, -3600, resync_cures=False, resync_text=NO_TIME_DATA, resync_exit=1)
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("deferred", "resync_pending"), finding
    assert finding["facts"]["started"] is True and finding["facts"]["after"] == "clock_offset"
    assert run.result["verdict"] == "deferred" and run.exit_code == 0
    assert sim.machine.state["services"]["W32Time"]["Status"] == "Running"
    assert "clock_sync.failures" not in sim.state_file()  # no backoff punishment


def test_resync_that_does_not_help_a_running_service_fails_and_backs_off(tmp_path):
    sim = Sim.device(tmp_path)
    drift(sim.machine, 1200, resync_cures=False, resync_exit=1)
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("failed", "still_failing") and run.exit_code == 1
    assert sim.state_file()["clock_sync.failures"] == "1"


def test_service_start_denied_fails_with_backoff_and_dry_run_changes_nothing(tmp_path):
    sim = Sim.device(tmp_path)
    stop_trigger_start_service(sim.machine)
    drift(sim.machine, 600)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run" and not dry.changes()
    assert dry.finding(CHECK)["facts"]["would_start"] == "W32Time"
    sim.machine.fault("service.start", "W32Time")
    run = sim.remediate()
    assert (run.finding(CHECK)["state"], run.finding(CHECK)["reason"]) == ("failed", "start_failed")
    assert sim.state_file()["clock_sync.failures"] == "1"


@pytest.mark.parametrize(("cause", "reason"), [
    ("nosync", "sync_disabled"), ("disabled", "w32time_disabled"), ("missing", "w32time_missing"),
])
def test_what_the_fix_may_not_touch_is_advisory(tmp_path, cause, reason):
    sim = Sim.device(tmp_path)
    drift(sim.machine, 900)
    if cause == "nosync":
        sim.machine.set_value(W32TIME + "\\Parameters", "Type", "NoSync", "String")
    elif cause == "disabled":
        sim.machine.set_value(W32TIME, "Start", 4)
    else:
        del sim.machine.state["services"]["W32Time"]
    run = sim.remediate()
    assert (run.finding(CHECK)["state"], run.finding(CHECK)["reason"]) == ("advisory", reason)
    assert run.exit_code == 0 and not run.changes()


@pytest.mark.parametrize("name", [
    "config-manualpeerlist-then-query-status-fr-pool-ntp-winserver2025.txt",
    "query-status-manualpeerlist-ipv6-refid-de.txt",
    "query-status-verbose-facebook-ntp-zhcn-RECONSTRUCTED.txt",
    "stripchart-dataonly-samples1-error-0x800705B4-en.txt",
], ids=["fr", "de", "zh", "en-error"])
def test_localized_or_error_output_degrades_to_unmeasured(tmp_path, name):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "th-TH"
    sim.machine.native("w32tm.exe", "/stripchart", sample(name))
    sim.machine.state["http_date"]["Problem"] = "NameResolutionFailure"
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "offset_unmeasured"), finding
    assert finding["facts"]["ntp"] == "no_sample" and finding["facts"]["http"] == "NameResolutionFailure"


def test_real_stripchart_sample_and_a_hung_w32tm(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.native("w32tm.exe", "/stripchart", sample("stripchart-dataonly-samples1-ok-en.txt"))
    facts = sim.detect().finding(CHECK)["facts"]
    assert facts["source"] == "ntp" and facts["offset_s"] == 0
    # A w32tm that never answers is cut at its deadline; the HTTP Date header measures instead.
    sim.machine.native("w32tm.exe", "/stripchart", "", seconds=600)
    sim.machine.state["clock_error_s"] = 400
    run = sim.detect()
    finding = run.finding(CHECK)
    assert finding["facts"]["ntp"] == "timeout" and finding["facts"]["source"] == "http_date"
    assert (finding["state"], finding["reason"]) == ("fail", "clock_offset")
