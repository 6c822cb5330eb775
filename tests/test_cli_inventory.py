"""``remediate run`` with Ansible inventories, --limit, --forks, per-host ports and --rerun-failed, against the
loopback WS-Man server: the connection details come from the inventory, not from the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from tests.test_cli_run import device
from tests.wsman_server.fixtures import PASSWORD, USER, loopback  # noqa: F401  (fixtures)


def run(*args: str):
    # No --port: every host's port comes from the inventory (5985, the default without --ssl, is closed).
    base = ["run", "--no-ssl", "--auth", "ntlm", "--username", USER, "--package", "caa20002-device"]
    return CliRunner().invoke(cli, base + list(args), env={"REMEDIATE_PASSWORD": PASSWORD}, catch_exceptions=False)


@pytest.mark.parametrize("processes", ["1", "2"])  # 2: each client process gets its hosts' own settings
def test_ansible_json_inventory_names_address_port_and_transport(loopback, tmp_path, processes):  # noqa: F811
    a, b = loopback.add_host(device(compliant=True)), loopback.add_host(device())
    inventory = {"_meta": {"hostvars": {
        "kiosk-a": {"ansible_host": a, "ansible_port": loopback.port, "ansible_connection": "winrm"},
        "kiosk-b": {"ansible_host": b, "ansible_port": loopback.port, "ansible_connection": "psrp"},
        "linux-1": {"ansible_host": "10.9.9.9", "ansible_port": 22, "ansible_connection": "psrp"}}},
        "kiosks": {"hosts": ["kiosk-a", "kiosk-b"]}, "servers": {"hosts": ["linux-1"]}}
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(inventory))
    res = run("--inventory", str(path), "--limit", "kiosks", "--forks", "2", "--processes", processes,
              "--output", "jsonl")
    assert res.exit_code == 1, res.output
    records = {r["host"]: r for r in map(json.loads, res.stdout.splitlines())}
    assert set(records) == {"kiosk-a", "kiosk-b"}  # linux-1 left out by --limit, never contacted
    assert (records["kiosk-a"]["status"], records["kiosk-a"]["transport"]) == ("compliant", "winrm")
    assert (records["kiosk-b"]["status"], records["kiosk-b"]["transport"]) == ("non_compliant", "psrp")
    assert len(loopback.host(a).scripts) == len(loopback.host(b).scripts) == 1


def test_host_port_on_the_command_line(loopback):  # noqa: F811
    host = loopback.add_host(device(compliant=True))
    res = run(f"{host}:{loopback.port}", "--output", "jsonl")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["host"] == host


def test_rerun_failed_retries_only_the_failed_hosts(loopback, tmp_path):  # noqa: F811
    good, bad = loopback.add_host(device(compliant=True)), loopback.add_host(device())
    hosts = tmp_path / "hosts.txt"
    hosts.write_bytes(f"{good}:{loopback.port}\r\n{bad}:{loopback.port}\r\n".encode("utf-16"))  # PS 5.1 style
    results = tmp_path / "out.jsonl"
    first = run("--inventory", str(hosts), "--results", str(results))
    assert first.exit_code == 1, first.output
    again = run("--inventory", str(hosts), "--rerun-failed", str(results), "--remediate", "--output", "jsonl")
    assert again.exit_code == 0, again.output
    assert [json.loads(line)["host"] for line in again.stdout.splitlines()] == [bad]
    assert (len(loopback.host(good).scripts), json.loads(again.stdout)["status"]) == (1, "fixed")
    # Alone, the failed hosts are the targets, without the inventory's ports: 5985 refuses, as it should.
    alone = run("--rerun-failed", str(results), "--output", "jsonl")
    assert alone.exit_code == 4 and json.loads(alone.stdout)["host"] == bad


def test_limit_without_a_match_is_a_config_error(tmp_path):
    path = tmp_path / "hosts.txt"
    path.write_text("PC-1\nPC-2\n")
    res = run("--inventory", str(path), "--limit", "PC-3")
    assert res.exit_code == 5 and res.stderr.strip() == "remediate: error: --limit: 'PC-3' matches no host and " \
                                                         "no group of the inventory"


def test_limit_with_local_is_a_usage_error():
    res = run("--local", "--limit", "x")
    assert res.exit_code == 2 and "not --local" in res.stderr
