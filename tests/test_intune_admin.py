"""Intune publishing complete (issue 15): offline dry runs that say so, unpublish, trigger for several devices
or a group, through the CLI against the Graph emulator."""

from __future__ import annotations

import json

from graph_emulator import graph  # noqa: F401  (fixture)
from test_intune_cli import DEVICE_PKG, GROUP, display_name, online, runner  # noqa: F401  (fixtures)

from remediate.cli import cli

A, B, C = ("aaaaaaaa-0000-4000-8000-00000000000a", "bbbbbbbb-0000-4000-8000-00000000000b",
           "cccccccc-0000-4000-8000-00000000000c")


def test_offline_dry_run_says_plainly_that_it_did_not_read_intune(runner):  # noqa: F811
    result = runner.invoke(cli, ["publish", "--package", DEVICE_PKG, "--group", GROUP, "--dry-run",
                                 "--output", "json"])
    assert result.exit_code == 0, result.output
    assert "offline dry run: Intune was NOT read (no credentials)" in result.stderr
    assert json.loads(result.stdout)["result"]["intune_read"] is False
    text = runner.invoke(cli, ["publish", "--package", DEVICE_PKG, "--all-users", "--dry-run"])
    assert text.stdout.startswith("dry run (offline, Intune not read): would create: ")
    assert "+ all users (" in text.stdout


def test_online_dry_run_does_not_claim_to_be_offline(runner, online, monkeypatch):  # noqa: F811
    for var, value in (("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c"), ("AZURE_CLIENT_SECRET", "s")):
        monkeypatch.setenv(var, value)
    result = runner.invoke(cli, ["publish", "--package", DEVICE_PKG, "--group", GROUP, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("dry run: would create") and "NOT read" not in result.stderr


def test_unpublish_through_the_cli(runner, online):  # noqa: F811
    published = runner.invoke(cli, ["publish", "--package", DEVICE_PKG, "--group", GROUP])
    assert published.exit_code == 0, published.output
    result = runner.invoke(cli, ["unpublish", "--package", DEVICE_PKG, "--output", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["result"]["action"] == "delete" and online.scripts == {}
    again = runner.invoke(cli, ["unpublish", "--package", DEVICE_PKG])
    assert again.exit_code == 0 and again.stdout.startswith("not in Intune:")


def test_trigger_several_devices_and_a_group(runner, online):  # noqa: F811
    script_id = online.add_script(display_name(DEVICE_PKG))
    online.devices = [{"id": A, "deviceName": "PC-A", "azureADDeviceId": "aad-a"},
                      {"id": B, "deviceName": "PC-B", "azureADDeviceId": "aad-b"},
                      {"id": C, "deviceName": "PC-C", "azureADDeviceId": "aad-c"}]
    device = "#microsoft.graph.device"
    online.add_group("Berlin kiosks", [{"@odata.type": device, "id": "o-b", "deviceId": "aad-b", "displayName": "PC-B"},
                                       {"@odata.type": device, "id": "o-c", "deviceId": "aad-c", "displayName": "PC-C"},
                                       {"@odata.type": device, "id": "o-x", "deviceId": "aad-x", "displayName": "OLD"},
                                       {"@odata.type": "#microsoft.graph.user", "id": "u-1"}])
    result = runner.invoke(cli, ["trigger", "--package", DEVICE_PKG, "--device", "PC-A", "--device", "PC-B",
                                 "--group", "Berlin kiosks", "--output", "json"])
    assert result.exit_code == 0, result.output
    assert sorted(online.triggered) == [(A, script_id), (B, script_id), (C, script_id)]  # PC-B once
    assert "OLD (aad-x) is in 'Berlin kiosks' but not managed by Intune: skipped" in result.stderr
    rows = json.loads(result.stdout)["result"]["devices"]
    assert [r["status"] for r in rows] == ["started"] * 3


def test_trigger_many_goes_on_after_one_device_fails(runner, online):  # noqa: F811
    online.add_script(display_name(DEVICE_PKG))
    online.devices = [{"id": A, "deviceName": "PC-A"}, {"id": B, "deviceName": "PC-B"}]
    online.fail("POST", rf"/deviceManagement/managedDevices/{A}/initiateOnDemandProactiveRemediation", 502)
    result = runner.invoke(cli, ["trigger", "--package", DEVICE_PKG, "--device", "PC-A", "--device", "PC-B",
                                 "--device", "PC-NOPE"])
    assert result.exit_code == 7, result.output  # unknown outcome outranks the not-found device (6)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("PC-NOPE: not found")  # names are resolved first, then each device is run
    assert lines[1].startswith("PC-A: outcome unknown") and lines[2].startswith("started ")
    assert [d for d, _ in online.triggered] == [B]


def test_trigger_needs_a_device_or_a_group(runner):  # noqa: F811
    result = runner.invoke(cli, ["trigger", "--package", DEVICE_PKG])
    assert result.exit_code == 2 and "--device" in result.stderr
