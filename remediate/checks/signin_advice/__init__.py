"""Helpdesk advice for sign-in errors that nothing on the device can fix (DOMAIN.md s.3, last row).

The codes come from this user's evidence (the device package's file); the meanings come from
``remediate.codes`` so that ``remediate explain`` and the scripts say the same thing. This module only adds
a short advice key per code family, which is what the result line carries.

Evidence: advice never changes anything, so it reads both the failures (``failure_codes``/``last_failure``)
and the noise-inclusive keys (``codes``/``last_event``) of the device package's file, but routine codes
(interaction_required, AADSTS50058/50076, 0xCAA10001, the 0xCAA5001C wrapper: DOMAIN.md s.9) are left out:
on a healthy device they are all there is, and advice about them would be noise for the helpdesk.
"""

from pathlib import Path

from remediate import codes
from remediate.checks.base import Check, Context, Option, Tier

# Advice key -> the canonical codes it covers. Every code here must be one codes.py routes to this check
# (a test pins it). 0xCAA20002 is left out on purpose: it is the symptom itself, the AADSTS code beside it
# is the advice.
ADVICE: dict[str, tuple[str, ...]] = {
    "wrong_password": ("AADSTS50126",),
    "account_locked": ("AADSTS50053",),
    "password_expired": ("AADSTS50055",),
    "password_changed": ("AADSTS50173",),
    "mfa_required": ("AADSTS50074", "AADSTS50076"),
    "mfa_registration": ("AADSTS50079",),
    "conditional_access": ("AADSTS53003", "0xCAA20004"),
    "device_compliance": ("AADSTS53000", "AADSTS530003"),
    "device_disabled": ("AADSTS135011",),
    "device_deleted": ("AADSTS50155",),
    "device_auth_required": ("AADSTS50097",),
    "refresh_token_expired": ("AADSTS70043", "AADSTS700082"),
    "no_sso_session": ("AADSTS50058",),
    "consent_required": ("AADSTS65001",),
    "user_not_in_tenant": ("AADSTS90072",),
    "app_not_in_tenant": ("AADSTS700016",),
    "interaction_required": ("0xCAA10001", "0xCAA2000C"),
    "invalid_client": ("0xCAA20009",),
    "apps_elevated_or_sid_change": ("0x80070520",),
}
# Any other AADSTS code: codes.py's meaning for it is "look it up in Microsoft's AADSTS error reference".
UNKNOWN_AADSTS = "lookup_aadsts"


def advice_table() -> dict[str, str]:
    """Canonical code -> advice key, sorted by code, spelled as remediate.codes.explain spells it.

    The meanings stay in remediate.codes (`remediate explain <code>`): the scripts carry only the keys, which
    keeps both scripts small and the result line short.
    """
    table = {}
    for key, members in ADVICE.items():
        for code in members:
            table[codes.explain(code).code] = key
    return dict(sorted(table.items()))


def desired(options):
    return {"Advice": advice_table(), "UnknownKey": UNKNOWN_AADSTS, "MaxCodes": options["max_codes"],
            "Gate": codes.evidence_gate((), ())}


CHECK = Check(
    id="signin_advice",
    title="Helpdesk advice for sign-in errors that nothing local can fix",
    context=Context.USER,
    tier=Tier.ADVISORY,
    budget_seconds=1,
    rank=95,
    signal=("AADSTS and server-verdict codes in this user's sign-in failure evidence in the window (the device "
            "package's evidence file), each mapped to one advice key (listed under Fix)"),
    # The mapping goes to the README through `fix` (an advisory check's fix text is not rendered into the
    # scripts, which keeps them small).
    fix=("none (advisory): the facts list each code seen with its advice key, most frequent first; "
         "`remediate explain <code>` gives its meaning. Keys: "
         + "; ".join(f"{key} ({', '.join(members)})" for key, members in ADVICE.items())
         + f"; any other AADSTS code: {UNKNOWN_AADSTS}"),
    options=(
        Option("window_hours", int, 72, "evidence window", min=1, max=720),
        Option("max_codes", int, 6, "codes listed in the facts (the result line holds 2,048 characters)",
               min=1, max=20),
    ),
    desired=desired,
    directory=Path(__file__).parent,
)
