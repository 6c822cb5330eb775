"""Proxy / firewall / DNS: the sign-in endpoints reachable, TLS not inspected, NCSI probing on (DOMAIN.md s.3).

0xCAA7xxxx / 0xCAA8xxxx / 0xCAA3xxxx mean the network environment is misconfigured (DOMAIN.md s.1). Only two
things are fixed locally: a failed name resolution (the DNS client cache is flushed) and a disabled NCSI
active probe that no policy disables. A proxy, a firewall or TLS inspection is reported, never changed.
"""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

ENDPOINTS = ["login.microsoftonline.com", "login.microsoft.com", "login.windows.net",
             "device.login.microsoftonline.com", "enterpriseregistration.windows.net", "aadcdn.msauth.net"]
# Substrings of the issuer of a public CA's certificate; anything else is taken for a TLS-inspecting proxy.
PUBLIC_CA_FRAGMENTS = ["DigiCert", "Microsoft", "GlobalSign", "Baltimore", "Entrust", "Let's Encrypt"]
HOSTNAME = r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"
NCSI_PATH = r"HKLM:\SYSTEM\CurrentControlSet\Services\NlaSvc\Parameters\Internet"
NCSI_POLICY_PATH = r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\NetworkConnectivityStatusIndicator"


def desired(options):
    return {
        "Endpoints": list(options["endpoints"]),
        "Port": 443,
        "CaFragments": list(options["public_ca_fragments"]),
        # Deadlines per phase; the endpoints of a phase run concurrently, so these bound the whole check.
        "DnsTimeoutMs": 2000,
        "TcpTimeoutMs": 3000,
        "TlsTimeoutMs": 3000,
        "Netsh": r"System32\netsh.exe",
        "ProxyArguments": "winhttp show proxy",
        "NetshTimeoutSeconds": 2,
        "ProxyKey": "Proxy Server(s)",
        "DirectText": "Direct access",
        "NcsiPath": NCSI_PATH,
        "NcsiName": "EnableActiveProbing",
        "NcsiEnabled": 1,
        "NcsiPolicyPath": NCSI_POLICY_PATH,
        "NcsiPolicyName": "NoActiveProbe",
        "FactLength": 60,
    }


CHECK = Check(
    id="network_endpoints",
    title="Sign-in endpoints reachable (DNS, TCP 443, TLS 1.2 without inspection), WinHTTP proxy, NCSI probe",
    context=Context.SYSTEM,
    tier=Tier.SAFE,
    budget_seconds=12,
    rank=30,
    signal=("for each configured endpoint, concurrently: DNS (2 s), TCP 443 (3 s), TLS 1.2 handshake (3 s) and "
            "the certificate issuer, which must contain a public CA fragment (else TLS inspection, advisory); "
            "TCP/TLS failures advisory (proxy/firewall); WinHTTP proxy reported (netsh winhttp show proxy); "
            "NlaSvc\\Parameters\\Internet EnableActiveProbing=0 fails unless policy NoActiveProbe is set "
            "(advisory); a name that does not resolve fails, or is advisory behind a WinHTTP proxy"),
    fix=("set EnableActiveProbing=1 (backed up) when no policy sets NoActiveProbe; Clear-DnsClientCache after "
         "name-resolution failures; a proxy, firewall or inspecting proxy is never changed"),
    backup="old EnableActiveProbing in <ProgramData>\\remediate\\backup\\network_endpoints.tsv",
    undo="restore EnableActiveProbing from network_endpoints.tsv (the DNS cache refills by itself)",
    options=(
        Option("endpoints", list, ENDPOINTS, "host names probed on TCP 443", pattern=HOSTNAME),
        Option("public_ca_fragments", list, PUBLIC_CA_FRAGMENTS,
               "substrings of a public CA issuer name (case-insensitive); other issuers mean TLS inspection",
               pattern=r"[A-Za-z0-9 .,'&()-]{2,60}"),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
