"""The Microsoft Graph permissions each Intune command needs: the one table behind errors, --help and docs.

Since September 2025 every ``deviceHealthScripts`` call needs ``DeviceManagementScripts.Read.All`` (reads) or
``DeviceManagementScripts.ReadWrite.All`` (writes); ``DeviceManagementConfiguration.*`` no longer grants them
(Intune "what's new", week of July 28, 2025; DOMAIN.md section 5). A ReadWrite permission also allows the
reads. On-demand runs (``initiateOnDemandProactiveRemediation``) need
``DeviceManagementManagedDevices.PrivilegedOperations.All``; finding the device by name or id reads managed
devices. Nothing here imports anything heavy: ``remediate --help`` reads this table.
"""

from __future__ import annotations

from dataclasses import dataclass

SCRIPTS_READ = "DeviceManagementScripts.Read.All"
SCRIPTS_WRITE = "DeviceManagementScripts.ReadWrite.All"
DEVICES_READ = "DeviceManagementManagedDevices.Read.All"
DEVICES_PRIVILEGED = "DeviceManagementManagedDevices.PrivilegedOperations.All"
# What no longer works for deviceHealthScripts: named in docs so nobody grants it hoping it does.
RETIRED_FOR_SCRIPTS = "DeviceManagementConfiguration.ReadWrite.All"


@dataclass(frozen=True)
class CommandPermissions:
    command: str  # as typed after `remediate`
    permissions: tuple[str, ...]
    why: str  # what each permission is used for, for docs

    def line(self) -> str:
        return ", ".join(self.permissions)


# The table. Each command lists exactly what it needs, least privilege first.
COMMANDS: tuple[CommandPermissions, ...] = (
    CommandPermissions("publish", (SCRIPTS_WRITE,),
                       "find, create or update the remediation, read and set its assignments"),
    CommandPermissions("publish --dry-run", (SCRIPTS_READ,),
                       "only reads: find the remediation and read its assignments"),
    CommandPermissions("results", (SCRIPTS_READ,),
                       "find the remediation and read its deviceRunStates (device names come expanded)"),
    CommandPermissions("trigger", (SCRIPTS_READ, DEVICES_READ, DEVICES_PRIVILEGED),
                       "find the remediation; find the managed device; start the on-demand run"),
    CommandPermissions("trigger --dry-run", (SCRIPTS_READ, DEVICES_READ),
                       "find the remediation and the managed device; start nothing"),
)
_BY_COMMAND = {c.command: c for c in COMMANDS}


def for_command(command: str) -> CommandPermissions:
    return _BY_COMMAND[command]


def help_text(command: str) -> str:
    """The sentence a command's --help shows (click joins it into the epilog)."""
    needed = for_command(command)
    text = f"Graph permissions (delegated or application): {needed.line()}."
    dry = _BY_COMMAND.get(f"{command} --dry-run")
    if dry is not None:
        text += f" With --dry-run: {dry.line()}."
    return text


def markdown_table() -> str:
    """The permissions table of docs/intune.md (a test checks the doc contains it verbatim)."""
    rows = ["| command | Graph permissions | used for |", "|---|---|---|"]
    rows += [f"| `remediate {c.command}` | {', '.join(f'`{p}`' for p in c.permissions)} | {c.why} |"
             for c in COMMANDS]
    return "\n".join(rows)
