"""The emulator rejects what Graph rejects and answers as Graph does: each rule tested in both directions.

Rules and their sources are in graph_rules.py; docs/intune.md ("Vendor facts we depend on") cites these tests.
"""

from __future__ import annotations

import base64
import json

import pytest
import requests
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)

SCRIPTS = "/deviceManagement/deviceHealthScripts"
GROUP_ID = "10000000-0000-0000-0000-000000000001"
FILTER_ID = "50000000-0000-0000-0000-000000000005"
CONTENT = base64.b64encode(b"exit 0\r\n").decode()
GROUP = {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": GROUP_ID}
HOURLY = "#microsoft.graph.deviceHealthScriptHourlySchedule"
DAILY = "#microsoft.graph.deviceHealthScriptDailySchedule"
ONCE = "#microsoft.graph.deviceHealthScriptRunOnceSchedule"


def send(emulator, method: str, path: str, body=None, token: str = TOKEN) -> requests.Response:
    return requests.request(method, emulator.base_url + path, json=body, timeout=5,
                            headers={"Authorization": f"Bearer {token}"})


def assignment(target=None, schedule=None, **extra) -> dict:
    item = {"target": target or GROUP, "runRemediationScript": True, **extra}
    if schedule is not None:
        item["runSchedule"] = schedule
    return {"deviceHealthScriptAssignments": [item]}


@pytest.mark.parametrize("body, status", [
    ({"displayName": "x", "detectionScriptContent": CONTENT}, 201),
    ({"displayName": "x"}, 400),
    ({"displayName": "x", "detectionScriptContent": ""}, 400),
    ({"@odata.type": "#microsoft.graph.deviceHealthScript", "detectionScriptContent": CONTENT}, 201),
    ({"@odata.type": "#microsoft.graph.deviceManagementScript", "detectionScriptContent": CONTENT}, 400),
    ({"detectionScriptContent": "not base64!"}, 400),
    ({"detectionScriptContent": CONTENT, "runAsAccount": "admin"}, 400),
], ids=["with-detection", "without-detection", "empty-detection", "known-odata-type", "unknown-odata-type",
        "content-not-base64", "bad-run-as"])
def test_create_rules(graph, body, status):  # noqa: F811
    answer = send(graph, "POST", SCRIPTS, body)
    assert answer.status_code == status, answer.text
    assert (len(graph.scripts) == 1) is (status == 201)


def test_patch_answers_200_with_the_updated_object(graph):  # noqa: F811
    script_id = graph.add_script("x", detectionScriptContent=CONTENT, description="old")
    answer = send(graph, "PATCH", f"{SCRIPTS}/{script_id}", {"description": "new"})
    assert answer.status_code == 200 and answer.json()["description"] == "new" and answer.json()["id"] == script_id
    bad = send(graph, "PATCH", f"{SCRIPTS}/{script_id}", {"@odata.type": "#microsoft.graph.nope"})
    assert bad.status_code == 400 and graph.scripts[script_id]["description"] == "new"


@pytest.mark.parametrize("body, status", [
    (assignment(), 204),
    (assignment({"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": GROUP_ID}), 204),
    (assignment({"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}), 204),
    (assignment({"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}), 204),
    (assignment({"@odata.type": "#microsoft.graph.somethingAssignmentTarget", "groupId": GROUP_ID}), 400),
    (assignment({"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "sales"}), 400),
    (assignment({"@odata.type": "#microsoft.graph.groupAssignmentTarget"}), 400),
    (assignment({"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget", "groupId": GROUP_ID}), 400),
    (assignment({**GROUP, "deviceAndAppManagementAssignmentFilterId": FILTER_ID,
                 "deviceAndAppManagementAssignmentFilterType": "include"}), 204),
    (assignment({**GROUP, "deviceAndAppManagementAssignmentFilterType": "include"}), 400),
    (assignment({**GROUP, "deviceAndAppManagementAssignmentFilterId": FILTER_ID,
                 "deviceAndAppManagementAssignmentFilterType": "sometimes"}), 400),
    (assignment(**{"@odata.type": "#microsoft.graph.deviceHealthScriptAssignment"}), 204),
    (assignment(**{"@odata.type": "#microsoft.graph.deviceManagementScriptAssignment"}), 400),
], ids=["group", "exclusion", "all-devices", "all-users", "unknown-target-type", "group-id-not-guid",
        "group-without-id", "all-devices-with-group-id", "filter", "filter-type-without-id", "unknown-filter-type",
        "known-assignment-type", "unknown-assignment-type"])
def test_assignment_target_rules(graph, body, status):  # noqa: F811
    script_id = graph.add_script("x")
    assert send(graph, "POST", f"{SCRIPTS}/{script_id}/assign", body).status_code == status


@pytest.mark.parametrize("schedule, status", [
    ({"@odata.type": HOURLY, "interval": 1}, 204),
    ({"@odata.type": HOURLY, "interval": 23}, 204),
    ({"@odata.type": HOURLY, "interval": 0}, 400),
    ({"@odata.type": HOURLY, "interval": 24}, 400),
    ({"@odata.type": DAILY, "interval": 1, "useUtc": False, "time": "18:00:00"}, 204),
    ({"@odata.type": DAILY, "interval": 1, "useUtc": False, "time": "25:00:00"}, 400),
    ({"@odata.type": DAILY, "interval": 1, "useUtc": False, "time": "18:00"}, 400),
    ({"@odata.type": ONCE, "interval": 1, "useUtc": True, "time": "06:30:00", "date": "2025-12-01"}, 204),
    ({"@odata.type": ONCE, "interval": 1, "useUtc": True, "time": "06:30:00", "date": "2025-13-01"}, 400),
    ({"@odata.type": "#microsoft.graph.deviceHealthScriptWeeklySchedule", "interval": 1}, 400),
], ids=["hourly-1", "hourly-23", "hourly-0", "hourly-24", "daily", "daily-bad-time", "daily-time-without-seconds",
        "once", "once-bad-date", "unknown-schedule-type"])
def test_schedule_rules(graph, schedule, status):  # noqa: F811
    script_id = graph.add_script("x")
    assert send(graph, "POST", f"{SCRIPTS}/{script_id}/assign", assignment(schedule=schedule)).status_code == status


def test_assignments_read_back_in_graphs_shape(graph):  # noqa: F811
    script_id = graph.add_script("x")
    body = {"deviceHealthScriptAssignments": [
        {"target": GROUP, "runRemediationScript": False,
         "runSchedule": {"@odata.type": DAILY, "interval": 1, "useUtc": False, "time": "18:00:00"}},
        {"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}, "runRemediationScript": True,
         "runSchedule": {"@odata.type": HOURLY, "interval": 4}}]}
    assert send(graph, "POST", f"{SCRIPTS}/{script_id}/assign", body).status_code == 204
    first, second = send(graph, "GET", f"{SCRIPTS}/{script_id}/assignments").json()["value"]
    assert first == {
        "@odata.type": "#microsoft.graph.deviceHealthScriptAssignment", "id": f"{script_id}:{GROUP_ID}",
        "target": {**GROUP, "deviceAndAppManagementAssignmentFilterId": None,
                   "deviceAndAppManagementAssignmentFilterType": "none"},
        "runRemediationScript": False,
        "runSchedule": {"@odata.type": DAILY, "interval": 1, "useUtc": False, "time": "18:00:00.0000000"}}
    assert second["id"].startswith(f"{script_id}:") and second["runRemediationScript"] is True
    assert second["runSchedule"] == {"@odata.type": HOURLY, "interval": 4}


@pytest.mark.parametrize("scopes, method, path, status", [
    ({"DeviceManagementScripts.Read.All"}, "GET", SCRIPTS, 200),
    ({"DeviceManagementScripts.ReadWrite.All"}, "GET", SCRIPTS, 200),
    ({"DeviceManagementConfiguration.ReadWrite.All"}, "GET", SCRIPTS, 403),
    ({"DeviceManagementScripts.Read.All"}, "POST", SCRIPTS, 403),
    ({"DeviceManagementScripts.ReadWrite.All"}, "POST", SCRIPTS, 201),
    ({"DeviceManagementManagedDevices.Read.All"}, "GET", "/deviceManagement/managedDevices", 200),
    ({"DeviceManagementScripts.ReadWrite.All"}, "GET", "/deviceManagement/managedDevices", 403),
], ids=["scripts-read", "scripts-readwrite-reads", "configuration-no-longer-works", "read-cannot-write",
        "readwrite-writes", "devices-read", "scripts-permission-cannot-read-devices"])
def test_permission_rules(graph, scopes, method, path, status):  # noqa: F811
    graph.scopes = scopes
    body = {"detectionScriptContent": CONTENT} if method == "POST" else None
    assert send(graph, method, path, body).status_code == status


def test_a_403_carries_intunes_nested_body(graph):  # noqa: F811
    graph.scopes = set()
    error = send(graph, "GET", SCRIPTS).json()["error"]
    assert error["code"] == "Forbidden" and set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    inner = json.loads(error["message"])
    assert inner["_version"] == 3 and inner["Message"].startswith(
        "Application is not authorized to perform this operation. Application must have one of the following "
        "scopes: DeviceManagementScripts.Read.All, DeviceManagementScripts.ReadWrite.All - Operation ID")
    assert error["message"].index(" - Operation ID") > 200  # the list ends past the 200 characters once shown
