"""The Intune commands through click's CliRunner: package, publish, results, trigger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)
from test_intune_results import make_fleet
from test_intune_signing import make_code_signing_cert, real_tool

from remediate.cli import cli
from remediate.errors import ExitCode
from remediate.intune import build, signing
from remediate.packages import load_packages

ROOT = Path(__file__).resolve().parents[1]
DEVICE_PKG = "caa20002-device"
GROUP = "10000000-0000-0000-0000-000000000001"


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    monkeypatch.chdir(ROOT)
    for var in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH"):
        monkeypatch.delenv(var, raising=False)
    return CliRunner()


@pytest.fixture
def online(graph, monkeypatch):  # noqa: F811
    """Commands talk to the emulator with a fixed token; no identity platform involved."""
    monkeypatch.setenv(build.GRAPH_URL_ENV, graph.base_url)
    monkeypatch.setattr(build, "token_provider", lambda settings: (lambda: TOKEN))
    return graph


def display_name(package_id: str) -> str:
    return next(p.display_name for p in load_packages(ROOT / "remediate" / "packaging") if p.id == package_id)


def test_package_is_byte_identical_across_runs(runner, tmp_path):
    first = runner.invoke(cli, ["package", "--out", str(tmp_path / "a")])
    second = runner.invoke(cli, ["package", "--out", str(tmp_path / "b")])
    assert first.exit_code == 0 == second.exit_code, first.output
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files_a) == 10
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    again = runner.invoke(cli, ["package", "--out", str(tmp_path / "a"), "--output", "json"])
    assert {s for r in json.loads(again.output)["result"] for s in r["files"].values()} == {"identical"}


def test_package_payload_follows_the_graph_contract(runner, tmp_path):
    result = runner.invoke(cli, ["package", "--package", "caa20002-user", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    payload = json.loads((tmp_path / "intune/caa20002-user/deviceHealthScript.json").read_text())
    assert payload["runAsAccount"] == "user" and payload["runAs32Bit"] is False
    assert payload["isGlobalScript"] is False and payload["roleScopeTagIds"] == ["0"]
    assert not (tmp_path / "intune/caa20002-device").exists()


@real_tool
def test_package_sign_produces_verifiable_scripts(runner, tmp_path, monkeypatch):
    cert, key = make_code_signing_cert(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    args = ["package", "--package", DEVICE_PKG, "--sign", "--cert", str(cert), "--key", str(key)]
    first = runner.invoke(cli, args + ["--out", str(tmp_path / "a")])
    runner.invoke(cli, args + ["--out", str(tmp_path / "b")])
    assert first.exit_code == 0, first.output
    folder = tmp_path / "a/intune" / DEVICE_PKG
    assert json.loads((folder / "deviceHealthScript.json").read_text())["enforceSignatureCheck"] is True
    for name in ("detect.ps1", "remediate.ps1"):
        ok, output = signing.verify((folder / name).read_bytes(), cert)
        assert ok, output
    lint = runner.invoke(cli, ["lint", "--no-pssa", str(folder / "detect.ps1"), str(folder / "remediate.ps1")])
    assert lint.exit_code == 0, lint.output  # lint accepts the Authenticode signature block
    assert (tmp_path / "a/intune" / f"{DEVICE_PKG}.zip").read_bytes() == \
        (tmp_path / "b/intune" / f"{DEVICE_PKG}.zip").read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--sign"], "--sign needs --cert"),
    (["--cert", "x.pem"], "need --sign"),
], ids=["sign-without-cert", "cert-without-sign"])
def test_package_sign_usage_errors(runner, tmp_path, args, message):
    result = runner.invoke(cli, ["package", "--out", str(tmp_path), *args])
    assert result.exit_code == 2 and message in result.output


def test_package_sign_with_an_old_tool_is_a_one_line_error(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no osslsigncode at all
    cert = tmp_path / "c.pfx"
    cert.write_bytes(b"x")
    result = runner.invoke(cli, ["package", "--out", str(tmp_path), "--sign", "--cert", str(cert)])
    assert result.exit_code == ExitCode.CONFIG
    assert result.stderr.strip() == ("remediate: error: osslsigncode >= 2.8 is required to sign .ps1 files and "
                                     "was not found on PATH")


def test_publish_dry_run_offline_prints_the_requests(runner):
    result = runner.invoke(cli, ["publish", "--package", DEVICE_PKG, "--group", GROUP, "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("dry run (offline, Intune not read): would create: ")
    assert f"  + include group {GROUP} (daily:09:00)" in lines
    assert "POST /deviceManagement/deviceHealthScripts" in lines
    assert "POST /deviceManagement/deviceHealthScripts/{new-script-id}/assign" in lines


def test_publish_twice_changes_nothing_the_second_time(runner, online):
    args = ["publish", "--package", DEVICE_PKG, "--group", GROUP, "--schedule", "hourly:2", "--output", "json"]
    first = json.loads(runner.invoke(cli, args).stdout)["result"]
    writes = len(online.writes())
    second = json.loads(runner.invoke(cli, args).stdout)["result"]
    assert (first["action"], second["action"]) == ("create", "unchanged")
    assert second["assignment_changes"] == [] and len(online.writes()) == writes == 2
    assert online.scripts[first["script_id"]]["displayName"] == display_name(DEVICE_PKG)


def test_publish_permission_error_is_one_line_with_exit_code(runner, online):
    online.scopes = {"DeviceManagementConfiguration.ReadWrite.All"}  # what worked before September 2025
    result = runner.invoke(cli, ["publish", "--package", DEVICE_PKG])
    assert result.exit_code == ExitCode.SERVICE
    assert result.stderr == (
        "remediate: error: missing permission (403) on GET /beta/deviceManagement/deviceHealthScripts: this call "
        "needs DeviceManagementScripts.Read.All; Intune requires one of: DeviceManagementScripts.Read.All, "
        "DeviceManagementScripts.ReadWrite.All; 'remediate publish' needs DeviceManagementScripts.ReadWrite.All "
        "(docs/intune.md, Permissions)\n")


def test_device_code_without_an_app_registration_is_refused(runner):
    result = runner.invoke(cli, ["results", "--package", DEVICE_PKG, "--device-code", "--tenant-id", "t"])
    assert result.exit_code == ExitCode.SERVICE == 6
    assert result.stderr.startswith("remediate: error: --device-code needs --client-id")
    assert "Azure CLI's client has no Intune permissions" in result.stderr and result.stderr.count("\n") == 1


def test_trigger_with_an_unknown_outcome_exits_7_and_is_sent_once(runner, online):
    online.add_script(display_name("caa20002-user"))
    online.devices = [{"id": "d-1", "deviceName": "PC-0042"}]
    online.fail("POST", r".*/initiateOnDemandProactiveRemediation", 502, times=5)
    result = runner.invoke(cli, ["trigger", "--package", "caa20002-user", "--device", "PC-0042"])
    assert result.exit_code == ExitCode.OUTCOME_UNKNOWN == 7
    assert "may or may not have started (server error 502)" in result.stderr
    assert len([r for r in online.writes() if r.path.endswith("Remediation")]) == 1


def test_deadline_option_bounds_throttling_waits(runner, online):
    online.fail("GET", r"/deviceManagement/deviceHealthScripts", 429, headers={"Retry-After": "120"})
    result = runner.invoke(cli, ["results", "--package", DEVICE_PKG, "--deadline", "30"])
    assert result.exit_code == ExitCode.SERVICE
    assert "Graph asked to wait 120 s" in result.stderr and "of the 30 s deadline (--deadline)" in result.stderr


def test_publish_without_credentials_is_a_service_error(runner):
    result = runner.invoke(cli, ["publish", "--package", DEVICE_PKG])
    assert result.exit_code == ExitCode.SERVICE and "no Graph credentials" in result.stderr


@pytest.mark.parametrize("output, check", [
    ("table", lambda out: out.startswith(f"{display_name(DEVICE_PKG)}: 300 devices")),
    ("json", lambda out: json.loads(out)["result"]["device_count"] == 300),
    ("csv", lambda out: len(out.splitlines()) == 301),
])
def test_results_outputs(runner, online, tmp_path, output, check):
    script_id = online.add_script(display_name(DEVICE_PKG))
    online.run_states[script_id] = make_fleet(300)[0]
    page = tmp_path / "fleet.html"
    result = runner.invoke(cli, ["results", "--package", DEVICE_PKG, "--output", output, "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert check(result.stdout)
    assert page.read_text().startswith("<!DOCTYPE html>")


def test_trigger_by_device_name(runner, online):
    script_id = online.add_script(display_name("caa20002-user"))
    online.devices = [{"id": "d-1", "deviceName": "PC-0042"}]
    result = runner.invoke(cli, ["trigger", "--package", "caa20002-user", "--device", "PC-0042"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"started {display_name('caa20002-user')} on PC-0042 [d-1]\n"
    assert online.triggered == [("d-1", script_id)]


@pytest.mark.parametrize("command", ["package", "publish", "results", "trigger"])
def test_every_intune_command_has_help_with_an_example(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


@pytest.mark.parametrize("command", ["publish", "results", "trigger"])
def test_help_names_exactly_the_permissions_from_the_table(runner, command):
    from remediate.intune.permissions import for_command

    text = " ".join(runner.invoke(cli, [command, "--help"]).output.split())
    assert f"Graph permissions (delegated or application): {for_command(command).line()}." in text
    assert "DeviceManagementConfiguration" not in text


def test_docs_permission_table_is_the_code_table():
    from remediate.intune.permissions import markdown_table

    assert markdown_table() in (ROOT / "docs/intune.md").read_text()


def test_docs_vendor_facts_name_tests_that_exist():
    """Every test the vendor-facts table of docs/intune.md cites exists, so the table cannot point at nothing."""
    import re

    doc = (ROOT / "docs/intune.md").read_text()
    section = doc.split("## Vendor facts we depend on", 1)[1].split("\n## ", 1)[0]
    cited = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", section)
    assert len(cited) >= 12
    for path, name in cited:
        assert re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M), f"{path}::{name}"
