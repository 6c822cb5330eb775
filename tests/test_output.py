"""The CLI's output contract: one versioned JSON envelope for every command, JSON Lines, one renderer."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from remediate.cli import cli
from remediate.output import ENVELOPE_KEYS, ENVELOPE_VERSION, Result, render

ROOT = Path(__file__).resolve().parent.parent


def _commands(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_command_offers_the_json_envelope():
    lacking = [" ".join(path) for path, command in _commands()
               if not any(p.name == "output" and "json" in getattr(p.type, "choices", ()) for p in command.params)]
    assert lacking == []


# Commands that run offline; each gives the envelope with these keys, whatever its exit code.
OFFLINE = {
    "explain": (["explain", "0xCAA20002"], 0),
    "list": (["list"], 0),
    "generate": (["generate", "--check"], 0),
    "lint": (["lint", "--no-pssa", "detection_scripts"], 0),
    "package": (["package", "--out", "{tmp}", "--package", "caa20002-device"], 0),
    "package --rmm": (["package", "--rmm", "nagios", "--out", "{tmp}"], 0),
    "publish": (["publish", "--package", "caa20002-device", "--dry-run"], 0),
    "run": (["run", "--local", "--package", "caa20002-device"], 4),  # no powershell.exe here: a host error
    "state reset": (["state", "reset", "--local", "--package", "caa20002-device"], 4),
}


@pytest.mark.parametrize("name", sorted(OFFLINE))
def test_the_envelope_is_the_same_for_every_command(name, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PATH", str(tmp_path))  # no powershell.exe: the local runs fail the same way everywhere
    for var in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH"):
        monkeypatch.delenv(var, raising=False)
    args, code = OFFLINE[name]
    res = CliRunner().invoke(cli, [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--output", "json"],
                             catch_exceptions=False)
    doc = json.loads(res.stdout)
    assert tuple(sorted(doc)) == tuple(sorted(ENVELOPE_KEYS))
    assert (doc["schema_version"], doc["command"], doc["exit_code"], res.exit_code) == (ENVELOPE_VERSION,
                                                                                         name.split(" --")[0], code,
                                                                                         code)


def test_envelope_keys_are_pinned():
    # Changing these breaks every consumer of --output json: bump ENVELOPE_VERSION and docs/output.md with them.
    assert (ENVELOPE_KEYS, ENVELOPE_VERSION) == (("schema_version", "command", "exit_code", "result"), 1)


def test_jsonl_is_one_row_per_line_and_text_is_the_human_form():
    result = Result("run", {"records": [{"host": "b"}, {"host": "a"}]}, ["two hosts"],
                    rows=[{"host": "b"}, {"host": "a"}], exit_code=4)
    assert render(result, "jsonl") == '{"host":"b"}\n{"host":"a"}\n'
    assert render(result, "table") == render(result, "text") == "two hosts\n"
    assert json.loads(render(result, "json"))["result"]["records"][1] == {"host": "a"}


def test_lint_jsonl_lists_each_issue(tmp_path):
    bad = tmp_path / "bad.ps1"
    bad.write_bytes(b"\xef\xbb\xbfWrite-Host 'x'\n")
    res = CliRunner().invoke(cli, ["lint", "--no-pssa", str(bad), "--output", "jsonl"])
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert res.exit_code == 1 and {"PS003", "PS004"} <= {r["rule"] for r in rows}
