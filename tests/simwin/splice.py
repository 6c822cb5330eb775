"""Make the test copy of a generated script: the OS seam functions replaced by the simulated Windows.

Only whole function definitions named in SEAM are swapped (found on the real syntax tree), so everything else
in the script — check logic, JSON writer, verdict, state, quarantine, log, exit — runs exactly as shipped.
The simulated Windows' own helpers and its prelude (which loads the machine) go in front of the script.
"""

from __future__ import annotations

import functools
from pathlib import Path

from remediate.prune import _functions
from remediate import pwsh

SIM_FILE = Path(__file__).resolve().parent / "SimWindows.ps1"
LAUNCHER_SIM_FILE = Path(__file__).resolve().parent / "SimLauncher.ps1"

# The OS seam (docs/simulated-windows.md): every Windows touch point of the scripts goes through these.
SEAM = (
    "Get-RmOsIdentity", "Get-RmOsTime", "Open-RmRegistryKey", "Get-RmOsEvent", "Invoke-RmNative",
    "Get-RmOsService", "Start-RmOsService", "Get-RmOsScheduledTask", "Set-RmOsScheduledTask",
    "Get-RmOsAppxPackage", "Register-RmOsAppxPackage", "Get-RmOsProcess", "Stop-RmOsProcess",
    "Get-RmOsNetwork", "Clear-RmOsDnsCache", "Test-RmOsEndpoint", "Get-RmOsHttpDate", "Set-RmOsAcl",
    "Get-RmOsFolderTrust",
    # Not an OS read, but a host-wide name: simulated machines must not share it (SimWindows.ps1).
    "Enter-RmMutex",
    "Show-RmOsNotification", "Start-RmOsProcess", "Move-RmOsItem",
    "Export-RmOsEventLog",
)


# The interactive-user launcher's own OS seam (remediate/powershell/launcher/Invoke-RmAsInteractiveUser.ps1).
LAUNCHER_SEAM = (
    "Get-RmOsInteractiveUser", "Protect-RmOsFolder", "Register-RmOsUserTask", "Start-RmOsUserTask",
    "Stop-RmOsUserTask", "Unregister-RmOsUserTask",
)


@functools.cache
def _sim(file: Path = SIM_FILE, names: tuple[str, ...] = SEAM) -> tuple[dict[str, str], str]:
    """The simulated seam functions by lower-case name, and the rest of the file (helpers, prelude)."""
    text = file.read_text(encoding="utf-8")
    src = text.encode("utf-8")
    found = _functions(pwsh.parse(src), src)
    seam = {name.lower() for name in names}
    replacements, cuts = {}, []
    for name, node in found.items():
        if name in seam:
            replacements[name] = src[node.start_byte:node.end_byte].decode("utf-8")
            cuts.append((node.start_byte, node.end_byte))
    missing = seam - set(replacements)
    assert not missing, f"{file.name} lacks seam functions: {sorted(missing)}"
    rest = bytearray(src)
    for start, end in sorted(cuts, reverse=True):
        del rest[start:end]
    return replacements, rest.decode("utf-8")


def splice(script: str) -> str:
    replacements, prelude = _sim()
    src = script.encode("utf-8")
    found = _functions(pwsh.parse(src), src)
    out = bytearray(src)
    for name, node in sorted(found.items(), key=lambda item: item[1].start_byte, reverse=True):
        if name in replacements:
            out[node.start_byte:node.end_byte] = replacements[name].replace("\n", "\r\n").encode("utf-8")
    return prelude.replace("\n", "\r\n") + "\r\n" + out.decode("utf-8")


def splice_launcher(launcher: str) -> str:
    """The test copy of a rendered interactive-user launcher: its seam replaced by SimLauncher.ps1's stand-ins,
    whose helpers go in front, then SimWindows.ps1's prelude (the machine) in front of all (splice)."""
    replacements, helpers = _sim(LAUNCHER_SIM_FILE, LAUNCHER_SEAM)
    src = launcher.encode("utf-8")
    found = _functions(pwsh.parse(src), src)
    missing = {name.lower() for name in LAUNCHER_SEAM} - set(found)
    assert not missing, f"the launcher lacks seam functions: {sorted(missing)}"
    out = bytearray(src)
    for name, node in sorted(found.items(), key=lambda item: item[1].start_byte, reverse=True):
        if name in replacements:
            out[node.start_byte:node.end_byte] = replacements[name].replace("\n", "\r\n").encode("utf-8")
    return splice(helpers.replace("\n", "\r\n") + "\r\n" + out.decode("utf-8"))
