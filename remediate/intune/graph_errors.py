"""Graph error answers turned into one-line messages that say what to do.

Intune wraps its own error inside Graph's: ``error.message`` is itself a JSON document whose ``Message``
holds the sentence that matters, e.g. ``Application is not authorized to perform this operation. Application
must have one of the following scopes: DeviceManagementScripts.Read.All, DeviceManagementScripts.ReadWrite.All
- Operation ID (for customer support): ... - Activity ID: ... - Url: ...`` (DOMAIN.md section 5). The
permission list sits past the first 200 characters, so it is extracted rather than cut.
"""

from __future__ import annotations

import json
import re
from typing import Any

import requests

from remediate.errors import ServiceError
from remediate.intune.permissions import CommandPermissions, with_implied

_SCOPES_RE = re.compile(r"must have one of the following (?:scopes|permissions):\s*(?P<scopes>.+?)\s*"
                        r"(?:- Operation ID|- Activity ID|$)", re.IGNORECASE)
_TAIL_RE = re.compile(r"\s+- (?:Operation ID|Activity ID|Url)\b.*$", re.DOTALL)
_MAX_DETAIL = 600  # one readable line; the permission list is extracted before any cut


def graph_error(response: requests.Response) -> tuple[str, str]:
    """(code, message) of a Graph error body, with Intune's nested ``Message`` unwrapped."""
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return "", ""
    if not isinstance(error, dict):
        return "", ""
    code, message = str(error.get("code") or ""), error.get("message")
    message = message if isinstance(message, str) else ""
    inner = _nested_message(message)
    return code, " ".join((inner if inner is not None else message).split())


def _nested_message(message: str) -> str | None:
    if not message.lstrip().startswith("{"):
        return None
    try:
        nested: Any = json.loads(message)
    except ValueError:
        return None
    value = nested.get("Message") if isinstance(nested, dict) else None
    return value if isinstance(value, str) else None


def required_scopes(message: str) -> list[str]:
    """The permissions Intune says the call needs, in its order; [] when it names none."""
    match = _SCOPES_RE.search(message)
    if not match:
        return []
    return [s.strip() for s in match["scopes"].split(",") if s.strip()]


def _readable(message: str) -> str:
    text = _TAIL_RE.sub("", message)
    return text if len(text) <= _MAX_DETAIL else text[:_MAX_DETAIL - 3] + "..."


def http_error(method: str, short: str, response: requests.Response, what: str, permission: str,
               needs: CommandPermissions | None) -> ServiceError:
    """The ServiceError for a final 4xx/5xx answer."""
    status = response.status_code
    code, message = graph_error(response)
    # A call that needs more than the command's base row (a group looked up by name, the tenant's scope tags)
    # says so, or the closing list would contradict "this call needs".
    covered = needs is None or not permission or permission in with_implied(needs.permissions)
    extra = "" if covered else f", and for this call {permission}"
    command_needs = (f"; 'remediate {needs.command}' needs {needs.line()}{extra} (docs/intune.md, Permissions)"
                     if needs else "")
    if status in (401, 403):
        scopes = required_scopes(message)
        if scopes:
            said = f"Intune requires one of: {', '.join(scopes)}"
        else:
            said = f"Graph says: {_readable(f'{code}: {message}'.strip(': '))}" if (code or message) else ""
        head = ("Graph rejected the credentials (401)" if status == 401
                else "missing permission (403)")
        body = "; ".join(p for p in (f"this call needs {permission}", said) if p)
        hint = ": sign in again or grant the permission" if status == 401 else ""
        return ServiceError(f"{head} on {method} {short}{hint}: {body}{command_needs}", status=status,
                            code="unauthorized" if status == 401 else "forbidden")
    if status == 404:
        return ServiceError(f"not found: {what} (404 on {method} {short})", status=status, code="not_found")
    detail = _readable(f"{code}: {message}".strip(": "))
    suffix = f" ({detail})" if detail else ""
    return ServiceError(f"Graph answered {status} on {method} {short}{suffix}", status=status, code="http")
