"""Progress of a fleet run on stderr: a rich progress bar (done/total, rate, ETA) on a terminal, nothing on a
pipe or in a file, so schedulers and logs never see control characters.

``host_progress`` is a context manager that yields the fleet's progress callback (or ``None``): the bar is
closed however the run ends, Ctrl-C included.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any, Callable

Callback = Callable[[dict[str, Any], int, int], None]


@contextlib.contextmanager
def host_progress(total: int, *, enabled: bool) -> Iterator[Callback | None]:
    if not enabled:
        yield None
        return
    # rich is imported only here: a run on a terminal, never the cold start of other commands.
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    columns = (TextColumn("run"), BarColumn(), MofNCompleteColumn(), TextColumn("hosts"),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
               TextColumn("{task.fields[last]}"))
    with Progress(*columns, console=Console(file=sys.stderr), transient=False) as bar:
        task = bar.add_task("run", total=total, rate="", last="")

        def advance(record: dict[str, Any], done: int, total_: int) -> None:
            speed = bar.tasks[0].finished_speed or bar.tasks[0].speed
            rate = f"{speed * 60:.0f} hosts/min" if speed else ""
            bar.update(task, completed=done, total=total_, rate=rate,
                       last=f"last {record.get('host', '?')}: {record.get('status', '?')}")

        yield advance
