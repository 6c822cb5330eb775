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

from remediate.errors import ExitCode, OutcomeUnknownError, ServiceError
from remediate.intune.graph import Call, GraphClient, odata_string
from remediate.intune.permissions import DEVICES_PRIVILEGED, DEVICES_READ, GROUPS_READ
from remediate.intune.publish import PlannedRequest, find_script
from remediate.output import Result

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


def group_devices(client: GraphClient, group: str) -> tuple[list[str], list[str]]:
    """(managed device ids, notes) of a group's device members (transitively); members that are not devices
    or not managed by Intune are named in the notes, never run."""
    from remediate.intune.publish import resolve_group

    group_id = group if _GUID_RE.fullmatch(group) else resolve_group(client, group)
    read = Call(what=f"members of group {group!r}", permission=GROUPS_READ)
    members = client.get_all(f"/groups/{group_id}/transitiveMembers/microsoft.graph.device",
                             {"$select": "id,deviceId,displayName"}, call=read)
    ids, notes = [], []
    for member in members:
        params = {"$filter": f"azureADDeviceId eq {odata_string(str(member.get('deviceId')))}",
                  "$select": "id,deviceName"}
        managed = list(client.get_all(DEVICES_PATH, params, call=Call(what="managed devices",
                                                                      permission=DEVICES_READ)))
        if managed:
            ids.append(str(managed[0]["id"]))
        else:
            notes.append(f"remediate: {member.get('displayName')} ({member.get('deviceId')}) is in {group!r} but "
                         "not managed by Intune: skipped")
    if not ids:
        raise ServiceError(f"not found: group {group!r} has no device managed by Intune", status=404,
                           code="not_found")
    return ids, notes


def trigger_many(client: GraphClient, display_name: str, devices: list[str], group: str | None, *,
                 dry_run: bool = False) -> Result:
    """``remediate trigger`` for several devices and/or a group's devices, each run once (a device named and
    also in the group too): one device's failure is recorded and the others still run. Exit 7 when any
    outcome is unknown, else 6 on any error."""
    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    lines: list[str] = []
    worst = ExitCode.OK
    targets: dict[str, str] = {}  # managed device id -> how it was given
    for device in devices:
        try:
            targets.setdefault(resolve_device(client, device)[0], device)
        except ServiceError as exc:
            worst = max(worst, _record(rows, lines, device, exc))
    if group:
        members, notes = group_devices(client, group)
        for member in members:
            targets.setdefault(member, member)
    for device_id, given in targets.items():
        try:
            result = trigger(client, display_name, device_id, dry_run=dry_run)
            rows.append({**result.to_dict(), "device": given, "status": "planned" if dry_run else "started"})
            lines.append(trigger_result(result, display_name, given, dry_run).text.rstrip("\n"))
        except ServiceError as exc:  # OutcomeUnknownError included: recorded, the next device still runs
            worst = max(worst, _record(rows, lines, given, exc))
    return Result("trigger", {"display_name": display_name, "dry_run": dry_run, "devices": rows}, lines,
                  rows=rows, exit_code=worst, notes=notes)


def _record(rows: list[dict[str, Any]], lines: list[str], device: str, exc: ServiceError) -> ExitCode:
    unknown = isinstance(exc, OutcomeUnknownError)
    rows.append({"device": device, "status": "unknown" if unknown else "error", "error": str(exc)})
    lines.append(f"{device}: {exc}")
    return ExitCode.OUTCOME_UNKNOWN if unknown else ExitCode.SERVICE


def trigger_result(result: TriggerResult, name: str, device: str, dry_run: bool) -> Result:
    """``remediate trigger``: one line naming the package and the device."""
    verb = "would start" if dry_run else "started"
    return Result("trigger", result.to_dict(),
                  [f"{verb} {name} on {result.device_name or device} [{result.device_id}]"])
