"""`remediate lint` as a linter: .ps1 only, virtual environments skipped, --select/--ignore, --list-rules,
JSON and SARIF output."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from remediate.errors import ExitCode
from remediate.lint import RULES

BAD = b"Write-Host 'hi'\n"  # PS007 (forbidden command), PS004 (LF), PS010, PS013 ...


def run(*args):
    return CliRunner().invoke(cli, ["lint", *map(str, args)])


@pytest.fixture
def tree(tmp_path):
    """A project folder: one bad script of ours, and bad scripts inside a venv, a .venv and .git."""
    (tmp_path / "ours.ps1").write_bytes(BAD)
    for folder in ("env", ".venv", ".git/hooks", "sub/node_modules"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "Activate.ps1").write_bytes(BAD)
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "notes.txt").write_bytes(BAD)
    return tmp_path


def test_folders_yield_ps1_files_only_and_skip_virtual_environments(tree):
    rows = json.loads(run(tree, "--output", "json").stdout)["result"]
    assert {r["path"] for r in rows} == {str(tree / "ours.ps1")}


def test_a_named_file_that_is_not_ps1_is_refused(tree):
    res = run(tree / "notes.txt")
    assert res.exit_code == ExitCode.CONFIG and "not a PowerShell script (.ps1)" in res.stderr


def test_select_and_ignore_filter_by_id_or_prefix(tree):
    def rules(*flags):
        return {r["rule"] for r in json.loads(run(tree / "ours.ps1", "--output", "json", *flags).stdout)["result"]}

    every = rules()
    assert {"PS004", "PS007"} <= every
    assert rules("--select", "PS007") == {"PS007"}
    assert rules("--select", "PS00", "--ignore", "PS004,PS007") == {r for r in every if r.startswith("PS00")} - {
        "PS004", "PS007"}
    # PSScriptAnalyzer's rules (when a PowerShell with the module is found) are named, not numbered: PS0 spares them
    assert rules("--ignore", "PS0") == {r for r in every if not r[2:3].isdigit()}
    assert rules("--ignore", "PS0", "--no-pssa") == set()
    res = run(tree / "ours.ps1", "--select", "PS99")
    assert res.exit_code == ExitCode.USAGE and "no such rule" in res.stderr and res.stderr.count("\n") == 1


def test_list_rules_names_every_rule():
    rows = json.loads(run("--list-rules", "--output", "json").stdout)["result"]
    assert [r["id"] for r in rows] == [r.id for r in RULES]
    assert run("--list-rules").stdout.splitlines()[0].startswith("PS001  syntax error")


def test_sarif_holds_every_issue_with_its_rule_and_location(tree):
    text = run(tree / "ours.ps1").stdout.splitlines()[:-1]
    res = run(tree / "ours.ps1", "--output", "sarif")
    assert res.exit_code == ExitCode.NON_COMPLIANT
    log = json.loads(res.stdout)
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][:len(RULES)] == [r.id for r in RULES]
    results = sarif_run["results"]
    # after ours, the PSScriptAnalyzer rules that have a result (none when no PowerShell has the module)
    assert [r["id"] for r in rules][len(RULES):] == sorted({r["ruleId"] for r in results} - {r.id for r in RULES})
    assert len(results) == len(text)
    for result, line in zip(results, text):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        where = result["locations"][0]["physicalLocation"]
        assert line.startswith(f"{where['artifactLocation']['uri']}:{where['region']['startLine']}:"
                               f"{where['region']['startColumn']}: {result['ruleId']} ")
