"""Both remote runners end to end against the loopback WS-Management server (one suite, parametrised)."""

from __future__ import annotations

import logging
import time

import pytest
import structlog
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.fixtures import PASSWORD, loopback, loopback_tls, settings_for  # noqa: F401  (fixtures)

from remediate.errors import ConfigError, RunnerError
from remediate.runners import make_runner
from remediate.runners.base import ConnectionSettings

TRANSPORTS = ["psrp", "winrm"]


@pytest.fixture(params=["http", "https"])
def server(request, loopback, loopback_tls):  # noqa: F811
    return loopback if request.param == "http" else loopback_tls


# -- exit codes, output, errors ------------------------------------------------------------------------
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("script, exit_code, stdout, errors", [
    pytest.param("Write-Output 'fine'\nexit 0", 0, ["fine"], (), id="exit-0"),
    pytest.param("Write-Output 'issue found'\nexit 1", 1, ["issue found"], (), id="exit-1"),
    pytest.param("Write-Output 'a'\nWrite-Output 'b'\nexit 3", 3, ["a", "b"], (), id="exit-3-two-lines"),
    pytest.param("Write-Output 'no exit'", 0, ["no exit"], (), id="no-exit-is-0"),
    pytest.param("Write-Error 'bad thing'\nexit 0", 0, [], ("bad thing",), id="error-record-exit-0"),
    pytest.param("Write-Output 'x'\nthrow 'boom'", 1, ["x"], ("boom",), id="throw-is-exit-1"),
])
def test_exit_code_output_and_errors_come_back_exactly(server, transport, script, exit_code, stdout, errors):
    host = server.add_host()
    with make_runner(settings_for(server, host, transport)) as runner:
        outcome = runner.run_script(script, timeout_s=20)
    assert outcome.exit_code == exit_code
    assert [line for line in outcome.stdout.splitlines() if line] == stdout
    assert outcome.errors == errors
    assert outcome.requests > 0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_script_above_100_kb_runs(loopback, transport):  # noqa: F811
    host = loopback.add_host()
    body = "".join(f"# filler line {i:06d} keeps the script large\r\n" for i in range(3000))
    script = "Write-Output 'big one'\r\n" + body + "exit 1\r\n"
    assert len(script) > 100_000
    with make_runner(settings_for(loopback, host, transport)) as runner:
        outcome = runner.run_script(script, timeout_s=30)
    assert (outcome.exit_code, outcome.stdout.strip()) == (1, "big one")
    seen = loopback.host(host).scripts[-1]
    assert seen.replace("\r\n", "\n").strip() == script.replace("\r\n", "\n").strip()


def test_winrm_command_line_stays_under_cmd_limit():
    from remediate.runners.winrm import CMD_LINE_LIMIT, COMMAND_ARGS

    assert len("powershell.exe " + " ".join(COMMAND_ARGS)) < CMD_LINE_LIMIT


# -- deadlines -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_hanging_script_ends_at_the_deadline_and_the_runner_stays_usable(loopback, transport):  # noqa: F811
    host = loopback.add_host()
    with make_runner(settings_for(loopback, host, transport)) as runner:
        start = time.monotonic()
        with pytest.raises(RunnerError) as info:
            runner.run_script("Write-Output 'started'\n# loopback: hang", timeout_s=1)
        elapsed = time.monotonic() - start
        assert info.value.code == "timeout" and info.value.host == host
        assert 0.9 <= elapsed < 3.5
        assert runner.run_script("exit 1", timeout_s=10).exit_code == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_frozen_host_times_out(loopback, transport):  # noqa: F811
    host = loopback.add_host(HostProgram(http_hang=True))
    start = time.monotonic()
    with make_runner(settings_for(loopback, host, transport)) as runner, pytest.raises(RunnerError) as info:
        runner.run_script("exit 0", timeout_s=1)
    assert info.value.code == "timeout"
    assert time.monotonic() - start < 4


# -- failure classes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("program, overrides, code", [
    pytest.param(HostProgram(), {"password": "wrong-password"}, "auth_failed", id="bad-password"),
    pytest.param(HostProgram(auth_fail=True), {}, "auth_failed", id="account-rejected"),
    pytest.param(HostProgram(fault_code=5), {}, "wsman_fault_access_denied", id="fault-access-denied"),
    pytest.param(HostProgram(fault_code=2150859173), {}, "wsman_fault_too_many_shells", id="fault-too-many-shells"),
    pytest.param(HostProgram(fault_code=2150850001), {}, "wsman_fault_2150850001", id="fault-unknown-number"),
    pytest.param(HostProgram(http_garbage=True), {}, "protocol_error", id="garbage-answer"),
])
def test_failures_map_to_stable_codes(server, transport, program, overrides, code):
    host = server.add_host(program)
    with make_runner(settings_for(server, host, transport, **overrides)) as runner:
        with pytest.raises(RunnerError) as info:
            runner.run_script("exit 0", timeout_s=10)
    err = info.value
    assert err.code == code and err.host == host
    assert host in str(err) and "\n" not in str(err) and "Traceback" not in str(err)
    if code == "auth_failed":
        assert err.http_status == 401
        assert server.host(host).auth_attempts == 1, "a 401 must never be retried (lockouts)"
    if code.startswith("wsman_fault_"):
        assert err.fault_code == program.fault_code


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("host, code", [
    pytest.param("127.0.0.254", "refused", id="refused"),
    pytest.param("no-such-host.invalid", "dns", id="dns"),
])
def test_network_failures(loopback, transport, host, code):  # noqa: F811
    with make_runner(settings_for(loopback, host, transport)) as runner, pytest.raises(RunnerError) as info:
        runner.run_script("exit 0", timeout_s=5)
    assert info.value.code == code


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("validation, ok", [
    pytest.param(True, False, id="default-trust-rejects-self-signed"),
    pytest.param("ca", True, id="ca-bundle-accepts"),
    pytest.param(False, True, id="insecure-accepts"),
])
def test_certificate_validation(loopback_tls, transport, validation, ok):  # noqa: F811
    host = loopback_tls.add_host()
    cert = str(loopback_tls.ca_file) if validation == "ca" else validation
    with make_runner(settings_for(loopback_tls, host, transport, cert_validation=cert)) as runner:
        if ok:
            assert runner.run_script("exit 1", timeout_s=10).exit_code == 1
        else:
            with pytest.raises(RunnerError) as info:
                runner.run_script("exit 0", timeout_s=10)
            assert info.value.code == "tls_certificate"


def test_basic_over_plain_http_is_refused():
    with pytest.raises(ConfigError, match="basic authentication over plain HTTP"):
        ConnectionSettings("pc-1", transport="psrp", ssl=False, auth="basic", username="u", password="p")


# -- connection reuse and round trips -------------------------------------------------------------------
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_one_shell_per_host_for_all_phases(loopback, transport):  # noqa: F811
    host = loopback.add_host()
    with make_runner(settings_for(loopback, host, transport)) as runner:
        codes = [runner.run_script(f"exit {n}", timeout_s=10).exit_code for n in (1, 0, 0)]
    assert codes == [1, 0, 0]
    assert loopback.host(host).shells_created == 1
    assert loopback.host(host).auth_attempts == 1


# Upper bounds on HTTP round trips per host (auth legs included; see test output for the measured values).
ROUND_TRIP_BOUNDS = {("psrp", "detect"): 8, ("psrp", "cycle"): 12, ("winrm", "detect"): 8, ("winrm", "cycle"): 16}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("flow, phases", [("detect", 1), ("cycle", 3)])
def test_round_trips_per_host(server, transport, flow, phases, capsys):
    host = server.add_host()
    with make_runner(settings_for(server, host, transport)) as runner:
        client_counted = sum(runner.run_script("Write-Output 'r'\nexit 1", timeout_s=10).requests
                             for _ in range(phases))
    served = server.host(host).requests
    with capsys.disabled():
        scheme = "https" if server.ssl else "http"
        print(f"\n  round trips {transport}/{scheme} {flow}: {served} (runs {client_counted} + close)")
    assert client_counted < served <= ROUND_TRIP_BOUNDS[(transport, flow)]


# -- no credential leaks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_password_never_appears_in_logs_errors_or_repr(loopback, transport, caplog):  # noqa: F811
    good = loopback.add_host()
    rejecting = loopback.add_host(HostProgram(auth_fail=True))
    captured: list[str] = []
    with structlog.testing.capture_logs() as struct_logs, caplog.at_level(logging.DEBUG):
        for host in (good, rejecting, "127.0.0.254"):
            settings = settings_for(loopback, host, transport)
            captured += [repr(settings), str(settings), str(settings.describe())]
            with make_runner(settings) as runner:
                try:
                    outcome = runner.run_script("Write-Output 'ok'\nexit 0", timeout_s=10)
                    captured.append(repr(outcome))
                except RunnerError as err:
                    captured += [str(err), repr(err), repr(err.fields)]
    captured += [r.getMessage() for r in caplog.records] + [str(e) for e in struct_logs]
    assert caplog.records, "pypsrp/pywinrm debug logging was captured"
    assert not [c for c in captured if PASSWORD in c]


# -- local runner and factory ----------------------------------------------------------------------------
def test_local_runner_without_powershell_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with make_runner(ConnectionSettings("localhost", transport="local")) as runner:
        with pytest.raises(RunnerError) as info:
            runner.run_script("exit 0", timeout_s=5)
    assert info.value.code == "powershell_missing"
    assert "powershell.exe" in str(info.value) and "\n" not in str(info.value)


def test_factory_names_each_runner():
    from remediate.runners.local import LocalRunner
    from remediate.runners.psrp import PSRPRunner
    from remediate.runners.winrm import WinRMRunner

    kinds = {t: type(make_runner(ConnectionSettings("h", transport=t))) for t in ("psrp", "winrm", "local")}
    assert kinds == {"psrp": PSRPRunner, "winrm": WinRMRunner, "local": LocalRunner}


def test_only_the_transport_modules_import_their_libraries():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "remediate"
    for path in root.rglob("*.py"):
        text = path.read_text()
        rel = path.relative_to(root).as_posix()
        if rel != "runners/psrp.py":
            assert "import pypsrp" not in text and "from pypsrp" not in text, rel
        if rel != "runners/winrm.py":
            assert "import winrm" not in text and "from winrm" not in text, rel


@pytest.mark.parametrize("raw, errors", [
    pytest.param("", (), id="empty"),
    pytest.param('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
                 '<Obj S="progress" RefId="0"><MS><I64 N="SourceId">1</I64></MS></Obj></Objs>', (),
                 id="progress-only-is-dropped"),
    pytest.param('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
                 '<S S="Error">it failed_x000D__x000A_</S></Objs>', ("it failed",), id="error-kept"),
    pytest.param("plain text error\r\n", ("plain text error",), id="plain-stderr"),
])
def test_clixml_stderr_decoding(raw, errors):
    from remediate.runners.base import decode_stderr

    assert decode_stderr(raw)[1] == errors


def test_action_helper_programs_a_host(loopback):  # noqa: F811
    host = loopback.add_host(HostProgram(script=lambda text, state: Action(output=("programmed",), exit_code=4)))
    with make_runner(settings_for(loopback, host, "psrp")) as runner:
        outcome = runner.run_script("anything", timeout_s=10)
    assert (outcome.exit_code, outcome.stdout) == (4, "programmed")


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("auth", ["negotiate", "ntlm", "basic"])
def test_auth_modes_over_https(loopback_tls, transport, auth):  # noqa: F811
    host = loopback_tls.add_host()
    with make_runner(settings_for(loopback_tls, host, transport, auth=auth)) as runner:
        assert runner.run_script("exit 6", timeout_s=10).exit_code == 6
