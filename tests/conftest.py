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
