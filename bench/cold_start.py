"""Cold start: `remediate --version` and `remediate explain 0xCAA20002` against `python -c pass`.

Goal: each at most 3x a bare interpreter start. Prints one line per command and the ratio.
    .venv/bin/python bench/cold_start.py
"""

from __future__ import annotations

import sys

from _util import measure, tool

GOAL = 3.0


def main() -> int:
    python = sys.executable
    base, _ = measure([python, "-c", "pass"], runs=15)
    print(f"{'python -c pass':40} {base * 1000:7.1f} ms   1.00x")
    worst = 0.0
    for argv in ([tool("remediate"), "--version"], [tool("remediate"), "explain", "0xCAA20002"]):
        seconds, rss = measure(argv, runs=15)
        ratio = seconds / base
        worst = max(worst, ratio)
        label = "remediate " + " ".join(argv[1:])
        print(f"{label:40} {seconds * 1000:7.1f} ms  {ratio:5.2f}x   peak {rss / 1024:.0f} MiB")
    print(f"goal <= {GOAL:.1f}x: {'met' if worst <= GOAL else f'missed by {worst / GOAL:.2f}x'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
