"""Fleet results: deviceRunStates from Graph turned into an answer ("which cause is hitting us, where").

Each device's pre/post detection output is parsed with ``remediate.results.parse_result_line``. Intune keeps
only the last 2,048 characters of the last line (DOMAIN.md section 5), so a long result can arrive cut at the
front; such outputs, and outputs that are not ours at all, are counted and never crash the report.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from remediate.errors import ServiceError
from remediate.intune.graph import Call, GraphClient
from remediate.intune.permissions import SCRIPTS_READ
from remediate.intune.publish import SCRIPTS_PATH, find_script
from remediate.results import MAX_RESULT_CHARS, ResultParseError, State, parse_result_line

REPORT_VERSION = 2  # 2: the three script-error fields per device; device_id is always the managed-device id
EXPAND = "managedDevice($select=id,deviceName)"
# Findings in these states are "causes"; pass/skipped/fixed-free findings are not.
_CAUSE_STATES = {State.FAIL.value, State.ERROR.value, State.DEFERRED.value, State.ADVISORY.value}
# deviceRunState fields Intune fills with what a script wrote to stderr or threw (DOMAIN.md section 5).
ERROR_FIELDS = {"pre_detection_error": "preRemediationDetectionScriptError",
                "remediation_error": "remediationScriptError",
                "post_detection_error": "postRemediationDetectionScriptError"}
CSV_FIELDS = ("device_id", "device_name", "output", "phase", "verdict", "detection_state", "remediation_state",
              "failing", "codes", "last_update", *ERROR_FIELDS)


@dataclass(frozen=True)
class DeviceResult:
    device_id: str
    device_name: str
    output: str  # ours | foreign | truncated | empty
    phase: str  # post | pre | "" : which detection output the verdict comes from
    verdict: str  # our verdict, or "" when no output of ours
    detection_state: str
    remediation_state: str
    failing: tuple[str, ...]
    codes: Mapping[str, int]
    causes: tuple[tuple[str, str], ...]  # (check id, reason) of findings not passing
    last_update: str
    errors: Mapping[str, str] = field(default_factory=dict)  # ERROR_FIELDS key -> text, only those not empty

    def to_dict(self) -> dict[str, Any]:
        return {"device_id": self.device_id, "device_name": self.device_name, "output": self.output,
                "phase": self.phase, "verdict": self.verdict, "detection_state": self.detection_state,
                "remediation_state": self.remediation_state, "failing": list(self.failing),
                "codes": dict(self.codes), "last_update": self.last_update,
                **{key: self.errors.get(key, "") for key in ERROR_FIELDS}}

    def first_error(self) -> tuple[str, str] | None:
        """(field, first line) of the first script error in run order, for one-line summaries."""
        for key in ERROR_FIELDS:
            if self.errors.get(key):
                return key, self.errors[key].strip().splitlines()[0]
        return None


@dataclass
class FleetReport:
    display_name: str
    devices: list[DeviceResult] = field(default_factory=list)
    outputs: Counter = field(default_factory=Counter)
    verdicts: Counter = field(default_factory=Counter)
    detection_states: Counter = field(default_factory=Counter)
    remediation_states: Counter = field(default_factory=Counter)
    failing_checks: Counter = field(default_factory=Counter)  # check id -> devices
    causes: Counter = field(default_factory=Counter)  # "check: reason" -> devices
    script_errors: Counter = field(default_factory=Counter)  # ERROR_FIELDS key -> devices with that error
    code_devices: Counter = field(default_factory=Counter)  # code -> devices reporting it
    code_events: Counter = field(default_factory=Counter)  # code -> events summed over devices

    def to_dict(self) -> dict[str, Any]:
        def ranked(counter: Counter) -> list[dict[str, Any]]:
            return [{"key": k, "count": n} for k, n in _ranked(counter)]

        return {"report_version": REPORT_VERSION, "display_name": self.display_name,
                "device_count": len(self.devices), "outputs": dict(_ranked(self.outputs)),
                "verdicts": dict(_ranked(self.verdicts)), "detection_states": dict(_ranked(self.detection_states)),
                "remediation_states": dict(_ranked(self.remediation_states)),
                "failing_checks": ranked(self.failing_checks), "causes": ranked(self.causes),
                "script_errors": dict(_ranked(self.script_errors)),
                "codes": [{"code": k, "devices": n, "events": self.code_events[k]}
                          for k, n in _ranked(self.code_devices)],
                "devices": [d.to_dict() for d in self.devices]}


def _ranked(counter: Counter) -> list[tuple[str, int]]:
    """Most common first, ties by name: stable output for tests and diffs."""
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))


def classify_output(text: str | None) -> tuple[str, Any]:
    """("ours", ScriptResult) or ("foreign" | "truncated" | "empty", None)."""
    if not text or not text.strip():
        return "empty", None
    try:
        return "ours", parse_result_line(text)
    except ResultParseError:
        pass
    last = text.strip().splitlines()[-1].strip()
    # Cut at the front by the 2,048-character limit: the tail of one of our JSON lines remains.
    looks_like_tail = last.endswith("}") and not last.startswith("{") and ('"' in last)
    if len(last) >= MAX_RESULT_CHARS - 8 or (looks_like_tail and ('"verdict"' in last or '"findings"' in last
                                                                   or '"evidence"' in last)):
        return "truncated", None
    return "foreign", None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def device_result(state: Mapping[str, Any]) -> DeviceResult:
    """One deviceRunState -> our view of it. Post-remediation output wins when it is ours (it is newer)."""
    device = state.get("managedDevice") if isinstance(state.get("managedDevice"), Mapping) else {}
    post_kind, post = classify_output(_text(state.get("postRemediationDetectionScriptOutput")))
    pre_kind, pre = classify_output(_text(state.get("preRemediationDetectionScriptOutput")))
    if post is not None:
        kind, result, phase = post_kind, post, "post"
    elif pre is not None:
        kind, result, phase = pre_kind, pre, "pre"
    else:
        kind, result, phase = (post_kind if post_kind != "empty" else pre_kind), None, ""
    cause_source = pre if pre is not None else result  # the cause is what detection found before fixing
    return DeviceResult(
        device_id=_text(device.get("id")),  # the managed-device id; the run state's own id is not a device
        device_name=_text(device.get("deviceName")) or "(unknown)",
        output=kind, phase=phase, verdict=result.verdict.value if result else "",
        detection_state=_text(state.get("detectionState")) or "unknown",
        remediation_state=_text(state.get("remediationState")) or "unknown",
        failing=tuple(cause_source.failing) if cause_source else (),
        codes=_codes(cause_source.data) if cause_source else {},
        causes=_causes(cause_source.findings) if cause_source else (),
        last_update=_text(state.get("lastStateUpdateDateTime")),
        errors={key: _text(state.get(name)).strip() for key, name in ERROR_FIELDS.items()
                if _text(state.get(name)).strip()})


def _codes(data: Mapping[str, Any]) -> dict[str, int]:
    evidence = data.get("evidence")
    codes = evidence.get("codes") if isinstance(evidence, Mapping) else None
    if not isinstance(codes, Mapping):
        return {}
    return {str(code): n for code, n in codes.items() if isinstance(n, int) and not isinstance(n, bool) and n > 0}


def _causes(findings: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    causes = []
    for finding in findings:
        if isinstance(finding, Mapping) and finding.get("state") in _CAUSE_STATES:
            causes.append((str(finding["id"]), str(finding.get("reason") or finding["state"])))
    return tuple(causes)


def aggregate(display_name: str, run_states: Iterable[Mapping[str, Any]]) -> FleetReport:
    report = FleetReport(display_name)
    for state in run_states:
        device = device_result(state)
        report.devices.append(device)
        report.outputs[device.output] += 1
        report.detection_states[device.detection_state] += 1
        report.remediation_states[device.remediation_state] += 1
        if device.verdict:
            report.verdicts[device.verdict] += 1
        report.failing_checks.update(set(device.failing))
        report.causes.update({f"{check}: {reason}" for check, reason in device.causes})
        report.code_devices.update(set(device.codes))
        report.code_events.update(device.codes)
        report.script_errors.update(set(device.errors))
    report.devices.sort(key=lambda d: (d.device_name.lower(), d.device_id))
    return report


def fetch_run_states(client: GraphClient, display_name: str) -> list[dict[str, Any]]:
    """All deviceRunStates of the remediation with this display name, device names expanded."""
    script = find_script(client, display_name)
    if script is None:
        raise ServiceError(f"not found: no remediation named {display_name!r} in Intune (publish it first)",
                           status=404, code="not_found")
    path = f"{SCRIPTS_PATH}/{script['id']}/deviceRunStates"
    call = Call(what=f"remediation {display_name!r} (id {script['id']})", permission=SCRIPTS_READ)
    return list(client.get_all(path, {"$expand": EXPAND}, call=call))


# -- renderers ---------------------------------------------------------------------------------------------

def to_json(report: FleetReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False) + "\n"


def to_csv(report: FleetReport) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for device in report.devices:
        row = device.to_dict()
        row["failing"] = " ".join(device.failing)
        row["codes"] = " ".join(f"{k}={v}" for k, v in sorted(device.codes.items()))
        writer.writerow(row)
    return buffer.getvalue()


def to_table(report: FleetReport, top: int = 10, device_rows: int = 50) -> str:
    lines = [f"{report.display_name}: {len(report.devices)} devices"]
    lines += _section("outputs", _ranked(report.outputs))
    lines += _section("verdicts", _ranked(report.verdicts))
    lines += _section("intune detection states", _ranked(report.detection_states))
    lines += _section("script errors (devices)", _ranked(report.script_errors))
    lines += _section("most common causes (devices)", _ranked(report.causes)[:top])
    lines += _section("error codes (devices / events)",
                      [(k, f"{n} / {report.code_events[k]}") for k, n in _ranked(report.code_devices)[:top]])
    attention = [d for d in report.devices
                 if d.verdict not in {"compliant", "remediated", "skipped"} or d.errors]
    lines += ["", f"devices needing attention ({len(attention)})"]
    for device in attention[:device_rows]:
        detail = device.verdict or device.output
        lines.append(f"  {device.device_name:<24} {device.device_id:<36} {detail:<14} "
                     f"{' '.join(device.failing)}".rstrip())
        error = device.first_error()
        if error:
            lines.append(f"    {error[0]}: {_shorten(error[1], 110)}")
    if len(attention) > device_rows:
        lines.append(f"  ... {len(attention) - device_rows} more (use --output csv or json)")
    return "\n".join(lines) + "\n"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _section(title: str, rows: list[tuple[str, Any]]) -> list[str]:
    lines = ["", title]
    if not rows:
        return lines + ["  (none)"]
    width = max(len(str(k)) for k, _ in rows)
    return lines + [f"  {str(k):<{width}}  {v}" for k, v in rows]
