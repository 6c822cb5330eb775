"""On-demand remediation for one device: ``POST /deviceManagement/managedDevices/{id}/
initiateOnDemandProactiveRemediation {"scriptPolicyId": ...}`` answers 204 (DOMAIN.md section 5).

It is a remote action: it is sent once. A 5xx, a lost connection or a timeout after sending leave its outcome
unknown, which is reported as such (``OutcomeUnknownError``, exit 7) instead of being re-sent blindly; a 429
(Graph refused it) is waited out and sent again.

The device is given by Intune id (a GUID) or by name, resolved with ``$filter=deviceName eq '...'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from remediate.errors import OutcomeUnknownError, ServiceError
from remediate.intune.graph import Call, GraphClient
from remediate.intune.permissions import DEVICES_PRIVILEGED, DEVICES_READ
from remediate.intune.publish import PlannedRequest, find_script

DEVICES_PATH = "/deviceManagement/managedDevices"
_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class TriggerResult:
    display_name: str
    script_id: str
    device_id: str
    device_name: str
    request: PlannedRequest
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {"display_name": self.display_name, "script_id": self.script_id, "device_id": self.device_id,
                "device_name": self.device_name, "dry_run": self.dry_run, "request": self.request.to_dict()}


def odata_string(value: str) -> str:
    """An OData string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def resolve_device(client: GraphClient, device: str) -> tuple[str, str]:
    """(id, name) of a managed device given by id or by name; ServiceError when none or several match."""
    read = Call(what=f"managed device {device!r}", permission=DEVICES_READ)
    if _GUID_RE.fullmatch(device):
        found = client.get(f"{DEVICES_PATH}/{device}", {"$select": "id,deviceName"}, call=read)
        return _device_fields(found, device)
    params = {"$filter": f"deviceName eq {odata_string(device)}", "$select": "id,deviceName"}
    matches = list(client.get_all(DEVICES_PATH, params, call=read))
    if not matches:
        raise ServiceError(f"not found: no managed device named {device!r}", status=404, code="not_found")
    if len(matches) > 1:
        ids = ", ".join(str(m.get("id")) for m in matches)
        raise ServiceError(f"{len(matches)} managed devices are named {device!r} ({ids}); pass the device id",
                           code="ambiguous")
    return _device_fields(matches[0], device)


def _device_fields(found: Any, device: str) -> tuple[str, str]:
    if not isinstance(found, dict) or not isinstance(found.get("id"), str):
        raise ServiceError(f"Graph returned managed device {device!r} without an id", code="bad_response")
    return found["id"], str(found.get("deviceName") or "")


def trigger(client: GraphClient, display_name: str, device: str, *, dry_run: bool = False) -> TriggerResult:
    script = find_script(client, display_name)
    if script is None:
        raise ServiceError(f"not found: no remediation named {display_name!r} in Intune (publish it first)",
                           status=404, code="not_found")
    device_id, device_name = resolve_device(client, device)
    request = PlannedRequest("POST", f"{DEVICES_PATH}/{device_id}/initiateOnDemandProactiveRemediation",
                             {"scriptPolicyId": script["id"]})
    if not dry_run:
        try:
            client.request(request.method, request.path, body=request.body,
                           call=Call(what=f"on-demand run on managed device {device!r}",
                                     permission=DEVICES_PRIVILEGED, idempotent=False))
        except OutcomeUnknownError as exc:
            # A remote action: re-sending could run the remediation twice, so say what is unknown and stop.
            raise OutcomeUnknownError(
                f"outcome unknown: the on-demand run of {display_name!r} on {device_name or device} "
                f"[{device_id}] may or may not have started ({exc.reason}); "
                "it was not sent again: check the device's remediation status in the Intune portal before "
                "triggering again", reason=exc.reason, status=exc.status) from None
    return TriggerResult(display_name, script["id"], device_id, device_name, request, dry_run)
