"""`remediate run`'s modes: --dry-run is an independent switch that always wins (Ansible's --check), wherever it
stands on the line and whatever else is given; --detect-only with --remediate is a usage error.

Every order of the mode flags, before and after the other arguments, runs through the CLI against the loopback
WS-Man server, whose host records every remediation it is sent and whether it was a real one.
"""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner

from remediate.cli import cli
from remediate.errors import ExitCode
from tests.wsman_server import Action, HostProgram
from tests.wsman_server.fixtures import PASSWORD, USER, loopback  # noqa: F401  (fixture)

FLAGS = ("--dry-run", "--remediate", "--detect-only")


def recording_host() -> HostProgram:
    """A non-compliant device that becomes compliant only when a real (not dry-run) remediation reaches it."""

    def respond(script: str, state: dict) -> Action:
        phase = "remediate" if "'Phase' = 'remediate'" in script else "detect"
        if phase == "remediate":
            real = "'DryRun' = $true" not in script
            state.setdefault("remediations", []).append("real" if real else "dry")
            state["changed"] = state.get("changed", False) or real
            verdict = "remediated" if real else "non_compliant"
        else:
            verdict = "compliant" if state.get("changed", False) else "non_compliant"
        ok = verdict in ("compliant", "remediated")
        line = json.dumps({"schema_version": 1, "package": "caa20002-device", "phase": phase, "verdict": verdict,
                           "findings": []})
        return Action(output=(line,), exit_code=0 if phase == "remediate" or ok else 1)

    return HostProgram(script=respond)


def orders() -> list[tuple[str, ...]]:
    """Every order of every combination of the mode flags that holds --dry-run."""
    found = []
    for size in range(1, len(FLAGS) + 1):
        for combo in itertools.combinations(FLAGS, size):
            if "--dry-run" in combo:
                found += list(itertools.permutations(combo))
    return found


def run(server, host: str, flags: tuple[str, ...], *, flags_first: bool):
    rest = [host, "--package", "caa20002-device", "--port", str(server.port), "--no-ssl", "--auth", "ntlm",
            "--username", USER, "--output", "jsonl"]
    args = ["run", *flags, *rest] if flags_first else ["run", *rest, *flags]
    return CliRunner().invoke(cli, args, env={"REMEDIATE_PASSWORD": PASSWORD}, catch_exceptions=False)


@pytest.mark.parametrize("flags_first", [True, False], ids=["flags-first", "flags-last"])
@pytest.mark.parametrize("flags", orders(), ids=lambda f: " ".join(f))
def test_dry_run_anywhere_never_changes_a_machine(loopback, flags, flags_first):  # noqa: F811
    host = loopback.add_host(recording_host())
    res = run(loopback, host, flags, flags_first=flags_first)
    state = loopback.host(host).program.state
    assert state.get("changed", False) is False, f"{flags} changed the machine"
    assert "real" not in state.get("remediations", [])
    assert "Traceback" not in res.output
    if "--detect-only" in flags and "--remediate" in flags:
        assert res.exit_code == ExitCode.USAGE
        assert res.stderr.count("\n") == 1 and "contradict" in res.stderr
        assert loopback.host(host).scripts == []  # refused before any host was contacted
    else:
        assert res.exit_code == ExitCode.NON_COMPLIANT, res.output
        status = json.loads(res.stdout)["status"]
        assert status == ("non_compliant" if "--detect-only" in flags else "would_remediate")


@pytest.mark.parametrize("flags", [("--remediate",), ("--detect-only", "--remediate"), ("--remediate", "--detect-only")],
                         ids=lambda f: " ".join(f))
def test_the_recording_host_sees_a_real_remediation(loopback, flags):  # noqa: F811
    """The control: without --dry-run the host does record a change, so the test above can fail."""
    host = loopback.add_host(recording_host())
    res = run(loopback, host, flags, flags_first=True)
    changed = loopback.host(host).program.state.get("changed", False)
    if len(flags) == 1:
        assert res.exit_code == 0 and changed is True, res.output
    else:
        assert res.exit_code == ExitCode.USAGE and changed is False
