"""Scenarios for aad_evidence, run in real PowerShell against the simulated Windows (tests/simwin).

Sources: DOMAIN.md s.1 (layers, the three numeric forms: 0xCAA20002 = 3399614466 = -895352830), s.2 (AAD
events 1081/1084/1085/1097/1098/1104/1160 grouped by user SID) and s.9 (healthy devices log 1097 warnings and
1098 interaction_required all day; 0xCAA5001C wraps every 1098). Events are read culture-free: the seam hands
over property values (Data), never the rendered message, so the data below is partly Finnish and Thai text as
a localized provider would store it. The evidence file's failure keys (failure_codes, last_failure) are what
the user package's gates read: only codes that implicate user state (remediate/codes.py) count there.
"""

from __future__ import annotations

import pytest

from simwin.machine import USER_SID, stamp
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "aad_evidence"
AAD = "Microsoft-Windows-AAD/Operational"
WRAPPER = ["0xCAA5001C", "Tunnuksenvälittäjän toiminto epäonnistui", "GetTokenSilently"]
INTERACTION = WRAPPER + ["0xCAA2000C", "AADSTS50058: A silent sign-in request was sent but no user is signed in."]
MFA = WRAPPER + ["-895352820", "AADSTS50076 ต้องใช้การยืนยันตัวตนแบบหลายปัจจัย"]  # -895352820 = 0xCAA2000C
INVALID_REQUEST = WRAPPER + ["-895352830", "invalid_request"]  # 0xCAA20002 in signed decimal
BAD_KEYSET = ["2148073494", "Keyset does not exist / Avainjoukkoa ei ole"]  # 0x80090016 unsigned decimal
NETWORK = ["0xCAA82EE7", "WinHTTP 12007"]


def evidence_file(sim, sid: str = USER_SID) -> dict[str, str]:
    path = sim.tmp / "root" / "ProgramData" / "remediate" / "evidence" / f"{sid}.txt"
    assert path.exists(), f"no evidence file for {sid}"
    return dict(line.split("=", 1) for line in path.read_text(encoding="ascii").splitlines() if "=" in line)


def add_noise(machine, count: int = 6) -> None:
    """What a healthy device logs: 1097 warnings (even naming 0xCAA20002) and interaction_required 1098s."""
    for i in range(count):
        machine.add_event(AAD, 1097, ["0xCAA20002", "Varoitus / คำเตือน"], hours_ago=1 + i)
        machine.add_event(AAD, 1098, INTERACTION if i % 2 else MFA, hours_ago=1.5 + i)


def test_routine_noise_is_no_failure_and_opens_no_gate(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "th-TH"
    add_noise(sim.machine)
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "routine_events_only"), finding
    assert finding["facts"]["events"] == 12 and finding["facts"]["failure_events"] == 0
    assert run.result["verdict"] == "compliant" and run.exit_code == 0
    written = evidence_file(sim)
    # All codes are still recorded for the helpdesk; the failure keys stay empty, so no gate can open.
    assert "0xCAA5001C:6" in written["codes"] and "0xCAA2000C:6" in written["codes"]
    assert written["failure_codes"] == "" and "last_failure" not in written
    # Stamps are culture-invariant under th-TH (no Buddhist year): the Gregorian hour of the newest event.
    assert written["last_event"] == stamp(sim.machine.now.replace(hour=11))


def test_real_failures_are_recorded_by_code_and_newest_time(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "fi-FI"
    add_noise(sim.machine, count=2)
    sim.machine.add_event(AAD, 1098, INVALID_REQUEST, hours_ago=5)
    sim.machine.add_event(AAD, 1098, INVALID_REQUEST, hours_ago=3)
    sim.machine.add_event(AAD, 1104, BAD_KEYSET, hours_ago=4)
    sim.machine.add_event(AAD, 1098, WRAPPER + NETWORK, hours_ago=0.5)  # the network's fault, not the user's
    sim.machine.add_event(AAD, 1098, INVALID_REQUEST, hours_ago=100)  # outside the 72 h window
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "evidence_found"), finding
    assert finding["facts"]["failure_events"] == 3
    assert run.exit_code == 0 and run.result["verdict"] == "compliant"
    written = evidence_file(sim)
    assert written["failure_codes"] == "0x80090016:1,0xCAA20002:2"
    assert written["last_failure"] == stamp(sim.machine.now.replace(hour=9))
    assert "0xCAA82EE7:1" in written["codes"]


def test_ten_thousand_events_are_bounded_by_max_events(tmp_path):
    sim = Sim.device(tmp_path)
    for i in range(10_000):
        sim.machine.add_event(AAD, 1098, INTERACTION, hours_ago=2 + i * 0.006, user=USER_SID)
    sim.machine.add_event(AAD, 1098, INVALID_REQUEST, hours_ago=1)
    run = sim.detect()
    facts = run.finding(CHECK)["facts"]
    assert facts["events"] == 2000, facts  # the option's default bound, newest first
    assert facts["failure_events"] == 1
    assert evidence_file(sim)["failure_codes"] == "0xCAA20002:1"


def test_unreadable_or_missing_log_never_takes_the_run_down(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.fault("events", AAD)
    run = sim.detect()
    finding = run.finding(CHECK)
    assert finding["state"] == "pass" and finding["facts"]["aad_log"] == "unreadable", finding
    assert run.result["verdict"] == "compliant" and run.exit_code == 0
    del sim.machine.state["faults"][f"events:{AAD}"]
    del sim.machine.state["events"][AAD]
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert finding["state"] == "pass" and finding["facts"]["aad_log"] == "missing", finding
    assert run.result["verdict"] == "compliant" and not run.changes()


def test_remediation_and_dry_run_change_nothing_but_the_evidence(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.add_event(AAD, 1098, INVALID_REQUEST, hours_ago=2)
    sim.machine.add_event(AAD, 1098, INVALID_REQUEST, hours_ago=2, user="S-1-5-18")  # SYSTEM: no file
    dry = sim.dry_run()
    assert dry.finding(CHECK)["state"] == "advisory" and not dry.changes()
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "advisory" and run.exit_code == 0 and not run.changes()
    assert evidence_file(sim)["failure_codes"] == "0xCAA20002:1"
    folder = sim.tmp / "root" / "ProgramData" / "remediate" / "evidence"
    assert sorted(p.name for p in folder.iterdir()) == [f"{USER_SID}.txt"]
    # The file is readable by its user alone (the seam records the ACL it was given).
    assert sim.machine.state["acl"][str(folder / f"{USER_SID}.txt")]["reader"] == USER_SID
