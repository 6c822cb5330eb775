"""Scenarios for office_credentials, run in real PowerShell against the simulated Windows (tests/simwin).

Sources: DOMAIN.md s.3 (stale credentials row: MicrosoftOffice16_Data:* and msteams_adalsso/* targets, opt-in,
cmdkey sees only the current user's vault), s.9 (cmdkey output is localized; routine AAD noise is no evidence)
and the field-safety issue (a switched-off fix is advisory, never non-compliant). The cmdkey listing is the real
zh-CN sample tests/simwin/samples/cmdkey/list-termsrv-xboxlive-msaccount-zhcn.txt (source in SOURCES.md there);
the Office and Teams blocks added to it are constructed in the same shape (no real listing holds them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simwin.scenario import Sim
from simwin.userstate import evidence

pytestmark = pytest.mark.pwsh

CHECK = "office_credentials"
SAMPLE = (Path(__file__).parent / "simwin/samples/cmdkey/list-termsrv-xboxlive-msaccount-zhcn.txt").read_text(
    encoding="utf-8").split("\n", 1)[1]  # without the prompt line
OFFICE = "LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:alex@contoso.com"
TEAMS = "LegacyGeneric:target=msteams_adalsso/adal_context_0"
WITH_OFFICE = SAMPLE.rstrip("\n") + "".join(
    f"\n\n    目标: {target}\n    类型: 普通\n    用户: alex@contoso.com\n    本地机器持续时间" for target in (OFFICE, TEAMS)) + "\n"
FAILURE = "0xCAA20003:2,AADSTS700082:1"


def user_with_credentials(tmp_path, listing: str = WITH_OFFICE, **options) -> Sim:
    sim = Sim.user(tmp_path, check=CHECK, **options) if options else Sim.user(tmp_path)
    sim.machine.native("cmdkey.exe", "/list", listing)
    sim.machine.native("cmdkey.exe", "/delete:", "\nCMDKEY: 凭据已成功删除。\n")
    return sim


def cmdkey(run) -> list[str]:
    return [c for c in run.journal if c.startswith("native cmdkey.exe")]


def test_shipped_switched_off_fix_is_advisory_never_non_compliant(tmp_path):
    sim = user_with_credentials(tmp_path)
    evidence(sim, failure_hours_ago=1, failure_codes=FAILURE)
    found = sim.detect()
    finding = found.finding(CHECK)
    assert finding["state"] == "advisory" and finding["reason"] == "signin_failing_with_credentials", finding
    assert finding["facts"]["credentials"] == 2 and found.exit_code == 0
    fixed = sim.remediate()
    assert not [c for c in cmdkey(fixed) if "/delete" in c] and fixed.exit_code == 0


@pytest.mark.parametrize("failure_codes", [None, "0xCAA5001C:12,0xCAA2000C:4,AADSTS50076:2", "0x80090016:1"],
                         ids=["noise-only", "noise-in-failure-codes", "broker-code"])
def test_noise_and_other_failures_never_reach_cmdkey(tmp_path, failure_codes):
    sim = user_with_credentials(tmp_path, fix=True)
    evidence(sim, failure_hours_ago=1 if failure_codes else None, failure_codes=failure_codes)
    run = sim.remediate()
    assert run.finding(CHECK)["reason"] == "no_evidence" and cmdkey(run) == []


def test_real_evidence_removes_both_targets_once_under_fi_fi(tmp_path):
    sim = user_with_credentials(tmp_path, fix=True)
    sim.machine.culture = "fi-FI"
    evidence(sim, failure_hours_ago=1, failure_codes=FAILURE)
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert finding["state"] == "fixed" and finding["facts"]["removed"] == 2, run.result
    assert cmdkey(run)[1:3] == [f"native cmdkey.exe /delete:{OFFICE}", f"native cmdkey.exe /delete:{TEAMS}"]
    assert sim.state_file()[f"{CHECK}.cleared"] == "2026-11-30T12:00:00Z"
    sim.machine.advance(hours=4)
    again = sim.remediate()
    assert again.finding(CHECK)["reason"] == "cleared_since_evidence"
    assert not [c for c in cmdkey(again) if "/delete" in c]


def test_real_zh_cn_listing_without_office_targets_is_clean(tmp_path):
    sim = user_with_credentials(tmp_path, listing=SAMPLE, fix=True)
    evidence(sim, failure_hours_ago=1, failure_codes=FAILURE)
    run = sim.detect()
    assert run.finding(CHECK)["reason"] == "no_stale_credentials" and run.exit_code == 0


def test_failed_delete_fails_backs_off_and_dry_run_deletes_nothing(tmp_path):
    sim = user_with_credentials(tmp_path, fix=True)
    sim.machine.native("cmdkey.exe", "/delete:.*msteams", "\nCMDKEY: Element not found.\n", exit=1)
    evidence(sim, failure_hours_ago=1, failure_codes=FAILURE)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run" and not [c for c in cmdkey(dry) if "/delete" in c]
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "failed" and run.finding(CHECK)["reason"] == "credentials_left"
    assert run.exit_code == 1 and sim.state_file()[f"{CHECK}.failures"] == "1"
