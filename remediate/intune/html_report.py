"""One self-contained HTML page for a fleet report: inline CSS, inline SVG bar charts, a device table.

No scripts, fonts, images or links to anything outside the file, so it can be mailed or attached to a
ticket and opens offline. Every value from devices is escaped.
"""

from __future__ import annotations

from html import escape

from remediate.intune.fleet_results import DeviceResult, FleetReport, _ranked

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.muted{color:#57606a}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:110px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #d0d7de;
padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa;position:sticky;top:0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:24px}
svg text{font:12px system-ui,sans-serif}
td:first-child,td:nth-child(2){white-space:nowrap}
.err{white-space:pre-wrap;font-family:ui-monospace,Consolas,monospace;font-size:12px;color:#a40e26}
"""
_VERDICT_COLOURS = {"compliant": "#2da44e", "remediated": "#1a7f37", "non_compliant": "#cf222e",
                    "failed": "#a40e26", "error": "#bf3989", "deferred": "#bf8700", "skipped": "#8c959f"}
_OUTPUT_LABELS = {"ours": "with our result", "truncated": "output truncated", "foreign": "output not ours",
                  "empty": "no output yet"}
_BAR = "#0969da"
_ROW_H, _LABEL_W, _BAR_W = 22, 230, 260


def bar_chart(title: str, rows: list[tuple[str, int]], colours: dict[str, str] | None = None) -> str:
    """A horizontal bar chart as inline SVG."""
    if not rows:
        return f'<p class="muted">{escape(title)}: none</p>'
    peak = max(n for _, n in rows) or 1
    height = _ROW_H * len(rows) + 8
    parts = [f'<svg role="img" aria-label="{escape(title)}" width="{_LABEL_W + _BAR_W + 60}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, count) in enumerate(rows):
        y = 4 + i * _ROW_H
        width = max(1, round(_BAR_W * count / peak))
        colour = (colours or {}).get(label, _BAR)
        short = label if len(label) <= 34 else label[:33] + "..."
        parts.append(f'<text x="{_LABEL_W - 6}" y="{y + 15}" text-anchor="end"><title>{escape(label)}</title>'
                     f'{escape(short)}</text>')
        parts.append(f'<rect x="{_LABEL_W}" y="{y + 3}" width="{width}" height="{_ROW_H - 6}" fill="{colour}"/>')
        parts.append(f'<text x="{_LABEL_W + width + 6}" y="{y + 15}">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _cards(report: FleetReport) -> str:
    items = [("devices", len(report.devices))]
    items += [(_OUTPUT_LABELS.get(k, k), n) for k, n in _ranked(report.outputs)]
    cells = "".join(f'<div class="card"><b>{n}</b>{escape(label)}</div>' for label, n in items)
    return f'<div class="cards">{cells}</div>'


_ERROR_LABELS = {"pre_detection_error": "detection", "remediation_error": "remediation",
                 "post_detection_error": "post-remediation detection"}


def _errors_cell(device: DeviceResult) -> str:
    """Each script error with what produced it; the whole text, escaped (Intune's own fields)."""
    parts = [f"<div><b>{escape(label)}:</b> <span class=\"err\">{escape(device.errors[key])}</span></div>"
             for key, label in _ERROR_LABELS.items() if device.errors.get(key)]
    return "".join(parts)


def _device_table(report: FleetReport) -> str:
    head = ("device", "managed device id", "verdict", "output", "Intune detection", "Intune remediation",
            "failing checks", "codes", "script errors", "last change")
    rows = []
    for d in report.devices:
        codes = ", ".join(f"{k} x{v}" for k, v in sorted(d.codes.items()))
        cells = [escape(c) for c in (d.device_name, d.device_id, d.verdict or "-", d.output, d.detection_state,
                                     d.remediation_state, ", ".join(d.failing), codes)]
        cells += [_errors_cell(d), escape(d.last_update)]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(report: FleetReport, top: int = 15) -> str:
    title = f"{report.display_name}: fleet results"
    codes = [(k, n) for k, n in _ranked(report.code_devices)[:top]]
    charts = [
        ("Verdicts (devices)", bar_chart("verdicts", _ranked(report.verdicts), _VERDICT_COLOURS)),
        ("Most common causes (devices)", bar_chart("causes", _ranked(report.causes)[:top])),
        ("Error codes (devices reporting)", bar_chart("codes", codes)),
        ("Intune detection states", bar_chart("detection states", _ranked(report.detection_states))),
        ("Script errors (devices)", bar_chart("script errors", [(_ERROR_LABELS[k], n) for k, n in
                                                                 _ranked(report.script_errors)])),
    ]
    sections = "".join(f"<section><h2>{escape(t)}</h2>{svg}</section>" for t, svg in charts)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{escape(title)}</h1><p class=\"muted\">From Intune deviceRunStates; the verdict comes from "
            "the post-remediation detection output when it is ours, otherwise the pre-remediation one.</p>"
            f"{_cards(report)}<div class=\"grid\">{sections}</div>"
            f"<h2>Devices ({len(report.devices)})</h2>{_device_table(report)}</body></html>\n")
