"""Run every generated script the way Intune does and check the contract (Windows only; used by CI there).

For each detect.ps1 and remediate.ps1 under the given folder: powershell.exe -NoProfile -ExecutionPolicy
Bypass -File, with REMEDIATE_DRY_RUN=1 for remediations (the runner is not a machine to change). Asserts: exit
code 0 or 1 and equal to the one the verdict maps to, nothing on stderr, last stdout line a valid result of
at most 2,048 ASCII characters.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from remediate.results import MAX_RESULT_CHARS, parse_result_line, script_exit_code


def run(script: Path) -> list[str]:
    env = dict(os.environ)
    if script.name == "remediate.ps1":
        env["REMEDIATE_DRY_RUN"] = "1"
    proc = subprocess.run(
        ["powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", str(script)],
        capture_output=True, timeout=120, env=env, check=False,
    )
    problems = []
    if proc.stderr.strip():
        problems.append(f"stderr is not empty: {proc.stderr[:300]!r}")
    lines = [line for line in proc.stdout.decode("ascii", "replace").splitlines() if line.strip()]
    if not lines:
        return problems + ["no output"]
    last = lines[-1]
    if len(last) > MAX_RESULT_CHARS or not last.isascii():
        problems.append(f"last line is {len(last)} characters or not ASCII")
    try:
        result = parse_result_line(last)
    except ValueError as exc:
        return problems + [str(exc)]
    expected = script_exit_code(result.phase, result.verdict)
    if proc.returncode != expected:
        problems.append(f"exit {proc.returncode}, verdict {result.verdict.value} maps to {expected}")
    print(f"{script}: exit {proc.returncode} {last[:200]}")
    return problems


def main(folder: str) -> int:
    failures = 0
    for script in sorted(Path(folder).rglob("*.ps1")):
        for problem in run(script):
            failures += 1
            print(f"FAIL {script}: {problem}")
    print(f"{failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
