"""Run a user package through the interactive-user launcher, as SYSTEM on a simulated Windows.

    sim = Sim.user(tmp_path)                  # the user package's scripts on a healthy machine
    run = through_launcher(sim, "detect")     # real pwsh: launcher -> user task (child pwsh) -> package

The payload is the user package's test copy (spliced by run.py), base64-embedded by the shipped renderer
(remediate.launcher.wrap_for_interactive_user); the launcher around it is spliced with SimLauncher.ps1's stand-ins
(splice.splice_launcher). The launcher runs as SYSTEM with SYSTEM's profile folders; the user task runs as the
machine's interactive user with theirs.
"""

from __future__ import annotations

from pathlib import Path

from remediate.launcher import wrap_for_interactive_user
from simwin.engine import find_pwsh
from simwin.machine import IDENTITIES
from simwin.run import Run, run_script
from simwin.splice import splice_launcher

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PROFILE = "Windows/System32/config/systemprofile"
MARGIN_S = 20.0  # the launcher's own PowerShell start and cleanup, beyond its wait


def signed_in(machine, name: str | None = None) -> dict | None:
    """The machine's interactive user (what Win32_ComputerSystem.UserName names); ``None`` after nobody_signed_in."""
    if "interactive_user" not in machine.state:
        machine.state["interactive_user"] = {"Name": name or f"AzureAD\\{machine.user_name}",
                                             "Identity": dict(IDENTITIES["user"]),
                                             "Profile": f"Users/{machine.user_name}"}
    return machine.state["interactive_user"]


def nobody_signed_in(machine) -> None:
    machine.state["interactive_user"] = None


def through_launcher(sim, phase: str, *, timeout_s: float = 75, env: dict[str, str] | None = None,
                     package: str = "caa20002-user") -> Run:
    """The package's ``phase`` script wrapped in the launcher, run as SYSTEM; the contract is asserted."""
    signed_in(sim.machine)
    sim.machine.run_as("system")
    root = sim.tmp / "root"
    system_env = {"USERPROFILE": str(root / SYSTEM_PROFILE), "LOCALAPPDATA": str(root / SYSTEM_PROFILE / "AppData/Local"),
                  "APPDATA": str(root / SYSTEM_PROFILE / "AppData/Roaming"), "SIMWIN_PWSH": str(find_pwsh())}

    def wrap(spliced: str) -> str:
        return splice_launcher(wrap_for_interactive_user(spliced, package=package, phase=phase, timeout_s=timeout_s))

    run = run_script(sim.scripts[phase], sim.machine, sim.tmp, name=f"launcher-{phase}.ps1",
                     env={**system_env, **(env or {})}, budget_s=timeout_s + MARGIN_S, wrap=wrap)
    sim.runs.append(run)
    return run


def leftovers(run: Run) -> list[str]:
    """What a launcher run left behind: tasks not unregistered, protected folders still there (should be [])."""
    tasks = run.after.get("user_tasks", {})
    left = [f"task {name} {task['State']}" for name, task in tasks.items() if task["State"] != "Unregistered"]
    folders = [path for path in run.after.get("acl", {}) if "run-" in Path(path).name]
    left += [f"folder {path}" for path in folders if Path(path).exists()]
    left += [f"folder {p}" for p in (run.root / "ProgramData" / "remediate").glob("run-*")]
    return left
