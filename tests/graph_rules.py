"""What Graph rejects and how it answers, for the emulator: each rule cites where the fact comes from.

Sources: the Graph beta reference pages for deviceHealthScript (create: 201 + object; update: "200 OK and an
updated deviceHealthScript object"; assign: 204), deviceHealthScriptAssignment and the run schedule types;
DOMAIN.md section 5 for the rest (detectionScriptContent required, hourly interval 1-23, the permissions since
September 2025, Intune's nested error body). Where the reference is silent the assumption is marked here and
in docs/intune.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

SCRIPT_TYPE = "#microsoft.graph.deviceHealthScript"
ASSIGNMENT_TYPE = "#microsoft.graph.deviceHealthScriptAssignment"
GROUP = "#microsoft.graph.groupAssignmentTarget"
EXCLUDE = "#microsoft.graph.exclusionGroupAssignmentTarget"
ALL_DEVICES = "#microsoft.graph.allDevicesAssignmentTarget"
ALL_USERS = "#microsoft.graph.allLicensedUsersAssignmentTarget"
TARGET_TYPES = {GROUP, EXCLUDE, ALL_DEVICES, ALL_USERS}
HOURLY = "#microsoft.graph.deviceHealthScriptHourlySchedule"
DAILY = "#microsoft.graph.deviceHealthScriptDailySchedule"
ONCE = "#microsoft.graph.deviceHealthScriptRunOnceSchedule"
FILTER_TYPES = {"none", "include", "exclude"}
# Assumption (not in the reference): Intune's virtual group ids for the "all" targets, used in assignment ids.
VIRTUAL_GROUP = {ALL_DEVICES: "adadadad-808e-44e2-905a-0b7873a8a531",
                 ALL_USERS: "acacacac-9df4-4c7d-9d50-4ef0226f57a9"}

SCRIPTS_READ = ("DeviceManagementScripts.Read.All", "DeviceManagementScripts.ReadWrite.All")
SCRIPTS_WRITE = ("DeviceManagementScripts.ReadWrite.All",)
DEVICES_READ = ("DeviceManagementManagedDevices.Read.All", "DeviceManagementManagedDevices.ReadWrite.All")
DEVICES_PRIVILEGED = ("DeviceManagementManagedDevices.PrivilegedOperations.All",)
# Graph reference "List groups" and "List group transitive members": least privileged first.
GROUPS_READ = ("GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Group.ReadWrite.All")
DEVICE = "#microsoft.graph.device"
# Graph reference "List roleScopeTags": any one of these, least privileged first.
SCOPE_TAGS_READ = ("DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All",
                   "DeviceManagementRBAC.Read.All", "DeviceManagementRBAC.ReadWrite.All")
# Assumption (the reference gives roleScopeTagIds as a string collection, nothing more): a create without it
# gets the built-in Default tag, and an id that names no scope tag is rejected with 400.
DEFAULT_SCOPE_TAG = "0"

_GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,7})?")
_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")


class Rejected(Exception):
    """A 400 with Graph's error code and message."""


def required_scopes(method: str, path: str) -> tuple[str, ...]:
    """The scopes Intune lists for a call (any one of them is enough); () for calls we do not police."""
    if path.startswith("/deviceManagement/deviceHealthScripts"):
        return SCRIPTS_READ if method == "GET" else SCRIPTS_WRITE
    if path.endswith("/initiateOnDemandProactiveRemediation"):
        return DEVICES_PRIVILEGED
    if path.startswith("/deviceManagement/managedDevices"):
        return DEVICES_READ
    if path.startswith("/groups"):
        return GROUPS_READ
    if path.startswith("/deviceManagement/roleScopeTags"):
        return SCOPE_TAGS_READ
    return ()


def eq_filter(query: dict[str, str], field: str) -> str | None:
    """The value of ``$filter=field eq '...'`` (quotes doubled inside); None without that filter. Any other
    $filter is rejected as Graph rejects what it cannot parse."""
    text = query.get("$filter")
    if text is None:
        return None
    match = re.fullmatch(r"(\w+) eq '((?:[^']|'')*)'", text)
    if not match:
        raise Rejected(f"Invalid filter clause: {text}")
    return match.group(2).replace("''", "'") if match.group(1) == field else None


def intune_error(status: int, code: str, message: str, path: str) -> tuple[int, dict, bytes]:
    """Intune's shape: Graph's ``error.message`` is itself JSON whose ``Message`` carries the sentence."""
    inner = {"_version": 3,
             "Message": f"{message} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 "
                        f"- Activity ID: 7b4c41a6-0d3c-4b1e-9a55-3c1f4ad2e9b1 - Url: https://fef.msua06.manage."
                        f"microsoft.com/DeviceFE/StatelessDeviceFEService{path}?api-version=5024-01-01",
             "CustomApiErrorPhrase": "", "RetryAfter": None, "ErrorSourceService": "", "HttpHeaders": "{}"}
    body = {"error": {"code": code, "message": json.dumps(inner, indent=2).replace("\n", "\r\n"),
                      "innerError": {"date": "2025-10-01T08:00:00", "request-id": "r-1", "client-request-id": "c-1"}}}
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def forbidden(scopes: tuple[str, ...], path: str) -> tuple[int, dict, bytes]:
    return intune_error(403, "Forbidden", "Application is not authorized to perform this operation. Application "
                        f"must have one of the following scopes: {', '.join(scopes)}", path)


def check_odata_type(body: dict[str, Any], expected: str, where: str) -> None:
    kind = body.get("@odata.type")
    if kind is not None and kind != expected:
        raise Rejected(f"{where}: unknown @odata.type {kind!r}")


def check_script(body: Any, create: bool) -> None:
    if not isinstance(body, dict):
        raise Rejected("body must be a deviceHealthScript object")
    check_odata_type(body, SCRIPT_TYPE, "deviceHealthScript")
    if create and not body.get("detectionScriptContent"):
        raise Rejected("detectionScriptContent is required")
    for name in ("detectionScriptContent", "remediationScriptContent"):
        if body.get(name) is not None:
            try:
                base64.b64decode(body[name], validate=True)
            except (binascii.Error, TypeError, ValueError):
                raise Rejected(f"{name} is not base64") from None
    if "runAsAccount" in body and body["runAsAccount"] not in ("system", "user"):
        raise Rejected(f"runAsAccount {body['runAsAccount']!r} is not system or user")


def check_scope_tag_ids(body: dict[str, Any], known: set[str]) -> None:
    if "roleScopeTagIds" not in body:
        return
    ids = body["roleScopeTagIds"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise Rejected("roleScopeTagIds must be a list of strings")
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise Rejected(f"roleScopeTagIds: no scope tag with id {unknown[0]!r}")


def check_assignments(body: Any) -> list[dict[str, Any]]:
    items = body.get("deviceHealthScriptAssignments") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise Rejected("deviceHealthScriptAssignments must be a list")
    for item in items:
        if not isinstance(item, dict):
            raise Rejected("an assignment must be an object")
        check_odata_type(item, ASSIGNMENT_TYPE, "assignment")
        _check_target(item.get("target"))
        if not isinstance(item.get("runRemediationScript", False), bool):
            raise Rejected("runRemediationScript must be a boolean")
        if item.get("runSchedule") is not None:
            _check_schedule(item["runSchedule"])
    return items


def _check_target(target: Any) -> None:
    if not isinstance(target, dict) or target.get("@odata.type") not in TARGET_TYPES:
        kind = target.get("@odata.type") if isinstance(target, dict) else target
        raise Rejected(f"unknown assignment target {kind!r}")
    group = target.get("groupId")
    if target["@odata.type"] in (GROUP, EXCLUDE):
        if not isinstance(group, str) or not _GUID.fullmatch(group):
            raise Rejected(f"groupId {group!r} is not a group id")
    elif group is not None:
        raise Rejected(f"{target['@odata.type']} takes no groupId")
    filter_type = target.get("deviceAndAppManagementAssignmentFilterType") or "none"
    filter_id = target.get("deviceAndAppManagementAssignmentFilterId")
    if filter_type not in FILTER_TYPES:
        raise Rejected(f"unknown filter type {filter_type!r}")
    # Intune: assignment filters apply to include targets only; an excluded group takes none.
    if target["@odata.type"] == EXCLUDE and filter_type != "none":
        raise Rejected("an exclusion group assignment cannot have an assignment filter")
    if filter_type != "none" and not (isinstance(filter_id, str) and _GUID.fullmatch(filter_id)):
        raise Rejected(f"filter type {filter_type!r} needs a filter id")


def _check_schedule(schedule: Any) -> None:
    kind = schedule.get("@odata.type") if isinstance(schedule, dict) else None
    if kind not in (HOURLY, DAILY, ONCE):
        raise Rejected(f"unknown runSchedule type {kind!r}")
    interval = schedule.get("interval")
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
        raise Rejected(f"interval {interval!r} must be a positive integer")
    if kind == HOURLY and interval > 23:
        raise Rejected(f"hourly interval {interval} is out of range 1-23")
    if kind in (DAILY, ONCE) and not _TIME.fullmatch(str(schedule.get("time"))):
        raise Rejected(f"time {schedule.get('time')!r} is not HH:MM:SS")
    if kind == ONCE and not _DATE.fullmatch(str(schedule.get("date"))):
        raise Rejected(f"date {schedule.get('date')!r} is not YYYY-MM-DD")


def read_back(script_id: str, item: dict[str, Any]) -> dict[str, Any]:
    """An assignment as Graph returns it: id ``scriptId:groupId``, filter fields filled, times with 7 decimals."""
    target = dict(item["target"])
    target.setdefault("deviceAndAppManagementAssignmentFilterId", None)
    target.setdefault("deviceAndAppManagementAssignmentFilterType", "none")
    group = target.get("groupId") or VIRTUAL_GROUP.get(target["@odata.type"], "")
    answer = {"@odata.type": ASSIGNMENT_TYPE, "id": f"{script_id}:{group}", "target": target,
              "runRemediationScript": bool(item.get("runRemediationScript", False)), "runSchedule": None}
    schedule = item.get("runSchedule")
    if isinstance(schedule, dict):
        answer["runSchedule"] = dict(schedule)
        if "time" in schedule:
            answer["runSchedule"]["time"] = str(schedule["time"])[:8] + ".0000000"
        if schedule["@odata.type"] != HOURLY:
            answer["runSchedule"].setdefault("useUtc", False)
    return answer
