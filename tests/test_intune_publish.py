"""Publishing against the emulator: create/update by name, idempotence, deliberate assignment merge, dry run."""

from __future__ import annotations

import base64

import pytest
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)

from remediate.errors import ConfigError, ServiceError
from remediate.intune.bundle import ScriptMeta, make_bundle
from remediate.intune.graph import GraphClient
from remediate.intune.publish import NEW_ID, AssignmentRequest, publish
from remediate.intune.schedule import Schedule, parse_schedule

G1, G2 = "10000000-0000-0000-0000-000000000001", "20000000-0000-0000-0000-000000000002"
KEEP, MOVED = "30000000-0000-0000-0000-000000000003", "40000000-0000-0000-0000-000000000004"
FILTER = "50000000-0000-0000-0000-000000000005"
DETECT = b"Write-Output '{}'\r\nexit 0\r\n"
REMEDIATE = b"Write-Output '{}'\r\nexit 0\r\n"
SCRIPTS = "/beta/deviceManagement/deviceHealthScripts"
DAILY = {"@odata.type": "#microsoft.graph.deviceHealthScriptDailySchedule", "interval": 1, "useUtc": False,
         "time": "09:00:00"}


def bundle(detect: bytes = DETECT, description: str = "Device part"):
    meta = ScriptMeta(package_id="caa20002-device", display_name="CAA20002 device", description=description,
                      publisher="IT", run_as="system", enforce_signature_check=False,
                      schedule=Schedule("daily", time="09:00"))
    return make_bundle(meta, detect, REMEDIATE)


@pytest.fixture
def client(graph) -> GraphClient:  # noqa: F811
    return GraphClient(lambda: TOKEN, graph.base_url, sleep=lambda s: None)


def include(group: str, schedule: dict = DAILY) -> dict:
    return {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group},
            "runRemediationScript": True, "runSchedule": schedule}


def test_first_run_creates_and_assigns_with_exact_bodies(graph, client):  # noqa: F811
    result = publish(client, bundle(), AssignmentRequest(include=(G1,), exclude=(G2,)))
    assert result.action == "create"
    create, assign = graph.writes()
    assert (create.method, create.path) == ("POST", SCRIPTS)
    assert create.body == {
        "displayName": "CAA20002 device", "description": "Device part", "publisher": "IT",
        "runAsAccount": "system", "runAs32Bit": False, "enforceSignatureCheck": False,
        "detectionScriptContent": base64.b64encode(DETECT).decode(),
        "remediationScriptContent": base64.b64encode(REMEDIATE).decode(),
        "roleScopeTagIds": ["0"], "isGlobalScript": False}
    assert (assign.method, assign.path) == ("POST", f"{SCRIPTS}/{result.script_id}/assign")
    assert assign.body == {"deviceHealthScriptAssignments": [
        include(G1),
        {"target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": G2},
         "runRemediationScript": False}]}
    assert result.assignment_changes == [f"+ include group {G1} (daily:09:00)", f"+ exclude group {G2}"]


def test_second_run_sends_nothing(graph, client):  # noqa: F811
    request = AssignmentRequest(include=(G1,), exclude=(G2,), all_devices=True)
    publish(client, bundle(), request)
    before = len(graph.writes())
    result = publish(client, bundle(), request)
    assert (result.action, result.changed_fields, result.assignment_changes) == ("unchanged", [], [])
    assert len(graph.writes()) == before and result.requests == []
    reads = [r for r in graph.requests[-3:]]
    assert [(r.method, r.path) for r in reads] == [
        ("GET", SCRIPTS), ("GET", f"{SCRIPTS}/{result.script_id}"),
        ("GET", f"{SCRIPTS}/{result.script_id}/assignments")]
    assert reads[0].query == {"$select": "id,displayName"}


def test_changed_content_is_patched_with_the_differing_fields_named(graph, client):  # noqa: F811
    first = publish(client, bundle())
    result = publish(client, bundle(detect=DETECT + b"# v2\r\n", description="new"))
    assert (result.action, result.changed_fields) == ("update", ["description", "detectionScriptContent"])
    patch = graph.writes()[-1]
    assert (patch.method, patch.path) == ("PATCH", f"{SCRIPTS}/{first.script_id}")
    assert base64.b64decode(patch.body["detectionScriptContent"]) == DETECT + b"# v2\r\n"
    assert "roleScopeTagIds" not in patch.body  # scope tags an admin set are left alone


def test_merge_keeps_other_targets_and_reports_changes(graph, client):  # noqa: F811
    script_id = graph.add_script("CAA20002 device", **bundle().payload())
    kept = {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": KEEP,
                       "deviceAndAppManagementAssignmentFilterId": FILTER,
                       "deviceAndAppManagementAssignmentFilterType": "include"},
            "runRemediationScript": True, "runSchedule": DAILY}
    graph.assignments[script_id] = [kept, include(G1), {
        "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": MOVED},
        "runRemediationScript": True, "runSchedule": DAILY}]
    hourly = parse_schedule("hourly:4")
    result = publish(client, bundle(), AssignmentRequest(include=(G1,), exclude=(MOVED,),
                                                         all_devices=True, schedule=hourly))
    assert result.assignment_changes == [
        f"~ include group {G1}: schedule daily:09:00 -> hourly:4",
        f"- include group {MOVED} (replaced by exclude group {MOVED})",
        f"+ exclude group {MOVED}",
        "+ all devices (hourly:4)"]
    sent = graph.writes()[-1].body["deviceHealthScriptAssignments"]
    hourly_graph = {"@odata.type": "#microsoft.graph.deviceHealthScriptHourlySchedule", "interval": 4}
    assert sent[0]["target"] == kept["target"] and sent[0]["runRemediationScript"] is True  # filter kept
    assert sent[1]["runSchedule"] == hourly_graph and sent[1]["target"]["groupId"] == G1
    assert {"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"},
            "runRemediationScript": True, "runSchedule": hourly_graph} in sent
    assert len(sent) == 4


def test_dry_run_reads_but_sends_no_writes(graph, client):  # noqa: F811
    result = publish(client, bundle(), AssignmentRequest(include=(G1,)), dry_run=True)
    assert graph.writes() == [] and graph.scripts == {}
    assert [(r.method, r.path) for r in result.requests] == [
        ("POST", "/deviceManagement/deviceHealthScripts"),
        ("POST", f"/deviceManagement/deviceHealthScripts/{NEW_ID}/assign")]
    assert result.to_dict()["requests"][0]["body"]["runAs32Bit"] is False


def test_no_assignment_requested_means_no_assign_call(graph, client):  # noqa: F811
    publish(client, bundle())
    assert [r.path.rsplit("/", 1)[-1] for r in graph.writes()] == ["deviceHealthScripts"]


def test_two_scripts_with_the_same_name_are_an_error(graph, client):  # noqa: F811
    graph.add_script("CAA20002 device")
    graph.add_script("CAA20002 device")
    with pytest.raises(ServiceError, match="2 remediations are named 'CAA20002 device'"):
        publish(client, bundle())


def test_a_group_both_included_and_excluded_is_refused(graph, client):  # noqa: F811
    with pytest.raises(ConfigError, match=f"both included and excluded: {G1}"):
        publish(client, bundle(), AssignmentRequest(include=(G1,), exclude=(G1,)))


def test_paged_script_list_is_searched_to_the_end(graph, client):  # noqa: F811
    graph.page_size = 2
    for i in range(5):
        graph.add_script(f"other {i}")
    target = graph.add_script("CAA20002 device", **bundle().payload())
    assert publish(client, bundle()).script_id == target
    assert graph.writes() == []


@pytest.mark.parametrize("scopes, error", [
    ({"DeviceManagementConfiguration.ReadWrite.All"},
     r"on GET .*Intune requires one of: DeviceManagementScripts\.Read\.All, DeviceManagementScripts\.ReadWrite\.All$"),
    ({"DeviceManagementScripts.Read.All"},
     r"missing permission \(403\) on POST .*this call needs DeviceManagementScripts\.ReadWrite\.All; "
     r"Intune requires one of: DeviceManagementScripts\.ReadWrite\.All$"),
    ({"DeviceManagementScripts.ReadWrite.All"}, None),
], ids=["configuration-permission-no-longer-works", "read-only-cannot-create", "scripts-readwrite-works"])
def test_publish_needs_the_scripts_permission(graph, client, scopes, error):  # noqa: F811
    graph.scopes = scopes
    if error is None:
        assert publish(client, bundle()).action == "create"
        return
    with pytest.raises(ServiceError, match=error):
        publish(client, bundle())


DETECT_ONLY = {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": KEEP},
               "runRemediationScript": False, "runSchedule": DAILY}


@pytest.mark.parametrize("request_, expected_changes", [
    (AssignmentRequest(include=(G1,)), [f"+ include group {G1} (daily:09:00)"]),
    (AssignmentRequest(include=(KEEP,), schedule=parse_schedule("hourly:2")),
     [f"~ include group {KEEP}: schedule daily:09:00 -> hourly:2"]),
], ids=["other-group-added", "its-own-schedule-changed"])
def test_a_detect_only_assignment_stays_detect_only(graph, client, request_, expected_changes):  # noqa: F811
    script_id = graph.add_script("CAA20002 device", **bundle().payload())
    graph.assignments[script_id] = [DETECT_ONLY]
    result = publish(client, bundle(), request_)
    assert result.assignment_changes == expected_changes
    sent = {a["target"]["groupId"]: a["runRemediationScript"]
            for a in graph.writes()[-1].body["deviceHealthScriptAssignments"]}
    assert sent[KEEP] is False  # made detect-only in the portal: must not start remediating
    assert sent.get(G1, True) is True  # a new include target gets the package's remediation


def test_a_remediating_assignment_stays_remediating_when_read_back(graph, client):  # noqa: F811
    script_id = graph.add_script("CAA20002 device", **bundle().payload())
    graph.assignments[script_id] = [{**DETECT_ONLY, "runRemediationScript": True}]
    publish(client, bundle(), AssignmentRequest(include=(G1,)))
    sent = graph.writes()[-1].body["deviceHealthScriptAssignments"]
    assert [a["runRemediationScript"] for a in sent] == [True, True]


def test_group_ids_that_are_not_guids_are_refused_before_any_call(graph, client):  # noqa: F811
    with pytest.raises(ConfigError, match="'sales' is not an Entra group object id"):
        publish(client, bundle(), AssignmentRequest(exclude=("sales",)))
    assert graph.requests == []
