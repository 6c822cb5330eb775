"""Defaults of settings that both the command line and the library use: one value (or one rule) each.

The CLI reads this module at start-up, so it imports nothing beyond the standard library's ``os``.

How hard a fleet run pushes is measured, not guessed: bench/fleet.py (docs/benchmarks.md, section 1b) on 2
cores, hosts 20 ms away, 100 ms scripts: one client process spends ~15-20 ms of CPU per PSRP host; its
throughput stops growing by 50 hosts in flight (25 per core) and falls beyond (C = 200 was 31 % slower than
C = 50, and each host cost 33 ms of CPU instead of 18: threads queue for the GIL). So the fleet defaults are
per core, and a large fleet may be split over a pool of client processes (remediate/fleetpool.py), one per
core, each with its share of the concurrency; on a machine whose cores are already busy the pool gains nothing
(measured), so it starts only at 200 hosts per core.
"""

from __future__ import annotations

import os

# Hosts run at the same time by `remediate run` (remediate.fleet.FleetOptions): ``default_concurrency()``.
CONCURRENCY_PER_CORE = 25  # hosts in flight per core: the knee of the measured throughput curve
CONCURRENCY_MAX = 512  # the CLI's upper bound (WinRM's MaxConcurrentUsers is per host, not ours)
# Client processes of `remediate run` (--processes): ``default_processes(hosts, concurrency)``.
POOL_MIN_HOSTS_PER_PROCESS = 200  # below this, starting a process (~0.3 s of imports) costs more than it saves
POOL_MAX_PROCESSES = 8
# Seconds per host for the whole detect / remediate / verify cycle.
HOST_TIMEOUT_S = 300.0
# Seconds for all Graph calls of one Intune command, throttling waits included (--deadline).
GRAPH_DEADLINE_S = 900.0


def cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def default_concurrency() -> int:
    return min(CONCURRENCY_MAX, CONCURRENCY_PER_CORE * cores())


def default_processes(hosts: int, concurrency: int) -> int:
    """One client process per core for large fleets; one for small ones (or little concurrency)."""
    by_hosts = hosts // POOL_MIN_HOSTS_PER_PROCESS
    return max(1, min(cores(), POOL_MAX_PROCESSES, by_hosts, concurrency))
