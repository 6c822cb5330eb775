"""Scenarios for signin_advice, run in real PowerShell against the simulated Windows (tests/simwin).

Sources: DOMAIN.md s.3 (last row: password, other devices, Conditional Access, device disabled are advisory
text for the helpdesk), s.9 (interaction_required, AADSTS50058/50076 and the 0xCAA5001C wrapper are routine on
healthy devices: advice about them is noise). Codes and advice keys: remediate/checks/signin_advice.
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim
from simwin.userstate import EVIDENCE, evidence, put

pytestmark = pytest.mark.pwsh

CHECK = "signin_advice"


def test_routine_noise_gives_no_advice(tmp_path):
    sim = Sim.user(tmp_path)
    evidence(sim)  # old and new writers alike: 1097s, interaction_required, AADSTS50058/50076, the wrapper
    run = sim.detect()
    assert run.finding(CHECK)["state"] == "pass" and run.finding(CHECK)["reason"] == "no_evidence"
    assert run.finding(CHECK)["facts"]["evidence"] == "not_implicating"
    assert run.exit_code == 0


def test_failures_give_advice_most_frequent_first_and_stay_compliant(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.culture = "ar-SA"
    evidence(sim, failure_hours_ago=3, failure_codes="0xCAA20004:1,AADSTS50126:5,AADSTS53003:2,AADSTS9999999:1")
    run = sim.detect()
    finding = run.finding(CHECK)
    assert finding["state"] == "advisory" and run.exit_code == 0 and run.result["verdict"] == "compliant"
    assert list(finding["facts"]["advice"].items()) == [
        ("AADSTS50126", "wrong_password"), ("AADSTS53003", "conditional_access"),
        ("0xCAA20004", "conditional_access"), ("AADSTS9999999", "lookup_aadsts")]


def test_old_evidence_writer_still_gets_advice_and_max_codes_holds(tmp_path):
    """A device package from before failure_codes existed: advice reads its codes= too (never a fix)."""
    sim = Sim.user(tmp_path, check=CHECK, max_codes=1)
    evidence(sim, codes="0xCAA5001C:30,AADSTS50058:9,AADSTS50126:2,AADSTS135011:1")
    finding = sim.detect().finding(CHECK)
    assert finding["facts"]["advice"] == {"AADSTS50126": "wrong_password"} and finding["facts"]["more"] == 1


@pytest.mark.parametrize("text", [
    "last_event=2026-11-26T00:00:00Z\r\ncodes=AADSTS50126:9\r\n",  # outside the 72 h window
    "last_failure=2026-11-30T11:00:00Z\r\nfailure_codes=AADSTSx:1,;;,0xCAA2:2,Åäö:1,AADSTS50126:-\r\n",
    "\u0000\u00ff binary junk \r\n==\r\n",
], ids=["outside-window", "junk-codes", "binary"])
def test_hostile_or_old_evidence_never_errors(tmp_path, text):
    sim = Sim.user(tmp_path)
    sim.machine.culture = "th-TH"
    put(sim, EVIDENCE, text)
    finding = sim.detect().finding(CHECK)
    assert finding["state"] in ("pass", "advisory"), finding
    if "AADSTS50126:-" in text:  # the one well-formed code survives with its count read as 1
        assert finding["facts"]["advice"] == {"AADSTS50126": "wrong_password"}
