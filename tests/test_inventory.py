"""Inventory files: text and CSV, comments, validation with file:line, case-insensitive dedup."""

from __future__ import annotations

import json
import re

import pytest

from remediate.errors import ConfigError
from remediate.inventory import dedupe, host_problem, read_inventory


@pytest.mark.parametrize("name, text, hosts", [
    pytest.param("hosts.txt", "PC-0042\n# a comment\n\npc-0042\nsrv01.corp.example.com  # trailing comment\n",
                 ["PC-0042", "srv01.corp.example.com"], id="text-with-comments-and-duplicates"),
    pytest.param("hosts.txt", "10.0.0.5\n127.0.1.7\nfe80::1\n", ["10.0.0.5", "127.0.1.7", "fe80::1"], id="addresses"),
    pytest.param("fleet.csv", "name,Host,site\nfront,PC-1,hq\n# skipped\nback,pc-2,branch\n,,\n", ["PC-1", "pc-2"],
                 id="csv-host-column"),
    pytest.param("fleet.txt", "\ufeffhost,owner\nPC-9,ann\n", ["PC-9"], id="csv-sniffed-with-bom"),
])
def test_read_inventory(tmp_path, name, text, hosts):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert read_inventory(path) == hosts


@pytest.mark.parametrize("name, text, where, words", [
    pytest.param("hosts.txt", "PC-1\nbad host!\n", ":2:", "not a valid host name", id="bad-name-line-2"),
    pytest.param("hosts.txt", "PC-1\n-leading-dash\n", ":2:", "not a valid host name", id="leading-dash"),
    pytest.param("hosts.txt", "10.0.5\n", ":1:", "incomplete IP", id="partial-ip"),
    pytest.param("fleet.csv", "name,site\nPC-1,hq\n", ":1:", "'host' column", id="csv-without-host-column"),
    pytest.param("fleet.csv", "host,site\nPC-1,hq\n,branch\n", ":3:", "empty host name", id="csv-empty-cell"),
    pytest.param("hosts.txt", "# only comments\n", "", "no hosts", id="empty"),
])
def test_bad_inventory_names_file_and_line(tmp_path, name, text, where, words):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_inventory(path)
    message = str(info.value)
    assert str(path) + where in message and words in message and "\n" not in message


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read inventory"):
        read_inventory(tmp_path / "absent.txt")


@pytest.mark.parametrize("value, ok", [
    ("PC-0042", True), ("a" * 64, False), ("x." * 130, False), ("under_score", True), ("", False),
    ("host.example.", True), ("[::1]", True),
])
def test_host_problem(value, ok):
    assert (host_problem(value) is None) == ok


def test_dedupe_keeps_first_spelling():
    assert dedupe(["PC-1", "pc-1", " PC-2 ", "pc-2.", "PC-3"]) == ["PC-1", "PC-2", "PC-3"]


# -- issue 15: hosts with ports, the Ansible formats, UTF-16, --limit, --rerun-failed ---------------------------

from remediate.hostpattern import select  # noqa: E402
from remediate.inventory import InventoryHost, load_inventory, parse_target  # noqa: E402
from remediate.targets import failed_hosts, select_targets  # noqa: E402

INI = """\
# Ansible INI
jump01 ansible_host=10.0.0.9
[kiosks]
pc-0001 ansible_port=5985 ansible_psrp_protocol=http
pc-0002:5999
[kiosks:vars]
ansible_connection=winrm
ansible_winrm_transport=ntlm
[berlin]
pc-0002
srv-b1 ansible_host="10.1.0.4"
[europe:children]
berlin
[europe:vars]
ansible_connection=psrp
"""

YAML = """\
all:
  vars:
    ansible_connection: psrp
  hosts:
    jump01:
      ansible_host: 10.0.0.9
  children:
    kiosks:
      vars:
        ansible_connection: winrm
        ansible_winrm_transport: [kerberos, ntlm]
      hosts:
        pc-0001:
          ansible_port: 5985
          ansible_winrm_scheme: http
        pc-0002:
    europe:
      children:
        berlin:
          hosts:
            pc-0002:
            srv-b1: {ansible_host: "fe80::4", ansible_port: 5986}
"""

LIST_JSON = """{
  "_meta": {"hostvars": {"pc-0001": {"ansible_host": "127.0.1.9", "ansible_port": 5985,
                                      "ansible_connection": "ansible.builtin.winrm"},
                          "srv-b1": {"ansible_connection": "psrp"}}},
  "all": {"children": ["ungrouped", "kiosks", "europe"]},
  "kiosks": {"hosts": ["pc-0001", "pc-0002"]},
  "europe": {"children": ["berlin"]},
  "berlin": {"hosts": ["pc-0002", "srv-b1"]}
}"""


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("value, expected", [
    ("PC-1", ("PC-1", None)), ("pc-1.corp.example.com:5986", ("pc-1.corp.example.com", 5986)),
    ("10.0.0.5:5985", ("10.0.0.5", 5985)), ("fe80::1", ("fe80::1", None)), ("[::1]:5986", ("::1", 5986)),
    ("[fe80::1]", ("fe80::1", None)),
])
def test_parse_target(value, expected):
    assert parse_target(value) == expected


@pytest.mark.parametrize("value", ["PC-1:0", "PC-1:70000", "PC-1:https", "[::1]:x", "bad host:5986"])
def test_parse_target_rejects(value):
    with pytest.raises(ValueError):
        parse_target(value)


def test_text_inventory_keeps_ports(tmp_path):
    inv = load_inventory(_write(tmp_path, "hosts.txt", "PC-1:5986\n[::1]:5999\n10.0.0.5\n"))
    assert [(h.name, h.port) for h in inv.hosts] == [("PC-1", 5986), ("::1", 5999), ("10.0.0.5", None)]
    assert inv.hosts[1].overrides == {"host": "::1", "port": 5999}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_bom_encoded_files_as_powershell_writes_them(tmp_path, encoding):
    # PowerShell 5.1's `Get-ADComputer ... | Select Name | Out-File hosts.txt` writes UTF-16LE with a BOM.
    bom = "\ufeff" if encoding == "utf-16-be" else ""  # Python's utf-16-be codec writes no BOM itself
    path = _write(tmp_path, "hosts.txt", bom + "PC-1\r\nPC-2\r\n", encoding)
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb")
    assert read_inventory(path) == ["PC-1", "PC-2"]


def test_utf16_csv_export_with_host_column(tmp_path):
    text = '#TYPE Selected.Microsoft.ActiveDirectory.Management.ADComputer\r\n"Name","OS"\r\n"PC-7","Win11"\r\n'
    path = _write(tmp_path, "export.csv", text, "utf-16")
    assert load_inventory(path, host_column="Name").names == ["PC-7"]
    with pytest.raises(ConfigError, match="--host-column"):
        load_inventory(path)


def test_host_column_is_for_csv_only(tmp_path):
    with pytest.raises(ConfigError, match="for CSV"):
        load_inventory(_write(tmp_path, "hosts.txt", "PC-1\n"), host_column="Name")


@pytest.mark.parametrize("name, text", [
    pytest.param("hosts.ini", INI, id="ini"), pytest.param("hosts", INI, id="ini-sniffed"),
    pytest.param("hosts.yml", YAML, id="yaml"), pytest.param("inventory", YAML, id="yaml-sniffed"),
])
def test_ansible_ini_and_yaml(tmp_path, name, text):
    inv = load_inventory(_write(tmp_path, name, text))
    hosts = {h.name: h for h in inv.hosts}
    assert set(hosts) == {"jump01", "pc-0001", "pc-0002", "srv-b1"}
    assert hosts["jump01"].address == "10.0.0.9"
    assert (hosts["pc-0001"].port, hosts["pc-0001"].ssl, hosts["pc-0001"].transport) == (5985, False, "winrm")
    assert hosts["pc-0001"].auth in ("ntlm", "kerberos")
    assert inv.groups["europe"] == {"pc-0002", "srv-b1"} and inv.groups["kiosks"] == {"pc-0001", "pc-0002"}
    assert hosts["pc-0002"].groups == {"kiosks", "berlin", "europe"}


def test_ini_group_vars_deeper_group_wins_and_host_port_syntax(tmp_path):
    hosts = {h.name: h for h in load_inventory(_write(tmp_path, "hosts.ini", INI)).hosts}
    # kiosks (depth 1) says winrm, europe (depth 1) psrp, berlin (depth 2, no vars): ties go by name -> kiosks.
    assert hosts["pc-0002"].transport == "winrm" and hosts["pc-0002"].port == 5999
    assert hosts["srv-b1"].transport == "psrp" and hosts["srv-b1"].address == "10.1.0.4"


def test_ansible_inventory_list_json(tmp_path):
    inv = load_inventory(_write(tmp_path, "inv.json", LIST_JSON))
    hosts = {h.name: h for h in inv.hosts}
    assert hosts["pc-0001"].overrides == {"host": "127.0.1.9", "port": 5985, "transport": "winrm"}
    assert hosts["srv-b1"].transport == "psrp" and inv.groups["europe"] == {"pc-0002", "srv-b1"}


@pytest.mark.parametrize("name, text, words", [
    pytest.param("h.ini", "[web]\nweb[01:20].corp\n", "host range", id="range"),
    pytest.param("h.ini", "[linux]\nsrv ansible_connection=ssh\n", "'ssh' is not supported", id="ssh"),
    pytest.param("h.ini", "[w]\npc ansible_port=99999\n", "ansible_port", id="bad-port"),
    pytest.param("h.ini", "[w]\npc ansible_psrp_auth=digest\n", "'digest'", id="bad-auth"),
    pytest.param("h.ini", "[w:vars]\nno equals sign\n", "key=value", id="bad-vars"),
    pytest.param("h.yml", "all:\n  hosts: [a, b]\n", "mapping", id="yaml-hosts-list"),
    pytest.param("h.yml", "all: [\n", "not valid YAML", id="yaml-syntax"),
    pytest.param("h.json", "{\"all\": ", "not valid JSON", id="json-syntax"),
    pytest.param("h.yml", "all:\n  hosts:\n    'bad host!':\n", "not a valid host name", id="yaml-bad-name"),
])
def test_bad_ansible_inventories(tmp_path, name, text, words):
    path = _write(tmp_path, name, text)
    with pytest.raises(ConfigError) as info:
        load_inventory(path)
    assert words in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("pattern, expected", [
    ("all", ["jump01", "pc-0001", "pc-0002", "srv-b1"]),
    ("kiosks", ["pc-0001", "pc-0002"]),
    ("kiosks:jump01", ["jump01", "pc-0001", "pc-0002"]),
    ("kiosks,jump01", ["jump01", "pc-0001", "pc-0002"]),
    ("kiosks:&europe", ["pc-0002"]),
    ("europe:!pc-0002", ["srv-b1"]),
    ("!kiosks", ["jump01", "srv-b1"]),
    ("pc-*", ["pc-0001", "pc-0002"]),
    ("PC-0001", ["pc-0001"]),
    ("~^(jump|srv)", ["jump01", "srv-b1"]),
    ("eur*:!srv-b1", ["pc-0002"]),
])
def test_limit_patterns(tmp_path, pattern, expected):
    inv = load_inventory(_write(tmp_path, "hosts.yml", YAML))
    assert sorted(select(inv, pattern).names) == expected


@pytest.mark.parametrize("pattern, words", [
    ("kiosk", "matches no host and no group"), ("kiosks:&jump01", "leaves no host"), ("~[", "regular expression"),
])
def test_limit_errors(tmp_path, pattern, words):
    inv = load_inventory(_write(tmp_path, "hosts.yml", YAML))
    with pytest.raises(ConfigError, match=re.escape(words)):
        select(inv, pattern)


def _records(*pairs):
    return "".join(json.dumps({"host": h, "status": s}) + "\n" for h, s in pairs)


def test_failed_hosts_last_record_wins(tmp_path):
    path = _write(tmp_path, "out.jsonl", _records(
        ("PC-1", "error"), ("PC-2", "compliant"), ("PC-3", "remediation_failed"), ("pc-1", "fixed"),
        ("PC-4", "timeout-is-not-a-status"), ("PC-5", "interrupted"), ("PC-6", "skipped")))
    assert failed_hosts(path) == ["PC-3", "PC-4", "PC-5"]


def test_rerun_failed_with_an_inventory_keeps_connection_details(tmp_path):
    inv = _write(tmp_path, "inv.json", LIST_JSON)
    results = _write(tmp_path, "out.jsonl", _records(("pc-0001", "error"), ("srv-b1", "compliant")))
    chosen = select_targets((), inv, rerun_failed=results)
    assert chosen.hosts == (InventoryHost("pc-0001", "127.0.1.9", 5985, "winrm", groups=frozenset({"kiosks"})),)


def test_bad_results_file_names_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"out.jsonl:2: not a JSON line"):
        failed_hosts(_write(tmp_path, "out.jsonl", _records(("PC-1", "error")) + "{oops\n"))


@pytest.mark.parametrize("host, url", [("::1", "[::1]"), ("[fe80::1]", "[fe80::1]"), ("10.0.0.5", "10.0.0.5"),
                                       ("pc-1.corp", "pc-1.corp")])
def test_url_host_brackets_ipv6_for_the_winrm_url(host, url):
    from remediate.runners.base import url_host

    assert url_host(host) == url
