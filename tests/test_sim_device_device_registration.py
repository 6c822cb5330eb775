"""Scenarios for device_registration, run in real PowerShell against the simulated Windows (tests/simwin).

Sources of the desired state: DOMAIN.md section 3 (hybrid join broken: the Automatic-Device-Join task on a
domain-joined device; DeviceAuthStatus FAILED is an admin action; never dsregcmd /leave), section 2 (only the
device part of dsregcmd /status is valid as SYSTEM) and section 9 (dsregcmd /status runs pre-join diagnostics
on domain-joined devices that are not hybrid joined and can take well over 10 s; labels are English, values may
be localized or code-page damaged). The dsregcmd outputs are real captures in several layouts, copied to
tests/simwin/samples/dsregcmd-status (their rows in tests/simwin/samples/SOURCES.md). The damaged tenant name
'RÚpertoire par dÚfaut' is the value the collection's index records for a French AD FS lab (CP850/ANSI mix-up);
that capture itself is not in the collection, so the scenario puts the value into the healthy output.
"""

from __future__ import annotations

import pytest

from simwin.machine import SAMPLES
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "device_registration"
TASK = "\\Microsoft\\Windows\\Workplace Join\\Automatic-Device-Join"
POLICY = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WorkplaceJoin"
DOMAIN_ONLY = "domain-only-server-ad-config-fail-0x80070002-ngcprereq-error-evilwinrm-en.txt"


def sample(name: str) -> str:
    return (SAMPLES / "dsregcmd-status" / name).read_text(encoding="utf-8")


def status_output(sim: Sim, text: str, seconds: float = 0.1) -> None:
    sim.machine.native("dsregcmd.exe", "/status", text, seconds=seconds)


def disable_task(sim: Sim) -> None:
    sim.machine.state["tasks"][TASK]["State"] = "Disabled"


@pytest.mark.parametrize(("name", "state", "reason", "facts"), [
    ("domain-only-not-entra-ad-config-fail-0x801c001d-en-zhtw-blog.txt", "pass", "registration_ok",
     {"azure_ad_joined": "NO", "domain_joined": "YES", "join_task": "Ready"}),
    (DOMAIN_ONLY, "pass", "registration_ok", {"azure_ad_joined": "NO", "domain_joined": "YES"}),
    ("entra-joined-azure-vm-device-tenant-details-redacted-PARTIAL-en.txt", "pass", "registration_ok",
     {"azure_ad_joined": "YES", "device_auth": "SUCCESS"}),
    ("entra-joined-prt-yes-cloudtgt-win10-22h2-lab-en.txt", "pass", "registration_ok",
     {"azure_ad_joined": "YES", "tenant": "INE Security Labs"}),
    ("hybrid-tpm-device-details-pre21h1-kolide-issue-PARTIAL-en.txt", "pass", "registration_ok",
     {"azure_ad_joined": "YES", "domain_joined": "YES", "tenant": "Contoso"}),
    # No Device State section: the join state is unknown, not 'not joined'.
    ("sso-state-entra-prt-yes-cloudtgt-2022-PARTIAL-en.txt", "advisory", "join_state_unknown", {}),
    ("msdocs-diagnostic-data-prejoin-drs-discovery-fail-0x801c0021-0x801c000c-PARTIAL-en.txt", "advisory",
     "join_state_unknown", {}),
    # Q&A-flattened /join output: AzureAdJoined with trailing spaces, no DomainJoined line.
    ("join-debug-enterprise-drs-adfs-fail-0xcaa1000e-0x801c0515-server2019-qa-flattened-en.txt", "advisory",
     "join_state_unknown", {"azure_ad_joined": "NO"}),
], ids=["domain-only-zhtw-blog", "domain-only-evilwinrm", "entra-azure-vm-partial", "entra-win10-22h2",
        "hybrid-pre21h1-space-lines", "sso-section-only", "diagnostics-section-only", "join-debug-flattened"])
def test_real_outputs_parse_right_or_degrade_to_advisory(tmp_path, name, state, reason, facts):
    sim = Sim.device(tmp_path)
    status_output(sim, sample(name))
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == (state, reason), finding
    assert run.exit_code == 0
    for fact, value in facts.items():
        assert finding["facts"][fact] == value, finding


def test_code_page_damaged_tenant_name_stays_ascii_json_under_th_th(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "th-TH"
    healthy = next(r for r in sim.machine.state["native"] if r["program"] == "dsregcmd.exe" and r["args"] == "/status")
    status_output(sim, healthy["stdout"].replace("TenantName : Contoso", "TenantName : R\u00dapertoire par d\u00dafaut"))
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "registration_ok")
    assert finding["facts"]["tenant"] == "R\u00dapertoire par d\u00dafaut"


def test_disabled_join_task_is_enabled_started_verified_and_left_alone_after(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "fi-FI"
    status_output(sim, sample(DOMAIN_ONLY).replace("\n", "\r\n"))  # as the console writes it
    disable_task(sim)
    found = sim.detect()
    assert (found.finding(CHECK)["state"], found.finding(CHECK)["reason"]) == ("fail", "join_task_disabled")
    assert found.exit_code == 1
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "fixed" and fixed.result["verdict"] == "remediated", fixed.result
    assert fixed.finding(CHECK)["facts"]["started"] is True
    assert sim.machine.state["tasks"][TASK] == {"State": "Ready", "Runs": 1}
    # dsregcmd runs once per run: the verification reuses its output (each call can take 10 s and more).
    assert fixed.journal.count("native dsregcmd.exe /status") == 1
    assert not [c for c in fixed.changes() if "/leave" in c or c.startswith("registry.")]
    again = sim.remediate()
    assert again.finding(CHECK)["state"] == "pass" and not again.changes()


def test_start_task_false_enables_without_starting(tmp_path):
    sim = Sim.device(tmp_path, check=CHECK, start_task=False)
    status_output(sim, sample(DOMAIN_ONLY))
    disable_task(sim)
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "fixed"
    assert sim.machine.state["tasks"][TASK] == {"State": "Ready", "Runs": 0}
    assert run.changes() == ["task.enable " + TASK]


def test_policy_turning_hybrid_join_off_is_advisory_and_never_fought(tmp_path):
    sim = Sim.device(tmp_path)
    status_output(sim, sample(DOMAIN_ONLY))
    disable_task(sim)
    sim.machine.set_value(POLICY, "autoWorkplaceJoin", 0)
    run = sim.remediate()
    assert (run.finding(CHECK)["state"], run.finding(CHECK)["reason"]) == ("advisory", "auto_join_disabled_by_policy")
    assert not run.changes() and sim.machine.state["tasks"][TASK]["State"] == "Disabled"


def test_device_disabled_in_entra_is_advisory(tmp_path):
    sim = Sim.device(tmp_path)
    healthy = next(r for r in sim.machine.state["native"] if r["program"] == "dsregcmd.exe" and r["args"] == "/status")
    status_output(sim, healthy["stdout"].replace("DeviceAuthStatus : SUCCESS",
                                                 "DeviceAuthStatus : FAILED. Device is either disabled or deleted"))
    run = sim.remediate()
    assert (run.finding(CHECK)["state"], run.finding(CHECK)["reason"]) == ("advisory", "device_auth_failed")
    assert not run.changes() and run.exit_code == 0


def test_slow_pre_join_diagnostics_are_waited_for(tmp_path):
    # 15 s: a domain-joined device that is not hybrid joined, dsregcmd running its pre-join diagnostics.
    sim = Sim.device(tmp_path)
    status_output(sim, sample(DOMAIN_ONLY), seconds=15)
    disable_task(sim)
    finding = sim.detect().finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("fail", "join_task_disabled"), finding


def test_dsregcmd_timeout_is_advisory_never_a_failure(tmp_path):
    sim = Sim.device(tmp_path)
    status_output(sim, sample(DOMAIN_ONLY), seconds=120)
    disable_task(sim)
    detect = sim.detect()
    assert (detect.finding(CHECK)["state"], detect.finding(CHECK)["reason"]) == ("advisory", "dsregcmd_timed_out")
    assert detect.exit_code == 0
    run = sim.remediate()
    assert run.finding(CHECK)["state"] == "advisory" and run.exit_code == 0 and not run.changes()
    assert sim.state_file().get(f"{CHECK}.failures") in (None, "0")


def test_dry_run_changes_nothing(tmp_path):
    sim = Sim.device(tmp_path)
    status_output(sim, sample(DOMAIN_ONLY))
    disable_task(sim)
    dry = sim.dry_run()
    assert dry.finding(CHECK)["reason"] == "dry_run" and dry.finding(CHECK)["facts"]["would_enable"] == TASK
    assert not dry.changes() and sim.machine.state["tasks"][TASK]["State"] == "Disabled"


def test_task_enable_denied_fails_and_backs_off(tmp_path):
    sim = Sim.device(tmp_path)
    status_output(sim, sample(DOMAIN_ONLY))
    disable_task(sim)
    sim.machine.fault("task.enable")
    run = sim.remediate()
    assert (run.finding(CHECK)["state"], run.finding(CHECK)["reason"]) == ("failed", "enable_failed")
    assert run.exit_code == 1 and sim.state_file()[f"{CHECK}.failures"] == "1"
