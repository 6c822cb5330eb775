"""Bad input from hosts and users reaches ``remediate run`` and gets a clear answer, nothing lost or forged."""

from __future__ import annotations

import json

import pytest

from remediate.fleet import format_table
from tests.test_cli_run import device, invoke, line
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.fixtures import loopback  # noqa: F401  (fixture)


def answering(*output: str, exit_code: int = 0) -> HostProgram:
    return HostProgram(script=lambda script, state: Action(output=output, exit_code=exit_code))


@pytest.mark.parametrize("where", [
    pytest.param("missing-dir/out.jsonl", id="missing-directory"),
    pytest.param("a-file/out.jsonl", id="under-a-file"),
])
def test_unwritable_results_path_is_one_line_exit_5_before_any_host(loopback, tmp_path, where):  # noqa: F811
    host = loopback.add_host(device())
    (tmp_path / "a-file").write_text("")
    res = invoke(loopback, host, "--package", "caa20002-device", "--results", str(tmp_path / where))
    assert res.exit_code == 5
    assert res.stderr.startswith("remediate: error: ") and res.stderr.count("\n") == 1, res.stderr
    assert str(tmp_path / where) in res.stderr and loopback.host(host).requests == 0  # names the file


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_strict_json_from_a_host_is_bad_output_and_never_written(loopback, tmp_path, value):  # noqa: F811
    text = line("caa20002-device", "detect", "compliant")[:-1] + f',"duration_ms":{value}}}'
    host = loopback.add_host(answering(text))
    results = tmp_path / "out.jsonl"
    res = invoke(loopback, host, "--package", "caa20002-device", "--results", str(results), "--output", "jsonl")
    (record,) = [json.loads(x) for x in results.read_text().splitlines()]
    assert (record["status"], record["error"]["code"]) == ("error", "bad_output")
    assert value not in results.read_text() and value not in res.stdout
    assert res.exit_code == 4


def test_a_partial_last_line_is_never_glued_to_a_new_record(loopback, tmp_path):  # noqa: F811
    host = loopback.add_host(device(compliant=True))
    results = tmp_path / "out.jsonl"
    results.write_text('{"host":"killed-mid-write","sta')
    res = invoke(loopback, host, "--package", "caa20002-device", "--results", str(results))
    assert res.exit_code == 0
    first, second = results.read_text().splitlines()
    assert first == '{"host":"killed-mid-write","sta' and json.loads(second)["host"] == host


def test_control_characters_from_a_host_never_forge_table_rows():
    forged = "x\r\n10.0.0.9                         compliant          compliant      -\x1b[2K\x1b]0;pwned\x07"
    record = {"host": "PC-1", "status": "remediation_failed", "verdict": "non_compliant", "failing": [forged],
              "error": {"code": "script_error", "message": forged, "stage": "remediate"}}
    lines = format_table([record])
    assert len(lines) == 4 and not any(ch in "".join(lines) for ch in "\r\n\x1b\x07")
    assert [row.split()[0] for row in lines[1:2]] == ["PC-1"]


def test_a_host_whose_port_speaks_garbage_is_a_protocol_error(loopback, tmp_path):  # noqa: F811
    host = loopback.add_host(HostProgram(http_garbage=True))
    results = tmp_path / "out.jsonl"
    res = invoke(loopback, host, "--package", "caa20002-device", "--results", str(results))
    (record,) = [json.loads(x) for x in results.read_text().splitlines()]
    assert record["error"]["code"] == "protocol_error" and res.exit_code == 4


@pytest.mark.parametrize("transport", ["psrp", "winrm"])
@pytest.mark.parametrize("fault", [{"drop_at": 4}, {"truncate_at": 4}], ids=["dropped", "truncated"])
def test_a_host_that_disconnects_mid_stream_is_a_protocol_error(loopback, tmp_path, transport, fault):  # noqa: F811
    """The connection worked (auth, shell) and then broke inside an exchange: not 'unreachable'."""
    host = loopback.add_host(HostProgram(**fault))
    results = tmp_path / "out.jsonl"
    res = invoke(loopback, host, "--package", "caa20002-device", "--transport", transport, "--results", str(results))
    (record,) = [json.loads(x) for x in results.read_text().splitlines()]
    assert record["error"]["code"] == "protocol_error", record["error"]
    assert "mid-answer" in record["error"]["message"] and res.exit_code == 4


@pytest.fixture(scope="module")
def ipv6_host(loopback):  # noqa: F811
    try:
        return loopback.add_host(device(compliant=True), address="::1")
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")


@pytest.mark.parametrize("transport", ["psrp", "winrm"])
@pytest.mark.parametrize("spelling", ["::1", "[::1]"], ids=["bare", "bracketed"])
def test_ipv6_literals_work_on_both_transports(loopback, ipv6_host, transport, spelling):  # noqa: F811
    res = invoke(loopback, spelling, "--package", "caa20002-device", "--transport", transport, "--output", "json")
    (record,) = json.loads(res.stdout)["result"]["records"]
    # [::1] is the bracket form of HOST[:PORT] (remediate/hosts.py): the host is the address inside
    assert (res.exit_code, record["status"], record["host"]) == (0, "compliant", "::1"), record


def test_ipv6_spellings_of_one_address_are_one_host(loopback, ipv6_host):  # noqa: F811
    before = loopback.host(ipv6_host).shells_created
    res = invoke(loopback, "::1", "[::1]", "0:0:0:0:0:0:0:1", "[0::1]", "--package", "caa20002-device",
                 "--output", "json")
    assert res.exit_code == 0, res.output
    assert [r["host"] for r in json.loads(res.stdout)["result"]["records"]] == ["::1"]
    assert loopback.host(ipv6_host).shells_created == before + 1


@pytest.mark.parametrize("transport", ["psrp", "winrm"])
@pytest.mark.parametrize("program, ran", [
    pytest.param(HostProgram(script=lambda script, state: Action(hang=True)), True, id="script-hangs"),
    pytest.param(HostProgram(latency_s=30), False, id="host-answers-slowly"),
])
def test_timed_out_hosts_have_their_real_duration_and_requests(loopback, tmp_path, transport, program, ran):  # noqa: F811
    host = loopback.add_host(program)
    res = invoke(loopback, host, "--package", "caa20002-device", "--transport", transport, "--timeout", "3",
                 "--output", "json")
    (record,) = json.loads(res.stdout)["result"]["records"]
    assert (record["status"], record["error"]["code"]) == ("error", "timeout"), record
    assert 2.5 <= record["duration_s"] < 3 + 6, record  # the deadline, plus at most the stop and close
    assert record["requests"] == loopback.host(host).requests, record
    if not ran:  # the first request never came back: no script ran, the record says where it stopped
        assert (record["phases"], record["error"]["stage"]) == ([], "detect:connect"), record
        return
    (phase,) = record["phases"]  # the phase that ran out of time is in the record, with its time
    assert phase["phase"] == "detect" and phase["exit_code"] is None, record
    assert 2.5 <= phase["duration_s"] <= record["duration_s"] and phase["requests"] > 0, record
