"""Publishing against the emulator: create/update by name, idempotence, deliberate assignment merge, dry run."""

from __future__ import annotations

import base64

import pytest
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)

from remediate.errors import ConfigError, ServiceError
from remediate.intune.bundle import ScriptMeta, make_bundle
from remediate.intune.graph import GraphClient
from remediate.intune.publish import NEW_ID, AssignmentRequest, publish, unpublish
from remediate.intune.schedule import Schedule, parse_schedule

G1, G2 = "10000000-0000-0000-0000-000000000001", "20000000-0000-0000-0000-000000000002"
KEEP, MOVED = "30000000-0000-0000-0000-000000000003", "40000000-0000-0000-0000-000000000004"
FILTER = "50000000-0000-0000-0000-000000000005"
DETECT = b"Write-Output '{}'\r\nexit 0\r\n"
REMEDIATE = b"Write-Output '{}'\r\nexit 0\r\n"
SCRIPTS = "/beta/deviceManagement/deviceHealthScripts"
FILTER = "f1f1f1f1-0000-4000-8000-000000000001"
FILTER2 = "f2f2f2f2-0000-4000-8000-000000000002"
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


def test_groups_by_display_name_are_looked_up_and_ambiguous_names_refused(graph, client):  # noqa: F811
    sales = graph.add_group("Sales laptops")
    graph.add_group("Kiosks")
    graph.add_group("kiosks")  # Graph's eq on displayName is case-insensitive: two candidates
    result = publish(client, bundle(), AssignmentRequest(include=("Sales laptops",)))
    assert result.assignment_changes == [f"+ include group {sales} (daily:09:00)"]
    lookup = next(r for r in graph.requests if r.path == "/beta/groups")
    assert lookup.query["$filter"] == "displayName eq 'Sales laptops'"
    writes = len(graph.writes())
    with pytest.raises(ServiceError, match=r"2 groups are named 'Kiosks': .* \(Kiosks\), .* \(kiosks\); pass "):
        publish(client, bundle(), AssignmentRequest(exclude=("Kiosks",)))
    with pytest.raises(ServiceError, match="not found: no Entra group named \"O'Brien's\""):
        publish(client, bundle(), AssignmentRequest(include=("O'Brien's",)))
    assert len(graph.writes()) == writes  # nothing written when a name does not resolve


def test_group_names_offline_are_refused_before_any_call():
    with pytest.raises(ConfigError, match="offline --dry-run needs group ids"):
        publish(None, bundle(), AssignmentRequest(include=("Sales",)), dry_run=True)


def test_name_lookup_without_group_read_names_the_permission(graph, client):  # noqa: F811
    graph.scopes = {"DeviceManagementScripts.ReadWrite.All"}
    with pytest.raises(ServiceError, match="this call needs Group.Read.All"):
        publish(client, bundle(), AssignmentRequest(include=("Sales",)))


def test_all_users_and_an_include_filter_reach_graph_and_read_back_unchanged(graph, client):  # noqa: F811
    request = AssignmentRequest(include=(G1,), all_users=True, filter_id=FILTER, filter_mode="exclude")
    result = publish(client, bundle(), request)
    targets = [a["target"] for a in graph.writes()[-1].body["deviceHealthScriptAssignments"]]
    assert targets == [
        {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": G1,
         "deviceAndAppManagementAssignmentFilterId": FILTER, "deviceAndAppManagementAssignmentFilterType": "exclude"},
        {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget",
         "deviceAndAppManagementAssignmentFilterId": FILTER, "deviceAndAppManagementAssignmentFilterType": "exclude"}]
    assert result.assignment_changes[1] == f"+ all users (daily:09:00) filter exclude {FILTER}"
    writes = len(graph.writes())
    assert publish(client, bundle(), request).assignment_changes == []  # idempotent, filters compared
    assert len(graph.writes()) == writes
    changed = publish(client, bundle(), AssignmentRequest(include=(G1,), filter_id=FILTER2))
    assert changed.assignment_changes == [f"~ include group {G1}: filter exclude {FILTER} -> include {FILTER2}"]


def test_a_filter_needs_an_include_target_and_graph_refuses_one_on_an_exclusion():
    with pytest.raises(ConfigError, match="--filter applies to include targets"):
        AssignmentRequest(exclude=(G1,), filter_id=FILTER)
    with pytest.raises(ConfigError, match="not an assignment filter id"):
        AssignmentRequest(include=(G1,), filter_id="web-only")
    import graph_rules

    with pytest.raises(graph_rules.Rejected, match="cannot have an assignment filter"):
        graph_rules.check_assignments({"deviceHealthScriptAssignments": [{"target": {
            "@odata.type": graph_rules.EXCLUDE, "groupId": G1,
            "deviceAndAppManagementAssignmentFilterId": FILTER,
            "deviceAndAppManagementAssignmentFilterType": "include"}}]})


def test_remove_single_assignments_keeps_the_others(graph, client):  # noqa: F811
    sales = graph.add_group("Sales")
    publish(client, bundle(), AssignmentRequest(include=(G1, sales), exclude=(G2,), all_devices=True))
    result = publish(client, bundle(), AssignmentRequest(remove=("Sales", "all-devices", G2, "all-users")))
    assert result.assignment_changes == [f"- include group {sales}", "- all devices", f"- exclude group {G2}",
                                         "  all-users: not assigned, nothing to remove"]
    left = graph.writes()[-1].body["deviceHealthScriptAssignments"]
    assert [a["target"].get("groupId") for a in left] == [G1]


def test_unpublish_deletes_once_and_then_has_nothing_to_do(graph, client):  # noqa: F811
    script_id = publish(client, bundle(), AssignmentRequest(include=(G1,))).script_id
    planned = unpublish(client, "CAA20002 device", dry_run=True)
    assert planned.data["action"] == "delete" and script_id in graph.scripts
    done = unpublish(client, "CAA20002 device")
    assert done.text == f"deleted: CAA20002 device [{script_id}] with its assignments\n"
    assert script_id not in graph.scripts and graph.writes()[-1].method == "DELETE"
    again = unpublish(client, "CAA20002 device")
    assert again.data["action"] == "absent" and again.exit_code == 0
