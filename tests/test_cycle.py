"""One pipeline per host for a remote remediation run: the cycle script and the fleet reading its lines.

The loopback hosts play the real rendered cycle script step by step (tests/wsman_server/engine.py); the
request counts are the hosts' own.
"""

from __future__ import annotations

import json
import re

import pytest

from remediate import fleet as fleet_mod
from remediate.errors import RenderError
from remediate.fleet import FleetOptions, run_host
from remediate.render import scripts_for as package_scripts
from remediate.lint import lint_bytes
from remediate.render import render_script
from remediate.results import Phase
from remediate.runners.base import ConnectionSettings, RunOutcome
from remediate.runners import winrm as winrm_runner
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.fixtures import loopback, settings_for  # noqa: F401  (fixtures)

PSRP_GOAL = 8  # issue 7: <= 8 HTTP requests per host for detect -> remediate -> verify over PSRP
RULE = "@('deferred', 'skipped', 'failed', 'error') -contains $result.verdict"  # a line of Invoke-RmCycle's rules


def result_line(package: str, phase: str, verdict: str, reason: str | None = None) -> str:
    data = {"schema_version": 1, "package": package, "phase": phase, "verdict": verdict, "findings": []}
    if reason:
        data["reason"] = reason
    return json.dumps(data, separators=(",", ":"))


# How a host tells the phase of what it runs: the cycle's one-line step stand-ins (engine.py), a rendered
# script's $RmConfig, the interactive-user launcher's own variable.
REMEDIATE_MARKS = ("phase=remediate", "'Phase' = 'remediate'", "$RmLauncherPhase = 'remediate'")
DRY_MARKS = ("dry_run=True", "'DryRun' = $true")


def host_answering(package: str, remediation: str):
    """A host non-compliant until a remediation says 'remediated'; the remediation answers ``remediation``."""
    def play(script: str, state: dict) -> Action:
        fix = any(mark in script for mark in REMEDIATE_MARKS)
        state.setdefault("phases", []).append("remediate" if fix else "detect")
        if fix:
            state["fixed"] = remediation == "remediated" and not any(mark in script for mark in DRY_MARKS)
            return Action(output=(result_line(package, "remediate", remediation),),
                          exit_code=1 if remediation in ("failed", "error") else 0)
        verdict = "compliant" if state.get("fixed") else "non_compliant"
        return Action(output=(result_line(package, "detect", verdict),), exit_code=0 if state.get("fixed") else 1)

    return play


@pytest.fixture(scope="module")
def device_package(real_packages):
    return next(p for p in real_packages if p.run_as.value == "system")


@pytest.fixture(scope="module")
def cycle_scripts(real_packages):
    return {p.id: render_script(p, Phase.REMEDIATE, cycle=True) for p in real_packages}


# -- the script ------------------------------------------------------------------------------------------------
def test_cycle_script_lints_clean_with_one_exit(cycle_scripts):
    assert sorted(cycle_scripts) == ["caa20002-device", "caa20002-user"]
    for pid, data in cycle_scripts.items():
        assert lint_bytes(data, f"{pid}/cycle.ps1") == [], pid
        assert len(re.findall(rb"^\s*exit\b", data, re.M)) == 1, pid
        assert data.count(b"Write-RmResult -Result $RmOutcome") == 1, pid


def test_decision_rules_are_rendered_once_and_only_into_the_cycle_script(cycle_scripts, rendered):
    for pid, data in cycle_scripts.items():
        text = data.decode("ascii")
        assert text.count("function Invoke-RmCycle") == 1 and text.count(RULE) == 1, pid
        assert text.count("Invoke-RmCycle -Checks") == 1, pid
        for name, script in rendered[pid].files().items():
            assert b"Invoke-RmCycle" not in script, f"{pid}/{name}: pruned from scripts that do not call it"


def test_cycle_script_is_a_remediation_script_with_pass_through_output(real_packages):
    package = real_packages[0]
    for kwargs in ({"phase": Phase.DETECT}, {"phase": Phase.REMEDIATE, "rmm_inputs": True},
                   {"phase": Phase.REMEDIATE, "profile": "ninjaone"}):
        phase = kwargs.pop("phase")
        with pytest.raises(RenderError):
            render_script(package, phase, cycle=True, **kwargs)


# -- the fleet against loopback hosts ------------------------------------------------------------------------
def _run(server, package, transport: str, remediation: str = "remediated", *, per_phase: bool = False,
         monkeypatch=None, **options):
    host = server.add_host(HostProgram(script=host_answering(package.id, remediation)))
    if per_phase:
        monkeypatch.setattr(fleet_mod, "one_pipeline", lambda *_: False)
    record = run_host(host, settings_for(server, host, transport), FleetOptions(package.id, **options),
                      package_scripts(package))
    return record, server.host(host)


def _shape(record: dict) -> tuple:
    phases = [(p["phase"], p["verdict"], p["exit_code"], p.get("reason")) for p in record["phases"]]
    return record["status"], record["verdict"], (record["error"] or {}).get("code"), phases, record["failing"]


@pytest.mark.parametrize("transport, after, before", [("psrp", 7, 11), ("winrm", 9, 14)])
def test_full_cycle_in_one_pipeline(loopback, device_package, transport, after, before, monkeypatch,  # noqa: F811
                                    capsys):
    record, host = _run(loopback, device_package, transport, remediate=True)
    assert (record["status"], record["verdict"]) == ("fixed", "compliant")
    assert [p["phase"] for p in record["phases"]] == ["detect", "remediate", "verify"]
    assert len(host.scripts) == 1 and "Invoke-RmCycle -Checks" in host.scripts[0]
    assert host.program.state["phases"] == ["detect", "remediate", "detect"]
    assert host.requests == after and (transport != "psrp" or host.requests <= PSRP_GOAL)
    assert record["requests"] == host.requests  # the pool's Delete included
    old, old_host = _run(loopback, device_package, transport, remediate=True, per_phase=True,
                         monkeypatch=monkeypatch)
    # WinRM sends a script over stdin in STDIN_CHUNK pieces: one more request per chunk beyond the first.
    extra = 0 if transport == "psrp" else sum(
        (len(script.encode("ascii")) - 1) // winrm_runner.STDIN_CHUNK for script in old_host.scripts)
    assert len(old_host.scripts) == 3 and old["requests"] == old_host.requests == before + extra
    assert _shape(record) == _shape(old)
    with capsys.disabled():
        print(f"\n  {transport} detect -> remediate -> verify: {host.requests} HTTP requests per host "
              f"(a pipeline per phase: {old_host.requests})")


@pytest.mark.parametrize("remediation, options, status", [
    pytest.param("non_compliant", {"dry_run": True}, "would_remediate", id="dry-run"),
    pytest.param("deferred", {"remediate": True}, "deferred", id="deferred"),
    pytest.param("failed", {"remediate": True}, "remediation_failed", id="failed"),
])
@pytest.mark.parametrize("transport", ["psrp", "winrm"])
def test_no_verify_after_a_dry_run_or_a_remediation_that_did_not_finish(loopback, device_package,  # noqa: F811
                                                                        remediation, options, status, transport,
                                                                        monkeypatch):
    record, host = _run(loopback, device_package, transport, remediation, **options)
    assert record["status"] == status
    assert [p["phase"] for p in record["phases"]] == ["detect", "remediate"]
    assert len(host.scripts) == 1 and host.program.state["phases"] == ["detect", "remediate"]
    assert ("'DryRun' = $true" in host.scripts[0]) is bool(options.get("dry_run"))
    old, _ = _run(loopback, device_package, transport, remediation, per_phase=True, monkeypatch=monkeypatch,
                  **options)
    assert _shape(record) == _shape(old)


def test_detect_only_runs_are_unchanged(loopback, device_package):  # noqa: F811
    record, host = _run(loopback, device_package, "psrp")
    assert record["status"] == "non_compliant" and host.requests == 7
    assert len(host.scripts) == 1 and "Invoke-RmCycle" not in host.scripts[0]


def test_a_compliant_host_stops_after_detect(loopback, device_package):  # noqa: F811
    host = loopback.add_host(HostProgram(script=lambda s, st: Action(
        output=(result_line(device_package.id, "detect", "compliant"),), exit_code=0)))
    record = run_host(host, settings_for(loopback, host, "psrp"), FleetOptions(device_package.id, remediate=True),
                      package_scripts(device_package))
    assert record["status"] == "compliant" and [p["exit_code"] for p in record["phases"]] == [0]


def test_user_package_keeps_a_pipeline_per_phase(loopback, real_packages):  # noqa: F811
    package = next(p for p in real_packages if p.run_as.value == "user")
    record, host = _run(loopback, package, "psrp", remediate=True, user_context=True)
    assert record["status"] == "fixed" and len(host.scripts) == 3
    assert all("RmLauncherPayload" in s and "Invoke-RmCycle" not in s for s in host.scripts)


class OneAnswer:
    """A runner whose every script prints ``stdout`` and exits ``exit_code``."""

    def __init__(self, stdout: str, exit_code: int = 1) -> None:
        self.outcome = RunOutcome(exit_code, stdout, "", (), 0.01, 2)

    def __call__(self, settings):
        return self

    def run_script(self, script: str, timeout_s: float) -> RunOutcome:
        return self.outcome

    def interrupt(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def _run_cycle(runner: OneAnswer) -> dict:
    return run_host("h", ConnectionSettings("h"), FleetOptions("p", remediate=True), lambda *_: "# Invoke-RmCycle",
                    runner)


@pytest.mark.parametrize("output, message", [
    pytest.param((), "detect output is not a remediate result (no output)", id="no-output"),
    pytest.param(("PS C:\\> something else",), "last line is not JSON", id="foreign-output"),
    pytest.param(("WARNING: stray", "{cycle}"), "last line is not JSON", id="broken-line"),
])
def test_cycle_output_that_is_not_ours(output, message):
    record = _run_cycle(OneAnswer("\n".join(output)))
    assert (record["status"], record["error"]["code"]) == ("error", "bad_output")
    assert message in record["error"]["message"] and [p["phase"] for p in record["phases"]] == ["detect"]


def test_a_cycle_that_stops_early_is_bad_output():
    detect = {**json.loads(result_line("p", "detect", "non_compliant")), "cycle_step": "detect"}
    record = _run_cycle(OneAnswer(json.dumps(detect), exit_code=0))
    assert (record["status"], record["error"]["code"]) == ("remediation_failed", "bad_output")
    assert "the cycle ended before remediate" in record["error"]["message"]
    assert [(p["phase"], p["exit_code"]) for p in record["phases"]] == [("detect", 0), ("remediate", 0)]
