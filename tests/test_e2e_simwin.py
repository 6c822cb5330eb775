"""End to end: ``remediate run 127.0.x.y --port N`` (the real CLI, a subprocess) against a loopback endpoint whose
PowerShell is real and whose machine is the simulated Windows (tests/simwin/remote.py).

The generated scripts run as shipped but for the OS seam (splice.py), on the host's side of WS-Management:
detect-only, --remediate (one pipeline: Invoke-RmCycle) and --dry-run, over PSRP (``pwsh -s``) and WinRM (cmd
shell, the stdin bootstrap, real pwsh), so the runners meet the verdicts, exit codes and streams of real script
runs. Each CLI run costs a PowerShell start or two (~3-6 s here): one scenario per test, few tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simwin.machine import healthy
from simwin.remote import RemoteSim
from tests.wsman_server import HostProgram, LoopbackServer
from tests.wsman_server.fixtures import PASSWORD, USER

pytestmark = pytest.mark.pwsh

SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
DEVICE = "caa20002-device"
REMEDIATE = Path(sys.executable).with_name("remediate")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with LoopbackServer(tmp_path_factory.mktemp("wsman-e2e")) as server:
        yield server


def remediate_run(server: LoopbackServer, host: str, *args: str, transport: str = "psrp",
                  timeout: float = 120) -> tuple[int, dict]:
    """The real CLI against one loopback host: (exit code, the result of its --output json envelope)."""
    argv = [str(REMEDIATE), "run", host, "--port", str(server.port), "--no-ssl", "--transport", transport,
            "--package", DEVICE, "--username", USER, "--output", "json", *args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "REMEDIATE_PASSWORD": PASSWORD})
    assert proc.stdout.strip(), proc.stderr[-2000:]
    return proc.returncode, json.loads(proc.stdout)["result"]


def sim_host(server: LoopbackServer, tmp_path: Path, machine=None) -> tuple[RemoteSim, str]:
    sim = RemoteSim(tmp_path, machine or healthy())
    return sim, server.add_host(HostProgram(pwsh=sim.pwsh_config()))


def finding(record: dict, check: str) -> dict:
    return next(f for f in record["findings"] if f["id"] == check)


TRANSPORTS = ["psrp", "winrm"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_detect_only_healthy_machine_is_compliant(server, tmp_path, transport):
    sim, host = sim_host(server, tmp_path)
    code, out = remediate_run(server, host, "--detect-only", transport=transport)
    (record,) = out["records"]
    assert (code, record["status"], record["verdict"]) == (0, "compliant", "compliant"), record
    assert [p["exit_code"] for p in record["phases"]] == [0]
    assert finding(record, "tls12_machine")["state"] == "pass"


def tls_disabled():
    return healthy().set_value(SCHANNEL, "Enabled", 0)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_detect_only_finds_tls12_disabled_and_changes_nothing(server, tmp_path, transport):
    sim, host = sim_host(server, tmp_path, tls_disabled())
    code, out = remediate_run(server, host, "--detect-only", transport=transport)
    (record,) = out["records"]
    assert (code, record["status"], [p["exit_code"] for p in record["phases"]]) == (1, "non_compliant", [1])
    assert finding(record, "tls12_machine")["reason"] == "schannel_client_disabled"
    sim.sync()
    assert sim.machine.value(SCHANNEL, "Enabled") == 0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_remediate_fixes_tls12_and_verifies(server, tmp_path, transport):
    sim, host = sim_host(server, tmp_path, tls_disabled())
    code, out = remediate_run(server, host, "--remediate", transport=transport)
    (record,) = out["records"]
    assert (code, record["status"], record["verdict"]) == (0, "fixed", "compliant"), record
    assert [(p["phase"], p["exit_code"]) for p in record["phases"]] == [("detect", 1), ("remediate", 0),
                                                                        ("verify", 0)]
    assert len(sim.scripts) == 1 and "Invoke-RmCycle" in sim.scripts[0]  # one pipeline, real PowerShell
    sim.sync()
    assert sim.machine.value(SCHANNEL, "Enabled") == 1
    assert [entry for entry in sim.journal if entry.startswith("registry.set") and "TLS 1.2" in entry]
    code, out = remediate_run(server, host, "--remediate", transport=transport)  # again: nothing to do
    assert (code, out["records"][0]["status"]) == (0, "compliant")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_fix_that_fails_is_exit_3_and_the_state_is_saved(server, tmp_path, transport):
    sim, host = sim_host(server, tmp_path, tls_disabled().fault("registry.write"))
    code, out = remediate_run(server, host, "--remediate", transport=transport)
    (record,) = out["records"]
    assert (code, record["status"]) == (3, "remediation_failed"), record
    assert [(p["phase"], p["exit_code"]) for p in record["phases"]] == [("detect", 1), ("remediate", 1)]
    assert record["error"]["code"] == "script_error" and finding(record, "tls12_machine")["state"] == "failed"
    state = (sim.root / "ProgramData/remediate/state/caa20002-device.state").read_text(encoding="ascii")
    assert "tls12_machine" in state  # the backoff counts this failure


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_dry_run_would_remediate_and_changes_nothing(server, tmp_path, transport):
    sim, host = sim_host(server, tmp_path, tls_disabled())
    code, out = remediate_run(server, host, "--dry-run", transport=transport)
    (record,) = out["records"]
    assert (code, record["status"]) == (1, "would_remediate"), record
    assert [p["phase"] for p in record["phases"]] == ["detect", "remediate"]
    sim.sync()
    assert sim.machine.value(SCHANNEL, "Enabled") == 0
    assert not [entry for entry in sim.journal if entry.startswith("registry")]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_deadline_stops_a_real_long_running_pipeline(server, tmp_path, transport):
    sim, host = sim_host(server, tmp_path)
    sim.stall_s = 120
    code, out = remediate_run(server, host, "--remediate", "--timeout", "6", transport=transport)
    (record,) = out["records"]
    assert (code, record["status"], record["error"]["code"]) == (4, "error", "timeout"), record
    assert record["duration_s"] < 20
    assert server.host(host).closed_at is not None  # the shell was closed after the stop


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_remediation_skipped_because_another_run_holds_the_mutex_is_deferred(server, tmp_path, transport):
    """Defect found by bench/fleet.py --real-pwsh: a remediation skipped for 'mutex_busy' (Intune's run at the same
    moment) was followed by a verify and reported as remediation_failed/still_non_compliant (exit 3)."""
    from simwin.engine import find_pwsh

    sim, host = sim_host(server, tmp_path, tls_disabled())
    name = sim.mutex_name(f"Global\\remediate-{DEVICE}")
    holder = subprocess.Popen([find_pwsh(), "-NoProfile", "-Command",
                               f"$m = [Threading.Mutex]::new($false, '{name}'); $null = $m.WaitOne(); 'held'; "
                               "Start-Sleep -Seconds 120"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code, out = remediate_run(server, host, "--remediate", transport=transport)
    finally:
        holder.kill()
        holder.wait()
    (record,) = out["records"]
    assert (code, record["status"], record["error"]) == (1, "deferred", None), record
    assert [(p["phase"], p["verdict"], p["reason"]) for p in record["phases"]] == [
        ("detect", "non_compliant", ""), ("remediate", "skipped", "mutex_busy")]
    sim.sync()
    assert sim.machine.value(SCHANNEL, "Enabled") == 0
