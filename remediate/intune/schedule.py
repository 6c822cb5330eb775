"""Remediation run schedules: the ``--schedule`` text form, the package form and the Graph objects.

Text form: ``hourly:N`` | ``daily:HH:MM[:utc]`` | ``once:YYYY-MM-DD@HH:MM[:utc]``. Graph wants
``#microsoft.graph.deviceHealthScript{Hourly,Daily,RunOnce}Schedule`` with ``time`` as ``HH:MM:SS``
(DOMAIN.md section 5). Hourly intervals are 1-23 (the portal's range).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from remediate.errors import ConfigError

_GRAPH_TYPES = {
    "hourly": "#microsoft.graph.deviceHealthScriptHourlySchedule",
    "daily": "#microsoft.graph.deviceHealthScriptDailySchedule",
    "once": "#microsoft.graph.deviceHealthScriptRunOnceSchedule",
}
_KIND_BY_TYPE = {v: k for k, v in _GRAPH_TYPES.items()}
_SPEC_RE = re.compile(
    r"hourly:(?P<hours>\d{1,2})"
    r"|daily:(?P<dtime>\d{2}:\d{2})(?P<dutc>:utc)?"
    r"|once:(?P<date>\d{4}-\d{2}-\d{2})@(?P<otime>\d{2}:\d{2})(?P<outc>:utc)?"
)
SPEC_HELP = "hourly:N | daily:HH:MM[:utc] | once:YYYY-MM-DD@HH:MM[:utc]"


@dataclass(frozen=True)
class Schedule:
    kind: str  # hourly | daily | once
    interval: int = 1
    time: str = "00:00"  # HH:MM
    date: str = ""  # YYYY-MM-DD for once
    use_utc: bool = False

    def to_graph(self) -> dict[str, Any]:
        body: dict[str, Any] = {"@odata.type": _GRAPH_TYPES[self.kind], "interval": self.interval}
        if self.kind == "hourly":
            return body
        body.update({"useUtc": self.use_utc, "time": f"{self.time}:00"})
        if self.kind == "once":
            body["date"] = self.date
        return body

    def spec(self) -> str:
        utc = ":utc" if self.use_utc else ""
        if self.kind == "hourly":
            return f"hourly:{self.interval}"
        if self.kind == "daily":
            return f"daily:{self.time}{utc}"
        return f"once:{self.date}@{self.time}{utc}"

    def describe(self) -> str:
        zone = "UTC" if self.use_utc else "device local time"
        if self.kind == "hourly":
            return f"hourly, every {self.interval} hour(s)"
        if self.kind == "daily":
            return f"daily, every {self.interval} day(s) at {self.time} ({zone})"
        return f"once, on {self.date} at {self.time} ({zone})"


def _check_time(text: str, spec: str) -> str:
    try:
        dt.time.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"invalid time {text!r} in schedule {spec!r} (expected HH:MM)") from None
    return text


def parse_schedule(spec: str) -> Schedule:
    """Parse the ``--schedule`` text form; ConfigError names the accepted forms."""
    match = _SPEC_RE.fullmatch(spec.strip().lower())
    if not match:
        raise ConfigError(f"invalid schedule {spec!r} (expected {SPEC_HELP})")
    if match["hours"] is not None:
        hours = int(match["hours"])
        if not 1 <= hours <= 23:
            raise ConfigError(f"invalid schedule {spec!r}: hourly interval must be 1-23")
        return Schedule("hourly", interval=hours)
    if match["dtime"] is not None:
        return Schedule("daily", time=_check_time(match["dtime"], spec), use_utc=bool(match["dutc"]))
    try:
        dt.date.fromisoformat(match["date"])
    except ValueError:
        raise ConfigError(f"invalid date {match['date']!r} in schedule {spec!r}") from None
    return Schedule("once", time=_check_time(match["otime"], spec), date=match["date"],
                    use_utc=bool(match["outc"]))


def _normalized(kind: str, interval: int, time: str, date: str, use_utc: bool) -> Schedule:
    """Fields a kind does not use are set to their defaults, so equal schedules compare equal."""
    if kind == "hourly":
        return Schedule("hourly", interval=interval)
    return Schedule(kind, interval=interval, time=time, date=date if kind == "once" else "", use_utc=use_utc)


def schedule_from_package(schedule: Mapping[str, Any]) -> Schedule:
    """The package file's ``[schedule]`` table (already validated by remediate.packages)."""
    return _normalized(str(schedule["kind"]), int(schedule.get("interval", 1)), str(schedule.get("time", "00:00")),
                       str(schedule.get("date", "")), bool(schedule.get("use_utc", False)))


def schedule_from_graph(body: Mapping[str, Any] | None) -> Schedule | None:
    """Read back a Graph runSchedule; None when absent or of a kind we do not know."""
    if not isinstance(body, Mapping):
        return None
    kind = _KIND_BY_TYPE.get(str(body.get("@odata.type", "")))
    if kind is None:
        return None
    try:
        interval = int(body.get("interval") or 1)
    except (TypeError, ValueError):
        return None
    return _normalized(kind, interval, str(body.get("time") or "00:00:00")[:5], str(body.get("date") or "")[:10],
                       bool(body.get("useUtc")))
