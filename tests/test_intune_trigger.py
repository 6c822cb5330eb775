"""On-demand remediation against the emulator."""

from __future__ import annotations

import pytest
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)

from remediate.errors import OutcomeUnknownError, ServiceError
from remediate.intune.graph import GraphClient
from remediate.intune.permissions import for_command
from remediate.intune.trigger import trigger

NAME = "CAA20002 device"
DEVICE_ID = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def client(graph) -> GraphClient:  # noqa: F811
    graph.devices = [{"id": DEVICE_ID, "deviceName": "PC-0042"}, {"id": "dup-1", "deviceName": "TWIN"},
                     {"id": "dup-2", "deviceName": "TWIN"}, {"id": "q-1", "deviceName": "O'Brien-PC"}]
    return GraphClient(lambda: TOKEN, graph.base_url, sleep=lambda s: None)


def test_trigger_by_name_resolves_the_device_and_posts_the_policy_id(graph, client):  # noqa: F811
    script_id = graph.add_script(NAME)
    result = trigger(client, NAME, "PC-0042")
    lookup = [r for r in graph.requests if r.path == "/beta/deviceManagement/managedDevices"][0]
    assert lookup.query == {"$filter": "deviceName eq 'PC-0042'", "$select": "id,deviceName"}
    post = graph.writes()[-1]
    assert post.path == f"/beta/deviceManagement/managedDevices/{DEVICE_ID}/initiateOnDemandProactiveRemediation"
    assert post.body == {"scriptPolicyId": script_id}
    assert graph.triggered == [(DEVICE_ID, script_id)] and result.device_name == "PC-0042"


def test_trigger_by_id_reads_the_device(graph, client):  # noqa: F811
    graph.add_script(NAME)
    trigger(client, NAME, DEVICE_ID)
    assert any(r.path == f"/beta/deviceManagement/managedDevices/{DEVICE_ID}" for r in graph.requests)


def test_quotes_in_device_names_are_escaped(graph, client):  # noqa: F811
    graph.add_script(NAME)
    assert trigger(client, NAME, "O'Brien-PC").device_id == "q-1"


def test_dry_run_sends_nothing(graph, client):  # noqa: F811
    graph.add_script(NAME)
    result = trigger(client, NAME, "PC-0042", dry_run=True)
    assert graph.writes() == [] and result.request.method == "POST"


@pytest.mark.parametrize("device, pattern", [
    ("NOPE", "not found: no managed device named 'NOPE'"),
    ("TWIN", r"2 managed devices are named 'TWIN' \(dup-1, dup-2\); pass the device id"),
    ("99999999-2222-3333-4444-555555555555", "not found: managed device '99999999-"),
], ids=["unknown-name", "ambiguous-name", "unknown-id"])
def test_device_resolution_errors(graph, client, device, pattern):  # noqa: F811
    graph.add_script(NAME)
    with pytest.raises(ServiceError, match=pattern):
        trigger(client, NAME, device)


def test_forbidden_trigger_names_the_privileged_permission(graph, client):  # noqa: F811
    graph.add_script(NAME)
    graph.fail("POST", r".*/initiateOnDemandProactiveRemediation", 403)
    with pytest.raises(ServiceError, match=r"DeviceManagementManagedDevices\.PrivilegedOperations\.All"):
        trigger(client, NAME, "PC-0042")


@pytest.mark.parametrize("status", [500, 503, 504])
def test_a_trigger_is_never_resent_after_a_server_error(graph, client, status):  # noqa: F811
    script_id = graph.add_script(NAME)
    graph.fail("POST", r".*/initiateOnDemandProactiveRemediation", status, times=5)
    with pytest.raises(OutcomeUnknownError, match=rf"outcome unknown: the on-demand run of '{NAME}' on PC-0042 "
                                                  rf"\[{DEVICE_ID}\] may or may not have started \(server error "
                                                  rf"{status}\); it was not sent again: check .* Intune portal"):
        trigger(client, NAME, "PC-0042")
    posts = [r for r in graph.writes() if r.path.endswith("initiateOnDemandProactiveRemediation")]
    assert len(posts) == 1 and posts[0].body == {"scriptPolicyId": script_id}


def test_a_throttled_trigger_is_sent_again_after_the_wait(graph, client):  # noqa: F811
    script_id = graph.add_script(NAME)
    graph.fail("POST", r".*/initiateOnDemandProactiveRemediation", 429, headers={"Retry-After": "2"})
    trigger(client, NAME, "PC-0042")
    assert graph.triggered == [(DEVICE_ID, script_id)]  # 429: Graph refused it, so it had not run


@pytest.mark.parametrize("scopes, runs", [
    ({"DeviceManagementScripts.Read.All", "DeviceManagementManagedDevices.Read.All"}, False),
    (set(for_command("trigger").permissions), True),
], ids=["without-privileged-operations", "with-what-the-table-names"])
def test_trigger_needs_exactly_the_permissions_in_the_table(graph, client, scopes, runs):  # noqa: F811
    graph.add_script(NAME)
    graph.scopes = scopes
    if runs:
        trigger(client, NAME, "PC-0042")
        assert len(graph.triggered) == 1
    else:
        with pytest.raises(ServiceError, match=r"Intune requires one of: DeviceManagementManagedDevices\."
                                               r"PrivilegedOperations\.All$"):
            trigger(client, NAME, "PC-0042")
