"""Ctrl-C and SIGTERM during a fleet run: a flag to poll, never an exception.

A handler that raised could fire inside any critical section (a record half written, a host neither pending
nor in flight), so while a fleet runs SIGINT and SIGTERM only call ``on_signal``; the fleet's main thread
(remediate/fleet.py) or the pool's parent (remediate/fleetpool.py) polls what it set.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

STOP_WAIT_S = 8.0  # after Ctrl-C/SIGTERM, how long workers get to stop their pipelines and close their shells


class StopSignals:
    """SIGINT and SIGTERM call ``on_signal`` instead of raising, inside the ``with`` block (main thread only:
    Python delivers signals there). The previous handlers come back afterwards."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, on_signal: Callable[[int], None]) -> None:
        self.on_signal = on_signal
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self.previous[signum] = signal.signal(signum, lambda n, _frame: self.on_signal(n))
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
