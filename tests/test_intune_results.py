"""Fleet results against the emulator: paging, parsing ours / foreign / truncated outputs, aggregation, outputs."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import time

import pytest
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)

from remediate.errors import ServiceError
from remediate.intune import fleet_results as fr
from remediate.intune.graph import GraphClient
from remediate.intune.html_report import render_html

NAME = "CAA20002 device"
CAUSES = [("tls12_machine", "schannel_client_disabled", {"0xCAA82F7D": 2}),
          ("time_sync", "w32time_stopped", {"0xCAA20003": 1}),
          ("hybrid_join_task", "task_disabled", {"0xCAA20002": 3, "AADSTS50155": 1}),
          ("proxy", "loopback_proxy_dead", {"0xCAA70004": 4})]


def result_line(verdict: str, failing: list[tuple[str, str, dict]], phase: str = "detect") -> str:
    codes: dict[str, int] = {}
    for _, _, c in failing:
        codes.update(c)
    data = {"schema_version": 1, "package": "caa20002-device", "phase": phase, "verdict": verdict,
            "failing": [f[0] for f in failing],
            "findings": [{"id": "aad_evidence", "state": "pass"}]
            + [{"id": i, "state": "fail", "reason": r} for i, r, _ in failing],
            "evidence": {"codes": codes, "events": sum(codes.values())}}
    return json.dumps(data, separators=(",", ":"))


def run_state(i: int, pre: str | None, post: str | None, detection: str, remediation: str) -> dict:
    return {"id": f"rs-{i}", "detectionState": detection, "remediationState": remediation,
            "preRemediationDetectionScriptOutput": pre, "postRemediationDetectionScriptOutput": post,
            "lastStateUpdateDateTime": "2025-01-02T03:04:05Z",
            "managedDevice": {"id": f"dev-{i:04d}", "deviceName": f"PC-{i:04d}"}}


def make_fleet(count: int = 1000, seed: int = 5) -> tuple[list[dict], dict[str, int]]:
    """A deterministic mixed fleet; returns the run states and how many of each kind were made."""
    rng = random.Random(seed)
    states, kinds = [], {"compliant": 0, "remediated": 0, "non_compliant": 0, "foreign": 0, "truncated": 0,
                         "empty": 0}
    for i in range(count):
        kind = rng.choices(list(kinds), weights=[50, 20, 10, 8, 7, 5])[0]
        kinds[kind] += 1
        causes = rng.sample(CAUSES, rng.randint(1, 2))
        if kind == "compliant":
            states.append(run_state(i, "Log line\n" + result_line("compliant", []), None, "success", "skipped"))
        elif kind == "remediated":
            states.append(run_state(i, result_line("non_compliant", causes), result_line("compliant", []),
                                    "fail", "success"))
        elif kind == "non_compliant":
            states.append(run_state(i, result_line("non_compliant", causes), result_line("non_compliant", causes),
                                    "fail", "remediationFailed"))
        elif kind == "foreign":
            states.append(run_state(i, rng.choice(["Compliant", "WARNING: something", "{not json", "True"]),
                                    None, "success", "skipped"))
        elif kind == "truncated":
            long = result_line("non_compliant", causes)[:-2] + ',"pad":"' + "x" * 2100 + '"}'
            states.append(run_state(i, long[-2048:], None, "fail", "scriptError"))
        else:
            states.append(run_state(i, None, None, "pending", "unknown"))
    return states, kinds


@pytest.fixture
def client(graph) -> GraphClient:  # noqa: F811
    return GraphClient(lambda: TOKEN, graph.base_url, sleep=lambda s: None)


@pytest.mark.parametrize("text, kind", [
    (result_line("compliant", []), "ours"),
    ("log\r\n" + result_line("compliant", []) + "\r\n", "ours"),
    ("Compliant", "foreign"),
    ('{"status": "ok"}', "foreign"),
    (result_line("non_compliant", CAUSES)[40:], "truncated"),
    ("x" * 2048, "truncated"),
    ("", "empty"),
    (None, "empty"),
], ids=["ours", "ours-after-log", "word", "foreign-json", "cut-front", "full-length-garbage", "blank", "null"])
def test_outputs_are_classified(text, kind):
    assert fr.classify_output(text)[0] == kind


def test_post_output_wins_but_causes_come_from_pre():
    state = run_state(1, result_line("non_compliant", CAUSES[:1]), result_line("compliant", []), "fail", "success")
    device = fr.device_result(state)
    assert (device.verdict, device.phase, device.failing) == ("compliant", "post", ("tls12_machine",))
    assert device.codes == {"0xCAA82F7D": 2}


@pytest.mark.parametrize("state", [
    {}, {"managedDevice": None}, {"managedDevice": "x", "preRemediationDetectionScriptOutput": 7},
    {"preRemediationDetectionScriptOutput": json.dumps({"schema_version": 1, "package": "p", "phase": "detect",
                                                        "verdict": "error", "findings": [],
                                                        "evidence": {"codes": {"0x1": "many", "0x2": True}}})},
], ids=["empty", "null-device", "wrong-types", "bad-code-counts"])
def test_odd_run_states_do_not_crash(state):
    report = fr.aggregate(NAME, [state])
    assert len(report.devices) == 1 and not report.code_devices


def test_thousand_device_fleet_is_paged_parsed_and_aggregated(graph, client):  # noqa: F811
    script_id = graph.add_script(NAME)
    states, kinds = make_fleet()
    graph.run_states[script_id] = states
    started = time.perf_counter()
    fetched = fr.fetch_run_states(client, NAME)
    fetch_s = time.perf_counter() - started
    started = time.perf_counter()
    report = fr.aggregate(NAME, fetched)
    aggregate_s = time.perf_counter() - started
    print(f"\n1,000 devices: fetch {fetch_s * 1000:.0f} ms, aggregate {aggregate_s * 1000:.1f} ms")
    pages = [r for r in graph.requests if r.path.endswith("/deviceRunStates")]
    assert len(pages) == 10
    assert pages[0].query == {"$expand": "managedDevice($select=id,deviceName)"}
    assert len(report.devices) == 1000
    assert report.outputs == {"ours": kinds["compliant"] + kinds["remediated"] + kinds["non_compliant"],
                              "foreign": kinds["foreign"], "truncated": kinds["truncated"], "empty": kinds["empty"]}
    assert report.verdicts == {"compliant": kinds["compliant"] + kinds["remediated"],
                               "non_compliant": kinds["non_compliant"]}
    assert sum(report.failing_checks.values()) >= kinds["remediated"] + kinds["non_compliant"]
    assert set(report.failing_checks) == {c[0] for c in CAUSES}
    assert aggregate_s < 2.0


def test_renderers_agree_on_the_same_report(graph, client, tmp_path):  # noqa: F811
    states, _ = make_fleet(200, seed=9)
    report = fr.aggregate(NAME, states)
    as_json = json.loads(fr.to_json(report))
    assert as_json["report_version"] == 2 and as_json["device_count"] == 200
    assert as_json["verdicts"] == dict(report.verdicts)
    rows = list(csv.DictReader(io.StringIO(fr.to_csv(report))))
    assert len(rows) == 200 and tuple(rows[0]) == fr.CSV_FIELDS
    table = fr.to_table(report)
    assert table.startswith(f"{NAME}: 200 devices\n") and "most common causes (devices)" in table
    top_cause = as_json["causes"][0]
    assert f"{top_cause['key']}  {top_cause['count']}" in table.replace("  " * 8, "  ")


def test_html_page_is_self_contained_and_escaped():
    states, _ = make_fleet(100, seed=3)
    states[0]["managedDevice"]["deviceName"] = "<script>alert(1)</script>"
    page = render_html(fr.aggregate(NAME, states))
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 4  # no script errors: no fifth chart
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert not re.search(r"""(src|href)\s*=|@import|url\(|https?://(?!www\.w3\.org/2000/svg)""", page)


def test_missing_remediation_is_a_clear_not_found(graph, client):  # noqa: F811
    with pytest.raises(ServiceError, match=r"not found: no remediation named 'CAA20002 device'.*publish it first"):
        fr.fetch_run_states(client, NAME)


def test_throttled_page_is_retried_mid_paging(graph, client):  # noqa: F811
    script_id = graph.add_script(NAME)
    graph.run_states[script_id] = make_fleet(250)[0]
    graph.fail("GET", r".*/deviceRunStates", 429, headers={"Retry-After": "1"}, times=1)
    assert len(fr.fetch_run_states(client, NAME)) == 250


SCRIPT_ERRORS = {"preRemediationDetectionScriptError": "At line:12 char:5\n+ Get-Item <nope>",
                 "remediationScriptError": "Access is denied. <HKLM>",
                 "postRemediationDetectionScriptError": ""}


def test_script_errors_reach_every_output_and_the_html_report():
    states, _ = make_fleet(20, seed=4)
    states[3].update(SCRIPT_ERRORS)
    report = fr.aggregate(NAME, states)
    device = next(d for d in report.devices if d.device_id == "dev-0003")
    assert device.errors == {"pre_detection_error": "At line:12 char:5\n+ Get-Item <nope>",
                             "remediation_error": "Access is denied. <HKLM>"}
    as_json = next(d for d in json.loads(fr.to_json(report))["devices"] if d["device_id"] == "dev-0003")
    assert (as_json["remediation_error"], as_json["post_detection_error"]) == ("Access is denied. <HKLM>", "")
    row = next(r for r in csv.DictReader(io.StringIO(fr.to_csv(report))) if r["device_id"] == "dev-0003")
    assert row["pre_detection_error"] == "At line:12 char:5\n+ Get-Item <nope>"
    table = fr.to_table(report)
    assert re.search(r"PC-0003 +dev-0003 .*\n    pre_detection_error: At line:12 char:5\n", table)
    assert "script errors (devices)\n  pre_detection_error  1\n  remediation_error    1\n" in table
    page = render_html(report)
    assert "<b>remediation:</b> <span class=\"err\">Access is denied. &lt;HKLM&gt;</span>" in page
    assert "<b>post-remediation detection:</b>" not in page and page.count("<svg") == 5


def test_devices_are_identified_by_their_managed_device_id_not_the_run_state_id():
    state = run_state(7, result_line("compliant", []), None, "success", "skipped")
    assert fr.device_result(state).device_id == "dev-0007"
    del state["managedDevice"]
    assert fr.device_result(state).device_id == ""  # "rs-7" is the run state's key, never shown as a device
