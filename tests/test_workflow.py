"""The Windows workflow cannot run here; check that it is valid YAML and does what the docs promise."""

from __future__ import annotations

import yaml


def test_windows_workflow_is_valid_and_complete(repo_root):
    workflow = yaml.safe_load((repo_root / ".github" / "workflows" / "windows.yml").read_text())
    job = workflow["jobs"]["scripts"]
    assert job["runs-on"] == "windows-latest"
    steps = "\n".join(str(step.get("run", "")) for step in job["steps"])
    for needle in ("remediate generate --check", "remediate lint", "Invoke-ScriptAnalyzer", "Invoke-Pester",
                   "tests/windows/run_scripts.py"):
        assert needle in steps, needle
    assert (repo_root / "tests" / "windows" / "Runtime.Tests.ps1").is_file()


def test_pester_file_parses(repo_root):
    from remediate import pwsh

    data = (repo_root / "tests" / "windows" / "Runtime.Tests.ps1").read_bytes()
    assert pwsh.deepest_error(pwsh.parse(data)) is None
