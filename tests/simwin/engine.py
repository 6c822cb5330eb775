"""Which PowerShell the tests run: REMEDIATE_PWSH, else `pwsh` on PATH (Linux, macOS or Windows).

Tests that need it carry the `pwsh` marker and skip with the reason when there is none, unless
REMEDIATE_REQUIRE_PWSH=1 (CI), where a missing PowerShell fails the run instead.
"""

from __future__ import annotations

import functools
import os
import shutil


@functools.cache
def find_pwsh() -> str | None:
    configured = os.environ.get("REMEDIATE_PWSH", "").strip()
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("pwsh")


def require_pwsh() -> bool:
    return os.environ.get("REMEDIATE_REQUIRE_PWSH", "") == "1"
