"""Shared fixtures: the repository root, the real packages, and their rendered scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from remediate.packages import load_packages
from remediate.render import render_package

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def real_packages():
    return load_packages(ROOT / "packaging")


@pytest.fixture(scope="session")
def rendered(real_packages):
    """Every real package rendered once: {package id: RenderedPackage}."""
    return {p.id: render_package(p) for p in real_packages}


@pytest.fixture(autouse=True)
def _pwsh_gate(request):
    """Tests marked `pwsh` run real PowerShell: skip with the reason when there is none, or fail under
    REMEDIATE_REQUIRE_PWSH=1 (CI installs it and must not pass by skipping)."""
    if request.node.get_closest_marker("pwsh") is None:
        return
    from simwin.engine import find_pwsh, require_pwsh
    if find_pwsh() is None:
        message = "no PowerShell: set REMEDIATE_PWSH or put pwsh on PATH"
        if require_pwsh():
            pytest.fail("REMEDIATE_REQUIRE_PWSH=1 but " + message)
        pytest.skip(message)
