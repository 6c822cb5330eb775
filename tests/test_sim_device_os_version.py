"""Scenarios for os_version, run in real PowerShell against the simulated Windows (tests/simwin).

Sources: DOMAIN.md s.3 ("outdated OS / app": OS build below a configured floor, advisory only) and s.9 (a
check that cannot or may not act must never keep detection at exit 1). The build is read from the registry
(CurrentBuild REG_SZ, UBR REG_DWORD, DisplayVersion), which is not localized.
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "os_version"
CURRENT = "HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"


def test_build_below_floor_is_advisory_in_both_phases_and_changes_nothing(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "th-TH"
    sim.machine.set_value(CURRENT, "CurrentBuild", "17763", "String")
    sim.machine.set_value(CURRENT, "DisplayVersion", "1809", "String")
    found = sim.detect()
    finding = found.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "os_build_below_floor"), finding
    assert finding["facts"] == {"min_build": 19045, "build": 17763, "ubr": 4460, "display_version": "1809"}
    assert found.result["verdict"] == "compliant" and found.exit_code == 0 and CHECK not in found.result["failing"]
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "advisory" and fixed.exit_code == 0
    assert fixed.result["verdict"] == "compliant" and not fixed.changes()


@pytest.mark.parametrize("cause", ["missing", "garbage", "access-denied"])
def test_unreadable_build_is_never_non_compliant(tmp_path, cause):
    sim = Sim.device(tmp_path)
    if cause == "missing":
        del sim.machine.state["registry"]["HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"]["values"]["CurrentBuild"]
    elif cause == "garbage":
        sim.machine.set_value(CURRENT, "CurrentBuild", "２２６３１", "String")  # full-width digits
        sim.machine.set_value(CURRENT, "DisplayVersion", "23H2 \u00e9dition", "String")
    else:
        sim.machine.fault("registry.open", "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion")
    run = sim.detect()
    finding = run.finding(CHECK)
    assert finding["state"] in ("skipped", "advisory"), finding
    assert finding["reason"] == "build_unknown"
    assert run.result["verdict"] == "compliant" and run.exit_code == 0 and CHECK not in run.result["failing"]
