"""The Pester tests of the runtime helpers (tests/windows/*.Tests.ps1) under the PowerShell found for the tests.

On PowerShell 7 off Windows the few tests that need the real registry or Windows programs skip themselves;
on Windows PowerShell 5.1 (.github/workflows/windows.yml) all of them run.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from simwin.engine import find_pwsh

pytestmark = pytest.mark.pwsh

WINDOWS_TESTS = Path(__file__).resolve().parent / "windows"

RUN = r"""
Import-Module Pester -MinimumVersion 5.0
$c = New-PesterConfiguration
$c.Run.Path = '{path}'
$c.Run.PassThru = $true
$c.Output.Verbosity = 'None'
$r = Invoke-Pester -Configuration $c
$failed = @($r.Failed | ForEach-Object {{ $_.ExpandedPath + ': ' + [string]$_.ErrorRecord }})
[ordered]@{{ passed = $r.PassedCount; failed = $r.FailedCount; skipped = $r.SkippedCount; failures = $failed }} | ConvertTo-Json -Compress
"""


@pytest.mark.parametrize("path", sorted(WINDOWS_TESTS.glob("*.Tests.ps1")), ids=lambda p: p.name)
def test_pester_file_passes(tmp_path, path):
    proc = subprocess.run([find_pwsh(), "-NoProfile", "-NonInteractive", "-Command", RUN.format(path=path)],
                          capture_output=True, timeout=600, cwd=tmp_path, check=False,
                          env={**os.environ, "HOME": str(tmp_path)})
    summary = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    assert summary["failed"] == 0, "\n".join(summary["failures"])
    assert summary["passed"] >= 20, summary
