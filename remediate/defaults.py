"""Defaults of settings that both the command line and the library use: one value each.

The CLI reads this module at start-up, so it imports nothing.
"""

# Hosts run at the same time by `remediate run` (remediate.fleet.FleetOptions).
CONCURRENCY = 16
# Seconds per host for the whole detect / remediate / verify cycle.
HOST_TIMEOUT_S = 300.0
# Seconds for all Graph calls of one Intune command, throttling waits included (--deadline).
GRAPH_DEADLINE_S = 900.0
