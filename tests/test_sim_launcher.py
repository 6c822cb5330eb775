"""The interactive-user launcher, run in real PowerShell as SYSTEM against the simulated Windows (tests/simwin).

The launcher (remediate/powershell/launcher/Invoke-RmAsInteractiveUser.ps1, rendered by remediate.launcher) runs as
shipped but for its OS seam (SimLauncher.ps1): the user task really runs the embedded user package (its test copy)
in a child PowerShell whose machine identity is the interactive user's (DOMAIN.md section 4). Each run is three
PowerShell processes (launcher, task, package). After every run nothing is left: no task, no protected folder.
"""

from __future__ import annotations

import pytest

from remediate.results import script_exit_code
from simwin.launcher import leftovers, nobody_signed_in, signed_in, through_launcher
from simwin.machine import SYSTEM_SID, USER_SID
from simwin.scenario import Sim

pytestmark = pytest.mark.pwsh

USER_KEY = "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
USER_HIVE_KEY = f"HKU\\{USER_SID}\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
SYSTEM_HIVE = f"HKU\\{SYSTEM_SID}"


def _tasks(run) -> dict:
    return run.after.get("user_tasks", {})


def test_healthy_detect_relays_the_package_line_and_exit_code(tmp_path):
    sim = Sim.user(tmp_path)
    run = through_launcher(sim, "detect")
    # The relayed line is the package's own result (context user: the package ran as the signed-in user).
    assert (run.result["package"], run.result["phase"], run.result["verdict"]) == ("caa20002-user", "detect",
                                                                                   "compliant")
    assert run.result["context"] == "user" and "duration_ms" in run.result
    assert {f["id"] for f in run.result["findings"]} >= {"tls12_user", "user_proxy"}
    assert run.exit_code == 0
    [task] = _tasks(run).values()
    assert task["User"] == "AzureAD\\alex" and "-EncodedCommand" in task["Argument"]
    assert leftovers(run) == []


def test_a_user_cause_is_fixed_in_the_interactive_users_hive(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.set_value(USER_KEY, "SecureProtocols", 0xA0)  # SSL3 + TLS 1.0 only (test_sim_user_tls12_user)
    found = through_launcher(sim, "detect")
    assert found.finding("tls12_user")["reason"] == "user_without_tls12"
    assert found.exit_code == script_exit_code("detect", "non_compliant") == 1
    fixed = through_launcher(sim, "remediate")
    assert fixed.finding("tls12_user")["state"] == "fixed" and fixed.result["verdict"] == "remediated"
    assert fixed.exit_code == 0
    assert sim.machine.value(USER_KEY, "SecureProtocols") == 0x8A0
    writes = [c for c in fixed.journal if c.startswith("registry.")]
    assert writes and all(c.split(" ", 1)[1].startswith(USER_HIVE_KEY) for c in writes), writes
    assert not [key for key in sim.machine.state["registry"] if key.upper().startswith(SYSTEM_HIVE)]
    # The package's backup went to the user's profile, not SYSTEM's.
    assert (sim.tmp / "root/Users/alex/AppData/Local/remediate/backup/tls12_user.tsv").exists()
    assert leftovers(found) == [] and leftovers(fixed) == []


@pytest.mark.parametrize("phase", ["detect", "remediate"])
def test_nobody_signed_in_is_skipped(tmp_path, phase):
    sim = Sim.user(tmp_path)
    nobody_signed_in(sim.machine)
    run = through_launcher(sim, phase)
    assert (run.result["verdict"], run.result["reason"]) == ("skipped", "no_interactive_user")
    assert run.result["context"] == "system" and run.result["findings"] == []
    assert run.exit_code == script_exit_code(phase, "skipped")
    assert not [c for c in run.journal if c.startswith(("icacls", "usertask."))]
    assert leftovers(run) == []


def test_a_task_that_never_finishes_times_out_within_the_deadline(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.fault("usertask.hang")
    run = through_launcher(sim, "detect", timeout_s=20)  # the launcher waits 20 - 15 = 5 s
    assert (run.result["verdict"], run.result["reason"]) == ("error", "user_task_timeout")
    assert run.finding("user_launcher")["facts"]["message"] == "the user task did not finish within 5 s"
    assert run.exit_code == script_exit_code("detect", "error")
    assert 5 <= run.seconds < 20
    assert [c.split(" ")[0] for c in run.journal if c.startswith("usertask.")] == [
        "usertask.register", "usertask.start", "usertask.stop", "usertask.unregister"]
    assert leftovers(run) == []


def test_icacls_failure_is_an_error_line_and_the_folder_is_removed(tmp_path):
    sim = Sim.user(tmp_path)
    sim.machine.fault("icacls")
    run = through_launcher(sim, "remediate")
    assert (run.result["verdict"], run.result["reason"]) == ("error", "unhandled_error")
    assert "icacls could not protect" in run.finding("user_launcher")["facts"]["message"]
    assert run.exit_code == script_exit_code("remediate", "error")
    assert not _tasks(run)  # no task is registered for an unprotected folder
    assert [c for c in run.journal if c.startswith("icacls failed")]
    assert leftovers(run) == []


def test_a_non_ascii_user_name_reaches_icacls_and_the_task(tmp_path):
    sim = Sim.user(tmp_path)
    signed_in(sim.machine, "AzureAD\\\u00c5sa.\u00d6berg")
    run = through_launcher(sim, "detect")
    assert run.result["verdict"] == "compliant" and run.exit_code == 0
    [task] = _tasks(run).values()
    assert task["User"] == "AzureAD\\\u00c5sa.\u00d6berg"
    assert [c for c in run.journal if c.startswith("icacls ") and c.endswith("\u00c5sa.\u00d6berg")]
    assert leftovers(run) == []


def test_a_payload_that_dies_without_its_result_line_gives_an_error_line(tmp_path):
    """Defect: the launcher relayed whatever the task printed last (here a policy message), so a package stopped
    before its result (application control, a killed process) broke the one-JSON-line contract."""
    sim = Sim.user(tmp_path)
    sim.scripts = {"detect": "Write-Output 'package.ps1 is blocked by your administrator'\r\nexit 1\r\n"}
    run = through_launcher(sim, "detect")
    assert (run.result["verdict"], run.result["reason"]) == ("error", "user_task_no_result")
    message = run.finding("user_launcher")["facts"]["message"]
    assert "exit 1" in message and "blocked by your administrator" in message
    assert run.exit_code == script_exit_code("detect", "error")
    assert leftovers(run) == []


def test_a_dry_run_travels_in_the_script_not_in_the_launchers_environment(tmp_path):
    """A task gets the user's environment, not the launcher's: REMEDIATE_DRY_RUN set around the launcher does not
    reach the package (so the fleet renders dry runs into the script, and RMM relays write a prelude)."""
    from remediate.packages import load_packages
    from remediate.render import render_script
    from remediate.results import Phase
    from simwin.launcher import ROOT

    sim = Sim.user(tmp_path)
    sim.machine.set_value(USER_KEY, "SecureProtocols", 0xA0)
    package = next(p for p in load_packages(ROOT / "remediate" / "packaging") if p.id == "caa20002-user")
    scripts = dict(sim.scripts)
    sim.scripts = {"remediate": render_script(package, Phase.REMEDIATE, dry_run=True).decode("ascii")}
    planned = through_launcher(sim, "remediate")
    assert planned.result["dry_run"] is True and planned.finding("tls12_user")["reason"] == "dry_run"
    assert sim.machine.value(USER_KEY, "SecureProtocols") == 0xA0
    sim.scripts = scripts
    fixed = through_launcher(sim, "remediate", env={"REMEDIATE_DRY_RUN": "1"})
    assert fixed.result["dry_run"] is False and fixed.finding("tls12_user")["state"] == "fixed"
    assert sim.machine.value(USER_KEY, "SecureProtocols") == 0x8A0
    assert leftovers(planned) == [] and leftovers(fixed) == []
