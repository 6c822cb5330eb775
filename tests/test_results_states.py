"""`remediate results` as something to act on: one state per device, pending kept out of "needs attention",
the per-cause view, --fail-on for monitoring, --input for offline use, and the Jinja2 HTML page."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from remediate.errors import ConfigError
from remediate.intune import fleet_results as fr
from remediate.intune.html_report import ReportHeader, render_html
from tests.test_intune_results import result_line, run_state

SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "run-states.json"
TLS = ("tls12_machine", "schannel_client_disabled", {"0xCAA82F7D": 2})


@pytest.mark.parametrize("pre, post, detection, remediation, extra, state", [
    pytest.param(result_line("non_compliant", [TLS]), result_line("compliant", []), "fail", "success", {},
                 "remediated", id="issue-fixed"),
    pytest.param(None, None, "fail", "success", {}, "remediated", id="issue-fixed-by-intune-state-only"),
    pytest.param(result_line("compliant", []), None, "success", "skipped", {}, "compliant", id="without-issues"),
    pytest.param(result_line("non_compliant", [TLS]), result_line("non_compliant", [TLS]), "fail",
                 "remediationFailed", {}, "failed", id="recurred"),
    pytest.param(result_line("non_compliant", [TLS]), None, "fail", "skipped", {}, "non_compliant",
                 id="detect-only"),
    pytest.param(None, None, "pending", "unknown", {}, "pending", id="pending"),
    pytest.param(result_line("non_compliant", [TLS]), None, "pending", "unknown", {}, "pending",
                 id="pending-with-an-old-output"),
    pytest.param(None, None, "unknown", "unknown", {}, "pending", id="nothing-reported-yet"),
    pytest.param("", None, "scriptError", "unknown", {"preRemediationDetectionScriptError": "boom"}, "error",
                 id="script-error"),
    pytest.param(result_line("deferred", []), None, "fail", "skipped", {}, "deferred", id="deferred"),
    pytest.param(None, None, "notApplicable", "unknown", {}, "not_applicable", id="not-applicable"),
    pytest.param("Compliant", None, "unknown", "unknown", {}, "unknown", id="foreign-output"),
])
def test_device_state(pre, post, detection, remediation, extra, state):
    run = run_state(1, pre, post, detection, remediation)
    run.update(extra)
    assert fr.device_result(run).state == state


def _report() -> fr.FleetReport:
    return fr.aggregate("CAA20002 device", fr.read_run_states(SAMPLE))


def test_the_sample_file_covers_every_state_an_admin_acts_on():
    report = _report()
    assert dict(report.states) == {"pending": 2, "error": 1, "failed": 2, "remediated": 3, "non_compliant": 3,
                                   "compliant": 2, "not_applicable": 1}
    assert {d.state for d in report.attention} == {"error", "failed", "non_compliant"}  # pending left out
    assert len(report.attention) == 6 and report.to_dict()["needs_attention"] == 6


def test_per_cause_view_says_what_was_fixed_and_what_needs_a_human():
    rows = {r["cause"]: r for r in _report().by_cause()}
    assert rows["tls12_machine: schannel_client_disabled"] == {
        "cause": "tls12_machine: schannel_client_disabled", "check": "tls12_machine",
        "reason": "schannel_client_disabled", "devices": 2, "fixed": 2, "needs_attention": 0, "waiting": 0,
        "advisory": False}
    clock = rows["clock_sync: w32time_stopped"]
    assert (clock["fixed"], clock["needs_attention"]) == (1, 1)
    assert rows["vpn_state: split_tunnel_blocks_login"]["advisory"] is True


@pytest.mark.parametrize("spec, expected", [
    ("needs_attention", set(fr.NEEDS_ATTENTION)), ("failed, error", {"failed", "error"}),
    ("pending", {"pending"}),
])
def test_parse_fail_on(spec, expected):
    assert fr.parse_fail_on(spec) == expected


@pytest.mark.parametrize("spec", ["broken", "failed,nope", " , "])
def test_parse_fail_on_rejects(spec):
    with pytest.raises(ConfigError, match="--fail-on"):
        fr.parse_fail_on(spec)


def results(*args: str):
    return CliRunner().invoke(cli, ["results", "--package", "caa20002-device", *args], catch_exceptions=False,
                              env={"AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": "", "AZURE_CLIENT_SECRET": ""})


@pytest.mark.parametrize("fail_on, code", [
    (None, 0), ("needs_attention", 1), ("failed", 1), ("deferred", 0), ("pending,deferred", 1),
])
def test_fail_on_exit_code_from_an_input_file(fail_on, code):
    res = results("--input", str(SAMPLE), "--output", "json", *(["--fail-on", fail_on] if fail_on else []))
    assert res.exit_code == code, res.output
    envelope = json.loads(res.stdout)
    assert envelope["exit_code"] == code and envelope["result"]["states"]["remediated"] == 3
    assert ("--fail-on:" in res.stderr) == bool(code)


@pytest.mark.parametrize("content, words", [
    ("{oops", "not valid JSON"), ('{"value": 3}', "expected deviceRunStates"), ("[1, 2]", "expected deviceRunStates"),
])
def test_bad_input_file_is_a_config_error(tmp_path, content, words):
    path = tmp_path / "states.json"
    path.write_text(content)
    res = results("--input", str(path))
    assert res.exit_code == 5 and words in res.stderr and "Traceback" not in res.output


def test_unknown_fail_on_state_is_exit_5_before_reading_anything():
    res = results("--input", "/nonexistent.json", "--fail-on", "brokn")
    assert res.exit_code == 5 and "unknown state 'brokn'" in res.stderr


def test_offline_html_says_it_did_not_read_intune(tmp_path):
    page_file = tmp_path / "fleet.html"
    res = results("--input", str(SAMPLE), "--html", str(page_file))
    assert res.exit_code == 0
    page = page_file.read_text()
    assert "Tenant (offline: not read from Intune)" in page and "Source file run-states.json" in page


def test_html_header_autoescape_and_widths_in_percent():
    report = _report()
    header = ReportHeader(dt.datetime(2025, 10, 7, 8, 30, tzinfo=dt.timezone.utc), "<tenant>", "Microsoft Graph",
                          "9.9.9")
    page = render_html(report, header)
    assert "Generated 2025-10-07 08:30 UTC" in page and "Tenant &lt;tenant&gt;" in page and "remediate 9.9.9" in page
    assert "PC-KIOSK-&lt;07&gt;" in page and "<07>" not in page  # a device name from Intune, escaped by Jinja2
    # Charts fit any width: every width in a style is a percentage, and no SVG or fixed-size chart is left.
    widths = re.findall(r"width:([^;\"]+)", page.split("</style>", 1)[1])
    assert widths and all(w.endswith("%") for w in widths)
    assert "fixed everywhere it was found" in page and "nothing local may fix it" in page
    assert page.count("<tr>") == 1 + 6 + 1 + 6 + 1 + 14  # causes, attention, all devices (with their heads)
    assert not re.search(r"""(src|href)\s*=|@import|url\(|<script""", page)
