"""The interactive-user launcher (shipped .ps1) and the local runner's PowerShell launch."""

from __future__ import annotations

import base64
import os
import re
import stat
import sys
import textwrap

import pytest

from remediate.errors import RenderError
from remediate.lint import lint_bytes
from remediate.results import script_exit_code
from remediate.runners import make_runner
from remediate.runners.base import ConnectionSettings
from remediate.launcher import load_launcher, wrap_for_interactive_user

USER_SCRIPT = "$ErrorActionPreference = 'Stop'\r\nWrite-Output 'from the user package'\r\nexit 1\r\n"


@pytest.mark.parametrize("phase", ["detect", "remediate"])
def test_rendered_launcher_is_lint_clean_ascii_crlf_with_one_exit(phase):
    text = wrap_for_interactive_user(USER_SCRIPT * 400, package="caa20002-user", phase=phase, timeout_s=120)
    data = text.encode("ascii")
    assert lint_bytes(data, "launcher.ps1") == []
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert len(re.findall(r"(?im)^\s*exit\b", text)) == 1
    assert "Write-Host" not in text


def test_launcher_embeds_the_script_and_the_phase_values():
    text = wrap_for_interactive_user(USER_SCRIPT, package="caa20002-user", phase="remediate", timeout_s=100)
    payload = re.search(r"@'\r\n(.*?)\r\n'@", text, re.S).group(1)
    assert base64.b64decode(payload) == USER_SCRIPT.encode()
    assert "$RmLauncherPhase = 'remediate'" in text
    assert "$RmLauncherWaitSeconds = 85" in text
    assert f"$RmLauncherExitSkipped = {script_exit_code('remediate', 'skipped')}" in text
    assert f"$RmLauncherExitError = {script_exit_code('remediate', 'error')}" in text
    for needed in ("-LogonType Interactive", "Unregister-ScheduledTask", "no_interactive_user", "icacls.exe"):
        assert needed in text


def test_launcher_template_ships_in_the_package_as_ascii_crlf():
    raw = load_launcher()
    assert "{{PAYLOAD}}" in raw and raw.isascii() and "\n" not in raw.replace("\r\n", "")


@pytest.mark.parametrize("package", ["bad'quote", "", "a b", "x" * 80])
def test_unsafe_package_ids_are_refused(package):
    with pytest.raises(RenderError):
        wrap_for_interactive_user(USER_SCRIPT, package=package, phase="detect", timeout_s=60)


FAKE_POWERSHELL = '''#!{python}
"""A stand-in powershell.exe: checks the launch flags, then plays the script with the loopback interpreter."""
import sys
sys.path.insert(0, {root!r})
from tests.wsman_server.engine import interpret
args = sys.argv[1:]
assert args[:5] == ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File"], args
run = interpret(open(args[5], encoding="ascii").read())
for step in run.steps:
    if step.kind == "output":
        print(step.value)
    elif step.kind == "error":
        print(step.value, file=sys.stderr)
    elif step.kind == "hang":
        import time; time.sleep(60)
sys.exit(1 if run.throw else (run.exit_code or 0))
'''


@pytest.fixture
def fake_powershell(tmp_path, monkeypatch):
    exe = tmp_path / "powershell.exe"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    exe.write_text(FAKE_POWERSHELL.format(python=sys.executable, root=root))
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    return exe


@pytest.mark.parametrize("script, exit_code, stdout", [
    pytest.param("Write-Output 'ok'\r\nexit 0", 0, "ok", id="exit-0"),
    pytest.param("Write-Output 'found'\r\nexit 1", 1, "found", id="exit-1"),
    pytest.param("Write-Output 'none'", 0, "none", id="no-exit"),
])
def test_local_runner_launches_powershell_with_file(fake_powershell, script, exit_code, stdout):
    with make_runner(ConnectionSettings("localhost", transport="local")) as runner:
        outcome = runner.run_script(script, timeout_s=20)
    assert (outcome.exit_code, outcome.stdout.strip(), outcome.requests) == (exit_code, stdout, 0)


def test_local_runner_deadline(fake_powershell):
    from remediate.errors import RunnerError

    with make_runner(ConnectionSettings("localhost", transport="local")) as runner, \
            pytest.raises(RunnerError) as info:
        runner.run_script(textwrap.dedent("# loopback: hang"), timeout_s=1)
    assert info.value.code == "timeout"
