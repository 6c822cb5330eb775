"""Scenarios for account_conflict, run in real PowerShell against the simulated Windows (tests/simwin).

DOMAIN.md section 3: a work account of another tenant (user WorkplaceJoin\\JoinInfo vs the device's
CloudDomainJoin\\JoinInfo) or several Office identities: advisory only, nothing is ever changed.
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "account_conflict"
WPJ = "HKCU:\\Software\\Microsoft\\Windows NT\\CurrentVersion\\WorkplaceJoin\\JoinInfo"
IDENTITIES = "HKCU:\\Software\\Microsoft\\Office\\16.0\\Common\\Identity\\Identities"
DEVICE_JOIN = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\CloudDomainJoin\\JoinInfo"
DEVICE_TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def _work_account(sim: Sim, thumbprint: str, tenant: str, email: str) -> None:
    sim.machine.set_value(f"{WPJ}\\{thumbprint}", "TenantId", tenant, "String")
    sim.machine.set_value(f"{WPJ}\\{thumbprint}", "UserEmail", email, "String")


def _office_identity(sim: Sim, name: str, email: str, provider: str = "AD") -> None:
    sim.machine.set_value(f"{IDENTITIES}\\{name}", "EmailAddress", email, "String")
    sim.machine.set_value(f"{IDENTITIES}\\{name}", "ProviderId", provider, "String")


def test_healthy_device_sees_its_own_join(tmp_path):
    sim = Sim.user(tmp_path)
    _work_account(sim, "1A2B", "{" + DEVICE_TENANT.upper() + "}", "alex@contoso.example")  # same tenant
    _office_identity(sim, "x_AD", "Alex@Contoso.example")
    _office_identity(sim, "y_AD", "alex@contoso.example")  # the same address twice is one account
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "no_conflict")
    assert finding["facts"]["device_joined"] is True and finding["facts"]["office_accounts"] == 1


def test_work_account_of_another_tenant_with_a_non_ascii_address_under_fi_fi(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.culture = "fi-FI"
    _work_account(sim, "9F9F", "11111111-2222-3333-4444-555555555555", "jöns.åkerlund@fabrikam.example")
    run = sim.remediate()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "work_account_other_tenant")
    assert finding["facts"]["other_tenant"] == ["jöns.åkerlund@fabrikam.example"]  # JSON-escaped, line is ASCII
    assert run.result["verdict"] == "compliant" and run.exit_code == 0
    assert run.changes() == []


def test_several_office_identities_are_reported(tmp_path):
    sim = Sim.user(tmp_path)
    _office_identity(sim, "a_AD", "alex@contoso.example")
    _office_identity(sim, "b_MSA", "alex.private@outlook.example", "MSA")
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "several_office_identities")
    assert finding["facts"]["providers"] == ["AD", "MSA"] and run.exit_code == 0


def test_unreadable_device_join_is_said_and_never_guessed(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.fault("registry.open", DEVICE_JOIN)
    _work_account(sim, "9F9F", "11111111-2222-3333-4444-555555555555", "someone@fabrikam.example")
    finding = sim.detect().finding(CHECK)
    assert finding["facts"]["device_joined"] == "unreadable"
    assert finding["state"] == "pass" and finding["facts"]["workplace_accounts"] == 1


def test_work_account_without_values_counts_but_conflicts_with_nothing(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.add_key(f"{WPJ}\\EMPTY")
    finding = sim.detect().finding(CHECK)
    assert (finding["state"], finding["facts"]["workplace_accounts"]) == ("pass", 1)
