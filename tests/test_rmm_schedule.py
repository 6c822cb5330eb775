"""A scheduled RMM run, simulated across runs: the state file's backoff and attempt limit.

No PowerShell here, so the rules of the state-file functions (Test-RmBackoff, Register-RmAttempt) are restated as a
small Python reference; the tests pin that reference to the PowerShell text (keys, time format, formula) and
take its constants from the rendered script, then drive it hour by hour with a fix that never works.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from remediate import rmm
from remediate.render import RMM_RUNTIME_DIR, RUNTIME_DIR, render_rmm_script


def function_source(*names: str) -> str:
    """The source of each named runtime (or RMM runtime) function, found by the name it defines."""
    files = [*RUNTIME_DIR.glob("*.ps1"), *RMM_RUNTIME_DIR.glob("*.ps1")]
    texts = []
    for name in names:
        defining = [f for f in files if re.search(rf"^function {re.escape(name)} \{{", f.read_text(), re.M)]
        assert len(defining) == 1, (name, defining)
        texts.append(defining[0].read_text())
    return "\n".join(texts)


# The state file's functions: its path, the time stamps, read/save, and the backoff and attempt rules.
STATE_PS = function_source("Get-RmStatePath", "Get-RmStamp", "ConvertFrom-RmStamp", "Get-RmState", "Save-RmState",
                           "Test-RmBackoff", "Register-RmAttempt", "Clear-RmFailure")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # .NET 'yyyy-MM-ddTHH:mm:ssZ'


def rendered_config(script: bytes) -> dict[str, int]:
    text = script.decode()
    block = re.search(r"\$RmConfig = \[ordered\]@\{(.*?)\r\n\}", text, re.S).group(1)
    return {k: int(v) for k, v in re.findall(r"'(\w+)' = (\d+)\r\n", block)}


class StateModel:
    """Python reference of the state-file rules, keyed exactly as the runtime writes them."""

    def __init__(self, config: dict[str, int]) -> None:
        self.max_attempts = config["MaxAttempts"]
        self.cooldown = config["CooldownMinutes"]
        self.cap_minutes = config["CooldownMaxHours"] * 60
        self.state: dict[str, str] = {}  # what the file holds: key=value lines

    def gate(self, check: str, now: datetime) -> str:
        if int(self.state.get(f"{check}.failures", 0)) >= self.max_attempts:
            return "needs_attention"
        nxt = self.state.get(f"{check}.next")
        if nxt and now < datetime.strptime(nxt, TIME_FORMAT).replace(tzinfo=timezone.utc):
            return "backoff"
        return "ok"

    def register(self, check: str, now: datetime, succeeded: bool) -> None:
        self.state[f"{check}.last"] = now.strftime(TIME_FORMAT)
        if succeeded:
            self.state.pop(f"{check}.failures", None)
            self.state.pop(f"{check}.next", None)
            return
        failures = int(self.state.get(f"{check}.failures", 0)) + 1
        minutes = min(self.cooldown * 2 ** (failures - 1), self.cap_minutes)
        self.state[f"{check}.failures"] = str(failures)
        self.state[f"{check}.next"] = (now + timedelta(minutes=minutes)).strftime(TIME_FORMAT)

    def file_text(self) -> str:
        return "".join(f"{k}={self.state[k]}\r\n" for k in sorted(self.state))

    def reset(self) -> None:  # REMEDIATE_RESET_STATE=1 / remediate state reset: the file is deleted
        self.state = {}


def test_reference_matches_the_powershell_text():
    assert "$attempts -ge $RmConfig.MaxAttempts" in STATE_PS and "return 'needs_attention'" in STATE_PS
    assert "(Get-RmOsTime) -lt $next" in STATE_PS and "return 'backoff'" in STATE_PS
    assert ("[Math]::Min($RmConfig.CooldownMinutes * [Math]::Pow(2, $failures - 1), $RmConfig.CooldownMaxHours * 60)"
            in STATE_PS)
    for key in ("'.failures'", "'.next'", "'.last'"):
        assert key in STATE_PS
    # One time format, written by Get-RmStamp and read by ConvertFrom-RmStamp, used for .last and .next.
    assert STATE_PS.count("'yyyy-MM-ddTHH:mm:ssZ'") == 2
    assert STATE_PS.count("Get-RmStamp -Time") == 2 and "ConvertFrom-RmStamp -Text $State[$Id + '.next']" in STATE_PS
    assert "$_ + '=' + $State[$_]" in STATE_PS and "Sort-Object" in STATE_PS  # sorted key=value lines
    assert "Join-Path (Get-RmDataRoot) ('state\\' + $RmConfig.Package + '.state')" in STATE_PS  # on disk


def hourly(model: StateModel, check: str, start: datetime, hours: int, fix_works=lambda n: False):
    """Run the package every hour; each allowed attempt calls the fix. Returns (hour, gate, outcome)."""
    log = []
    for hour in range(hours):
        now = start + timedelta(hours=hour)
        gate = model.gate(check, now)
        if gate == "ok":
            ok = fix_works(hour)
            model.register(check, now, ok)
            result = {"verdict": "remediated" if ok else "failed"}
        elif gate == "needs_attention":
            result = {"verdict": "non_compliant", "reason": "needs_attention"}
        else:
            result = {"verdict": "non_compliant", "reason": ""}
        log.append((hour, gate, rmm.format_result("nagios", result).outcome))
    return log


@pytest.fixture
def device_model(real_packages):
    package = next(p for p in real_packages if p.run_as.value == "system")
    config = rendered_config(render_rmm_script(package, "nagios"))
    assert config["MaxAttempts"] == package.runtime["max_attempts"]
    return StateModel(config)


def test_cooldown_doubles_then_attempts_stop_with_needs_attention(device_model):
    start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    log = hourly(device_model, "tls12_machine", start, 12)
    attempts = [h for h, gate, _ in log if gate == "ok"]
    cooldown = device_model.cooldown // 60  # hours between attempts: 1, 2, then stop (3 attempts)
    assert device_model.max_attempts == 3 and device_model.cooldown == 60
    assert attempts == [0, cooldown, cooldown + 2 * cooldown]
    assert [o for h, _, o in log if h in attempts] == ["failed"] * 3
    assert {o for h, _, o in log if h > attempts[-1]} == {"needs_attention"}
    assert [g for _, g, _ in log][:4] == ["ok", "ok", "backoff", "ok"]
    text = device_model.file_text()
    assert re.fullmatch(r"tls12_machine\.failures=3\r\ntls12_machine\.last=\S+Z\r\ntls12_machine\.next=\S+Z\r\n", text)


def test_state_survives_across_runs_and_reset_resumes_fixing(device_model):
    start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    hourly(device_model, "tls12_machine", start, 12)
    # A reboot changes nothing: the next run reads the same file.
    assert device_model.gate("tls12_machine", start + timedelta(days=30)) == "needs_attention"
    device_model.reset()
    log = hourly(device_model, "tls12_machine", start + timedelta(days=30), 2, fix_works=lambda n: True)
    assert [o for _, _, o in log] == ["remediated", "remediated"]
    assert "failures" not in device_model.file_text()


def test_cooldown_is_capped(device_model):
    device_model.max_attempts = 50
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    for _ in range(10):
        device_model.register("x", now, False)
    nxt = datetime.strptime(device_model.state["x.next"], TIME_FORMAT).replace(tzinfo=timezone.utc)
    assert nxt - now == timedelta(minutes=device_model.cap_minutes)


def test_reset_input_and_mutex_busy_are_wired(real_packages):
    rmm_ps = function_source("Reset-RmStateOnRequest")
    assert "[System.IO.File]::Delete($path)" in rmm_ps and "$path = Get-RmStatePath" in rmm_ps
    package_ps = function_source("Invoke-RmPackage")
    assert "$result.reason = 'mutex_busy'" in package_ps
    busy = rmm.format_result("datto", {"verdict": "skipped", "reason": "mutex_busy"})
    assert busy.outcome == "mutex_busy" and "mutex_busy" in busy.lines[-2]
