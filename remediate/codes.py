"""The sign-in error code table, defined once.

``remediate explain CODE`` reads it through ``explain``/``format_explanation``; the PowerShell renderer reads
``table_for_scripts`` (exact codes) and ``family_rules_for_scripts`` (mask rules) so the scripts classify codes
seen in event text exactly as Python does. Sources: DOMAIN.md section 1 (layers, examples, the three numeric
forms logs use) and section 3 (which check addresses which cause).

A hex code matches the exact table first, then the first family rule in ``FAMILIES`` order. Meanings are
short and factual; a code we have no authoritative meaning for says so (0xCAA5009D) instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from remediate.errors import ExitCode, RemediateError
from remediate.output import Result

_U32 = 1 << 32
_S32_MIN = -(1 << 31)


class CodeError(RemediateError):
    """The text given is not an error code in any form we accept."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class CodeInfo:
    code: str  # canonical: "0xCAA20002" (upper-case hex, 8 digits) or "AADSTS50126"
    value: int | None  # unsigned 32-bit value for hex codes, None for AADSTS
    layer: str  # short layer id, a key of LAYER_TITLES
    layer_title: str
    meaning: str  # one sentence; says "unknown" when only the family is known
    checks: tuple[str, ...]  # check ids that address it
    known: bool  # False when only the family/layer is known


@dataclass(frozen=True)
class Family:
    """A code family: every value with ``value & mask == match`` belongs to ``layer``."""

    pattern: str  # how DOMAIN.md writes it, "?" = any hex digit
    mask: int
    match: int
    layer: str
    checks: tuple[str, ...]  # default checks for codes of this family that are not in the exact table


LAYER_TITLES: dict[str, str] = {
    "ui": "Needs user interaction / developer error",
    "oauth": "OAuth error returned by Entra ID / AD FS",
    "http": "HTTP status in the low 16 bits",
    "system": "System error in the sign-in stack",
    "urlmon": "URLmon / INET network error",
    "winhttp": "WinHTTP / WinINet error, low 16 bits = 12xxx code",
    "protocol": "Protocol, realm discovery or WS-Trust error",
    "broker": "Token broker status",
    "tpm": "TPM error (keys held in the Trusted Platform Module)",
    "keystore": "Security / key store error (facility 9: NTE_*, SEC_E_*)",
    "hresult": "Windows error code (HRESULT or Win32 status)",
    "aadsts": "Entra ID sign-in error (AADSTS)",
    "msis": "AD FS server error (MSIS)",
    "success": "Success",
    "unknown": "Unknown layer",
}

# Groups of check ids, named after the cause they address (DOMAIN.md section 3).
_NET = ("network_endpoints", "user_proxy", "vpn_state")
_TLS = ("tls12_machine", "tls12_user", "network_endpoints")
_DEVICE = ("device_registration", "signin_advice")
_ADVICE = ("signin_advice",)

# Order matters: the first matching rule wins, so specific rules come before catch-alls. The CAA families
# ignore the first hex digit because event text shows the network class as 0x?AA7???? (DOMAIN.md section 2).
FAMILIES: tuple[Family, ...] = (
    Family("0x?AA1????", 0x0FFF0000, 0x0AA10000, "ui", ("wam_broker", "office_identity_overrides", "signin_advice")),
    Family("0x?AA2????", 0x0FFF0000, 0x0AA20000, "oauth", ("aad_evidence", "signin_advice")),
    Family("0x?AA3????", 0x0FFF0000, 0x0AA30000, "http", _NET),
    Family("0x?AA5????", 0x0FFF0000, 0x0AA50000, "system", ("aad_evidence", "wam_broker")),
    Family("0x?AA7????", 0x0FFF0000, 0x0AA70000, "urlmon", _NET),
    Family("0x?AA8????", 0x0FFF0000, 0x0AA80000, "winhttp", _NET),
    Family("0x?AA9????", 0x0FFF0000, 0x0AA90000, "protocol", ("aad_evidence", "network_endpoints", "account_conflict")),
    Family("0x?AAB????", 0x0FFF0000, 0x0AAB0000, "broker", ("wam_broker", "token_broker_accounts")),
    Family("0x?AA?????", 0x0FF00000, 0x0AA00000, "unknown", ("aad_evidence",)),
    Family("0x?028????", 0x0FFF0000, 0x00280000, "tpm", ("token_broker_accounts", "device_registration")),
    Family("0x?029????", 0x0FFF0000, 0x00290000, "tpm", ("token_broker_accounts", "device_registration")),
    Family("0x?009????", 0x0FFF0000, 0x00090000, "keystore", ("token_broker_accounts",)),
    Family("0x8007????", 0xFFFF0000, 0x80070000, "hresult", ("aad_evidence",)),
    Family("0x0000????", 0xFFFF0000, 0x00000000, "hresult", ("aad_evidence",)),
    Family("0x8???????", 0x80000000, 0x80000000, "hresult", ("aad_evidence",)),
)
AADSTS_FAMILY = Family("AADSTS*", 0, 0, "aadsts", _ADVICE)
UNKNOWN_CHECKS: tuple[str, ...] = ("aad_evidence",)

# Routine on healthy devices (DOMAIN.md s.9): silent token requests answered "interaction needed" (0xCAA10001,
# 0xCAA2000C, AADSTS50058, AADSTS50076) and 0xCAA5001C, the generic wrapper of every event 1098. Never
# evidence for a fix, whatever a gate's codes or layers say (the scripts' evidence gate drops them).
ROUTINE_CODES: tuple[str, ...] = ("0xCAA10001", "0xCAA2000C", "0xCAA5001C", "AADSTS50058", "AADSTS50076")


def evidence_gate(codes: tuple[str, ...] | list[str], layers: tuple[str, ...] | list[str]) -> dict:
    """The desired-state form of an evidence gate (Get-RmUserEvidence -Gate): what implicates a fix."""
    return {"Codes": sorted(codes), "Layers": sorted(layers), "Routine": sorted(ROUTINE_CODES)}

# Exact hex codes: value -> (checks, meaning). The layer always comes from FAMILIES (a test pins it).
_HEX: dict[int, tuple[tuple[str, ...], str]] = {
    0xCAA10001: (("wam_broker", "office_identity_overrides", "signin_advice"),
                 "User interaction is needed: a token could not be obtained silently."),
    0xCAA20002: (("aad_evidence", "wam_broker", "token_broker_accounts", "teams_cache",
                  "office_identity_overrides", "prt_state", "signin_advice"),
                 "OAuth invalid_request: Entra ID / AD FS rejected the request; the real cause is the "
                 "AADSTS or MSIS code logged beside it."),
    0xCAA20003: (("clock_sync", "prt_state", "token_broker_accounts"),
                 "OAuth invalid_grant: the refresh token or PRT was expired or revoked, or the clock is wrong."),
    0xCAA20004: (("aad_evidence", "device_registration", "signin_advice"),
                 "OAuth access_denied: the server refused access, typically by a Conditional Access policy."),
    0xCAA20005: (("aad_evidence", "network_endpoints"),
                 "OAuth temporarily_unavailable: the server could not handle the request at that moment."),
    0xCAA20009: (("aad_evidence", "signin_advice"),
                 "OAuth invalid_client: the server rejected the client application named in the request."),
    0xCAA2000C: (("prt_state", "wam_broker", "signin_advice"),
                 "OAuth interaction_required: the server requires an interactive sign-in."),
    0xCAA30194: (("network_endpoints", "user_proxy"),
                 "HTTP 404 Not Found was returned to the sign-in request."),
    0xCAA30197: (("user_proxy", "network_endpoints", "vpn_state"),
                 "HTTP 407 Proxy Authentication Required: a proxy demanded credentials."),
    0xCAA5001C: (("aad_evidence", "wam_broker"),
                 "Token broker operation failed: a wrapper; the inner error code is in the event text "
                 "(AAD event 1098)."),
    0xCAA70004: (_NET, "Server or proxy not found: often a misconfigured proxy or a leftover sniffer "
                       "setting such as Fiddler."),
    0xCAA70007: (_NET, "The connection to the server was interrupted."),
    0xCAA7000A: (_NET, "The request timed out."),
    0xCAA70010: (("clock_sync", "network_endpoints", "user_proxy"),
                 "The server certificate was rejected as invalid."),
    0xCAA82EE2: (_NET, "WinHTTP error 12002 (ERROR_WINHTTP_TIMEOUT): the request timed out."),
    0xCAA82EE7: (_NET, "WinHTTP error 12007 (ERROR_WINHTTP_NAME_NOT_RESOLVED): the server name did not "
                       "resolve (DNS)."),
    0xCAA82EFD: (_NET, "WinHTTP error 12029 (ERROR_WINHTTP_CANNOT_CONNECT): could not connect to the server."),
    0xCAA82F05: (("clock_sync", "network_endpoints"),
                 "WinHTTP error 12037 (ERROR_WINHTTP_SECURE_CERT_DATE_INVALID): a certificate is outside "
                 "its validity dates, often because the clock is wrong."),
    0xCAA82F7D: (_TLS, "WinHTTP error 12157 (ERROR_WINHTTP_SECURE_CHANNEL_ERROR): the TLS secure channel "
                       "could not be set up."),
    0xCAA82F86: (("user_proxy", "network_endpoints"),
                 "WinHTTP error 12166 (ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT): the proxy auto-config (PAC) "
                 "script has an error."),
    0xCAA82F87: (("user_proxy", "network_endpoints"),
                 "WinHTTP error 12167 (ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT): the proxy auto-config "
                 "(PAC) script could not be downloaded."),
    0xCAA82F8F: (_TLS, "WinHTTP error 12175 (ERROR_WINHTTP_SECURE_FAILURE): TLS certificate validation "
                       "failed, often because of TLS inspection."),
    0xCAA82F94: (("user_proxy", "network_endpoints"),
                 "WinHTTP error 12180 (ERROR_WINHTTP_AUTODETECTION_FAILED): proxy auto-detection (WPAD) "
                 "failed."),
    0xCAA90003: (("prt_state", "token_broker_accounts"), "No refresh token was available for the request."),
    0xCAA90004: (("prt_state", "token_broker_accounts"), "The refresh token request failed."),
    0xCAA90018: (("network_endpoints", "user_proxy", "account_conflict"),
                 "User realm discovery failed: the client could not learn how the user's domain signs in."),
    0x80090016: (("token_broker_accounts",),
                 "NTE_BAD_KEYSET: a key the token broker needs is missing from the TPM or software key store."),
    0x80070520: (("token_broker_accounts", "signin_advice"),
                 "ERROR_NO_SUCH_LOGON_SESSION: the logon session does not exist (app started under "
                 "impersonation or elevation, or a SID change)."),
    0x80070102: (_NET, "WAIT_TIMEOUT as an HRESULT: the operation timed out (a network-class error)."),
    0x00000102: (_NET, "WAIT_TIMEOUT: the operation timed out (a network-class error)."),
}

# AADSTS codes: number -> (checks, meaning). Server-side verdicts: nothing local fixes most of them.
_AADSTS: dict[int, tuple[tuple[str, ...], str]] = {
    50053: (_ADVICE, "The account is locked after too many failed attempts, or sign-in was blocked."),
    50055: (_ADVICE, "The user's password has expired."),
    50058: (_ADVICE, "No usable session information was sent for single sign-on (the user is not signed in)."),
    50074: (_ADVICE, "Multifactor authentication is required and the user did not complete it."),
    50076: (_ADVICE, "Multifactor authentication is required (policy change or new location)."),
    50079: (_ADVICE, "The user must register for multifactor authentication."),
    50097: (_DEVICE, "Device authentication is required."),
    50126: (_ADVICE, "Invalid username or password."),
    50155: (_DEVICE, "Device authentication failed, typically because the device was deleted or disabled "
                     "in Entra ID."),
    50173: (_ADVICE, "A fresh sign-in is needed: the grant was revoked, for example after a password change."),
    53000: (_ADVICE, "Conditional Access requires a compliant device and this device is not compliant."),
    53003: (_ADVICE, "Access was blocked by a Conditional Access policy."),
    65001: (_ADVICE, "The user or an administrator has not consented to the application."),
    70043: (_ADVICE, "The refresh token has expired or is invalid because of Conditional Access sign-in "
                     "frequency."),
    90072: (_ADVICE, "The account signing in does not exist in this tenant (for example not added as a guest)."),
    135011: (_DEVICE, "The device used for authentication is disabled in Entra ID."),
    530003: (_ADVICE, "Conditional Access requires a managed device to access this resource."),
    700016: (_ADVICE, "The application was not found in the tenant (wrong tenant or app id)."),
    700082: (_ADVICE, "The refresh token has expired because it was not used for too long."),
}

# Which codes mean a failure of the user's sign-in state (DOMAIN.md s.1-3 and s.9). The user package's
# evidence gates open only on these: a code implicates user state when a check that fixes per-user state
# addresses it and it is not routine noise. Routine on healthy devices: the generic wrapper of every 1098
# (0xCAA5001C, its inner code is what counts), interaction_required answers to silent token requests
# (0xCAA2000C, AADSTS50058, AADSTS50076) and the whole "needs UI" layer (ROUTINE_CODES above, one list for
# the device package's writer and the user package's gate). Network, HTTP and server-verdict
# (AADSTS) codes implicate the network or the account, never the local token state.
USER_STATE_CHECKS: tuple[str, ...] = ("office_credentials", "office_identity_overrides", "prt_state",
                                      "teams_cache", "token_broker_accounts", "wam_broker")
ROUTINE_LAYERS: tuple[str, ...] = ("ui",)


def implicates_user_state(info: CodeInfo) -> bool:
    """Whether a code, seen in this user's events, is evidence that their local sign-in state is broken."""
    if info.code in ROUTINE_CODES or info.layer in ROUTINE_LAYERS:
        return False
    return bool(set(info.checks) & set(USER_STATE_CHECKS))


def _family_implicates(family: Family) -> bool:
    return family.layer not in ROUTINE_LAYERS and bool(set(family.checks) & set(USER_STATE_CHECKS))


_HTTP_NAMES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    407: "Proxy Authentication Required", 408: "Request Timeout", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}
_WINHTTP_NAMES = {
    12002: "ERROR_WINHTTP_TIMEOUT", 12007: "ERROR_WINHTTP_NAME_NOT_RESOLVED",
    12029: "ERROR_WINHTTP_CANNOT_CONNECT", 12030: "ERROR_WINHTTP_CONNECTION_ERROR",
    12037: "ERROR_WINHTTP_SECURE_CERT_DATE_INVALID", 12038: "ERROR_WINHTTP_SECURE_CERT_CN_INVALID",
    12044: "ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED", 12045: "ERROR_WINHTTP_SECURE_INVALID_CA",
    12157: "ERROR_WINHTTP_SECURE_CHANNEL_ERROR", 12166: "ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT",
    12167: "ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT", 12175: "ERROR_WINHTTP_SECURE_FAILURE",
    12180: "ERROR_WINHTTP_AUTODETECTION_FAILED",
}
_WIN32_NAMES = {258: "WAIT_TIMEOUT", 1312: "ERROR_NO_SUCH_LOGON_SESSION"}


def _referenced_checks() -> tuple[str, ...]:
    ids = {c for f in (*FAMILIES, AADSTS_FAMILY) for c in f.checks} | set(UNKNOWN_CHECKS)
    ids |= {c for table in (_HEX, _AADSTS) for checks, _ in table.values() for c in checks}
    return tuple(sorted(ids))


CHECK_IDS: tuple[str, ...] = _referenced_checks()


# ----------------------------------------------------------------------------------------------- parsing

# AD FS (MSIS) codes: number -> meaning, as AD FS writes them in its Admin event log and error pages. For
# `remediate explain` only: the scripts read Entra's AADSTS and the client's hex codes, not AD FS's log.
_MSIS: dict[int, str] = {
    3173: "Active Directory account validation failed: the account is disabled, locked or expired, or AD FS "
          "could not reach a domain controller.",
    5007: "The caller authorization failed: the relying party's issuance authorization rules deny this user.",
    7042: "The same client browser session made too many requests in a short time (AD FS loop detection).",
    7065: "There are no registered protocol handlers on the path to process the incoming request (a wrong "
          "AD FS endpoint URL).",
    7066: "Authentication of the presented token failed.",
    7102: "The requested authentication method is not supported on the AD FS server.",
}

# Microsoft Learn references, by layer, where Microsoft documents the codes of that layer.
REFERENCES: dict[str, str] = {
    "aadsts": "https://learn.microsoft.com/entra/identity-platform/reference-error-codes",
    "msis": "https://learn.microsoft.com/windows-server/identity/ad-fs/troubleshooting/ad-fs-tshoot-overview",
    "winhttp": "https://learn.microsoft.com/windows/win32/winhttp/error-messages",
    "hresult": "https://learn.microsoft.com/windows/win32/debug/system-error-codes",
}

_AADSTS_RE = re.compile(r"AADSTS(\d{1,9})")
_MSIS_RE = re.compile(r"MSIS(\d{1,5})")
_AADSTS_BARE_RE = re.compile(r"\d{5,6}")  # how AADSTS numbers look when "AADSTS" was dropped
_HEX_RE = re.compile(r"0X([0-9A-F]{1,8})")
_BARE_HEX_RE = re.compile(r"[0-9A-F]{8}")
_DEC_RE = re.compile(r"\d{1,10}")
_NEG_RE = re.compile(r"-\d{1,10}")


def _bad(text: str) -> CodeError:
    shown = repr(text if len(text) <= 40 else text[:40] + "...")
    return CodeError(f"not an error code: {shown} (expected e.g. 0xCAA20002, CAA20002, 3399614466, "
                     f"-895352830, AADSTS50126 or MSIS7065)", text=text)


def normalize(text: str) -> str | int:
    """Parse a code as logs show it: an unsigned int for numeric codes, "AADSTSnnnn" for Entra codes.

    Accepted: 0x-prefixed hex, bare 8-digit hex (when it has a letter or starts with 8 or C, as HRESULTs do;
    "80090016" is NTE_BAD_KEYSET, not eighty million), unsigned decimal, signed 32-bit decimal, AADSTSnnnn.
    """
    if not isinstance(text, str):
        raise _bad(str(text))
    s = text.strip().upper()
    if m := _AADSTS_RE.fullmatch(s):
        return f"AADSTS{int(m.group(1))}"
    if m := _MSIS_RE.fullmatch(s):
        return f"MSIS{int(m.group(1)):04d}"
    if m := _HEX_RE.fullmatch(s):
        return int(m.group(1), 16)
    if _BARE_HEX_RE.fullmatch(s) and (not s.isdigit() or s[0] in "8C"):
        return int(s, 16)
    if _DEC_RE.fullmatch(s) and int(s) < _U32:
        return int(s)
    if _NEG_RE.fullmatch(s) and int(s) >= _S32_MIN:
        return int(s) % _U32
    raise _bad(text)


def canonical(code: str | int) -> str:
    """The canonical spelling of a normalized code: "0xCAA20002" or "AADSTS50126"."""
    return code if isinstance(code, str) else f"0x{code:08X}"


def signed(value: int) -> int:
    """The signed 32-bit reading of an unsigned value, as some logs (and PowerShell's [int]) show it."""
    return value - _U32 if value >= 1 << 31 else value


# ------------------------------------------------------------------------------------------------ layers

def family_of(value: int) -> Family | None:
    """The first family rule matching the value, or None."""
    for family in FAMILIES:
        if value & family.mask == family.match:
            return family
    return None


def decode_layer(value: int) -> str:
    """The layer id of a numeric code: the 4th hex digit for 0x?AA?????, facility rules for the others."""
    family = family_of(value)
    return family.layer if family else "unknown"


def decode_detail(value: int) -> str | None:
    """What the low bits say where the layer defines them: "HTTP 407 (...)", "WinHTTP error 12002 (...)"."""
    layer, low = decode_layer(value), value & 0xFFFF
    if layer == "http":
        name = _HTTP_NAMES.get(low)
        return f"HTTP {low}" + (f" ({name})" if name else "")
    if layer == "winhttp" and 12000 <= low < 13000:
        name = _WINHTTP_NAMES.get(low)
        return f"WinHTTP error {low}" + (f" ({name})" if name else "")
    if layer == "hresult" and value & 0xFFFF0000 in (0x80070000, 0):
        name = _WIN32_NAMES.get(low)
        return f"Win32 error {low}" + (f" ({name})" if name else "")
    return None


# ----------------------------------------------------------------------------------------------- explain

def _explain_hex(value: int) -> CodeInfo:
    if value == 0:  # S_OK / ERROR_SUCCESS: what a log shows when a step worked
        return CodeInfo(canonical(0), 0, "success", LAYER_TITLES["success"],
                        "Success (S_OK / ERROR_SUCCESS): not an error.", (), True)
    layer = decode_layer(value)
    code = canonical(value)
    if value in _HEX:
        checks, meaning = _HEX[value]
        return CodeInfo(code, value, layer, LAYER_TITLES[layer], meaning, checks, True)
    family = family_of(value)
    checks = family.checks if family else UNKNOWN_CHECKS
    detail = decode_detail(value)
    if layer == "unknown":
        meaning = "Unknown code: no authoritative meaning found and no known layer."
    elif detail:
        meaning = f"Unknown code in the {layer} layer: its low bits read {detail}; no specific meaning known."
    else:
        meaning = (f"Unknown code: no authoritative meaning found; only its layer ({layer}) is known.")
    return CodeInfo(code, value, layer, LAYER_TITLES[layer], meaning, checks, False)


def _explain_aadsts(code: str) -> CodeInfo:
    number = int(code[len("AADSTS"):])
    title = LAYER_TITLES["aadsts"]
    if number in _AADSTS:
        checks, meaning = _AADSTS[number]
        return CodeInfo(code, None, "aadsts", title, meaning, checks, True)
    meaning = "Unknown AADSTS code: not in our table; look it up in Microsoft's AADSTS error reference."
    return CodeInfo(code, None, "aadsts", title, meaning, AADSTS_FAMILY.checks, False)


def _explain_msis(code: str) -> CodeInfo:
    number = int(code[len("MSIS"):])
    title = LAYER_TITLES["msis"]
    if number in _MSIS:
        return CodeInfo(code, None, "msis", title, _MSIS[number], AADSTS_FAMILY.checks, True)
    meaning = "Unknown MSIS code: an AD FS server error; the AD FS Admin event log on the AD FS server has it."
    return CodeInfo(code, None, "msis", title, meaning, AADSTS_FAMILY.checks, False)


def explain(text: str) -> CodeInfo:
    """Everything we know about a code given in any accepted form. Raises CodeError for garbage."""
    code = normalize(text)
    if isinstance(code, str):
        return _explain_msis(code) if code.startswith("MSIS") else _explain_aadsts(code)
    return _explain_hex(code)


def aadsts_hint(text: str) -> str | None:
    """For a bare five- or six-digit number (AADSTS numbers with the prefix dropped): the AADSTS reading."""
    if not isinstance(text, str) or not _AADSTS_BARE_RE.fullmatch(text.strip()):
        return None
    info = _explain_aadsts(f"AADSTS{int(text)}")
    what = info.meaning if info.known else "not in our table"
    return f"did you mean AADSTS{int(text)}? ({what}) - remediate explain AADSTS{int(text)}"


def format_explanation(info: CodeInfo) -> str:
    """A short multi-line human text for ``remediate explain``."""
    if info.value is None:
        lines = [info.code]
    else:
        lines = [f"{info.code} = {info.value} (unsigned) = {signed(info.value)} (signed)"]
    lines.append(f"layer:   {info.layer} - {info.layer_title}")
    detail = decode_detail(info.value) if info.value is not None and info.layer != "success" else None
    if detail:
        lines.append(f"detail:  {detail}")
    lines.append(f"meaning: {info.meaning}")
    if not info.known:
        lines.append("known:   no - only the layer is known; the evidence around it matters more")
    lines.append(f"checks:  {', '.join(info.checks) or '-'}")
    if info.layer in REFERENCES:
        lines.append(f"see:     {REFERENCES[info.layer]}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- data for the scripts

def all_codes() -> list[CodeInfo]:
    """Every code in the exact table, hex codes by value first, then AADSTS codes by number."""
    infos = [_explain_hex(v) for v in sorted(_HEX)]
    infos += [_explain_aadsts(f"AADSTS{n}") for n in sorted(_AADSTS)]
    return infos


def table_for_scripts() -> list[dict]:
    """Plain data for the PowerShell renderer: one dict per exact code, sorted as ``all_codes``.

    ``signed`` is given because Windows PowerShell 5.1 reads the literal 0xCAA20002 as a negative [int].
    """
    return [
        {
            "code": info.code,
            "value": info.value,
            "signed": signed(info.value) if info.value is not None else None,
            "layer": info.layer,
            "checks": list(info.checks),
            "meaning": info.meaning,
            "user_state": implicates_user_state(info),
        }
        for info in all_codes()
    ]


def family_rules_for_scripts() -> list[dict]:
    """The family rules in match order (first match wins; exact codes are looked up before these).

    Hex rules: ``value -band mask -eq match``. The AADSTS rule has ``prefix`` instead of mask/match.
    """
    rules = [
        {"pattern": f.pattern, "mask": f.mask, "match": f.match, "prefix": None, "layer": f.layer,
         "layer_title": LAYER_TITLES[f.layer], "checks": list(f.checks), "user_state": _family_implicates(f)}
        for f in FAMILIES
    ]
    rules.append({"pattern": AADSTS_FAMILY.pattern, "mask": None, "match": None, "prefix": "AADSTS",
                  "layer": "aadsts", "layer_title": LAYER_TITLES["aadsts"], "checks": list(AADSTS_FAMILY.checks),
                  "user_state": _family_implicates(AADSTS_FAMILY)})
    return rules


def explain_result(text: str) -> Result:
    """``remediate explain``."""
    info = explain(text)
    hint = aadsts_hint(text)
    data = {"code": info.code, "value": info.value, "layer": info.layer, "layer_title": info.layer_title,
            "meaning": info.meaning, "checks": list(info.checks), "known": info.known,
            "reference": REFERENCES.get(info.layer), "hint": hint}
    return Result("explain", data, format_explanation(info) + "\n" + (f"hint:    {hint}\n" if hint else ""))
