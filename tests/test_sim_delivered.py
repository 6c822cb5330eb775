"""Every other script we deliver, run in real PowerShell against the simulated Windows: the one-pipeline cycle
script of remote fleet runs and the device package's script for every RMM output profile.

(The state-reset script: tests/test_sim_runtime.py. The user package's RMM script and the interactive-user
launcher need a simulated Task Scheduler and user sessions, which the simulated Windows does not have yet:
docs/simulated-windows.md lists that as Windows-only.)
"""

from __future__ import annotations

import json
import os

import pytest

from remediate import rmm
from remediate.packages import load_packages
from remediate.render import render_script, rmm_script_source, wrap_in_loader
from remediate.results import Phase
from simwin.machine import healthy
from simwin.run import run_script

from conftest import ROOT

pytestmark = pytest.mark.pwsh

SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"


@pytest.fixture(scope="module")
def device_package():
    return next(p for p in load_packages(ROOT / "remediate" / "packaging") if p.id == "caa20002-device")


def broken_machine():
    machine = healthy("system")
    machine.set_value(SCHANNEL, "Enabled", 0)
    return machine


@pytest.mark.parametrize(("broken", "dry_run", "steps", "verdict", "code"), [
    (False, False, ["detect"], "compliant", 0),
    (True, False, ["detect", "remediate", "verify"], "compliant", 0),
    (True, True, ["detect", "remediate"], "non_compliant", 0),
], ids=["healthy-stops-after-detect", "broken-fixed-and-verified", "dry-run-stops-after-remediate"])
def test_cycle_script_runs_its_steps(tmp_path, device_package, broken, dry_run, steps, verdict, code):
    script = render_script(device_package, Phase.REMEDIATE, cycle=True, dry_run=dry_run).decode("ascii")
    machine = broken_machine() if broken else healthy("system")
    run = run_script(script, machine, tmp_path, name="cycle.ps1", check_contract=False)
    # A dry run's ShouldProcess writes "What if: ..." lines to the host (stdout here); the result lines are JSON.
    results = [json.loads(line) for line in run.lines if line.startswith("{")]
    assert [r["cycle_step"] for r in results] == steps, run.stdout
    assert results[-1]["verdict"] == verdict and run.exit_code == code and run.stderr == ""
    assert run.lines[-1].startswith("{") and all(len(line) <= 2048 for line in run.lines)
    changed = [c for c in run.changes() if c.startswith("registry.set")]
    assert bool(changed) == (broken and not dry_run)


def exit_of(code: int) -> int:
    """Windows passes 32-bit exit codes (N-sight's 1001..1005); a Unix process exit status keeps the low byte."""
    return code if os.name == "nt" else code % 256


def result_of(run) -> dict:
    """The JSON result: on stdout for most profiles; Nagios prints only its status line, so from the log."""
    for line in run.lines:
        if line.startswith("{"):
            return json.loads(line)
    log = run.root / "ProgramData/Microsoft/IntuneManagementExtension/Logs/remediate-caa20002-device.log"
    last = [line for line in log.read_text(encoding="ascii").splitlines() if " result exit " in line][-1]
    return json.loads(last[last.index("{"):])


@pytest.mark.parametrize("profile", sorted(rmm.PROFILES))
def test_rmm_script_detects_and_fixes_with_its_profile(tmp_path, device_package, profile):
    # A compressed profile (nsight) is delivered as a loader: splice the script inside it, then wrap it.
    script, _ = rmm_script_source(device_package, profile)
    wrap = (lambda spliced: wrap_in_loader(spliced, device_package, profile).decode("ascii")) \
        if rmm.PROFILES[profile].packed else None
    machine = broken_machine()
    found = run_script(script, machine, tmp_path, name="rmm.ps1", check_contract=False, wrap=wrap)
    assert found.stderr == "", found.stderr
    expected = rmm.PROFILES[profile]
    result = result_of(found)
    assert result["phase"] == "detect" and result["verdict"] == "non_compliant"
    assert found.exit_code == exit_of(rmm.exit_code(expected, rmm.outcome_of(result), "detect", result["verdict"]))
    assert len(found.lines) == len(expected.lines), found.lines
    assert not [c for c in found.changes() if c.startswith("registry.set")]  # detection only by default
    fixed = run_script(script, machine, tmp_path, name="rmm.ps1", check_contract=False,
                       env={rmm.INPUTS["Fix"][0]: "1"}, wrap=wrap)
    result = result_of(fixed)
    assert result["phase"] == "remediate" and result["verdict"] == "remediated", fixed.stdout
    assert fixed.exit_code == exit_of(rmm.exit_code(expected, "remediated", "remediate", "remediated"))
    assert machine.value(SCHANNEL, "Enabled") == 1 and fixed.stderr == ""
