"""Generate and lint every package: wall time and peak memory; sizes against the Intune limits.

    .venv/bin/python bench/generate_lint.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _util import ROOT, measure, tool

sys.path.insert(0, str(ROOT))

from remediate.packages import load_packages  # noqa: E402
from remediate.render import render_package  # noqa: E402
from remediate.results import MAX_RESULT_CHARS  # noqa: E402

INTUNE_MAX_BYTES = 200_000


def timings() -> None:
    with tempfile.TemporaryDirectory() as out:
        seconds, rss = measure([tool("remediate"), "generate", "--out", out], runs=5)
        print(f"{'remediate generate (all packages)':42} {seconds * 1000:8.1f} ms   peak {rss / 1024:6.1f} MiB")
        seconds, rss = measure([tool("remediate"), "lint", out], runs=5)
        print(f"{'remediate lint (all generated scripts)':42} {seconds * 1000:8.1f} ms   peak {rss / 1024:6.1f} MiB")


def sizes() -> None:
    print(f"\n{'script':44} {'bytes':>8} {'of 200,000':>11}")
    for package in load_packages(ROOT / "remediate" / "packaging"):
        rendered = render_package(package)
        for name in ("detect", "remediate"):
            size = len(getattr(rendered, name))
            print(f"{package.id + '/' + name + '.ps1':44} {size:8d} {size / INTUNE_MAX_BYTES:10.1%}")


def largest_result() -> None:
    """The largest result line a package can emit before shrinking: every check failing with long facts."""
    for package in load_packages(ROOT / "remediate" / "packaging"):
        findings = [{"id": c.id, "state": "fail", "reason": "x" * 24,
                     "facts": {f"fact_{i}": "y" * 40 for i in range(4)}} for c in package.checks]
        result = {"schema_version": 1, "tool": "0.1.0", "package": package.id, "phase": "detect",
                  "verdict": "non_compliant", "reason": "", "context": package.run_as.value,
                  "computer": "C" * 15, "dry_run": False, "duration_ms": 99999,
                  "failing": [c.id for c in package.checks], "findings": findings,
                  "evidence": {"codes": {f"0xCAA2000{i}": 9 for i in range(8)}, "layers": {"oauth": 9},
                               "events": 999, "window_hours": 72}}
        full = len(json.dumps(result, separators=(",", ":")))
        minimal = dict(result, findings=[], evidence={}, truncated=True, reason="truncated")
        floor = len(json.dumps(minimal, separators=(",", ":")))
        print(f"{package.id:28} worst-case result {full:6d} chars (shrunk in the script to <= "
              f"{MAX_RESULT_CHARS}); floor after every shrink step {floor} chars")


if __name__ == "__main__":
    timings()
    sizes()
    print()
    largest_result()
