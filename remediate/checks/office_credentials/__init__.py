"""Stale Office / classic Teams credentials in Credential Manager, removed only with evidence (DOMAIN.md s.3).

cmdkey sees only the current user's vault, so this runs in the user package. A credential cannot be moved to
quarantine: the removed target names go to the log and the facts, and the apps write them again at the next
sign-in. Opt-in: ships with ``fix = false``.
"""

import re
from pathlib import Path

from remediate.checks.base import Check, Context, Option, Tier

# Credential Manager target prefixes: Office 2016+ (MicrosoftOffice16_Data:SSPI:<upn>, ...:orgid:<upn>) and
# classic Teams (msteams_adalsso/adal_context_<n>).
TARGET_PREFIXES = ("MicrosoftOffice16_Data:", "msteams_adalsso/")
# The Windows folder program that lists and deletes the user's credentials.
PROGRAM = "cmdkey.exe"
LIST_TIMEOUT_SECONDS = 2
DELETE_TIMEOUT_SECONDS = 1
DELETE_DEADLINE_SECONDS = 2  # later targets wait for the next run rather than overrun the budget


def line_pattern(prefixes) -> str:
    """A .NET (and Python) regex for one `cmdkey /list` target line; group 1 is the target to delete.

    The label is matched loosely ("Target:" in English, localised elsewhere); the value is the target as
    cmdkey prints it, often with its type in front ("LegacyGeneric:target=msteams_adalsso/adal_context_0"),
    which is also the form `cmdkey /delete:` is given.
    """
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes))
    return r"(?i)^\s*[^:]{1,40}:\s*((?:[a-z]+:target=)?(?:" + alternatives + r").*?)\s*$"


def desired(options):
    return {
        "Program": PROGRAM,
        "LinePattern": line_pattern(options["targets"]),
        "ListTimeoutSeconds": LIST_TIMEOUT_SECONDS,
        "DeleteTimeoutSeconds": DELETE_TIMEOUT_SECONDS,
        "DeleteDeadlineSeconds": DELETE_DEADLINE_SECONDS,
    }


CHECK = Check(
    id="office_credentials",
    title="Stale Office and classic Teams credentials removed when this user's sign-in is failing",
    context=Context.USER,
    tier=Tier.OPT_IN,
    budget_seconds=3,
    rank=70,
    evidence_gated=True,
    signal=("sign-in failure evidence for this user in the window and Credential Manager targets "
            "MicrosoftOffice16_Data:* or msteams_adalsso/* (cmdkey /list; option targets), not already "
            "removed for the same evidence"),
    fix="cmdkey /delete:<target> for each such target of this user (names recorded in the log and facts)",
    backup=("nothing can be kept: a credential cannot be quarantined; the removed target names are written "
            "to the log and the facts, and Office/Teams create them again at the next sign-in"),
    undo="sign in to Office / Teams again: the apps recreate the credentials",
    options=(
        Option("window_hours", int, 72, "evidence window", min=1, max=720),
        Option("evidence_mode", str, "evidence", "evidence: fix only with evidence; always: fix regardless",
               choices=("evidence", "always")),
        Option("targets", list, list(TARGET_PREFIXES), "Credential Manager target prefixes to remove",
               pattern=r"[A-Za-z0-9_./-]{3,60}[:/]"),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
