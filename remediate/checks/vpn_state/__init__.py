"""VPN: a built-in or third-party tunnel up, and whether it carries the default route (DOMAIN.md s.3)."""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

# Interface descriptions of common VPN clients' virtual adapters (DOMAIN.md s.3): GlobalProtect (PANGP),
# Cisco AnyConnect, Fortinet, Juniper/Pulse, WireGuard (and its Wintun driver), TAP-Windows, OpenVPN.
VPN_ADAPTER_PATTERNS = ["PANGP", "AnyConnect", "Fortinet", "Juniper", "WireGuard", "Wintun", "TAP-Windows",
                        "OpenVPN"]


def desired(options):
    return {
        "AdapterPatterns": list(options["adapter_patterns"]),
        "DefaultRoute": "0.0.0.0/0",
        "MaxNames": 4,
        "NameLength": 40,
    }


CHECK = Check(
    id="vpn_state",
    title="VPN connections and whether the default route goes through a tunnel",
    context=Context.SYSTEM,
    tier=Tier.ADVISORY,
    budget_seconds=3,
    rank=90,
    signal=("Get-VpnConnection -AllUserConnection (built-in client) connected; network adapters up whose "
            "InterfaceDescription contains a configured VPN client pattern; the IPv4 default route "
            "(lowest route + interface metric) through one of those tunnels"),
    fix="none (advisory): a VPN is never disconnected; the facts tell the helpdesk to test off the tunnel",
    options=(
        Option("adapter_patterns", list, VPN_ADAPTER_PATTERNS,
               "substrings (case-insensitive) of VPN virtual adapters' InterfaceDescription",
               pattern=r"[A-Za-z0-9 ._()'-]{2,60}"),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
