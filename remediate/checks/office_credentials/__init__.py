"""Stale Office / classic Teams credentials in Credential Manager, removed only with evidence (DOMAIN.md s.3).

cmdkey sees only the current user's vault, so this runs in the user package. A credential cannot be moved to
quarantine: the removed target names go to the log and the facts, and the apps write them again at the next
sign-in. Opt-in: ships with ``fix = false`` (then reported as advisory, never non-compliant).

Evidence gate (DOMAIN.md s.1, s.3, s.9): the same family as teams_cache, because these credentials are the
same kind of state, cached Office/Teams refresh tokens: a recent ``last_failure`` of this user with
0xCAA20002 (invalid_request from stale client state), 0xCAA20003 (invalid_grant: expired or revoked refresh
token) or 0xCAA90003/0xCAA90004 (refresh token missing / refresh failed) in ``failure_codes``. Routine noise
(interaction_required, AADSTS50058/50076, the 0xCAA5001C wrapper) never opens it.
"""

import re
from pathlib import Path

from remediate import codes
from remediate.checks.base import Check, Context, Option, Tier

# Credential Manager target prefixes: Office 2016+ (MicrosoftOffice16_Data:SSPI:<upn>, ...:orgid:<upn>) and
# classic Teams (msteams_adalsso/adal_context_<n>).
TARGET_PREFIXES = ("MicrosoftOffice16_Data:", "msteams_adalsso/")
# The program that lists and deletes the user's credentials, under %windir% like every native program the
# checks run (the runtime runs 64-bit PowerShell).
PROGRAM = r"System32\cmdkey.exe"
LIST_TIMEOUT_SECONDS = 2
DELETE_TIMEOUT_SECONDS = 1
DELETE_DEADLINE_SECONDS = 2  # later targets wait for the next run rather than overrun the budget
# Failures a stale cached refresh token explains (see the module docstring).
CODES = ("0xCAA20002", "0xCAA20003", "0xCAA90003", "0xCAA90004")


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
        "Gate": codes.evidence_gate(options["codes"], ()),
    }


CHECK = Check(
    id="office_credentials",
    title="Stale Office and classic Teams credentials removed when this user's sign-in is failing",
    context=Context.USER,
    tier=Tier.OPT_IN,
    budget_seconds=3,
    rank=70,
    evidence_gated=True,
    signal=("a recent sign-in failure of this user with a code that implicates cached tokens (option codes; "
            "routine interaction_required and the 0xCAA5001C wrapper never count) and Credential Manager targets "
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
        Option("codes", list, list(CODES), "failure codes that implicate cached credentials (canonical hex)",
               pattern=r"0x[0-9A-F]{8}"),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
