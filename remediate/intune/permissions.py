"""The Microsoft Graph permissions each Intune command needs: the one table behind errors, --help and docs.

Since September 2025 every ``deviceHealthScripts`` call needs ``DeviceManagementScripts.Read.All`` (reads) or
``DeviceManagementScripts.ReadWrite.All`` (writes); ``DeviceManagementConfiguration.*`` no longer grants them
(Intune "what's new", week of July 28, 2025; DOMAIN.md section 5). A ReadWrite permission also allows the
reads. On-demand runs (``initiateOnDemandProactiveRemediation``) need
``DeviceManagementManagedDevices.PrivilegedOperations.All``; finding the device by name or id reads managed
devices. Nothing here imports anything heavy: ``remediate --help`` reads this table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SCRIPTS_READ = "DeviceManagementScripts.Read.All"
SCRIPTS_WRITE = "DeviceManagementScripts.ReadWrite.All"
DEVICES_READ = "DeviceManagementManagedDevices.Read.All"
DEVICES_PRIVILEGED = "DeviceManagementManagedDevices.PrivilegedOperations.All"
# Finding a group by display name and listing a group's members (Graph reference: group list, transitiveMembers).
GROUPS_READ = "Group.Read.All"
# Reading the tenant's scope tags (Graph reference: List roleScopeTags), when a package declares [intune] scope_tags.
SCOPE_TAGS_READ = "DeviceManagementRBAC.Read.All"
# What no longer works for deviceHealthScripts: named in docs so nobody grants it hoping it does.
RETIRED_FOR_SCRIPTS = "DeviceManagementConfiguration.ReadWrite.All"


@dataclass(frozen=True)
class CommandPermissions:
    command: str  # as typed after `remediate`
    permissions: tuple[str, ...]
    why: str  # what each permission is used for, for docs
    condition: str = ""  # needed only when this holds (e.g. a package declares scope tags); "" = always

    def line(self) -> str:
        return ", ".join(self.permissions)

    @property
    def label(self) -> str:
        """How docs and the doctor name the row: the command, and the condition when there is one."""
        return f"remediate {self.command}" + (f" ({self.condition})" if self.condition else "")


def with_implied(granted: Iterable[str]) -> set[str]:
    """``granted`` plus what it implies: a ReadWrite permission also allows the reads (its ``.Read.`` twin)."""
    granted = set(granted)
    return granted | {p.replace(".ReadWrite.", ".Read.") for p in granted}


SCOPE_TAGS_CONDITION = "package declares [intune] scope_tags"

# The table. Each command lists exactly what it needs, least privilege first.
COMMANDS: tuple[CommandPermissions, ...] = (
    CommandPermissions("publish", (SCRIPTS_WRITE,),
                       "find, create or update the remediation, read and set its assignments"),
    CommandPermissions("publish --dry-run", (SCRIPTS_READ,),
                       "only reads: find the remediation and read its assignments"),
    CommandPermissions("publish --group NAME", (GROUPS_READ,),
                       "in addition, when a group is given by display name (--group, --exclude-group, --remove): "
                       "look it up"),
    CommandPermissions("publish", (SCOPE_TAGS_READ,),
                       "in addition, also with --dry-run: read the tenant's scope tags to resolve the package's",
                       condition=SCOPE_TAGS_CONDITION),
    CommandPermissions("unpublish", (SCRIPTS_WRITE,), "find the remediation and delete it"),
    CommandPermissions("unpublish --dry-run", (SCRIPTS_READ,), "find the remediation; delete nothing"),
    CommandPermissions("results", (SCRIPTS_READ,),
                       "find the remediation and read its deviceRunStates (device names come expanded)"),
    CommandPermissions("trigger", (SCRIPTS_READ, DEVICES_READ, DEVICES_PRIVILEGED),
                       "find the remediation; find the managed device; start the on-demand run"),
    CommandPermissions("trigger --dry-run", (SCRIPTS_READ, DEVICES_READ),
                       "find the remediation and the managed device; start nothing"),
    CommandPermissions("trigger --group NAME|ID", (GROUPS_READ,),
                       "in addition, with --group: find the group and list its device members"),
)
_BY_COMMAND = {c.command: c for c in COMMANDS if not c.condition}


def for_command(command: str) -> CommandPermissions:
    return _BY_COMMAND[command]


def help_text(command: str) -> str:
    """The sentence a command's --help shows (click joins it into the epilog)."""
    needed = for_command(command)
    text = f"Graph permissions (delegated or application): {needed.line()}."
    for extra in COMMANDS:
        if extra.command.startswith(f"{command} --"):
            option = extra.command[len(command) + 1:]
            text += f" With {option}: {extra.line()}" + (" instead." if option == "--dry-run" else " too.")
        elif extra.command == command and extra.condition:
            text += f" When the {extra.condition}: {extra.line()} too."
    return text


def markdown_table() -> str:
    """The permissions table of docs/intune.md (a test checks the doc contains it verbatim)."""
    rows = ["| command | Graph permissions | used for |", "|---|---|---|"]
    rows += [f"| `remediate {c.command}`{f' ({c.condition})' if c.condition else ''} | "
             f"{', '.join(f'`{p}`' for p in c.permissions)} | {c.why} |" for c in COMMANDS]
    return "\n".join(rows)
