"""The RMM scripts as each vendor really runs them, in real PowerShell against the simulated Windows: the vendor
facts of docs/rmm.md ("Vendor facts we depend on") that a run can show, one test each.

Tactical RMM's agent starts ``powershell.exe -NonInteractive -NoProfile -ExecutionPolicy Bypass <file> <args>``
(amidaware/rmmagent, agent/agent_windows.go, RunScript): in Windows PowerShell 5.1 the first positional
parameter is -Command, so ``launch="command"`` runs the file that way here.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from remediate import limits, rmm
from remediate.packages import load_packages
from remediate.render import render_rmm_script, rmm_script_source, wrap_in_loader
from simwin.machine import healthy
from simwin.run import run_script

from conftest import ROOT

pytestmark = pytest.mark.pwsh

SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
LOG = "ProgramData/Microsoft/IntuneManagementExtension/Logs/remediate-caa20002-device.log"
HOST_EXIT = "$Host.SetShouldExit($output.ExitCode)"


@pytest.fixture(scope="module")
def device_package():
    return next(p for p in load_packages(ROOT / "remediate" / "packaging") if p.id == "caa20002-device")


def broken_machine():
    machine = healthy("system")
    machine.set_value(SCHANNEL, "Enabled", 0)
    return machine


def run_rmm(*args, **kwargs):
    """run_script, run again while another test process on this machine holds the package's Global\\ mutex
    (.NET on Linux shares them all in /tmp/.dotnet/shm; see simwin/scenario.py): a busy run changes nothing."""
    for attempt in range(8):
        run = run_script(*args, **kwargs)
        if '"reason":"mutex_busy"' not in run.stdout:
            break
        time.sleep(0.5 + attempt * 0.5)
    return run


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
    run = run_rmm(script, broken_machine(), tmp_path, name="tmp8c1.ps1", check_contract=False, args=args,
                     launch="command")
    assert run.stderr == "" and status_of(run).startswith(f"{rmm.SEVERITY[outcome]}: caa20002-device {outcome} ")
    assert run.exit_code == rmm.PROFILES["tactical"].exits[outcome], run.stdout


def test_tactical_exit_code_without_host_exit_collapses_to_1(tmp_path, device_package):
    """The vendor fact itself: without $Host.SetShouldExit the -Command launch reports 1, not 20."""
    script = render_rmm_script(device_package, "tactical").decode("ascii")
    assert script.count(HOST_EXIT) == 1
    run = run_rmm(script.replace(HOST_EXIT, "$null = 0"), broken_machine(), tmp_path, name="tmp8c2.ps1",
                     check_contract=False, launch="command")
    assert status_of(run).startswith("WARNING: caa20002-device non_compliant ") and run.exit_code == 1


def test_tactical_collector_task_gets_the_status_line(tmp_path, device_package):
    """A Tactical collector task stores the last stdout line in its custom field: that line is our status."""
    script = render_rmm_script(device_package, "tactical").decode("ascii")
    run = run_rmm(script, healthy("system"), tmp_path, name="tmp8c3.ps1", check_contract=False,
                     launch="command")
    last = run.stdout.strip().split("\n")[-1].strip()
    assert last == "OK: caa20002-device compliant on PC-0042; failing: none" and run.exit_code == 0


# -- N-able N-sight: the compressed loader keeps the runtime contract ------------------------------------------
def nsight_loader(package):
    """The delivered loader around the spliced test copy of the full script (splicing must see its functions)."""
    return lambda spliced: wrap_in_loader(spliced, package, "nsight").decode("ascii")


@pytest.mark.parametrize(("args", "outcome"), [((), "non_compliant"), (("REMEDIATE_FIX=1",), "remediated")],
                         ids=["detect", "fix-by-argument"])
def test_nsight_loader_runs_the_script_with_its_contract(tmp_path, device_package, args, outcome):
    source, _ = rmm_script_source(device_package, "nsight")
    machine = broken_machine()
    run = run_rmm(source, machine, tmp_path, name="nsight.ps1", check_contract=False, args=args,
                     launch="command", wrap=nsight_loader(device_package))
    assert run.stderr == "" and len(run.lines) == 2, run.stdout
    result = json.loads(run.lines[0])
    assert rmm.outcome_of(result) == outcome
    assert run.lines[1].startswith(f"{rmm.SEVERITY[outcome]}: caa20002-device {outcome} on PC-0042")
    assert run.exit_code == exit_of(rmm.PROFILES["nsight"].exits[outcome])
    assert len(run.stdout) <= limits.NSIGHT_MAX_OUTPUT_CHARS
    assert (machine.value(SCHANNEL, "Enabled") == 1) == (outcome == "remediated")


def test_nsight_loader_that_cannot_load_answers_error(tmp_path, device_package):
    source, _ = rmm_script_source(device_package, "nsight")
    corrupt = nsight_loader(device_package)
    run = run_rmm(source, healthy("system"), tmp_path, name="nsight.ps1", check_contract=False,
                     wrap=lambda spliced: corrupt(spliced).replace("'H4sI", "'AAAA", 1))
    assert run.stderr == "" and json.loads(run.lines[0])["verdict"] == "error"
    assert run.lines[1] == "UNKNOWN: caa20002-device error on -; failing: none"
    assert run.exit_code == exit_of(rmm.PROFILES["nsight"].exits["error"])


# -- NinjaOne: inputs by display-name alias, 'null' as empty, custom field result checked ---------------------
FAKE_NINJA = """function Ninja-Property-Set {
    param([string]$Name, [string]$Value)
    if ($Name -eq 'broken') { Write-Error 'field broken does not exist' } else { Set-Content -LiteralPath (Join-Path $env:ProgramData 'ninja-field.txt') -Value ($Name + '=' + $Value) -Encoding ASCII }
}
"""


@pytest.mark.parametrize(("env", "written", "logged"), [
    ({"remediateFix": "true", "remediateNinjaField": "remediateStatus"}, "remediateStatus=OK: caa20002-device "
     "remediated on PC-0042; failing: none", "custom field remediateStatus written"),
    ({"remediateFix": "null", "remediateNinjaField": "null"}, None, None),
    ({"remediateFix": "1", "remediateNinjaField": "broken"}, None, "custom field broken not written: "),
], ids=["camelcase-aliases-fix-and-write", "null-means-unset", "failed-property-set-is-logged"])
def test_ninjaone_inputs_and_custom_field(tmp_path, device_package, env, written, logged):
    script = render_rmm_script(device_package, "ninjaone").decode("ascii")
    machine = broken_machine()
    run = run_rmm(script, machine, tmp_path, name="ninja.ps1", check_contract=False, env=env,
                     wrap=lambda spliced: FAKE_NINJA + spliced)
    fixed = env["remediateFix"] != "null"
    assert run.stderr == "" and json.loads(run.lines[0])["phase"] == ("remediate" if fixed else "detect")
    assert run.exit_code == rmm.PROFILES["ninjaone"].exits["remediated" if fixed else "non_compliant"]
    field = run.root / "ProgramData" / "ninja-field.txt"
    assert (field.read_text(encoding="ascii").strip() if field.exists() else None) == written
    log = (run.root / LOG).read_text(encoding="ascii")
    assert logged is None or logged in log, log[-2000:]


# -- Datto RMM: the status line as a UDF through the registry seam ---------------------------------------------
UDF_KEY = "HKLM:\\SOFTWARE\\CentraStage"


@pytest.mark.parametrize(("udf", "culture", "written"), [("7", "en-US", True), ("31", "fi-FI", False),
                                                         ("null", "th-TH", False)],
                         ids=["udf-7-written", "udf-31-refused-and-logged", "null-means-no-udf"])
def test_datto_udf_holds_the_status_line(tmp_path, device_package, udf, culture, written):
    script = render_rmm_script(device_package, "datto").decode("ascii")
    machine = broken_machine()
    machine.culture = culture
    run = run_rmm(script, machine, tmp_path, name="datto.ps1", check_contract=False,
                     env={"REMEDIATE_DATTO_UDF": udf})
    status = next(line for line in run.lines if line.startswith("Status="))
    assert run.stderr == "" and run.lines[-1] == "<-End Result->" and run.exit_code == 1
    values = [machine.value(UDF_KEY, f"Custom{n}") for n in range(1, 32)]
    assert values == [None] * 6 + [status] + [None] * 24 if written else values == [None] * 31
    assert len(status) <= limits.DATTO_UDF_MAX_CHARS
    if udf == "31":
        assert "custom field 31 not written: UDF number 31 is not 1-30" in (run.root / LOG).read_text("ascii")


def test_datto_udf_cut_to_255_characters(tmp_path, device_package):
    """A long computer name makes a status line over 255 characters: the UDF gets the first 255."""
    script = render_rmm_script(device_package, "datto").decode("ascii")
    machine = broken_machine()
    run = run_rmm(script, machine, tmp_path, name="datto.ps1", check_contract=False,
                     env={"REMEDIATE_DATTO_UDF": "3", "COMPUTERNAME": "PC-" + "X" * 260})
    status = next(line for line in run.lines if line.startswith("Status="))
    assert len(status) > 255 and machine.value(UDF_KEY, "Custom3") == status[:255]
