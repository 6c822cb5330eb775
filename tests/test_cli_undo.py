"""``remediate undo``, ``state show`` and ``state reset --inventory`` through click's CliRunner against the
loopback WS-Man server, with the real packages' rendered undo script."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.fixtures import PASSWORD, USER, loopback  # noqa: F401  (fixture)


def undo_line(verdict: str, restored: int = 0, failed: int = 0, held: list[str] | None = None,
              dry_run: bool = False) -> str:
    state = "failed" if failed else ("pass" if not restored else ("skipped" if dry_run else "fixed"))
    findings = [
        {"id": "registry", "state": state, "reason": "", "facts": {"restored": restored, "failed": failed,
                                                                 "checks": ["tls12_machine"]}},
        {"id": "quarantine", "state": "pass", "reason": "nothing_to_undo",
         "facts": {"restored": 0, "failed": 0, "sets": 0}},
        {"id": "state", "state": "advisory", "reason": "backoff_state",
         "facts": {"backoff": [], "needs_attention": held or []}},
    ]
    return json.dumps({"schema_version": 1, "package": "caa20002-device", "phase": "undo", "verdict": verdict,
                       "dry_run": dry_run, "findings": findings}, separators=(",", ":"))


def host(line: str, exit_code: int = 0) -> HostProgram:
    return HostProgram(script=lambda script, state: Action(output=(line,), exit_code=exit_code))


def invoke(server, *args: str):
    base = ["--port", str(server.port), "--auth", "ntlm", "--username", USER, "--no-ssl"]
    return CliRunner().invoke(cli, list(args[:1]) + (["show"] if args[:1] == ("state",) else [])
                              + base + list(args[1:]), env={"REMEDIATE_PASSWORD": PASSWORD},
                              catch_exceptions=False)


def test_undo_sends_the_undo_script_and_reports_per_host(loopback):  # noqa: F811
    good = loopback.add_host(host(undo_line("remediated", restored=3)))
    bad = loopback.add_host(host(undo_line("failed", failed=1), exit_code=1))
    res = invoke(loopback, "undo", good, bad, "--package", "caa20002-device", "--output", "json")
    assert res.exit_code == 3, res.output
    rows = json.loads(res.stdout)["result"]
    assert [r["verdict"] for r in rows] == ["remediated", "failed"]
    assert rows[0]["registry"]["restored"] == 3
    (sent,) = loopback.host(good).scripts
    assert "Invoke-RmUndo -Context" in sent and "'Phase' = 'undo'" in sent and "'DryRun' = $false" in sent
    assert PASSWORD not in res.stdout + res.stderr


def test_state_show_is_the_undo_script_in_dry_run_and_names_held_back_checks(loopback, tmp_path):  # noqa: F811
    a = loopback.add_host(host(undo_line("non_compliant", restored=2, held=["clock_sync"], dry_run=True)))
    b = loopback.add_host(host(undo_line("compliant")))
    inventory = tmp_path / "hosts.txt"
    inventory.write_text(f"{a}\n# a comment\n{b}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["state", "show", "--inventory", str(inventory), "--package", "caa20002-device",
                                   "--port", str(loopback.port), "--auth", "ntlm", "--username", USER, "--no-ssl"],
                             env={"REMEDIATE_PASSWORD": PASSWORD}, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    first, second = res.stdout.splitlines()
    assert "would put back 2 registry value(s) from tls12_machine" in first
    assert "held back needs_attention: clock_sync" in first
    assert "would put back 0 registry value(s)" in second
    (sent,) = loopback.host(a).scripts
    assert "Invoke-RmUndo -Context" in sent and "'DryRun' = $true" in sent


def test_undo_of_a_user_package_goes_through_the_interactive_user_launcher(loopback):  # noqa: F811
    target = loopback.add_host(host(undo_line("compliant").replace("caa20002-device", "caa20002-user")))
    res = invoke(loopback, "undo", target, "--package", "caa20002-user")
    assert res.exit_code == 0, res.output
    (sent,) = loopback.host(target).scripts
    assert "Invoke-RmUndo" not in sent  # the payload travels base64-encoded inside the launcher
    assert "Register-ScheduledTask" in sent or "ScheduledTask" in sent


def test_unreachable_or_foreign_output_is_a_host_error(loopback):  # noqa: F811
    target = loopback.add_host(host("hello, not ours"))
    res = invoke(loopback, "undo", target, "--package", "caa20002-device")
    assert res.exit_code == 4 and "bad_output" in res.stdout


@pytest.mark.parametrize("args", [[], ["PC-1", "--local"]], ids=["no-hosts", "hosts-and-local"])
def test_exactly_one_host_source(args):
    res = CliRunner().invoke(cli, ["undo", "--package", "caa20002-device", *args])
    assert res.exit_code == 2 and "exactly one" in res.output


def test_state_reset_takes_an_inventory_and_runs_hosts_concurrently(loopback, tmp_path):  # noqa: F811
    """Each host answers 2 s after its script arrives: one after another, the scripts would arrive 2 s or more
    apart; concurrently they all arrive before the first answer."""
    arrived: list[float] = []

    def slow(script: str, state: dict) -> Action:
        arrived.append(time.monotonic())
        return Action(output=('{"package":"caa20002-device","deleted":["C:\\\\x.state"],"errors":[]}',),
                      exit_code=0, delay_s=2.0)

    hosts = [loopback.add_host(HostProgram(script=slow)) for _ in range(4)]
    inventory = tmp_path / "hosts.txt"
    inventory.write_text("\n".join(hosts) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["state", "reset", "--inventory", str(inventory), "--package", "caa20002-device",
                                   "--concurrency", "4", "--port", str(loopback.port), "--auth", "ntlm",
                                   "--username", USER, "--no-ssl", "--output", "json"],
                             env={"REMEDIATE_PASSWORD": PASSWORD}, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["result"]
    assert [r["host"] for r in rows] == hosts and rows[0]["deleted"] == ["C:\\x.state"]
    assert len(arrived) == 4 and max(arrived) - min(arrived) < 2.0
