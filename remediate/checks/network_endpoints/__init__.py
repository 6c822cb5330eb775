"""Proxy / firewall / DNS: the sign-in endpoints reachable, TLS not inspected, NCSI probing on (DOMAIN.md s.3).

0xCAA7xxxx / 0xCAA8xxxx / 0xCAA3xxxx mean the network environment is misconfigured (DOMAIN.md s.1). Only two
things are fixed locally: a stale DNS cache (flushed) and a disabled NCSI active probe that no policy disables
(policy NoActiveProbe=1; 0 is not "disabled by policy"). A proxy, a firewall or TLS inspection is reported,
never changed.

The DNS flush rule (DOMAIN.md s.9, field safety): a flush only when, on a direct connection (WinHTTP direct or
unknown), some names fail to resolve while others work end to end (DNS, TCP 443, TLS with a public CA). Then
the network and its DNS server work, and what differs between the names is the cache. Every name failing
(offline: no adapter up or no default route; else the network's DNS is down), a WinHTTP proxy or PAC (the
proxy resolves names), or names that resolve but do not reach a public certificate (captive portal, TLS
inspection): advisory, because a flush cannot help there and would keep detection failing on every run.

The WinHTTP proxy is read from the binary WinHttpSettings value (ConvertFrom-RmWinHttpSetting documents the
layout), not from netsh, whose output is localised; absent or unparsable is 'unknown'.
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
PROXY_PATH = r"HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections"


def desired(options):
    return {
        "Endpoints": list(options["endpoints"]),
        "Port": 443,
        "CaFragments": list(options["public_ca_fragments"]),
        # Deadlines per phase; the endpoints of a phase run concurrently, so these bound the whole check.
        "DnsTimeoutMs": 2000,
        "TcpTimeoutMs": 3000,
        "TlsTimeoutMs": 3000,
        "ProxyPath": PROXY_PATH,
        "ProxyName": "WinHttpSettings",
        "DefaultRoute": "0.0.0.0/0",
        "NcsiPath": NCSI_PATH,
        "NcsiName": "EnableActiveProbing",
        "NcsiEnabled": 1,
        "NcsiPolicyPath": NCSI_POLICY_PATH,
        "NcsiPolicyName": "NoActiveProbe",
        "NcsiPolicyOff": 1,
        "FactLength": 60,
    }


CHECK = Check(
    id="network_endpoints",
    title="Sign-in endpoints reachable (DNS, TCP 443, TLS 1.2 without inspection), WinHTTP proxy, NCSI probe",
    context=Context.SYSTEM,
    tier=Tier.SAFE,
    budget_seconds=10,
    rank=30,
    signal=("for each configured endpoint, concurrently: DNS (2 s), TCP 443 (3 s), TLS 1.2 handshake (3 s) and "
            "the certificate issuer, which must contain a public CA fragment (else TLS inspection, advisory); "
            "TCP/TLS failures advisory (proxy/firewall); WinHTTP proxy reported (binary WinHttpSettings value, "
            "'unknown' when absent or unparsable); NlaSvc\\Parameters\\Internet EnableActiveProbing=0 fails "
            "unless policy NoActiveProbe=1 (advisory); names that do not resolve fail only when other names work "
            "end to end on a direct connection (stale cache), else advisory (offline, DNS down, proxy/PAC, "
            "captive portal)"),
    fix=("set EnableActiveProbing=1 (backed up) unless policy NoActiveProbe=1; Clear-DnsClientCache when the "
         "failed names point to a stale cache; a proxy, firewall or inspecting proxy is never changed"),
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
