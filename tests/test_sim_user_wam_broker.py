"""Scenarios for wam_broker, run in real PowerShell against the simulated Windows (tests/simwin).

DOMAIN.md sections 2-3: BrokerPlugin / CloudExperienceHost missing or unhealthy for the user, or AppModel-State
events naming the broker for THIS user, mean re-registering from the Windows image with
-ForceApplicationShutdown, which closes the user's apps: never during a call (ConsentStore microphone/webcam
LastUsedTimeStop=0 with a recent LastUsedTimeStart; a flag older than 12 h is a crashed app's, ignored). The
AppModel-State event is the captured one in tests/simwin/samples/eventlog (sources in SOURCES.md there).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from simwin.machine import SAMPLES, USER_SID
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "wam_broker"
BROKER = "Microsoft.AAD.BrokerPlugin"
CONSENT = "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\CapabilityAccessManager\\ConsentStore"
EVENT = SAMPLES / "eventlog" / "appmodel-state-23-repair-state-locations-aadbrokerplugin-0x80070002-evtviewer-copy-xml-PARTIAL-en.txt"


def _sample_event_data() -> list[str]:
    """The EventData values of the captured event (Operation, PackageFamily, OperationError)."""
    return re.findall(r'<Data Name="[^"]+">([^<]*)</Data>', EVENT.read_text(encoding="utf-8"))


def _add_repair_event(sim: Sim, user: str | None, hours_ago: float = 2.0) -> None:
    sim.machine.add_event("Application", 23, _sample_event_data(), hours_ago=hours_ago, user=user,
                          provider="Microsoft-Windows-AppModel-State")


def _filetime(when: dt.datetime) -> int:
    return int((when.timestamp() + 11644473600) * 10_000_000)


def _in_call(sim: Sim, hours_ago: float, device: str = "microphone", app: str = "MSTeams_8wekyb3d8bbwe") -> None:
    path = f"{CONSENT}\\{device}\\{app}"
    sim.machine.set_value(path, "LastUsedTimeStart", _filetime(sim.machine.now - dt.timedelta(hours=hours_ago)), "QWord")
    sim.machine.set_value(path, "LastUsedTimeStop", 0, "QWord")


def _unregister_broker(sim: Sim) -> None:
    del sim.machine.state["appx"][BROKER]
    sim.machine.state["processes"] = [{"Id": 4242, "Name": "ms-teams", "SessionId": 1, "UsesBroker": True}]


def test_missing_broker_is_registered_and_verified(tmp_path):
    sim = Sim.user(tmp_path)
    _unregister_broker(sim)
    found = sim.detect()
    assert found.finding(CHECK)["reason"] == "package_not_registered" and found.exit_code == 1
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "fixed" and fixed.result["verdict"] == "remediated"
    assert "appx.register Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy" in fixed.journal
    assert sim.machine.state["appx"][BROKER][0]["Status"] == "Ok"
    assert sim.detect().finding(CHECK)["state"] == "pass"


def test_unhealthy_status_is_found(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.state["appx"][BROKER] = [{"Version": "1000.19041.1", "Status": "NeedsRemediation"}]
    finding = sim.detect().finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("fail", "package_status_not_ok")
    assert finding["facts"]["broker"] == "status_NeedsRemediation"


@pytest.mark.parametrize(("user", "state"), [
    (USER_SID, "fail"),
    ("S-1-5-21-1923631480-1905756381-8362735-1012", "pass"),  # the sample's own user: someone else here
    (None, "pass"),  # no user on the event: not this user's evidence
], ids=["this-user", "other-user", "no-user"])
def test_only_this_users_repair_events_count(tmp_path, user, state):
    sim = Sim.user(tmp_path)
    _add_repair_event(sim, user)
    finding = sim.detect().finding(CHECK)
    assert finding["state"] == state, finding
    if state == "fail":
        assert finding["reason"] == "broker_state_repair_events"


def test_events_answered_by_a_registration_do_not_repeat_it_under_th_th(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.culture = "th-TH"  # the registration stamp is written and read back in the invariant culture
    _add_repair_event(sim, USER_SID)
    first = sim.remediate()
    assert first.finding(CHECK)["state"] == "fixed"
    sim.machine.advance(hours=4)
    again = sim.remediate()
    assert again.finding(CHECK)["state"] == "pass"
    assert not [c for c in again.changes() if c.startswith("appx.")]


def test_never_during_a_call(tmp_path):
    sim = Sim.user(tmp_path)
    _unregister_broker(sim)
    _in_call(sim, hours_ago=0.5)
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("deferred", "call_in_progress")
    assert run.result["verdict"] == "deferred" and run.exit_code == 0
    assert not [c for c in run.changes() if c.startswith("appx.")]
    assert [p["Id"] for p in sim.machine.state["processes"]] == [4242]  # Teams still running
    assert f"{CHECK}.failures" not in sim.state_file()


def test_a_stale_call_flag_does_not_block_the_fix(tmp_path):
    sim = Sim.user(tmp_path)
    _unregister_broker(sim)
    _in_call(sim, hours_ago=20, device="webcam", app="NonPackaged\\C:#Program Files#Zoom#bin#Zoom.exe")
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "fixed"
    assert sim.machine.state["processes"] == []  # -ForceApplicationShutdown closed the broker's users


def test_registration_failure_fails_and_backs_off(tmp_path):
    sim = Sim.user(tmp_path)
    _unregister_broker(sim)
    sim.machine.fault("appx.register", message="Deployment failed with HRESULT: 0x80073CF9")
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("failed", "register_failed") and run.exit_code == 1
    assert "0x80073CF9" in finding["facts"]["errors"][0]
    assert sim.state_file()[f"{CHECK}.failures"] == "1"


def test_missing_manifest_is_advisory_and_dry_run_changes_nothing(tmp_path):
    sim = Sim.user(tmp_path)
    _unregister_broker(sim)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run" and not [c for c in dry.changes() if c.startswith("appx.")]
    manifest = sim.tmp / "root/Windows/SystemApps/Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy/Appxmanifest.xml"
    manifest.unlink()
    finding = sim.detect().finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "manifest_missing")
