"""The RMM scripts as each vendor really runs them, in real PowerShell against the simulated Windows: the vendor
facts of docs/rmm.md ("Vendor facts we depend on") that a run can show, one test each.

Tactical RMM's agent starts ``powershell.exe -NonInteractive -NoProfile -ExecutionPolicy Bypass <file> <args>``
(amidaware/rmmagent, agent/agent_windows.go, RunScript): in Windows PowerShell 5.1 the first positional
parameter is -Command, so ``launch="command"`` runs the file that way here.
"""

from __future__ import annotations

import os

import pytest

from remediate import rmm
from remediate.packages import load_packages
from remediate.render import render_rmm_script
from simwin.machine import healthy
from simwin.run import run_script

from conftest import ROOT

pytestmark = pytest.mark.pwsh

SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
LOG = "ProgramData/Microsoft/IntuneManagementExtension/Logs/remediate-caa20002-device.log"
HOST_EXIT = "$Host.SetShouldExit($output.ExitCode)"


@pytest.fixture(scope="module")
def device_package():
    return next(p for p in load_packages(ROOT / "packaging") if p.id == "caa20002-device")


def broken_machine():
    machine = healthy("system")
    machine.set_value(SCHANNEL, "Enabled", 0)
    return machine


def exit_of(code: int) -> int:
    """Windows passes 32-bit exit codes (N-sight's 1001..1005); a Unix process exit status keeps the low byte."""
    return code if os.name == "nt" else code % 256


def status_of(run) -> str:
    return run.lines[-1]


# -- Tactical RMM: exit codes survive the -Command launch ------------------------------------------------------
@pytest.mark.parametrize(("args", "outcome"), [((), "non_compliant"), (("REMEDIATE_FIX=1",), "remediated")],
                         ids=["detect-exits-20", "fix-by-argument-exits-10"])
def test_tactical_exit_code_survives_command_launch(tmp_path, device_package, args, outcome):
    script = render_rmm_script(device_package, "tactical").decode("ascii")
    run = run_script(script, broken_machine(), tmp_path, name="tmp8c1.ps1", check_contract=False, args=args,
                     launch="command")
    assert run.stderr == "" and status_of(run).startswith(f"{rmm.SEVERITY[outcome]}: caa20002-device {outcome} ")
    assert run.exit_code == rmm.PROFILES["tactical"].exits[outcome], run.stdout


def test_tactical_exit_code_without_host_exit_collapses_to_1(tmp_path, device_package):
    """The vendor fact itself: without $Host.SetShouldExit the -Command launch reports 1, not 20."""
    script = render_rmm_script(device_package, "tactical").decode("ascii")
    assert script.count(HOST_EXIT) == 1
    run = run_script(script.replace(HOST_EXIT, "$null = 0"), broken_machine(), tmp_path, name="tmp8c2.ps1",
                     check_contract=False, launch="command")
    assert status_of(run).startswith("WARNING: caa20002-device non_compliant ") and run.exit_code == 1


def test_tactical_collector_task_gets_the_status_line(tmp_path, device_package):
    """A Tactical collector task stores the last stdout line in its custom field: that line is our status."""
    script = render_rmm_script(device_package, "tactical").decode("ascii")
    run = run_script(script, healthy("system"), tmp_path, name="tmp8c3.ps1", check_contract=False,
                     launch="command")
    last = run.stdout.strip().split("\n")[-1].strip()
    assert last == "OK: caa20002-device compliant on PC-0042; failing: none" and run.exit_code == 0
