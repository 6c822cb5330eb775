"""The RMM commands: package --rmm, run --format (loopback WS-Man server), state reset."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from remediate import cli as cli_module
from remediate import rmm
from remediate.cli import cli
from remediate.lint import lint_paths
from remediate.render import render_reset_script
from tests.test_cli_run import device, invoke, line
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.fixtures import PASSWORD, USER, loopback  # noqa: F401  (fixtures)


def test_cli_profile_names_are_the_table():
    assert cli_module._RMM_PROFILES == tuple(rmm.PROFILES)


def test_package_rmm_writes_one_lint_clean_script_per_package(tmp_path, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    res = CliRunner().invoke(cli, ["package", "--rmm", "datto", "--out", str(tmp_path), "--output", "json"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in (tmp_path / "rmm" / "datto").iterdir())
    assert files == ["caa20002-device.ps1", "caa20002-user.ps1"]
    assert lint_paths([tmp_path / "rmm"]) == []
    again = CliRunner().invoke(cli, ["package", "--rmm", "datto", "--package", "caa20002-device", "--out",
                                     str(tmp_path)], catch_exceptions=False)
    assert again.output.startswith("identical")


def test_package_rmm_refuses_signing(tmp_path, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)
    res = CliRunner().invoke(cli, ["package", "--rmm", "nagios", "--sign", "--out", str(tmp_path)])
    assert res.exit_code == 2


def test_run_format_nagios_one_host(loopback):  # noqa: F811
    host = loopback.add_host(device())
    res = invoke(loopback, host, "--package", "caa20002-device", "--format", "nagios")
    assert res.exit_code == 1, res.output
    assert res.stdout.startswith(f"WARNING - caa20002-device non_compliant on {host}; failing: none |")
    assert len(res.stdout.splitlines()) == 1


def test_run_format_fixed_host_is_ok_for_tactical_info(loopback):  # noqa: F811
    host = loopback.add_host(device())
    res = invoke(loopback, host, "--package", "caa20002-device", "--remediate", "--format", "tactical")
    assert res.exit_code == 10, res.output
    assert res.stdout.splitlines()[-1].startswith(f"OK: caa20002-device remediated on {host}")


def test_run_format_several_hosts_names_the_worst(loopback):  # noqa: F811
    good, bad = loopback.add_host(device(compliant=True)), loopback.add_host(device())
    res = invoke(loopback, good, bad, "--package", "caa20002-device", "--format", "datto")
    lines = res.stdout.splitlines()
    assert res.exit_code == 1, res.output
    assert lines[0] == "<-Start Diagnostic->" and lines[-1] == "<-End Result->"
    assert lines[-2] == f"Status=WARNING: caa20002-device non_compliant on 2 hosts; failing: {bad}"
    assert len([x for x in lines if x.startswith("{")]) == 2


def test_run_format_needs_attention_from_the_remediation_reason(loopback):  # noqa: F811
    def stuck(script: str, state: dict) -> Action:
        if "'Phase' = 'remediate'" in script:
            return Action(output=(line("caa20002-device", "remediate", "non_compliant", "needs_attention"),),
                          exit_code=0)
        return Action(output=(line("caa20002-device", "detect", "non_compliant"),), exit_code=1)

    host = loopback.add_host(HostProgram(script=stuck))
    res = invoke(loopback, host, "--package", "caa20002-device", "--remediate", "--format", "nsight")
    assert res.exit_code == 1004, res.output
    assert "CRITICAL: caa20002-device needs_attention" in res.stdout.splitlines()[-1]


def test_run_format_json_keeps_intune_codes(loopback):  # noqa: F811
    host = loopback.add_host(device())
    res = invoke(loopback, host, "--package", "caa20002-device", "--format", "json")
    assert res.exit_code == 1
    assert json.loads(res.stdout)["host"] == host  # the host record of remediate run


def reset_host(answer: dict, exit_code: int = 0):
    def respond(script: str, state: dict) -> Action:
        state.setdefault("scripts", []).append(script)
        return Action(output=(json.dumps(answer),), exit_code=exit_code)

    return HostProgram(script=respond)


def reset(server, *args):
    base = ["state", "reset", "--port", str(server.port), "--auth", "ntlm", "--username", USER, "--no-ssl"]
    return CliRunner().invoke(cli, base + list(args), env={"REMEDIATE_PASSWORD": PASSWORD},
                              catch_exceptions=False)


def test_state_reset_runs_the_tiny_script_remotely(loopback):  # noqa: F811
    path = "C:\\ProgramData\\remediate\\state\\caa20002-device.state"
    host = loopback.add_host(reset_host({"deleted": [path], "errors": []}))
    res = reset(loopback, host, "--package", "caa20002-device")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == f"{host}: deleted {path}"
    script = loopback.host(host).scripts[0]
    assert "$RmResetPackage = 'caa20002-device'" in script and "[System.IO.File]::Delete($path)" in script


def test_state_reset_reports_errors_with_exit_4(loopback):  # noqa: F811
    host = loopback.add_host(reset_host({"deleted": [], "errors": ["x: access denied"]}, exit_code=1))
    res = reset(loopback, host, "--package", "caa20002-user")
    assert res.exit_code == 4
    assert "no state file; x: access denied" in res.stdout
    assert "Win32_UserProfile" in loopback.host(host).scripts[0]


@pytest.mark.parametrize("args", [[], ["h1", "--local"]])
def test_state_reset_needs_hosts_or_local(args):
    res = CliRunner().invoke(cli, ["state", "reset", "--package", "caa20002-device", *args])
    assert res.exit_code == 2


def test_reset_script_is_lint_clean(real_packages):
    from remediate.lint import lint_bytes

    for package in real_packages:
        assert lint_bytes(render_reset_script(package).encode("ascii"), "reset.ps1") == []
