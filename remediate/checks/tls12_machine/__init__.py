"""TLS 1.2 for the machine: SCHANNEL client protocol and WinHTTP default secure protocols (DOMAIN.md s.3)."""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

TLS12_BIT = 0x800  # SSL2 0x8, SSL3 0x20, TLS1.0 0x80, TLS1.1 0x200, TLS1.2 0x800, TLS1.3 0x2000
SCHANNEL_CLIENT = r"HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client"
WINHTTP_KEYS = (
    r"HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp",
    r"HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp",
)
POLICY_KEY = r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings"
DOTNET_KEYS = (
    r"HKLM:\SOFTWARE\Microsoft\.NETFramework\v4.0.30319",
    r"HKLM:\SOFTWARE\WOW6432Node\Microsoft\.NETFramework\v4.0.30319",
)


def desired(options):
    """The desired state, rendered once and read by both the detection and the remediation."""
    schannel = [
        # Absent = OS default = enabled. Enabled=0 turns the client protocol off; DisabledByDefault=1 too.
        {"Name": "Enabled", "BadWhen": "zero", "Good": 1},
        {"Name": "DisabledByDefault", "BadWhen": "nonzero", "Good": 0},
    ]
    return {
        "SchannelPath": SCHANNEL_CLIENT,
        "Schannel": schannel,
        "WinHttpPaths": list(WINHTTP_KEYS) if options["include_winhttp"] else [],
        "WinHttpName": "DefaultSecureProtocols",
        "Bit": TLS12_BIT,
        "PolicyPath": POLICY_KEY,
        "PolicyName": "SecureProtocols",
        "DotNetPaths": list(DOTNET_KEYS),
        "DotNetNames": ["SchUseStrongCrypto", "SystemDefaultTlsVersions"],
    }


CHECK = Check(
    id="tls12_machine",
    title="TLS 1.2 enabled for the machine (SCHANNEL client, WinHTTP)",
    context=Context.SYSTEM,
    tier=Tier.SAFE,
    budget_seconds=3,
    rank=20,
    signal=("SCHANNEL TLS 1.2 Client Enabled=0 or DisabledByDefault=1; WinHTTP DefaultSecureProtocols (both "
            "registry views) present without bit 0x800; a machine policy SecureProtocols without 0x800 is "
            "reported, never changed; .NET SchUseStrongCrypto/SystemDefaultTlsVersions reported as facts"),
    fix=("set Enabled=1 / DisabledByDefault=0, add bit 0x800 to DefaultSecureProtocols keeping the other bits; "
         "reports reboot_required (never reboots)"),
    backup="old values in <ProgramData>\\remediate\\backup\\tls12_machine.tsv",
    undo="restore the values listed in tls12_machine.tsv (delete those recorded as <absent>), then reboot",
    options=(
        Option("include_winhttp", bool, True, "also check and fix WinHTTP DefaultSecureProtocols"),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
