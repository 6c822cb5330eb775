"""Which PowerShell remediate runs locally: REMEDIATE_PWSH, else ``pwsh`` on PATH (Linux, macOS or Windows).

Only tools run it (``remediate lint`` for PSScriptAnalyzer, the simulated-Windows tests): the scripts we deliver
run on the devices, in Windows PowerShell 5.1, never here.
"""

from __future__ import annotations

import os
import shutil

ENV_VAR = "REMEDIATE_PWSH"


def find_pwsh() -> str | None:
    """The PowerShell executable to use, or None. A configured REMEDIATE_PWSH that is not executable is None
    (not a fallback to PATH: the user asked for that one)."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("pwsh")
