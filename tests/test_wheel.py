"""Installed from its wheel, not from the checkout: the CLI works from an empty folder.

Builds the wheel, installs it into a fresh virtual environment (dependencies from the configured package
indexes), and runs the README's commands from an empty temporary folder: the built-in packages inside the wheel
are what they use, and nothing outside that folder is read or written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _build_wheel(dest: Path) -> Path:
    """``pip wheel`` of a copy of the checkout (setuptools writes build/ next to the sources it builds)."""
    source = dest / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                                                "__pycache__", ".pytest_cache", ".hypothesis"))
    built = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dest / "dist", source], dest)
    assert built.returncode == 0, built.stderr
    (wheel,) = (dest / "dist").glob("remediate-*.whl")
    return wheel


def _run(args: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REMEDIATE_", "PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """The ``remediate`` console script of a fresh venv that has only the wheel (and its dependencies)."""
    base = tmp_path_factory.mktemp("venv")
    venv.create(base / "venv", with_pip=True)
    pip = _run([base / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], base)
    assert pip.returncode == 0, pip.stderr
    return base / "venv" / "bin" / "remediate"


@pytest.fixture
def empty(tmp_path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_readme_commands_work_from_an_empty_folder(installed, empty):
    listed = _run([installed, "list", "--output", "json"], empty)
    assert listed.returncode == 0, listed.stderr
    assert {r["package"] for r in json.loads(listed.stdout)["result"]} >= {"caa20002-device", "caa20002-user"}

    generated = _run([installed, "generate", "--out", "out"], empty)
    assert generated.returncode == 0, generated.stderr
    assert (empty / "out" / "caa20002-device" / "detect.ps1").read_bytes().startswith(b"# generated from ")
    assert (empty / "out" / "caa20002-user" / "remediate.ps1").is_file()
    assert _run([installed, "generate", "--check", "--out", "out"], empty).returncode == 0
    linted = _run([installed, "lint", "out"], empty)
    assert linted.returncode == 0, linted.stdout + linted.stderr

    packaged = _run([installed, "package", "--out", "dist"], empty)
    assert packaged.returncode == 0, packaged.stderr
    assert (empty / "dist" / "intune" / "caa20002-device.zip").is_file()

    explained = _run([installed, "explain", "0xCAA20002", "--output", "json"], empty)
    assert explained.returncode == 0 and json.loads(explained.stdout)["result"]["layer"] == "oauth"

    inited = _run([installed, "init", "site"], empty)
    assert inited.returncode == 0 and (empty / "site" / "packaging" / "caa20002-user.toml").is_file()
    assert sorted(p.name for p in empty.iterdir()) == ["dist", "out", "site"]  # nothing else written


def test_a_site_config_is_found_by_flag_environment_and_default_location(installed, empty, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text("[overrides.caa20002-user.teams_cache]\nwindow_hourz = 1\n")
    by_flag = _run([installed, "--config", site, "list"], empty)
    assert by_flag.returncode == 5 and "did you mean 'window_hours'?" in by_flag.stderr
    env_run = subprocess.run([str(installed), "list"], cwd=empty, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "REMEDIATE_CONFIG": str(site)})
    assert env_run.returncode == 5 and str(site) in env_run.stderr
    xdg = tmp_path / "xdg"
    (xdg / "remediate").mkdir(parents=True)
    (xdg / "remediate" / "config.toml").write_text(site.read_text())
    default = subprocess.run([str(installed), "list"], cwd=empty, capture_output=True, text=True, timeout=120,
                             env={**{k: v for k, v in os.environ.items() if k != "REMEDIATE_CONFIG"},
                                  "XDG_CONFIG_HOME": str(xdg)})
    assert default.returncode == 5 and "config.toml: overrides.caa20002-user.teams_cache.window_hourz" in default.stderr


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"remediate/packaging/caa20002-device.toml", "remediate/packaging/caa20002-user.toml",
            "remediate/data/ps51.json.gz"} <= names
    assert any(n.startswith("remediate/powershell/runtime/") and n.endswith(".ps1") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text or "License: MIT" in text
    assert any(n.endswith("licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names)
