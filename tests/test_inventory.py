"""Inventory files: text and CSV, comments, validation with file:line, case-insensitive dedup."""

from __future__ import annotations

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
