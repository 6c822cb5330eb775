"""The generator: committed scripts equal their templates; drift and template edits are caught."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from remediate.errors import ConfigError

from remediate import fsutil, generate, render
from remediate.generate import FileState


def test_committed_scripts_are_identical_to_their_templates(real_packages, repo_root):
    plans = generate.plan(real_packages, repo_root / "detection_scripts")
    assert generate.drift(plans) == [], [str(p) for p in generate.drift(plans)]
    names = sorted(p.path.name for p in plans)
    assert names == sorted(["README.md", "detect.ps1", "remediate.ps1", "undo.ps1", "collect.ps1"] * len(real_packages))


def test_generate_then_check_reports_create_identical_changed(real_packages, tmp_path):
    plans = generate.plan(real_packages, tmp_path)
    assert {p.state for p in plans} == {FileState.CREATE}
    assert generate.apply(plans) == len(plans)
    assert {p.state for p in generate.plan(real_packages, tmp_path)} == {FileState.IDENTICAL}
    victim = tmp_path / real_packages[0].id / "detect.ps1"
    victim.write_bytes(victim.read_bytes() + b"# hand edit\r\n")
    (tmp_path / "stray.ps1").write_bytes(b"x")
    states = {p.path.name: p.state for p in generate.plan(real_packages, tmp_path)}
    assert states["stray.ps1"] is FileState.EXTRA
    assert [p.path for p in generate.drift(generate.plan(real_packages, tmp_path))] == [victim, tmp_path / "stray.ps1"]



_DIGEST = """
import hashlib, pathlib
from remediate.packages import load_packages
from remediate.render import render_package
for package in load_packages(pathlib.Path('packaging')):
    for name, data in sorted(render_package(package).files().items()):
        print(package.id, name, hashlib.sha256(data).hexdigest())
"""


def test_rendering_does_not_depend_on_the_hash_seed(repo_root):
    """Set iteration order changes with PYTHONHASHSEED: a set rendered unsorted (once ROUTINE_CODES in an
    evidence gate) makes `generate --check` fail at random."""
    digests = [subprocess.run([sys.executable, "-c", _DIGEST], cwd=repo_root, capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "3")]
    assert digests[0] and digests[0] == digests[1] == digests[2]

def test_editing_a_template_without_regenerating_is_drift(real_packages, repo_root, tmp_path, monkeypatch):
    runtime = tmp_path / "runtime"
    shutil.copytree(render.RUNTIME_DIR, runtime)
    log = runtime / "Get-RmLogPath.ps1"
    text = log.read_text()
    # A line of code: help text beyond a function's synopsis is not inlined, so editing it changes no script.
    assert "'logs\\remediate-'" in text
    log.write_text(text.replace("'logs\\remediate-'", "'logs\\remediate_'"))
    monkeypatch.setattr(render, "RUNTIME_DIR", runtime)
    drifted = generate.drift(generate.plan(real_packages, repo_root / "detection_scripts"))
    assert {p.path.name for p in drifted} == {"detect.ps1", "remediate.ps1", "undo.ps1", "collect.ps1"}


def test_writes_are_atomic(tmp_path, monkeypatch):
    target = tmp_path / "a" / "file.ps1"
    generate.write_atomic(target, b"old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(fsutil.os, "replace", boom)
    with pytest.raises(ConfigError, match="cannot write: disk full"):  # exit 5, one line
        generate.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["file.ps1"]


@pytest.mark.parametrize("seed", ["1", "2"])
def test_rendering_does_not_depend_on_the_hash_seed(repo_root, seed):
    """Set iteration order changes with PYTHONHASHSEED: a desired state built from a set once rendered the
    gate's routine codes in a different order in every process, so `generate --check` drifted on its own."""
    import os
    import subprocess
    import sys
    code = "import sys; from remediate.cli import main; sys.argv = ['remediate', 'generate', '--check']; main()"
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo_root,
                          capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "0 differ" in proc.stdout + proc.stderr
