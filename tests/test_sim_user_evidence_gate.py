"""The evidence gate (Get-RmUserEvidence) across the user package's gated checks, in real PowerShell.

One machine per evidence variant with everything the gated checks could act on (a Teams cache, TokenBroker
files, Office credentials); one detection each shows which gates open. Sources: DOMAIN.md s.1 (layers),
s.3 (which state each fix touches), s.9 (noise; evidence = a recent failure code that implicates the state).
Checks whose fix the shipped package leaves off report 'advisory' when their gate opens.
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim
from simwin.userstate import BROKER_ACCOUNTS, evidence, local, put, teams_files, teams_running

pytestmark = pytest.mark.pwsh

LISTING = ("\nCurrently stored credentials:\n\n    Target: LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:alex@"
           "contoso.com\n    Type: Generic \n    User: alex@contoso.com\n    Local machine persistence\n")
OPEN = {"teams_cache": ("fail", "signin_failing_with_cache"),
        "office_credentials": ("advisory", "signin_failing_with_credentials"),
        "token_broker_accounts": ("advisory", "broker_failure_with_tokens"),
        "signin_advice": ("advisory", "helpdesk_advice")}


@pytest.mark.parametrize(("failure_codes", "opened"), [
    (None, set()),
    ("0xCAA5001C:30,0xCAA2000C:9,0xCAA10001:2,AADSTS50058:9,AADSTS50076:1", set()),
    ("0xCAA20002:2", {"teams_cache", "office_credentials"}),
    ("0xCAA90004:1", {"teams_cache", "office_credentials"}),
    ("0x80090016:4,0xCAA5001C:4", {"token_broker_accounts"}),
    ("0xCAA70004:7,0xCAA82EE7:1", set()),  # network: the network checks' business, no cache is cleared
    ("AADSTS50126:3", {"signin_advice"}),
], ids=["noise-keys-only", "noise-as-failures", "invalid-request", "refresh-failed", "keyset", "network",
        "password"])
def test_each_gate_opens_only_on_codes_that_implicate_its_state(tmp_path, failure_codes, opened):
    sim = Sim.user(tmp_path)
    teams_running(sim.machine)
    teams_files(sim)
    put(sim, local(sim.machine, f"{BROKER_ACCOUNTS}/a1.tbacct"), b"t")
    sim.machine.native("cmdkey.exe", "/list", LISTING)
    evidence(sim, failure_hours_ago=2 if failure_codes else None, failure_codes=failure_codes)
    run = sim.detect()
    for check, (state, reason) in OPEN.items():
        finding = run.finding(check)
        if check in opened:
            assert (finding["state"], finding["reason"]) == (state, reason), finding
        else:
            assert finding["state"] == "pass", finding
    assert run.exit_code == (1 if "teams_cache" in opened else 0), run.result
