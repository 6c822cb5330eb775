"""The command line, through click's CliRunner: exact outputs, exit codes, help on every command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from remediate.errors import ExitCode


def run(*args, **kwargs):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)


@pytest.mark.parametrize("form", ["0xCAA20002", "3399614466", "-895352830", "caa20002"])
def test_explain_gives_the_same_answer_for_every_form(form):
    reference = run("explain", "0xCAA20002")
    result = run("explain", form)
    assert result.exit_code == 0
    assert result.output == reference.output
    assert "oauth" in result.output and "invalid_request" in result.output


def test_explain_json_and_bad_code():
    data = json.loads(run("explain", "0xCAA70004", "--output", "json").output)["result"]
    assert data["code"] == "0xCAA70004" and data["layer"] == "urlmon" and "network_endpoints" in data["checks"]
    bad = run("explain", "not-a-code")
    assert bad.exit_code == ExitCode.USAGE
    assert bad.output.count("\n") == 1 and bad.output.startswith("remediate: error: not an error code")


def test_list_shows_packages_checks_context_and_tier():
    rows = json.loads(run("list", "--output", "json").output)["result"]
    by_check = {r["check"]: r for r in rows}
    assert by_check["tls12_machine"] == {"package": "caa20002-device", "run_as": "system", "check": "tls12_machine",
                                         "context": "system", "tier": "safe", "fix": True, "budget_s": 3}
    assert by_check["teams_cache"]["package"] == "caa20002-user"
    table = run("list").output.splitlines()
    assert table[0].split() == ["package", "check", "context", "tier", "fix", "budget"]


def test_generate_check_passes_on_committed_scripts(repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    result = run("generate", "--check")
    assert result.exit_code == 0, result.output
    # per package detect, remediate, undo, collect and README, the 3 generated docs (docs/results.md, docs/rmm.md,
    # README.md) and the root copy of PSScriptAnalyzerSettings.psd1
    assert result.output.splitlines()[-1] == "14 file(s), 0 differ from their templates"


def test_generate_writes_then_check_fails_on_drift(repo_root, tmp_path, monkeypatch):
    monkeypatch.chdir(repo_root)
    out = tmp_path / "out"
    assert run("generate", "--out", str(out)).exit_code == 0
    assert run("generate", "--check", "--out", str(out)).exit_code == 0
    (out / "caa20002-user" / "detect.ps1").write_bytes(b"edited")
    result = run("generate", "--check", "--out", str(out))
    assert result.exit_code == ExitCode.NON_COMPLIANT
    assert f"changed   {out.as_posix()}/caa20002-user/detect.ps1" in result.output


def test_config_file_overrides_and_bad_config_is_one_line(repo_root, tmp_path):
    config = tmp_path / "site.toml"
    config.write_text(f'packaging_dir = "{repo_root / "remediate" / "packaging"}"\nout_dir = "out"\n'
                      '[overrides.caa20002-user.teams_cache]\nwindow_hours = 24\n')
    assert run("generate", "--config", str(config)).exit_code == 0
    assert b"'window_hours' = 24" in (tmp_path / "out" / "caa20002-user" / "detect.ps1").read_bytes()
    config.write_text('[overrides.caa20002-user.teams_cache]\nwindow_hours = "soon"\n'
                      f'packaging_dir = "{repo_root / "remediate" / "packaging"}"\n')
    config.write_text(f'packaging_dir = "{repo_root / "remediate" / "packaging"}"\n'
                      '[overrides.caa20002-user.teams_cache]\nwindow_hours = "soon"\n')
    result = run("generate", "--config", str(config))
    assert result.exit_code == ExitCode.CONFIG
    assert result.output.count("\n") == 1
    assert f"{config}: overrides.caa20002-user.teams_cache.window_hours: expected integer" in result.output


def test_lint_reports_issues_and_exits_1(tmp_path, repo_root, monkeypatch):
    bad = tmp_path / "bad.ps1"
    bad.write_bytes(b"Write-Host 'hi'\n")
    result = run("lint", "--no-pssa", str(bad))
    assert result.exit_code == ExitCode.NON_COMPLIANT
    assert f"{bad}:1:1: PS007" in result.output and "PS004" in result.output
    monkeypatch.chdir(repo_root)
    clean = run("lint", "--no-pssa")
    assert clean.exit_code == 0 and clean.output == "0 issue(s)\n"


def test_missing_lint_path_is_a_config_error(tmp_path):
    result = run("lint", "--no-pssa", str(tmp_path / "missing.ps1"))
    assert result.exit_code == ExitCode.CONFIG
    assert result.output.startswith("remediate: error: ")


def _commands(group, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in _commands(cli)], ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path):
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output, f"remediate {' '.join(path)} --help lacks an example"


def test_version():
    assert run("--version").output == "remediate, version 0.1.0\n"


def test_cli_auth_choices_match_the_runners():
    from remediate import cli as cli_module
    from remediate.runners import base

    assert tuple(cli_module._AUTHS) == tuple(base.AUTHS)


def test_light_commands_do_not_import_heavy_modules():
    import subprocess
    import sys

    code = ("import sys; from remediate.cli import main; sys.argv=['remediate','explain','0xCAA20002'];\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy=[m for m in ('requests','structlog','jinja2','tree_sitter','azure','pypsrp','winrm') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out, out
