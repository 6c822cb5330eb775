"""bench/fleet.py still runs end to end: four loopback hosts, our runners only (Ansible is optional)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_fleet_bench_prints_its_table():
    argv = [sys.executable, str(ROOT / "bench" / "fleet.py"), "--hosts", "4", "--concurrency", "2",
            "--latency-ms", "5", "--runtime-ms", "10", "--tiny-scripts", "--no-ansible"]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert any(line.startswith("tool") and "req/host" in line for line in lines)
    rows = [line for line in lines if line.startswith("remediate ")]
    assert [row.split()[1:3] for row in rows] == [["psrp", "detect"], ["psrp", "cycle"], ["winrm", "detect"],
                                                  ["winrm", "cycle"]]
    assert all(" 4/4 " in row for row in rows), rows
    assert "PSRP requests per full cycle" in proc.stdout
