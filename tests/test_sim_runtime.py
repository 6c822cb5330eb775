"""The runtime contract in real PowerShell against the simulated Windows: verdicts, backoff over simulated days,
state that cannot be poisoned, the mutex, contexts, cultures, the last-resort result line, language mode.

Each defect these scenarios found is named in the test that shows it (issue: run every script in PowerShell).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from simwin.engine import find_pwsh
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
ROOT = Path(__file__).resolve().parent.parent


def broken_tls(tmp_path, culture="en-US") -> Sim:
    sim = Sim.device(tmp_path)
    sim.machine.culture = culture
    sim.machine.set_value(SCHANNEL, "Enabled", 0)
    sim.machine.fault("registry.write")  # the fix cannot work: access denied
    return sim


@pytest.mark.parametrize("culture", ["en-US", "fi-FI", "th-TH", "ar-SA"])
def test_failed_fix_backs_off_then_needs_attention_over_simulated_days(tmp_path, culture):
    """Defects shown: a failing fix ended the run with 'unknown finding state failed' (no later checks, no
    state saved, no backoff); stamps were written in the current culture (fi-FI '12.00.00' could not be read
    back, th-TH wrote Buddhist years) so the cooldown never ended or never began."""
    sim = broken_tls(tmp_path, culture)
    first = sim.remediate()
    assert first.finding("tls12_machine")["state"] == "failed" and first.exit_code == 1
    assert first.finding("os_version")["state"] == "pass"  # the checks after the failing one still ran
    state = sim.state_file()
    assert state["tls12_machine.failures"] == "1"
    assert state["tls12_machine.next"].startswith("2026-11-30T13:00:00Z"[:13])  # 60 min cooldown, Gregorian
    within = sim.remediate()  # 0 minutes later: cooling down, nothing attempted
    assert within.finding("tls12_machine")["reason"] == "backoff"
    assert not [c for c in within.changes() if c.startswith("registry.")]
    sim.machine.advance(hours=1, minutes=1)
    assert sim.remediate().finding("tls12_machine")["state"] == "failed"
    assert sim.state_file()["tls12_machine.failures"] == "2"
    sim.machine.advance(hours=2, minutes=1)
    assert sim.remediate().finding("tls12_machine")["state"] == "failed"
    sim.machine.advance(days=1)
    stuck = sim.remediate()
    assert stuck.finding("tls12_machine")["reason"] == "needs_attention"
    assert stuck.result["reason"] == "needs_attention" and stuck.exit_code == 0
    # Expiry: a week later the failures are forgotten and the fix is tried again.
    sim.machine.advance(days=8)
    assert sim.remediate().finding("tls12_machine")["state"] == "failed"
    assert sim.state_file()["tls12_machine.failures"] == "1"


def test_passing_on_its_own_forgets_failures(tmp_path):
    sim = broken_tls(tmp_path)
    sim.remediate()
    assert sim.state_file()["tls12_machine.failures"] == "1"
    sim.machine.set_value(SCHANNEL, "Enabled", 1)  # an admin fixed it by hand
    sim.machine.advance(minutes=5)
    assert sim.remediate().finding("tls12_machine")["state"] == "pass"
    assert "tls12_machine.failures" not in sim.state_file()


def test_state_reset_script_clears_needs_attention(tmp_path):
    from remediate.packages import load_packages
    from remediate.rmm import reset_script
    sim = broken_tls(tmp_path)
    sim.state_file()
    for _ in range(3):
        sim.remediate()
        sim.machine.advance(days=1)
    assert sim.remediate().finding("tls12_machine")["reason"] == "needs_attention"
    package = next(p for p in load_packages(ROOT / "packaging") if p.id == "caa20002-device")
    from simwin.run import run_script
    reset = run_script(reset_script(package), sim.machine, sim.tmp, name="reset.ps1", check_contract=False)
    answer = json.loads(reset.lines[-1])
    assert reset.exit_code == 0 and reset.stderr == "" and len(answer["deleted"]) == 1, reset.stdout
    assert sim.state_file() == {}
    assert sim.remediate().finding("tls12_machine")["state"] == "failed"  # tried again


def test_mutex_held_by_another_run_skips(tmp_path):
    sim = Sim.device(tmp_path)
    holder = subprocess.Popen(
        [find_pwsh(), "-NoProfile", "-NonInteractive", "-Command",
         "$m = New-Object System.Threading.Mutex($false, 'Global\\remediate-caa20002-device'); "
         "$null = $m.WaitOne(0); 'held'; [Console]::Out.Flush(); Start-Sleep -Seconds 60"],
        stdout=subprocess.PIPE, env={**os.environ, "HOME": str(tmp_path)})
    try:
        assert holder.stdout.readline().strip() == b"held"
        run = sim.remediate()
        assert run.result["verdict"] == "skipped" and run.result["reason"] == "mutex_busy"
        assert run.exit_code == 0 and not run.changes()
    finally:
        holder.kill()
        holder.wait(10)
    assert sim.remediate().result["verdict"] == "compliant"  # free again


@pytest.mark.parametrize(("package", "account", "verdict", "code"), [
    ("user", "system", "skipped", 0),  # a user package as SYSTEM would act on SYSTEM's profile
    ("user", "admin", "skipped", 0),   # ... or over WinRM on the admin's
    ("device", "user", "error", 1),    # a device package without admin rights cannot read or fix
], ids=["user-as-system", "user-as-network-admin", "device-as-user"])
def test_wrong_context_changes_nothing(tmp_path, package, account, verdict, code):
    sim = Sim.user(tmp_path, account=account) if package == "user" else Sim.device(tmp_path, account=account)
    run = sim.remediate()
    assert run.result["verdict"] == verdict and run.result["reason"] == "wrong_context"
    assert run.exit_code == code and not run.changes()


def test_untrusted_data_root_is_refused(tmp_path):
    """ProgramData lets any user pre-create ProgramData\\remediate: such a folder is never trusted."""
    sim = Sim.device(tmp_path)
    sim.machine.file("ProgramData/remediate/state/caa20002-device.state", "tls12_machine.failures=99\r\n")
    run = sim.detect()
    assert run.result["verdict"] == "error" and run.result["reason"] == "data_root_untrusted_owner"
    assert run.exit_code == 1


def test_own_data_root_is_created_protected_and_trusted_later(tmp_path):
    sim = Sim.device(tmp_path)
    sim.detect()
    assert any(path.endswith("remediate") for path in sim.machine.state["acl"])
    assert sim.detect().result["verdict"] == "compliant"


def test_last_resort_result_line_is_valid_json(tmp_path):
    """Defect shown: when no shrinking step was left the line was cut at 2,048 characters: invalid JSON."""
    sim = Sim.device(tmp_path)
    sim.machine.native("dsregcmd.exe", "/status", "x" * 10, exit=0)
    # A hostile computer name (the only free text that survives every shrinking step) forces the last resort.
    run = sim.detect(env={"COMPUTERNAME": "N" * 5000})
    assert run.result["reason"] == "truncated" and run.result["truncated"] is True
    assert len(run.lines[-1]) <= 2048


def test_constrained_language_mode_answers_clearly(tmp_path):
    """The shipped script itself (no simulated Windows needed: it stops before its first OS call)."""
    script = ROOT / "detection_scripts" / "caa20002-device" / "detect.ps1"
    proc = subprocess.run(
        [find_pwsh(), "-NoProfile", "-NonInteractive", "-Command",
         f"$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'; & '{script}'; exit $LASTEXITCODE"],
        capture_output=True, env={**os.environ, "HOME": str(tmp_path)}, cwd=tmp_path, timeout=60, check=False)
    answer = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    assert answer["verdict"] == "error" and answer["reason"] == "constrained_language"
    assert answer["advice"] == "sign_scripts_for_wdac_or_applocker"
    assert proc.returncode == 1 and proc.stderr == b""


@pytest.mark.parametrize("script", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "detection_scripts").glob("*/*.ps1")))
def test_every_delivered_script_answers_with_its_json_error_line_off_windows(tmp_path, script):
    """Run bare (no simulated Windows) on PowerShell for Linux: the first Windows-only call fails, and the
    script still answers with one JSON line and its documented exit code, nothing on stderr."""
    proc = subprocess.run([find_pwsh(), "-NoProfile", "-NonInteractive", "-File", str(ROOT / script)],
                          capture_output=True, cwd=tmp_path, timeout=120, check=False,
                          env={**os.environ, "HOME": str(tmp_path), "ProgramData": str(tmp_path / "pd"),
                               "LOCALAPPDATA": str(tmp_path / "la")})
    answer = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    assert answer["verdict"] == "error" and proc.returncode == 1 and proc.stderr == b""
