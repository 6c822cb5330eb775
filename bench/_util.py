"""Small helpers shared by the benchmark scripts: run a command N times, report median wall time and peak RSS."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def tool(name: str) -> str:
    """A console script from the project's venv when present, else from PATH."""
    candidate = VENV_BIN / name
    return str(candidate) if candidate.exists() else name


def measure(argv: list[str], runs: int = 7, cwd: Path = ROOT) -> tuple[float, int]:
    """Median wall seconds and the largest peak RSS (KiB) over ``runs`` runs of ``argv``."""
    times: list[float] = []
    peak = 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise RuntimeError(f"{argv} exited {os.waitstatus_to_exitcode(status)}")
        peak = max(peak, usage.ru_maxrss)
    return statistics.median(times), peak
