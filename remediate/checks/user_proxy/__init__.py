"""The user's WinINet proxy: reported; a loopback proxy with nothing listening (a leftover sniffer) is turned off.

DOMAIN.md s.3: a loopback proxy such as 127.0.0.1:8888 (Fiddler) with nothing listening is a stale sniffer
setting (sign-in fails with 0xCAA70004 / 0xCAA82EFD); its removal is opt-in. A real proxy is never touched.
"""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

SETTINGS_KEY = r"HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
CONNECTIONS_KEY = SETTINGS_KEY + r"\Connections"
# Machine policy "Make proxy settings per-machine": ProxySettingsPerUser = 0 means HKCU is not what is used.
PER_MACHINE_POLICY = r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings"
LOOPBACK_HOST = r"^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$"
# host (an IPv6 literal in brackets, or anything without ':' '/' '[' ']') and an optional port
ENDPOINT = r"^(?<host>\[[0-9A-Fa-f:.]+\]|[^:/\[\]]+)(:(?<port>\d{1,5}))?$"
MAX_ENDPOINTS = 2  # distinct loopback endpoints probed; localhost costs two probes (IPv4 and IPv6)


def desired(options):
    """The desired state, rendered once and read by both the detection and the remediation."""
    return {
        "Path": SETTINGS_KEY,
        "Names": ["ProxyEnable", "ProxyServer", "AutoConfigURL", "AutoDetect"],
        "EnableName": "ProxyEnable",
        "ServerName": "ProxyServer",
        "PacName": "AutoConfigURL",
        "AutoDetectName": "AutoDetect",
        "DisabledValue": 0,
        "ConnectionsPath": CONNECTIONS_KEY,
        "ConnectionsName": "DefaultConnectionSettings",
        "FlagsOffset": 8,  # reported raw, not interpreted
        "PerMachinePath": PER_MACHINE_POLICY,
        "PerMachineName": "ProxySettingsPerUser",
        "ProtocolPrefix": r"^[A-Za-z]+=",
        "SchemePrefix": r"^[A-Za-z][A-Za-z0-9+.-]*://",
        "EndpointPattern": ENDPOINT,
        "LoopbackPattern": LOOPBACK_HOST,
        "LocalhostAddresses": ["127.0.0.1", "::1"],
        "DefaultPort": 80,
        "MaxEndpoints": MAX_ENDPOINTS,
        "MaxFactChars": 80,
    }


CHECK = Check(
    id="user_proxy",
    title="No stale loopback proxy in the user's Internet Settings",
    context=Context.USER,
    tier=Tier.OPT_IN,
    budget_seconds=3,
    rank=30,
    signal=("ProxyEnable=1 with every ProxyServer entry on loopback and no TCP listener there (leftover sniffer); "
            "a real proxy, PAC, a listening loopback proxy or per-machine settings are advisory"),
    fix="set ProxyEnable=0, ProxyServer kept (opt-in: fix = true)",
    backup="old ProxyEnable in %LOCALAPPDATA%\\remediate\\backup\\user_proxy.tsv",
    undo="set ProxyEnable back to the value in user_proxy.tsv (usually 1)",
    options=(
        Option("connect_timeout_ms", int, 300, "TCP connect timeout for each loopback probe", min=50, max=500),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
