"""The WAM plug-ins (AAD BrokerPlugin, CloudExperienceHost) registered and healthy for the user (DOMAIN.md s.3).

Microsoft's documented fix for a broken or tampered WAM plug-in is to re-register both packages from the
Windows image, in the affected user's context ("Can't sign in to Microsoft 365 desktop applications").
"""

from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

BROKER = ("broker", "Microsoft.AAD.BrokerPlugin", "Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy")
CXH = ("cxh", "Microsoft.Windows.CloudExperienceHost", "Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy")
# Shown as source "AppModel-State" in Event Viewer; the provider's full name is what Get-WinEvent filters on.
EVENT_PROVIDER = "Microsoft-Windows-AppModel-State"
# Call in progress (DOMAIN.md s.3, as for teams_cache): any app of this user holding the microphone or camera;
# -ForceApplicationShutdown would close Teams, Outlook or a browser in the middle of a call.
CONSENT_STORE = r"HKCU:\Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"


def desired(options):
    """The desired state, rendered once and read by both the detection and the remediation."""
    return {
        "Packages": [{"Label": label, "Name": name, "Folder": folder} for label, name, folder in (BROKER, CXH)],
        "SystemApps": "SystemApps",  # under %windir%
        "Manifest": "Appxmanifest.xml",
        "OkStatus": "Ok",
        "EventLog": "Application",
        "EventProvider": EVENT_PROVIDER,
        "EventMatch": BROKER[2],  # the events name the broker's package family
        "EventLabel": BROKER[0],
        "StateKey": "wam_broker.registered",
        "ConsentStore": CONSENT_STORE,
        "CallDevices": ["microphone", "webcam"],
        "CallAppMatch": ".",  # any app: every app that signs in through the broker is closed
        "CallStaleHours": 12,  # a start older than this without a stop is a crashed app's flag, not a call
        "MaxFactChars": 120,
    }


CHECK = Check(
    id="wam_broker",
    title="WAM plug-ins (AAD BrokerPlugin, CloudExperienceHost) registered for the user",
    context=Context.USER,
    tier=Tier.SAFE,
    budget_seconds=10,
    rank=40,
    signal=("BrokerPlugin / CloudExperienceHost not registered for the user or Status not Ok; AppModel-State "
            "events naming the broker logged for this user's SID since the window start or the last "
            "registration; a missing SystemApps manifest is advisory"),
    fix=("Add-AppxPackage -Register <SystemApps manifest> -DisableDevelopmentMode -ForceApplicationShutdown, "
         "as the user (Microsoft's remediation; closes this user's apps holding the package), never during a "
         "call (microphone or camera in use: deferred)"),
    backup="nothing to back up: the packages are re-registered from the Windows image",
    undo="nothing to undo; the registration time is kept in the state file (wam_broker.registered)",
    options=(
        Option("check_events", bool, True, "also look for AppModel-State repair events naming the broker"),
        Option("event_window_hours", int, 72, "how far back AppModel-State events count", min=1, max=720),
        Option("max_events", int, 200, "AppModel-State events read at most", min=10, max=2000),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
