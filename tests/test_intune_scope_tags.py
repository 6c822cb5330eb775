"""Scope tags from the package definition (``[intune] scope_tags``), published against the Graph emulator:
create with tags, update with changed tags, update without declared tags, unknown and ambiguous names,
malformed Graph answers, the offline dry run and the CLI's one-line errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)
from test_intune_cli import DEVICE_PKG, online, runner  # noqa: F401  (fixtures)

from remediate.cli import cli
from remediate.errors import ConfigError, ExitCode, ServiceError
from remediate.intune.bundle import ScriptMeta, make_bundle
from remediate.intune.graph import GraphClient
from remediate.intune.permissions import for_command
from remediate.intune.publish import publish, publish_result
from remediate.intune.schedule import Schedule

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "packaging/caa20002-device.toml"
SCRIPTS = "/beta/deviceManagement/deviceHealthScripts"
TAGS = "/beta/deviceManagement/roleScopeTags"
DETECT = REMEDIATE = b"Write-Output '{}'\r\nexit 0\r\n"


def bundle(*tags: str, description: str = "Device part"):
    meta = ScriptMeta(package_id="caa20002-device", display_name="CAA20002 device", description=description,
                      publisher="IT", run_as="system", enforce_signature_check=False,
                      schedule=Schedule("daily", time="09:00"), scope_tags=tags, source=SOURCE)
    return make_bundle(meta, DETECT, REMEDIATE)


@pytest.fixture
def client(graph) -> GraphClient:  # noqa: F811
    return GraphClient(lambda: TOKEN, graph.base_url, sleep=lambda s: None)


@pytest.fixture
def tenant(graph):  # noqa: F811
    """Default "0" plus Helpdesk EU "1", Helpdesk US "2", Kiosks "3"."""
    return {name: graph.add_scope_tag(name) for name in ("Helpdesk EU", "Helpdesk US", "Kiosks")}


def test_create_sends_the_resolved_ids_in_declared_order(graph, client, tenant):  # noqa: F811
    result = publish(client, bundle("Kiosks", "1"))
    (create,) = graph.writes()
    assert create.body["roleScopeTagIds"] == ["3", "1"]
    assert graph.scripts[result.script_id]["roleScopeTagIds"] == ["3", "1"]
    assert result.scope_tag_changes == ["+ scope tag 3 (Kiosks)", "+ scope tag 1 (Helpdesk EU)"]
    assert [r.path for r in graph.requests if r.method == "GET"][0] == TAGS  # resolved before anything else


def test_update_with_changed_tags_patches_them_and_says_which_changed(graph, client, tenant):  # noqa: F811
    first = publish(client, bundle("Helpdesk EU"))
    result = publish(client, bundle("Kiosks", "0"))
    assert (result.action, result.changed_fields) == ("update", ["roleScopeTagIds"])
    patch = graph.writes()[-1]
    assert (patch.method, patch.path) == ("PATCH", f"{SCRIPTS}/{first.script_id}")
    assert patch.body["roleScopeTagIds"] == ["3", "0"]
    assert result.scope_tag_changes == ["+ scope tag 3 (Kiosks)", "+ scope tag 0 (Default)",
                                        "- scope tag 1 (Helpdesk EU)"]
    text = publish_result(result, dry_run=False).text.splitlines()
    assert "  - scope tag 1 (Helpdesk EU)" in text and text[0].startswith("update (roleScopeTagIds): ")
    writes = len(graph.writes())
    again = publish(client, bundle("0", "kiosks"))  # same set, other order and case: nothing to send
    assert (again.action, again.scope_tag_changes, len(graph.writes())) == ("unchanged", [], writes)
    assert "  scope tags: no change" in publish_result(again, dry_run=False).text.splitlines()


def test_content_update_with_declared_tags_sends_them_too(graph, client, tenant):  # noqa: F811
    publish(client, bundle("Kiosks"))
    result = publish(client, bundle("Kiosks", description="new"))
    assert (result.changed_fields, result.scope_tag_changes) == (["description"], [])
    assert graph.writes()[-1].body["roleScopeTagIds"] == ["3"]  # declared state, sent with every PATCH


def test_update_without_declared_tags_leaves_the_portals_alone(graph, client, tenant):  # noqa: F811
    script_id = graph.add_script("CAA20002 device", **{**bundle().payload(), "roleScopeTagIds": ["2", "3"]})
    result = publish(client, bundle(description="new"))
    assert result.action == "update" and "roleScopeTagIds" not in graph.writes()[-1].body
    assert graph.scripts[script_id]["roleScopeTagIds"] == ["2", "3"]
    assert TAGS not in {r.path for r in graph.requests}  # not even read
    assert result.to_dict()["scope_tags"] is None
    assert not any("scope tag" in line for line in publish_result(result, dry_run=False).text.splitlines())


def test_create_without_declared_tags_sends_default_as_before(graph, client, tenant):  # noqa: F811
    publish(client, bundle())
    assert graph.writes()[0].body["roleScopeTagIds"] == ["0"]


@pytest.mark.parametrize(("declared", "message"), [
    (("Helpdesk E",), f"{SOURCE}: intune.scope_tags: no Intune scope tag named 'Helpdesk E' "
                      "(close: 'Helpdesk EU', 'Helpdesk US')"),
    (("Kiosks", "9"), f"{SOURCE}: intune.scope_tags: no Intune scope tag has id '9' (the tenant's tags: "
                      "0 (Default), 1 (Helpdesk EU), 2 (Helpdesk US), 3 (Kiosks))"),
    (("Marketing",), f"{SOURCE}: intune.scope_tags: no Intune scope tag named 'Marketing' (the tenant's tags: "
                     "0 (Default), 1 (Helpdesk EU), 2 (Helpdesk US), 3 (Kiosks))"),
], ids=["close-name", "unknown-id", "nothing-close"])
def test_an_unknown_tag_is_refused_before_any_write(graph, client, tenant, declared, message):  # noqa: F811
    with pytest.raises(ConfigError) as err:
        publish(client, bundle(*declared))
    assert str(err.value) == message
    assert graph.writes() == []


def test_an_ambiguous_name_is_refused_and_an_exact_match_wins(graph, client, tenant):  # noqa: F811
    lower = graph.add_scope_tag("kiosks")
    with pytest.raises(ConfigError, match=r"intune\.scope_tags: 2 Intune scope tags are named 'KIOSKS': "
                                          rf"3 \(Kiosks\), {lower} \(kiosks\); write the id instead$"):
        publish(client, bundle("KIOSKS"))
    assert graph.writes() == []
    assert publish(client, bundle("kiosks")).scope_tag_changes == [f"+ scope tag {lower} (kiosks)"]


def test_the_tag_list_is_paged_to_the_end(graph, client):  # noqa: F811
    graph.page_size = 2
    last = [graph.add_scope_tag(f"Region {i}") for i in range(6)][-1]
    publish(client, bundle("Region 5"))
    assert graph.writes()[0].body["roleScopeTagIds"] == [last]
    assert sum(r.path == TAGS for r in graph.requests) == 4  # 7 tags, 2 a page


@pytest.mark.parametrize(("body", "message"), [
    (b'{"value": [{"displayName": "Kiosks"}]}', "Graph listed a scope tag without a string id and displayName "
                                               "(id None, displayName 'Kiosks')"),
    (b'{"value": [{"id": 3, "displayName": "Kiosks"}]}', "without a string id and displayName (id 3,"),
    (b'{"value": "Kiosks"}', "Graph answered GET /deviceManagement/roleScopeTags without a 'value' list"),
    (b"<html>busy</html>", "but not JSON"),
], ids=["no-id", "numeric-id", "value-not-a-list", "not-json"])
def test_a_malformed_tag_list_is_a_service_error(graph, client, tenant, body, message):  # noqa: F811
    graph.fail("GET", "/deviceManagement/roleScopeTags", 200, body=body)
    with pytest.raises(ServiceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        publish(client, bundle("Kiosks"))
    assert graph.writes() == []


def test_malformed_role_scope_tag_ids_on_the_script_is_a_service_error(graph, client, tenant):  # noqa: F811
    graph.add_script("CAA20002 device", **{**bundle().payload(), "roleScopeTagIds": "0"})
    with pytest.raises(ServiceError, match="roleScopeTagIds that is not a list of strings"):
        publish(client, bundle("Kiosks"))
    assert graph.writes() == []


@pytest.mark.parametrize(("scopes", "ok"), [
    ({"DeviceManagementScripts.ReadWrite.All"}, False),
    ({"DeviceManagementScripts.ReadWrite.All", "DeviceManagementRBAC.Read.All"}, True),
    ({"DeviceManagementScripts.ReadWrite.All", "DeviceManagementConfiguration.Read.All"}, True),
], ids=["scripts-only", "rbac-read", "configuration-read-also-listed-by-the-reference"])
def test_reading_tags_needs_a_permission_the_reference_lists(graph, client, tenant, scopes, ok):  # noqa: F811
    graph.scopes = scopes
    if ok:
        assert publish(client, bundle("Kiosks")).action == "create"
        return
    with pytest.raises(ServiceError, match=r"missing permission \(403\) on GET /beta/deviceManagement/roleScopeTags: "
                                           r"this call needs DeviceManagementRBAC\.Read\.All"):
        publish(client, bundle("Kiosks"))


def test_a_403_on_the_tags_names_their_permission_beside_the_commands(graph, tenant):  # noqa: F811
    graph.scopes = {"DeviceManagementScripts.ReadWrite.All"}
    command_client = GraphClient(lambda: TOKEN, graph.base_url, sleep=lambda s: None, needs=for_command("publish"))
    with pytest.raises(ServiceError) as info:
        publish(command_client, bundle("Kiosks"))
    assert str(info.value).endswith("'remediate publish' needs DeviceManagementScripts.ReadWrite.All, and for this "
                                    "call DeviceManagementRBAC.Read.All (docs/intune.md, Permissions)")


def test_offline_dry_run_shows_the_declared_tags_unresolved():
    result = publish(None, bundle("Helpdesk EU", "7"), dry_run=True)
    assert result.requests[0].body["roleScopeTagIds"] == ["Helpdesk EU", "7"]
    shown = publish_result(result, dry_run=True, offline=True)
    assert shown.text.splitlines()[1] == "  scope tags (not resolved, Intune not read): Helpdesk EU, 7"
    assert shown.data["scope_tags"] == ["Helpdesk EU", "7"] and shown.data["scope_tags_resolved"] is False


def test_online_dry_run_resolves_and_plans_without_writing(graph, client, tenant):  # noqa: F811
    result = publish(client, bundle("Kiosks"), dry_run=True)
    assert graph.writes() == [] and result.requests[0].body["roleScopeTagIds"] == ["3"]
    assert result.scope_tag_changes == ["+ scope tag 3 (Kiosks)"]


# -- through the CLI, with a site's package copy ---------------------------------------------------------------
def site(tmp_path: Path, intune: str) -> Path:
    """A config whose packaging folder holds the device package with ``intune`` appended."""
    folder = tmp_path / "packaging"
    folder.mkdir()
    text = (ROOT / "remediate/packaging/caa20002-device.toml").read_text(encoding="utf-8")
    (folder / "caa20002-device.toml").write_text(text + "\n" + intune, encoding="utf-8")
    config = tmp_path / "site.toml"
    config.write_text('packaging_dir = "packaging"\n', encoding="utf-8")
    return config


def test_cli_publish_creates_with_tags_and_reports_them(runner, online, tmp_path):  # noqa: F811
    kiosks = online.add_scope_tag("Kiosks")
    config = site(tmp_path, '[intune]\nscope_tags = ["Kiosks"]\n')
    result = runner.invoke(cli, ["--config", str(config), "publish", "--package", DEVICE_PKG])
    assert result.exit_code == 0, result.output
    assert f"  + scope tag {kiosks} (Kiosks)" in result.stdout.splitlines()
    assert online.writes()[0].body["roleScopeTagIds"] == [kiosks]


@pytest.mark.parametrize(("fault", "code", "start"), [
    (None, ExitCode.CONFIG, "remediate: error: packaging/caa20002-device.toml: intune.scope_tags: no Intune scope "
                            "tag named 'Kiosk' (close: 'Kiosks')"),
    (b'{"value": [{"name": "Kiosks"}]}', ExitCode.SERVICE, "remediate: error: Graph listed a scope tag without"),
], ids=["unknown-name-exit-5", "malformed-answer-exit-6"])
def test_cli_errors_are_one_line_with_their_exit_code(runner, online, tmp_path, fault, code, start):  # noqa: F811
    online.add_scope_tag("Kiosks")
    if fault:
        online.fail("GET", "/deviceManagement/roleScopeTags", 200, body=fault)
    config = site(tmp_path, '[intune]\nscope_tags = ["Kiosk"]\n')
    result = runner.invoke(cli, ["--config", str(config), "publish", "--package", DEVICE_PKG])
    assert result.exit_code == code
    assert result.stderr.startswith(start) and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output and online.writes() == []


def test_cli_offline_dry_run_says_intune_was_not_read(runner, tmp_path):  # noqa: F811
    config = site(tmp_path, '[intune]\nscope_tags = ["Helpdesk EU", "7"]\n')
    result = runner.invoke(cli, ["--config", str(config), "publish", "--package", DEVICE_PKG, "--dry-run",
                                 "--output", "json"])
    assert result.exit_code == 0, result.output
    assert "offline dry run: Intune was NOT read" in result.stderr
    data = json.loads(result.stdout)["result"]
    assert (data["scope_tags"], data["scope_tags_resolved"]) == (["Helpdesk EU", "7"], False)
    assert data["requests"][0]["body"]["roleScopeTagIds"] == ["Helpdesk EU", "7"]


def test_bundle_readme_lists_the_declared_tags_and_payload_keeps_default_for_names():
    named, numeric = bundle("Helpdesk EU", "7"), bundle("7", "0")
    assert named.payload()["roleScopeTagIds"] == ["0"] and numeric.payload()["roleScopeTagIds"] == ["7", "0"]
    assert b"| Scope tags | Helpdesk EU, 7 |" in named.files()["README.md"]
    assert b"| Scope tags | Default |" in bundle().files()["README.md"]
