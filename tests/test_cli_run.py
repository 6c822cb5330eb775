"""``remediate run`` through click's CliRunner against the loopback WS-Man server, with the real packages."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.fixtures import PASSWORD, USER, loopback, loopback_tls  # noqa: F401  (fixtures)


def line(package: str, phase: str, verdict: str, reason: str | None = None) -> str:
    data = {"schema_version": 1, "package": package, "phase": phase, "verdict": verdict, "findings": []}
    if reason:
        data["reason"] = reason
    return json.dumps(data, separators=(",", ":"))


def device(fixable: bool = True, compliant: bool = False):
    """A host that answers the real rendered device scripts (told apart by their 'Phase' line)."""

    def respond(script: str, state: dict) -> Action:
        if "'Phase' = 'remediate'" in script:
            state["fixed"] = fixable and "'DryRun' = $false" in script
            verdict = "remediated" if "'DryRun' = $false" in script else "non_compliant"
            return Action(output=(line("caa20002-device", "remediate", verdict),), exit_code=0)
        ok = compliant or state.get("fixed", False)
        return Action(output=(line("caa20002-device", "detect", "compliant" if ok else "non_compliant"),),
                      exit_code=0 if ok else 1)

    return HostProgram(script=respond)


def invoke(server, *args: str, env: dict | None = None, input: str | None = None):
    base = ["run", "--port", str(server.port), "--auth", "ntlm", "--username", USER]
    base += ["--ssl", "--ca-bundle", str(server.ca_file)] if server.ssl else ["--no-ssl"]
    return CliRunner().invoke(cli, base + list(args), env={"REMEDIATE_PASSWORD": PASSWORD, **(env or {})},
                              input=input, catch_exceptions=False)


def test_detect_only_is_the_default_and_reports_non_compliance(loopback, tmp_path):  # noqa: F811
    good, bad = loopback.add_host(device(compliant=True)), loopback.add_host(device())
    results = tmp_path / "out.jsonl"
    res = invoke(loopback, good, bad, "--package", "caa20002-device", "--results", str(results))
    assert res.exit_code == 1, res.output
    assert "2 hosts: 1 compliant, 1 non_compliant" in res.stdout
    assert len(results.read_text().splitlines()) == 2
    assert all(len(loopback.host(h).scripts) == 1 for h in (good, bad))
    assert PASSWORD not in res.stdout + res.stderr + results.read_text()


@pytest.mark.parametrize("transport", ["psrp", "winrm"])
def test_remediate_fixes_and_verifies(loopback, transport):  # noqa: F811
    host = loopback.add_host(device())
    res = invoke(loopback, host, "--package", "caa20002-device", "--remediate", "--transport", transport,
                 "--output", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)["result"]
    (record,) = doc["records"]
    assert record["status"] == "fixed" and [p["phase"] for p in record["phases"]] == ["detect", "remediate", "verify"]
    assert doc["summary"]["exit_code"] == 0
    (seen,) = loopback.host(host).scripts  # one cycle script: detect, remediate, verify in one pipeline
    assert "Invoke-RmCycle -Checks" in seen and "'Phase' = 'remediate'" in seen


def test_dry_run_changes_nothing(loopback):  # noqa: F811
    host = loopback.add_host(device())
    res = invoke(loopback, host, "--package", "caa20002-device", "--dry-run", "--output", "jsonl")
    assert res.exit_code == 1, res.output
    assert json.loads(res.stdout)["status"] == "would_remediate"
    (seen,) = loopback.host(host).scripts
    assert "'DryRun' = $true" in seen and "Invoke-RmCycle -Checks" in seen


def test_user_package_runs_through_the_interactive_user_launcher(loopback):  # noqa: F811
    def no_user(script: str, state: dict) -> Action:
        return Action(output=(line("caa20002-user", "detect", "skipped", "no_interactive_user"),), exit_code=0)

    host = loopback.add_host(HostProgram(script=no_user))
    res = invoke(loopback, host, "--package", "caa20002-user", "--transport", "winrm", "--output", "jsonl")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["status"] == "skipped"
    assert "New-ScheduledTaskPrincipal" in loopback.host(host).scripts[0]


@pytest.mark.parametrize("hosts, code", [
    pytest.param(["127.0.0.254"], "refused", id="refused"),
    pytest.param(["no-such-host.invalid"], "dns", id="dns"),
])
def test_unreachable_hosts_exit_4_with_their_code(loopback, hosts, code):  # noqa: F811
    res = invoke(loopback, *hosts, "--package", "caa20002-device", "--output", "jsonl")
    assert res.exit_code == 4
    assert json.loads(res.stdout)["error"]["code"] == code
    assert "Traceback" not in res.output


def test_inventory_with_a_bad_line_is_a_config_error(loopback, tmp_path):  # noqa: F811
    inv = tmp_path / "hosts.txt"
    inv.write_text("PC-1\nnot a host!\n")
    res = invoke(loopback, "--inventory", str(inv), "--package", "caa20002-device")
    assert res.exit_code == 5
    assert res.stderr.strip() == f"remediate: error: {inv}:2: 'not a host!' is not a valid host name (bad part " \
                                 "'not a host!')"


def test_inventory_runs_each_host_once(loopback, tmp_path):  # noqa: F811
    host = loopback.add_host(device(compliant=True))
    inv = tmp_path / "hosts.csv"
    inv.write_text(f"host,site\n{host},hq\n{host.upper()},hq\n")
    res = invoke(loopback, "--inventory", str(inv), "--package", "caa20002-device", "--output", "jsonl")
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 1
    assert len(loopback.host(host).scripts) == 1


@pytest.mark.parametrize("args, words", [
    pytest.param([], "exactly one", id="no-hosts"),
    pytest.param(["--local", "PC-1"], "exactly one", id="local-and-hosts"),
    pytest.param(["PC-1", "--insecure", "--ca-bundle", __file__], "contradict", id="insecure-and-ca"),
])
def test_usage_errors_exit_2(loopback, args, words):  # noqa: F811
    res = invoke(loopback, *args, "--package", "caa20002-device")
    assert res.exit_code == 2 and words in res.stderr


def test_insecure_is_warned_and_works_against_a_self_signed_host(loopback_tls):  # noqa: F811
    host = loopback_tls.add_host(device(compliant=True))
    res = CliRunner().invoke(cli, ["run", host, "--package", "caa20002-device", "--port", str(loopback_tls.port),
                                   "--auth", "ntlm", "--username", USER, "--insecure"],
                             env={"REMEDIATE_PASSWORD": PASSWORD})
    assert res.exit_code == 0, res.output
    assert "warning: --insecure" in res.stderr


def test_password_is_prompted_hidden_when_not_in_the_environment(loopback, monkeypatch):  # noqa: F811
    monkeypatch.setattr("remediate.cli._interactive", lambda: True)  # CliRunner's stdin stands for a terminal
    host = loopback.add_host(device(compliant=True))
    res = invoke(loopback, host, "--package", "caa20002-device", env={"REMEDIATE_PASSWORD": ""},
                 input=PASSWORD + "\n")
    assert res.exit_code == 0, res.output
    assert f"Password for {USER}" in res.stderr and PASSWORD not in res.stdout + res.stderr


def test_basic_over_http_is_refused(loopback):  # noqa: F811
    res = CliRunner().invoke(cli, ["run", "PC-1", "--package", "caa20002-device", "--no-ssl", "--auth", "basic",
                                   "--username", "u"], env={"REMEDIATE_PASSWORD": "p"})
    assert res.exit_code == 5 and "basic authentication over plain HTTP is refused" in res.stderr


def test_local_without_powershell_is_a_host_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    res = CliRunner().invoke(cli, ["run", "--local", "--package", "caa20002-device", "--output", "jsonl"])
    assert res.exit_code == 4
    assert json.loads(res.stdout)["error"]["code"] == "powershell_missing"
