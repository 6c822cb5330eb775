"""What each generated script costs a device: parse time, run time, peak memory, bytes written, per day.

    .venv/bin/python bench/device_cost.py [--runs 5] [--json out.json]

Every script in detection_scripts/ (detect and remediate of both packages) runs in real PowerShell against
the simulated Windows of tests/simwin (``run_script`` on ``healthy()``; native programs and the OS seam
answer at once), so the time measured is the script's own overhead, not Windows'. For each script:

- parse: [Parser]::ParseInput on the script text, median over --runs in one warm PowerShell process;
- run: wall time of ``pwsh -File`` minus the median start-up of ``pwsh -Command exit 0`` (both cold
  processes, median over --runs); the whole process time is shown too;
- peak memory: the pwsh process's peak RSS (its rusage, read in a child Python that only waits for it),
  and the same for the bare start-up, so the script's own share shows;
- written: bytes of files created or changed under the machine's folders (state, logs), per run.

Per day on the package schedules (packaging/*.toml: device daily, user every 4 h): a healthy device runs
the detection only; a device that needs the fix runs detection, remediation and Intune's detection again.

This is PowerShell 7 on Linux (.NET, no AMSI, no Defender scanning the script, no real registry or WMI):
an indication of the scripts' own overhead, not a measurement of Windows PowerShell 5.1 on Windows, which
starts slower and runs the same script at a different speed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _util import ROOT

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

RUNS_PER_DAY = {"caa20002-device": 1, "caa20002-user": 6}  # schedule: daily; every 4 hours
ACCOUNT = {"caa20002-device": "system", "caa20002-user": "user"}


def _one(script_path: Path, package: str, workdir: Path) -> dict[str, float]:
    """In a child Python (so that RUSAGE_CHILDREN is this one pwsh): run the script once on a healthy machine."""
    import resource

    from simwin.machine import healthy
    from simwin.run import run_script

    machine = healthy(ACCOUNT[package])
    root = workdir / "root"
    before = _sizes(root)
    run = run_script(script_path.read_text(encoding="ascii"), machine, workdir, name=script_path.name,
                     check_contract=False)
    after = _sizes(root)
    written = sum(size for path, size in after.items() if before.get(path) != size)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": run.seconds, "peak_kib": peak_kib, "written": written, "exit": run.exit_code,
            "verdict": run.result.get("verdict")}


def _sizes(root: Path) -> dict[str, int]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


def measure_script(script_path: Path, package: str, runs: int) -> dict[str, float]:
    """Each run is a fresh machine (the first run of the day on a device: state and log files are created)."""
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-device-") as tmp:
            out = subprocess.run([sys.executable, __file__, "--one", str(script_path), package, tmp],
                                 capture_output=True, text=True, timeout=300, check=True)
            samples.append(json.loads(out.stdout.splitlines()[-1]))
    return {"seconds": statistics.median(s["seconds"] for s in samples),
            "peak_kib": max(s["peak_kib"] for s in samples),
            "written": statistics.median(s["written"] for s in samples),
            "exit": samples[0]["exit"], "verdict": samples[0]["verdict"]}


def startup(runs: int) -> dict[str, float]:
    """A bare PowerShell process: the floor every script pays before its first line."""
    from simwin.engine import find_pwsh

    code = ("import resource,subprocess,sys,time,json;t=time.monotonic();"
            "subprocess.run(sys.argv[1:],check=True);s=time.monotonic()-t;"
            "print(json.dumps({'seconds':s,'peak_kib':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
    samples = [json.loads(subprocess.run([sys.executable, "-c", code, find_pwsh(), "-NoProfile", "-NonInteractive",
                                          "-Command", "exit 0"], capture_output=True, text=True, check=True,
                                         timeout=120).stdout) for _ in range(runs)]
    return {"seconds": statistics.median(s["seconds"] for s in samples),
            "peak_kib": max(s["peak_kib"] for s in samples)}


def parse_times(paths: list[Path], runs: int) -> dict[str, float]:
    """Median seconds of [Parser]::ParseInput per script, in one warm process (the first parse is discarded:
    it loads the parser)."""
    from simwin.engine import find_pwsh

    lines = ["$ErrorActionPreference = 'Stop'"]
    for i, path in enumerate(paths):
        lines += [f"$text = [IO.File]::ReadAllText('{path}')", "$t = $null; $e = $null",
                  "$null = [Management.Automation.Language.Parser]::ParseInput($text, [ref]$t, [ref]$e)",
                  "$ms = foreach ($n in 1.." + str(runs) + ") { $w = [Diagnostics.Stopwatch]::StartNew(); "
                  "$null = [Management.Automation.Language.Parser]::ParseInput($text, [ref]$t, [ref]$e); "
                  "$w.Elapsed.TotalMilliseconds }",
                  f"'{i} ' + (($ms | Sort-Object)[[int][math]::Floor({runs} / 2)]).ToString([cultureinfo]::InvariantCulture)"]
    proc = subprocess.run([find_pwsh(), "-NoProfile", "-NonInteractive", "-Command", "\n".join(lines)],
                          capture_output=True, text=True, check=True, timeout=300)
    out = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if line.strip())
    return {str(path): float(out[str(i)]) / 1000 for i, path in enumerate(paths)}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(_one(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))))
        return 0
    parser = argparse.ArgumentParser(description="What each generated script costs a device.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from simwin.engine import find_pwsh

    version = subprocess.run([find_pwsh(), "-NoProfile", "-Command", "$PSVersionTable.PSVersion.ToString()"],
                             capture_output=True, text=True, check=True).stdout.strip()
    paths = sorted((ROOT / "detection_scripts").glob("*/*.ps1"))
    print(f"PowerShell {version} on Linux (an indication, not Windows PowerShell 5.1), simulated healthy "
          f"Windows, median of {args.runs} runs, {os.cpu_count()} cores", flush=True)
    base = startup(args.runs)
    parsed = parse_times(paths, args.runs)
    rows = []
    print(f"{'script':36} {'bytes':>8} {'parse':>8} {'run':>8} {'process':>8} {'peak MiB':>9} {'+MiB':>6} "
          f"{'written':>8} verdict")
    print(f"{'(pwsh start-up, exit 0)':36} {'':>8} {'':>8} {'':>8} {base['seconds'] * 1000:7.0f}ms "
          f"{base['peak_kib'] / 1024:9.1f}")
    for path in paths:
        package = path.parent.name
        m = measure_script(path, package, args.runs)
        row = {"script": f"{package}/{path.name}", "package": package, "phase": path.stem,
               "bytes": path.stat().st_size, "parse_s": parsed[str(path)],
               "run_s": max(0.0, m["seconds"] - base["seconds"]), "process_s": m["seconds"],
               "peak_mib": m["peak_kib"] / 1024, "own_mib": (m["peak_kib"] - base["peak_kib"]) / 1024,
               "written": m["written"], "verdict": m["verdict"]}
        rows.append(row)
        print(f"{row['script']:36} {row['bytes']:8,} {row['parse_s'] * 1000:6.1f}ms {row['run_s'] * 1000:6.0f}ms "
              f"{row['process_s'] * 1000:6.0f}ms {row['peak_mib']:9.1f} {row['own_mib']:6.1f} {row['written']:8,.0f} "
              f"{row['verdict']}", flush=True)
    print()
    print(f"{'package':18} {'runs/day':>8} {'healthy: s/day':>15} {'MB written/day':>15} "
          f"{'needs fix: s/day':>17} {'MB written/day':>15}")
    for package, per_day in RUNS_PER_DAY.items():
        detect = next(r for r in rows if r["package"] == package and r["phase"] == "detect")
        fix = next(r for r in rows if r["package"] == package and r["phase"] == "remediate")
        healthy_s = per_day * detect["process_s"]
        healthy_w = per_day * detect["written"]
        fix_s = per_day * (2 * detect["process_s"] + fix["process_s"])
        fix_w = per_day * (2 * detect["written"] + fix["written"])
        print(f"{package:18} {per_day:8d} {healthy_s:15.2f} {healthy_w / 1e6:15.3f} {fix_s:17.2f} "
              f"{fix_w / 1e6:15.3f}")
    if args.json:
        args.json.write_text(json.dumps({"startup": base, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
