"""Scenarios for vpn_state, run in real PowerShell against the simulated Windows (tests/simwin).

Sources: DOMAIN.md s.3 (VPN: Get-VpnConnection for the built-in client, up adapters whose description matches
known clients - GlobalProtect PANGP, AnyConnect, Fortinet, Juniper, WireGuard/Wintun, TAP-Windows, OpenVPN -
and whether the default route goes through a tunnel; advisory only, never disconnect) and s.9 (a check that
may not act never keeps detection at exit 1). The result line must stay ASCII and within 2,048 characters.
"""

from __future__ import annotations

import pytest

from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

CHECK = "vpn_state"


def add_adapter(machine, index: int, alias: str, description: str, route_metric: int | None = None,
                if_metric: int = 1) -> None:
    network = machine.state["network"]
    network["Adapters"].append({"Index": index, "Alias": alias, "Description": description})
    network["Metrics"][str(index)] = if_metric
    if route_metric is not None:
        network["Routes"].append({"Index": index, "Alias": alias, "Metric": route_metric})


def test_full_tunnel_is_advisory_in_both_phases_and_never_disconnected(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.culture = "fi-FI"
    add_adapter(sim.machine, 23, "Ethernet 3", "PANGP Virtual Ethernet Adapter Secure", route_metric=0)
    found = sim.detect()
    finding = found.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "vpn_default_route"), finding
    assert finding["facts"]["default_route_if"] == "Ethernet 3" and finding["facts"]["default_route_via_vpn"]
    assert found.result["verdict"] == "compliant" and found.exit_code == 0
    fixed = sim.remediate()
    assert fixed.finding(CHECK)["state"] == "advisory" and fixed.exit_code == 0 and not fixed.changes()


def test_split_tunnel_many_and_non_ascii_tunnels_keep_the_line_short(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.state["network"]["Vpn"] = [{"Name": "Contoso VPN – Zürich (tunnel complet, très long nom)"}]
    for i in range(12):
        add_adapter(sim.machine, 40 + i, f"Ethernet {i}", f"TAP-Windows Adapter V9 pour OpenVPN Connect ü #{i}")
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("advisory", "vpn_split_tunnel"), finding
    assert finding["facts"]["default_route_if"] == "Wi-Fi" and finding["facts"]["default_route_via_vpn"] is False
    assert len(finding["facts"]["tunnels"]) == 4 and all(len(t) <= 40 for t in finding["facts"]["tunnels"])
    assert finding["facts"]["tunnels"][0].startswith("Contoso VPN")
    assert run.exit_code == 0 and run.result["verdict"] == "compliant"


def test_network_stack_unreadable_is_reported_not_an_error(tmp_path):
    sim = Sim.device(tmp_path)
    sim.machine.state["network"] = {"Vpn": None, "Adapters": None, "Metrics": None, "Routes": []}
    run = sim.detect()
    finding = run.finding(CHECK)
    assert (finding["state"], finding["reason"]) == ("pass", "no_vpn"), finding
    assert finding["facts"]["builtin_vpn"] == "unavailable" and finding["facts"]["adapters"] == "unavailable"
    assert finding["facts"]["default_route_if"] == "none"
    assert run.exit_code == 0
