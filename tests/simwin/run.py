"""Run a generated script in real PowerShell against a simulated Windows, and check the contract on every run.

The script text is spliced (splice.py): the OS seam functions are replaced by SimWindows.ps1's, everything
else runs as shipped. The machine's folders (ProgramData, the user's AppData, Windows) are real folders under
a temporary root, reached through the environment variables the scripts use.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remediate.results import MAX_RESULT_CHARS, script_exit_code
from simwin.engine import find_pwsh
from simwin.machine import Machine
from simwin.splice import splice

# POSIX locale names for the cultures the matrix runs under (.NET on Linux takes the culture from LANG).
LOCALES = {"en-US": "en_US.UTF-8", "fi-FI": "fi_FI.UTF-8", "th-TH": "th_TH.UTF-8", "ar-SA": "ar_SA.UTF-8",
           "de-DE": "de_DE.UTF-8", "ja-JP": "ja_JP.UTF-8"}


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    result: dict[str, Any]
    after: dict[str, Any]
    seconds: float
    root: Path
    lines: list[str] = field(default_factory=list)

    def finding(self, check_id: str) -> dict[str, Any]:
        found = [f for f in self.result.get("findings", []) if f.get("id") == check_id]
        assert found, f"no finding for {check_id} in {self.result}"
        return found[0]

    @property
    def journal(self) -> list[str]:
        return list(self.after.get("journal", []))

    def changes(self) -> list[str]:
        """State-changing calls: the journal without native programs that only read."""
        readers = ("native dsregcmd.exe /status", "native netsh.exe", "native w32tm.exe /stripchart",
                   "native cmdkey.exe /list")
        return [entry for entry in self.journal if not entry.startswith(readers)]


def machine_paths(root: Path, machine: Machine) -> dict[str, Path]:
    user = root / "Users" / machine.user_name
    return {
        "ProgramData": root / "ProgramData",
        "LOCALAPPDATA": user / "AppData" / "Local",
        "APPDATA": user / "AppData" / "Roaming",
        "USERPROFILE": user,
        "windir": root / "Windows",
        "SystemRoot": root / "Windows",
        "TEMP": root / "Temp",
    }


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def run_script(script: str, machine: Machine, tmp: Path, *, name: str = "script.ps1",
               env: dict[str, str] | None = None, budget_s: float = 60.0, check_contract: bool = True,
               allowed: tuple[str, ...] = ()) -> Run:
    """Run ``script`` (a generated script's text) on ``machine``; files live under ``tmp``/root."""
    root = tmp / "root"
    paths = machine_paths(root, machine)
    if not root.exists():
        # The machine's files are laid out once; later runs on the same machine see what earlier runs left.
        for folder in paths.values():
            folder.mkdir(parents=True, exist_ok=True)
        for relative, content in machine.files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    before = _snapshot(root)
    runs = sorted(tmp.glob("run-*"))
    work = tmp / f"run-{len(runs) + 1:03d}"
    work.mkdir()
    (work / "home").mkdir()
    tmp = work
    state_file, after_file = tmp / "machine.json", tmp / "after.json"
    state_file.write_text(json.dumps(machine.state), encoding="utf-8")
    after_file.write_text(json.dumps({"journal": []}), encoding="utf-8")
    script_file = tmp / name
    script_file.write_bytes(splice(script).encode("utf-8"))
    # What the run changes is carried over to the machine, so that the next run sees it.
    locale = LOCALES[machine.culture]
    run_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp / "home"), "LANG": locale, "LC_ALL": locale,
               "COMPUTERNAME": "PC-0042", "SIMWIN_STATE": str(state_file), "SIMWIN_AFTER": str(after_file),
               "POWERSHELL_TELEMETRY_OPTOUT": "1", "POWERSHELL_UPDATECHECK": "Off",
               "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
    run_env.update({k: str(v) for k, v in paths.items()})
    run_env.update(env or {})
    started = time.monotonic()
    proc = subprocess.run([find_pwsh(), "-NoProfile", "-NonInteractive", "-File", str(script_file)],
                          capture_output=True, cwd=tmp, env=run_env, timeout=budget_s + 60, check=False)
    seconds = time.monotonic() - started
    stdout = proc.stdout.decode("utf-8", "replace")
    lines = [line for line in stdout.splitlines() if line.strip()]
    result: dict[str, Any] = {}
    if lines:
        try:
            result = json.loads(lines[-1])
        except ValueError:
            result = {}
    after = json.loads(after_file.read_text(encoding="utf-8"))
    for key, value in after.items():
        if key != "journal":
            machine.state[key] = value
    run = Run(proc.returncode, stdout, proc.stderr.decode("utf-8", "replace"), result, after, seconds, root, lines)
    if check_contract:
        assert_contract(run, budget_s, written=_snapshot(root) - before, allowed=allowed)
    return run


# Where a run may create files, relative to the machine root.
WRITABLE = ("ProgramData/remediate/", "ProgramData/Microsoft/IntuneManagementExtension/Logs/",
            "Users/alex/AppData/Local/remediate/")


def assert_contract(run: Run, budget_s: float, written: set[str], allowed: tuple[str, ...] = ()) -> None:
    """The Intune contract, on every run: one ASCII JSON line last, exit code by the table, quiet stderr."""
    assert run.lines, f"no output; exit {run.exit_code}; stderr: {run.stderr[:500]}"
    last = run.lines[-1]
    assert last.isascii(), f"result line is not ASCII: {last[:200]}"
    assert len(last) <= MAX_RESULT_CHARS, f"result line has {len(last)} characters"
    assert run.result, f"last line is not JSON: {last[:300]}\n{run.stdout[-2000:]}"
    assert run.stderr == "", f"stderr is not empty: {run.stderr[:800]}"
    expected = script_exit_code(run.result["phase"], run.result["verdict"])
    assert run.exit_code == expected, f"exit {run.exit_code}, verdict {run.result['verdict']} wants {expected}"
    assert run.seconds < budget_s, f"run took {run.seconds:.1f} s (budget {budget_s} s)"
    stray = sorted(p for p in written if not p.startswith(WRITABLE + allowed))
    assert not stray, f"files written outside the expected places: {stray[:10]}"
