"""Which PowerShell the tests run: remediate.engine.find_pwsh (REMEDIATE_PWSH, else `pwsh` on PATH), once.

Tests that need it carry the `pwsh` marker and skip with the reason when there is none, unless
REMEDIATE_REQUIRE_PWSH=1 (CI), where a missing PowerShell fails the run instead.
"""

from __future__ import annotations

import functools
import os

from remediate import engine


@functools.cache
def find_pwsh() -> str | None:
    return engine.find_pwsh()


def require_pwsh() -> bool:
    return os.environ.get("REMEDIATE_REQUIRE_PWSH", "") == "1"
