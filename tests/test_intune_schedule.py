"""Schedule text form <-> Graph schedule objects."""

from __future__ import annotations

import pytest

from remediate.errors import ConfigError
from remediate.intune.schedule import Schedule, parse_schedule, schedule_from_graph, schedule_from_package

NS = "#microsoft.graph."


@pytest.mark.parametrize("spec, graph", [
    ("hourly:4", {"@odata.type": NS + "deviceHealthScriptHourlySchedule", "interval": 4}),
    ("daily:09:30", {"@odata.type": NS + "deviceHealthScriptDailySchedule", "interval": 1, "useUtc": False,
                     "time": "09:30:00"}),
    ("daily:23:05:utc", {"@odata.type": NS + "deviceHealthScriptDailySchedule", "interval": 1, "useUtc": True,
                         "time": "23:05:00"}),
    ("once:2025-03-01@07:00", {"@odata.type": NS + "deviceHealthScriptRunOnceSchedule", "interval": 1,
                               "useUtc": False, "time": "07:00:00", "date": "2025-03-01"}),
    ("once:2025-03-01@07:00:utc", {"@odata.type": NS + "deviceHealthScriptRunOnceSchedule", "interval": 1,
                                   "useUtc": True, "time": "07:00:00", "date": "2025-03-01"}),
], ids=lambda v: v if isinstance(v, str) else "")
def test_spec_to_graph_and_back(spec, graph):
    schedule = parse_schedule(spec)
    assert schedule.to_graph() == graph
    assert schedule_from_graph(graph) == schedule
    assert schedule.spec() == spec


@pytest.mark.parametrize("spec", ["hourly:0", "hourly:24", "daily:25:00", "daily:9:00", "weekly:1",
                                  "once:2025-02-30@07:00", "once:2025-03-01", ""])
def test_invalid_specs_name_the_accepted_forms(spec):
    with pytest.raises(ConfigError, match="schedule"):
        parse_schedule(spec)


def test_package_schedule_is_normalised():
    table = {"kind": "daily", "interval": 1, "time": "09:00", "date": "2025-01-01", "use_utc": True}
    assert schedule_from_package(table) == Schedule("daily", time="09:00", use_utc=True)


def test_unknown_graph_schedule_reads_as_none():
    assert schedule_from_graph({"@odata.type": "#x"}) is None and schedule_from_graph(None) is None
