"""One self-contained HTML page for a fleet report, rendered from ``templates/fleet_report.html.j2``.

Jinja2 with autoescaping on (every device name, cause and script error is escaped by the template engine, not
by hand) and strict undefined variables. No scripts, fonts, images or links to anything outside the file, so
it can be mailed or attached to a ticket and opens offline. The charts are CSS bars sized in percent, so they
fit any width; the device tables scroll sideways inside their own box on narrow screens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from remediate import __version__
from remediate.intune.fleet_results import NEEDS_ATTENTION, STATES, FleetReport, _ranked

TEMPLATES = Path(__file__).parent / "templates"
STATE_COLOURS = {"remediated": "#1a7f37", "compliant": "#2da44e", "not_applicable": "#8c959f",
                 "pending": "#a8b1ba", "deferred": "#bf8700", "non_compliant": "#cf222e", "failed": "#a40e26",
                 "error": "#bf3989", "unknown": "#6e7781"}
STATE_LABELS = {"remediated": "issue fixed", "compliant": "without issues", "not_applicable": "not applicable",
                "pending": "pending", "deferred": "deferred", "non_compliant": "issue found, not fixed",
                "failed": "fix failed (recurred)", "error": "script error", "unknown": "unknown output"}
ERROR_LABELS = {"pre_detection_error": "detection", "remediation_error": "remediation",
                "post_detection_error": "post-remediation detection"}
OUTPUT_LABELS = {"ours": "with our result", "truncated": "output truncated", "foreign": "output not ours",
                 "empty": "no output yet"}


@dataclass(frozen=True)
class ReportHeader:
    """Who and when, for the page's header: a report without them is not evidence of anything."""

    generated_at: dt.datetime
    tenant: str  # the tenant id, or where offline data came from
    source: str  # "Microsoft Graph" or the input file
    version: str = __version__


def header_for(input_file: Path | None, tenant_id: str | None) -> ReportHeader:
    """The header of a report read now from Graph (the tenant) or from a saved file (offline)."""
    now = dt.datetime.now(dt.timezone.utc)
    if input_file is not None:
        return ReportHeader(now, "(offline: not read from Intune)", f"file {input_file.name}")
    return ReportHeader(now, tenant_id or "(from the signed-in account)", "Microsoft Graph deviceRunStates")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda n, total: f"{100.0 * n / total:.2f}%" if total else "0%"
    return env


def bars(rows: list[tuple[str, int]], colours: dict[str, str] | None = None,
         labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A bar chart's data: each row's label, count and colour, and the peak every width is relative to."""
    items = [{"key": k, "label": (labels or {}).get(k, k), "count": n, "colour": (colours or {}).get(k, "#0969da")}
             for k, n in rows]
    return {"rows": items, "peak": max((n for _, n in rows), default=0)}


def render_html(report: FleetReport, header: ReportHeader | None = None, top: int = 15) -> str:
    header = header or ReportHeader(dt.datetime.now(dt.timezone.utc), "(not given)", "Microsoft Graph")
    states = [(k, report.states[k]) for k in STATES if report.states[k]]
    charts = [
        ("Most common causes (devices)", bars(_ranked(report.causes)[:top])),
        ("Verdicts in our result lines", bars(_ranked(report.verdicts), STATE_COLOURS)),
        ("Error codes (devices reporting)", bars(_ranked(report.code_devices)[:top])),
        ("Intune detection states", bars(_ranked(report.detection_states))),
        ("Outputs", bars(_ranked(report.outputs), labels=OUTPUT_LABELS)),
    ]
    if report.script_errors:
        charts.append(("Script errors (devices)", bars(_ranked(report.script_errors), labels=ERROR_LABELS)))
    return _environment().get_template("fleet_report.html.j2").render(
        report=report, header=header, states=states, state_bars=bars(states, STATE_COLOURS, STATE_LABELS),
        state_help=STATES, state_labels=STATE_LABELS, colours=STATE_COLOURS, charts=charts,
        causes=report.by_cause(), attention=report.attention, needs_attention=NEEDS_ATTENTION,
        error_labels=ERROR_LABELS, when=header.generated_at.strftime("%Y-%m-%d %H:%M UTC"))
