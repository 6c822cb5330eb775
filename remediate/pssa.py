"""PSScriptAnalyzer, the field's standard PowerShell linter, run by ``remediate lint`` beside our own rules.

Our rules (remediate/lint.py) need no PowerShell; PSScriptAnalyzer needs one with the module. The PowerShell is
``remediate.engine.find_pwsh`` (REMEDIATE_PWSH, else ``pwsh`` on PATH); the payload is a real script,
``data/Invoke-RmScriptAnalyzer.ps1``, that reads the paths on stdin and answers one JSON line; the settings are
``data/PSScriptAnalyzerSettings.psd1`` (``remediate generate`` copies them to the repository root for editors).
When there is no PowerShell, no module, or the analyzer fails, ``analyze`` says why in one line instead of
findings: the lint still runs our own rules. docs/linting.md says which linter checks what.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from remediate import engine

DATA = Path(__file__).resolve().parent / "data"
SETTINGS = DATA / "PSScriptAnalyzerSettings.psd1"
RUNNER = DATA / "Invoke-RmScriptAnalyzer.ps1"
# What fails a lint; Information findings (the settings ask for them) are for editors.
FAILING = ("Error", "Warning")
TIMEOUT_S = 900  # the 5.1 compatibility profiles make a cold run take 10-60 s on a busy machine


@dataclass(frozen=True)
class Finding:
    path: str  # as PSScriptAnalyzer reports it (absolute)
    line: int
    col: int
    rule: str  # PSScriptAnalyzer's rule name, e.g. PSUseSingularNouns
    severity: str  # Error, Warning, Information, ParseError
    message: str


@dataclass(frozen=True)
class Analysis:
    """Findings, or why none could be had (``skipped``: one line, e.g. no PowerShell, no module)."""

    findings: tuple[Finding, ...] = ()
    skipped: str = ""
    version: str = ""


def analyze(paths: list[Path], *, settings: Path = SETTINGS) -> Analysis:
    """PSScriptAnalyzer over ``paths`` (files, or folders searched recursively), in one PowerShell process."""
    pwsh = engine.find_pwsh()
    if pwsh is None:
        return Analysis(skipped=f"PSScriptAnalyzer not run: no PowerShell (set {engine.ENV_VAR} or put pwsh on"
                                " PATH)")
    command = [pwsh, "-NoProfile", "-NonInteractive", "-File", str(RUNNER), "-Settings", str(settings)]
    stdin = "".join(f"{p.resolve()}\n" for p in paths)
    try:
        proc = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        return Analysis(skipped=f"PSScriptAnalyzer not run: {pwsh} did not answer within {TIMEOUT_S} s")
    except OSError as exc:
        return Analysis(skipped=f"PSScriptAnalyzer not run: cannot start {pwsh}: {exc.strerror}")
    return _read_answer(proc, pwsh)


def _read_answer(proc: subprocess.CompletedProcess[str], pwsh: str) -> Analysis:
    lines = proc.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if proc.returncode == 0 and lines else None
    except json.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict):
        why = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[0]
        return Analysis(skipped=f"PSScriptAnalyzer failed under {pwsh}: {why[:200]}")
    if not answer.get("available"):
        return Analysis(skipped=f"PSScriptAnalyzer not run: {pwsh} has no PSScriptAnalyzer module"
                                " (Install-Module PSScriptAnalyzer)")
    findings = tuple(Finding(str(f["path"]), int(f["line"]), int(f["column"]), str(f["rule"]),
                             str(f["severity"]), str(f["message"])) for f in answer.get("findings") or ())
    return Analysis(findings=findings, version=str(answer.get("version", "")))


def failing(analysis: Analysis) -> list[Finding]:
    """The findings that fail a lint (Error, Warning; a parse error too), in a stable order."""
    kept = [f for f in analysis.findings if f.severity in FAILING or f.severity == "ParseError"]
    return sorted(kept, key=lambda f: (f.path, f.line, f.col, f.rule))
